#!/usr/bin/env node
'use strict';
/**
 * The `troupe` command. In a checkout of Troupe (src/ beside this folder) it runs the TypeScript
 * sources through tsx, with workspace packages resolved to their src/ by the root tsconfig.json's
 * paths: nothing to build first, and never a stale dist/. An installed package has no src/ and
 * runs its compiled dist/.
 */
const path = require('node:path');
const { existsSync } = require('node:fs');

const source = path.join(__dirname, '..', 'src', 'cli.ts');
if (existsSync(source)) {
  const callersTsconfig = process.env.TSX_TSCONFIG_PATH;
  process.env.TSX_TSCONFIG_PATH = path.join(__dirname, '..', '..', '..', 'tsconfig.json');
  require('tsx/cjs');
  // Read once at registration; processes the CLI starts get the caller's own setting back.
  if (callersTsconfig === undefined) delete process.env.TSX_TSCONFIG_PATH;
  else process.env.TSX_TSCONFIG_PATH = callersTsconfig;
  require(source);
} else {
  require(path.join(__dirname, '..', 'dist', 'cli.js'));
}
