import { catalogService, notConnected } from '@troupe/kit';
import { defaultPipelineNames, type RedisTrafficRouter } from '@troupe-services/pipeline';
import { rollbackDefinition } from './rollback';

/** The rollback service as the system catalog (troupe.config.ts) describes it. */
export default catalogService({
  description: 'Sends all traffic back to the stable version when a canary degrades.',
  definition: rollbackDefinition(
    defaultPipelineNames(),
    notConnected<RedisTrafficRouter>('the traffic router (Redis)'),
    () => Promise.reject(new Error('the releases topic is not read by the catalog')),
  ),
});
