import { Events } from '@troupe/contracts';
import { catalogService, notConnected } from '@troupe/kit';
import { defaultPipelineNames, type RedisTrafficRouter } from '@troupe-services/pipeline';
import { canaryDefinition, loadCanarySettings } from './canary';
import type { CanaryState } from './canary-state';

const names = defaultPipelineNames();

/** The canary as the system catalog (troupe.config.ts) describes it. */
export default catalogService({
  description:
    'Starts a canary when a release passes its tests; promotes it after a healthy observation window.',
  definition: canaryDefinition(
    names,
    loadCanarySettings({}),
    notConnected<CanaryState>('the canary state (Redis)'),
    notConnected<RedisTrafficRouter>('the traffic router (Redis)'),
  ),
  // The promotion loop publishes Promoted on its own schedule, outside any handler.
  publishes: { [Events.Promoted]: names.topics.releases },
});
