import type { FastifyInstance } from 'fastify';
import type { RegistryService } from '../registry-service';
import { compatibilityBody, flag, type FlagsQuery, type SubjectParams } from './params';

/**
 * /config (compatibility levels), /mode (always READWRITE: there is no import mode) and the root.
 * Confluent answers GET with `compatibilityLevel` but reads and echoes `compatibility` on PUT.
 */
export function configRoutes(app: FastifyInstance, service: RegistryService): void {
  app.get('/', async () => ({}));

  app.get('/config', async () => ({ compatibilityLevel: await service.globalCompatibility() }));

  app.put('/config', async (request) => ({
    compatibility: await service.setGlobalCompatibility(compatibilityBody(request.body)),
  }));

  app.get<{ Params: SubjectParams; Querystring: FlagsQuery }>(
    '/config/:subject',
    async (request) => ({
      compatibilityLevel: await service.subjectCompatibility(
        request.params.subject,
        flag(request.query.defaultToGlobal),
      ),
    }),
  );

  app.put<{ Params: SubjectParams }>('/config/:subject', async (request) => ({
    compatibility: await service.setSubjectCompatibility(
      request.params.subject,
      compatibilityBody(request.body),
    ),
  }));

  app.delete<{ Params: SubjectParams }>('/config/:subject', async (request) => ({
    compatibilityLevel: await service.deleteSubjectCompatibility(request.params.subject),
  }));

  app.get('/mode', async () => ({ mode: 'READWRITE' }));
  app.get('/mode/:subject', async () => ({ mode: 'READWRITE' }));
}
