import os from 'node:os';
import path from 'node:path';

/** Where resolved artifacts live between runs: TROUPE_CACHE_DIR, else ~/.cache/troupe. */
export function cacheDir(): string {
  return (
    process.env.TROUPE_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'troupe')
  );
}

/** Where the background stack is remembered: TROUPE_STATE_DIR, else the cache directory. */
export function stateDir(): string {
  return process.env.TROUPE_STATE_DIR ?? cacheDir();
}
