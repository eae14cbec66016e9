import type { FastifyInstance } from 'fastify';
import type { RegistryService } from '../registry-service';
import {
  flag,
  parseVersion,
  schemaRequestBody,
  type FlagsQuery,
  type SubjectParams,
  type SubjectVersionParams,
} from './params';

/** /subjects…: list, register, look up, read and delete versions. */
export function subjectRoutes(app: FastifyInstance, service: RegistryService): void {
  app.get<{ Querystring: FlagsQuery }>('/subjects', (request) =>
    service.subjects(flag(request.query.deleted)),
  );

  app.get<{ Params: SubjectParams; Querystring: FlagsQuery }>(
    '/subjects/:subject/versions',
    (request) => service.versions(request.params.subject, flag(request.query.deleted)),
  );

  app.post<{ Params: SubjectParams }>('/subjects/:subject/versions', (request) =>
    service.register(request.params.subject, schemaRequestBody(request.body)),
  );

  app.post<{ Params: SubjectParams; Querystring: FlagsQuery }>('/subjects/:subject', (request) =>
    service.lookup(
      request.params.subject,
      schemaRequestBody(request.body),
      flag(request.query.deleted),
    ),
  );

  app.get<{ Params: SubjectVersionParams; Querystring: FlagsQuery }>(
    '/subjects/:subject/versions/:version',
    (request) =>
      service.version(
        request.params.subject,
        parseVersion(request.params.version),
        flag(request.query.deleted),
      ),
  );

  // The schema itself as the body, not wrapped in an object.
  app.get<{ Params: SubjectVersionParams; Querystring: FlagsQuery }>(
    '/subjects/:subject/versions/:version/schema',
    async (request, reply) => {
      const { subject, version } = request.params;
      const found = await service.version(
        subject,
        parseVersion(version),
        flag(request.query.deleted),
      );
      return reply.type('application/vnd.schemaregistry.v1+json').send(found.schema);
    },
  );

  // Schema references are not supported, so nothing ever refers to a version.
  app.get<{ Params: SubjectVersionParams }>(
    '/subjects/:subject/versions/:version/referencedby',
    async (request) => {
      await service.version(request.params.subject, parseVersion(request.params.version), false);
      return [];
    },
  );

  app.delete<{ Params: SubjectParams; Querystring: FlagsQuery }>('/subjects/:subject', (request) =>
    service.deleteSubject(request.params.subject, flag(request.query.permanent)),
  );

  app.delete<{ Params: SubjectVersionParams; Querystring: FlagsQuery }>(
    '/subjects/:subject/versions/:version',
    (request) =>
      service.deleteVersion(
        request.params.subject,
        parseVersion(request.params.version),
        flag(request.query.permanent),
      ),
  );
}
