import { Events } from '@troupe/contracts';
import { catalogService, notConnected } from '@troupe/kit';
import { defaultPipelineNames } from '@troupe-services/pipeline';
import type { ReleaseStore } from './release-store';
import { releasesDefinition } from './releases';

const names = defaultPipelineNames();

/** The releases service as the system catalog (troupe.config.ts) describes it. */
export default catalogService({
  description:
    'The HTTP API that requests releases, and the projection of every release event behind GET /releases/:id.',
  definition: releasesDefinition(
    names,
    notConnected<ReleaseStore>('the release store (PostgreSQL)'),
  ),
  // POST /releases writes ReleaseRequested to the PostgreSQL outbox; its relay publishes it.
  publishes: { [Events.ReleaseRequested]: names.topics.releases },
});
