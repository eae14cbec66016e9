import { catalogService } from '@troupe/kit';
import { defaultPipelineNames } from '@troupe-services/pipeline';
import { loadNotifierSettings, notifierDefinition } from './notifier';

/** The notifier as the system catalog (troupe.config.ts) describes it. */
export default catalogService({
  description: 'Raises an alert (and posts it to a webhook) when tests fail or a canary degrades.',
  definition: notifierDefinition(defaultPipelineNames(), loadNotifierSettings({})),
});
