import { Events } from '@troupe/contracts';
import { catalogService } from '@troupe/kit';
import { defaultPipelineNames, serviceName } from '@troupe-services/pipeline';

const names = defaultPipelineNames();

/** The telemetry simulator as the system catalog (troupe.config.ts) describes it. */
export default catalogService({
  name: serviceName('telemetry', names),
  description:
    'Simulates the traffic the router splits between versions and publishes request samples per version every 100 ms.',
  publishes: { [Events.RequestSamples]: names.topics.samples },
});
