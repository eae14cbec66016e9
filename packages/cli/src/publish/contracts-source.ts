import type { SchemaCatalog } from '@troupe/kit';
import type { TopicSpec } from '@troupe/kit/internal';
import { CliFailure } from '../context';
import { findSchemasDir, loadContracts, shownPath } from '../schemas/contracts';

/** The schemas and topics `troupe publish` validates and routes with. */
export interface PublishContracts {
  catalog: SchemaCatalog;
  topics: TopicSpec[];
  /** The topics file as messages name it. */
  topicsShownAs: string;
}

/**
 * The schemas folder (`--schemas`, else the nearest schemas/ with a topics.json at or above the
 * working directory, as `troupe schemas` finds it), read as it is now: a schema added a moment
 * ago by `troupe new service` is there before `npm run schemas:generate` ran. Outside a project
 * with a schemas folder, the contracts generated into @troupe/contracts.
 */
export async function publishContracts(
  dir: string | undefined,
  cwd: string,
): Promise<PublishContracts> {
  let found = true;
  if (dir === undefined) {
    try {
      findSchemasDir(undefined, cwd);
    } catch (error) {
      if (!(error instanceof CliFailure)) throw error;
      found = false;
    }
  }
  if (found) {
    const contracts = await loadContracts(dir, cwd);
    return {
      catalog: contracts.catalog,
      topics: contracts.topics,
      topicsShownAs: shownPath(contracts, contracts.topicsFile),
    };
  }
  const { contractsCatalog, topicSpecs } = await import('@troupe/contracts');
  return {
    catalog: contractsCatalog(),
    topics: topicSpecs,
    topicsShownAs: 'the topics of @troupe/contracts',
  };
}
