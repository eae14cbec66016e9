/**
 * The traffic router's transitions, each one Lua script so the check and the change are atomic
 * (a promote and a rollback of the same canary can race; exactly one of them wins).
 *
 * Keys: KEYS[1] the service's route hash (stable, canaryVersion, canaryShare, releaseId,
 * correlationId, traceparent, canaryStartedAt, updatedAt); KEYS[2] the release's record hash
 * (service, version, stableVersion, startedAt, outcome, promotedAt, rolledBackAt, fromVersion,
 * toVersion, previousVersion, promotions, rollbacks); KEYS[3] the set of routed services.
 * Replies are flat arrays of strings, parsed in traffic-router.ts.
 */

/**
 * ARGV: service, releaseId, version, share, defaultStable, now, correlationId, traceparent (the
 * canary's trace context, '' for none).
 */
export const START_CANARY = `
local outcome = redis.call('HGET', KEYS[2], 'outcome')
local stable = redis.call('HGET', KEYS[1], 'stable')
if outcome then return {'ended', outcome, stable or ''} end
if not stable then
  stable = ARGV[5]
  redis.call('HSET', KEYS[1], 'stable', stable)
end
local current = redis.call('HGET', KEYS[1], 'releaseId')
if current == ARGV[2] then
  return {'already', stable, redis.call('HGET', KEYS[2], 'startedAt'), ''}
end
redis.call('HSET', KEYS[1], 'canaryVersion', ARGV[3], 'canaryShare', ARGV[4], 'releaseId', ARGV[2],
  'correlationId', ARGV[7], 'traceparent', ARGV[8] or '', 'canaryStartedAt', ARGV[6], 'updatedAt', ARGV[6])
redis.call('HSET', KEYS[2], 'service', ARGV[1], 'version', ARGV[3], 'stableVersion', stable, 'startedAt', ARGV[6],
  'promotions', 0, 'rollbacks', 0)
redis.call('SADD', KEYS[3], ARGV[1])
return {'started', stable, ARGV[6], current or ''}
`;

/** ARGV: releaseId, now. */
export const PROMOTE = `
local outcome = redis.call('HGET', KEYS[2], 'outcome')
if outcome == 'promoted' then
  return {'already', redis.call('HGET', KEYS[2], 'promotedAt'), redis.call('HGET', KEYS[2], 'previousVersion'),
    redis.call('HGET', KEYS[2], 'version')}
end
if outcome then return {'refused', 'the release was ' .. outcome} end
if redis.call('HGET', KEYS[1], 'releaseId') ~= ARGV[1] then return {'refused', 'it is not the current canary'} end
local previous = redis.call('HGET', KEYS[1], 'stable')
local version = redis.call('HGET', KEYS[1], 'canaryVersion')
redis.call('HSET', KEYS[1], 'stable', version, 'previousStable', previous, 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'canaryVersion', 'canaryShare', 'releaseId', 'correlationId', 'traceparent', 'canaryStartedAt')
redis.call('HSET', KEYS[2], 'outcome', 'promoted', 'promotedAt', ARGV[2], 'previousVersion', previous)
redis.call('HINCRBY', KEYS[2], 'promotions', 1)
return {'promoted', ARGV[2], previous, version}
`;

/**
 * ARGV: releaseId, now. Takes the canary out of service; a release already promoted is undone
 * (the stable version goes back to the one it replaced). Rolling back twice is a no-op that
 * answers `already` with the first rollback's time: `rollbacks` counts real changes only.
 */
export const ROLLBACK = `
local outcome = redis.call('HGET', KEYS[2], 'outcome')
if outcome == 'rolled-back' then
  return {'already', redis.call('HGET', KEYS[2], 'rolledBackAt'), redis.call('HGET', KEYS[2], 'fromVersion'),
    redis.call('HGET', KEYS[2], 'toVersion')}
end
local version = redis.call('HGET', KEYS[2], 'version')
local to
if redis.call('HGET', KEYS[1], 'releaseId') == ARGV[1] then
  to = redis.call('HGET', KEYS[1], 'stable')
  redis.call('HDEL', KEYS[1], 'canaryVersion', 'canaryShare', 'releaseId', 'correlationId', 'traceparent', 'canaryStartedAt')
  redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2])
elseif outcome == 'promoted' and redis.call('HGET', KEYS[1], 'stable') == version then
  to = redis.call('HGET', KEYS[2], 'previousVersion')
  redis.call('HSET', KEYS[1], 'stable', to, 'updatedAt', ARGV[2])
else
  return {'refused', outcome and ('the release was ' .. outcome .. ' and is no longer live') or 'no canary of this release is routed'}
end
redis.call('HSET', KEYS[2], 'outcome', 'rolled-back', 'rolledBackAt', ARGV[2], 'fromVersion', version, 'toVersion', to)
redis.call('HINCRBY', KEYS[2], 'rollbacks', 1)
return {'rolled-back', ARGV[2], version, to}
`;
