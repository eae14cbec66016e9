import type { FastifyInstance } from 'fastify';
import type { RegistryService } from '../registry-service';
import { flag, parseId, type FlagsQuery, type IdParams } from './params';

/** /schemas…: schemas by id, and the types this registry knows. */
export function schemaRoutes(app: FastifyInstance, service: RegistryService): void {
  // Confluent omits schemaType for AVRO, and clients read its absence as AVRO.
  app.get<{ Params: IdParams }>('/schemas/ids/:id', async (request) => ({
    schema: await service.schemaById(parseId(request.params.id)),
  }));

  app.get<{ Params: IdParams }>('/schemas/ids/:id/schema', async (request, reply) => {
    const schema = await service.schemaById(parseId(request.params.id));
    return reply.type('application/vnd.schemaregistry.v1+json').send(schema);
  });

  app.get<{ Params: IdParams; Querystring: FlagsQuery }>('/schemas/ids/:id/versions', (request) =>
    service.versionsOfId(parseId(request.params.id), flag(request.query.deleted)),
  );

  app.get<{ Params: IdParams; Querystring: FlagsQuery }>('/schemas/ids/:id/subjects', (request) =>
    service.subjectsOfId(parseId(request.params.id), flag(request.query.deleted)),
  );

  app.get('/schemas/types', async () => ['AVRO']);
}
