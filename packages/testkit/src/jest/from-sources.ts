/**
 * Jest's globalSetup and globalTeardown run outside jest's module registry, so its
 * moduleNameMapper (workspace packages → their src/) does not reach them: without this they would
 * load @troupe/* from dist/, missing on a fresh clone and stale after an edit. Imported first, it
 * registers tsx for require() with the root tsconfig.json's paths, as the troupe bin does.
 */
import path from 'node:path';

const callersTsconfig = process.env.TSX_TSCONFIG_PATH;
process.env.TSX_TSCONFIG_PATH = path.resolve(__dirname, '..', '..', '..', '..', 'tsconfig.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('tsx/cjs');
// Read once at registration; the processes tests start get the caller's own setting back.
if (callersTsconfig === undefined) delete process.env.TSX_TSCONFIG_PATH;
else process.env.TSX_TSCONFIG_PATH = callersTsconfig;
