import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Jest gives every test file its own module registry, so this set holds one file's folders.
const made = new Set<string>();

/** A new empty folder under the OS temp dir; `removeScratchDirs()` (in afterAll) deletes it. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.add(dir);
  return dir;
}

/** Deletes every folder `scratchDir` made in this module instance: a test run leaves nothing behind. */
export function removeScratchDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
