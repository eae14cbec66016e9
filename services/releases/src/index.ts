export { startReleases, releasesDefinition, loadReleasesSettings } from './releases';
export type { ReleasesSettings, RunningReleases } from './releases';
export { buildReleaseApi, startReleaseApi } from './api';
export type { ReleaseApi, ReleaseApiOptions } from './api';
export { ReleaseStore } from './release-store';
export {
  projectRelease,
  requestedView,
  shortType,
  RELEASE_EVENT_TYPES,
  TERMINAL_STATES,
} from './projection';
export type { HistoryEntry, ReleaseEvent, ReleaseState, ReleaseView } from './projection';
export { parseReleaseRequest } from './release-request';
export type { ReleaseRequestBody } from './release-request';
