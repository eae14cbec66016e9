import type { FastifyInstance } from 'fastify';
import type { CompatibilityResult } from '../compatibility';
import type { RegistryService } from '../registry-service';
import {
  flag,
  parseVersion,
  schemaRequestBody,
  type FlagsQuery,
  type SubjectParams,
  type SubjectVersionParams,
} from './params';

/**
 * /compatibility/subjects/{subject}/versions[/{version}]: would this schema be accepted?
 * Without a version, against the subject as a registration would check (every version under a
 * *_TRANSITIVE level); with one, `latest` included, against that one version only, as Confluent
 * documents. `?verbose=true` adds the reasons.
 */
export function compatibilityRoutes(app: FastifyInstance, service: RegistryService): void {
  app.post<{ Params: SubjectVersionParams; Querystring: FlagsQuery }>(
    '/compatibility/subjects/:subject/versions/:version',
    async (request) => {
      const { subject, version } = request.params;
      const result = await service.testCompatibility(
        subject,
        parseVersion(version),
        schemaRequestBody(request.body),
      );
      return answer(result, flag(request.query.verbose));
    },
  );

  app.post<{ Params: SubjectParams; Querystring: FlagsQuery }>(
    '/compatibility/subjects/:subject/versions',
    async (request) => {
      const result = await service.testCompatibility(
        request.params.subject,
        undefined,
        schemaRequestBody(request.body),
      );
      return answer(result, flag(request.query.verbose));
    },
  );
}

function answer(
  result: CompatibilityResult,
  verbose: boolean,
): { is_compatible: boolean; messages?: string[] } {
  return verbose
    ? { is_compatible: result.compatible, messages: [...result.messages] }
    : { is_compatible: result.compatible };
}
