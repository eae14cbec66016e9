/**
 * Lua run atomically inside Redis, so the check and the write of each transition can never
 * interleave with another owner's. Values: `lease:<owner>` while someone handles the event,
 * `done` after success. Reply mapping is pure and kept here, beside the scripts.
 */

export const LEASE_PREFIX = 'lease:';
export const DONE = 'done';

/**
 * Many keys per call: one command per fetched batch, not per event (a command costs the client far
 * more than the few microseconds Redis spends on a key). Replies follow KEYS.
 *
 * KEYS dedup keys; ARGV[1] `lease:<owner>`; ARGV[2] lease ms. For each key:
 * free (never seen, or an expired lease: the key is gone) → take the lease, reply 1;
 * our own lease (a retry after a failed release) → extend it, reply 1;
 * otherwise reply the current value: `done` or another owner's lease.
 */
export const CLAIM_MANY_SCRIPT = `
local replies = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then
    replies[i] = 1
  else
    local current = redis.call('GET', key)
    if current == ARGV[1] then
      redis.call('PEXPIRE', key, ARGV[2])
      replies[i] = 1
    else
      replies[i] = current or 'vanished'
    end
  end
end
return replies
`;

/**
 * KEYS dedup keys; ARGV[1] `lease:<owner>`; ARGV[2] done TTL ms. For each key: mark done only if
 * we still hold the lease or the key is free (our lease expired and nobody took over): reply 1.
 * Already done: 2. Another owner took over our expired lease: 0 — we leave their lease alone;
 * they mark it when they finish.
 */
export const MARK_DONE_MANY_SCRIPT = `
local replies = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == false or current == ARGV[1] then
    redis.call('SET', key, 'done', 'PX', ARGV[2])
    replies[i] = 1
  elseif current == 'done' then
    replies[i] = 2
  else
    replies[i] = 0
  end
end
return replies
`;

/** KEYS[1] dedup key; ARGV[1] `lease:<owner>`. Deletes the key only if it is our lease. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

export type ClaimOutcome = 'claimed' | 'done' | 'busy';
export type MarkOutcome = 'marked' | 'alreadyDone' | 'lost';

/** The answer of one claim; `holder` names the other owner when busy. */
export interface ClaimResult {
  outcome: ClaimOutcome;
  holder?: string;
}

export function leaseValue(owner: string): string {
  return `${LEASE_PREFIX}${owner}`;
}

/** Shared answers for the common outcomes: a fetched batch allocates nothing per event for them. */
export const CLAIMED: ClaimResult = Object.freeze({ outcome: 'claimed' });
export const ALREADY_DONE: ClaimResult = Object.freeze({ outcome: 'done' });

export function claimFromReply(reply: unknown): ClaimResult {
  if (reply === 1) return CLAIMED;
  const text = Buffer.isBuffer(reply) ? reply.toString() : reply;
  if (text === DONE) return ALREADY_DONE;
  if (typeof text === 'string' && text.startsWith(LEASE_PREFIX)) {
    return { outcome: 'busy', holder: text.slice(LEASE_PREFIX.length) };
  }
  // A value we never write: someone else uses our key space. Not done, so never skip.
  throw new TypeError(
    `dedup claim: expected 1, "done" or "lease:<owner>", found ${JSON.stringify(text)}`,
  );
}

export function markFromReply(reply: unknown): MarkOutcome {
  if (reply === 1) return 'marked';
  if (reply === 2) return 'alreadyDone';
  if (reply === 0) return 'lost';
  throw new TypeError(`dedup mark: expected 0, 1 or 2, found ${JSON.stringify(reply)}`);
}
