import { catalogService, notConnected } from '@troupe/kit';
import { defaultPipelineNames } from '@troupe-services/pipeline';
import { loadWatchdogSettings, watchdogDefinition } from './watchdog';
import type { WindowStore } from './window-store';

/** The watchdog as the system catalog (troupe.config.ts) describes it. */
export default catalogService({
  description:
    "Judges each canary's error rate against the stable version's and reports a degraded canary.",
  definition: watchdogDefinition(
    defaultPipelineNames(),
    loadWatchdogSettings({}),
    notConnected<WindowStore>('the window store (Redis)'),
  ),
});
