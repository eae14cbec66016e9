import { TroupeError } from '../errors';

/**
 * Records were sent to topics the cluster does not have. Troupe never creates a topic by sending
 * to it: a misspelled topic is refused, not silently created.
 */
export class UnknownTopicError extends TroupeError {
  constructor(
    readonly topics: readonly string[],
    options?: { cause?: unknown },
  ) {
    const one = topics.length === 1;
    super(
      'TOPIC_MISSING',
      `expected topic${one ? '' : 's'} ${topics.join(', ')} to exist on the cluster, found ${one ? 'it' : 'them'} missing ` +
        `(records are never sent to a topic that is not there; create ${one ? 'it' : 'them'} first, e.g. with troupe topics apply)`,
      options,
    );
  }
}
