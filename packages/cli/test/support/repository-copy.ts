import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { scratchDir } from '@troupe/testkit';

const REPO = path.resolve(__dirname, '../../../..');

/**
 * The working tree's sources (tracked files, and new ones not ignored: what a commit of the
 * tree would hold) in a scratch folder. node_modules is a folder of links to the repository's,
 * except the workspace links (@troupe/*, @troupe-services/*): those are relative links
 * (../../packages/kit) that, followed through a link to the repository's node_modules, would
 * land in the repository's packages, so they are made again inside the copy.
 */
export async function copyOfRepository(prefix = 'troupe-repo-copy'): Promise<string> {
  const dir = scratchDir(prefix);
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter((file) => file !== '' && existsSync(path.join(REPO, file)));
  for (const file of files) await cp(path.join(REPO, file), path.join(dir, file));
  const modules = path.join(REPO, 'node_modules');
  await mkdir(path.join(dir, 'node_modules'));
  for (const entry of await readdir(modules)) {
    if (entry === '.bin') {
      // Links to the repository's tools, except troupe: the copy's own CLI, always (were it
      // missing, `npx troupe` would look for a package of that name on the registry).
      const bins = path.join(dir, 'node_modules', '.bin');
      await mkdir(bins);
      await symlink(
        path.join(dir, 'packages', 'cli', 'bin', 'troupe.js'),
        path.join(bins, 'troupe'),
      );
      for (const bin of await readdir(path.join(modules, '.bin')))
        if (bin !== 'troupe')
          await symlink(
            // The link's target as an absolute path, whether or not it exists yet (a bin in a dist/).
            path.resolve(modules, '.bin', await readlink(path.join(modules, '.bin', bin))),
            path.join(bins, bin),
          );
    } else if (entry === '@troupe' || entry === '@troupe-services') {
      await mkdir(path.join(dir, 'node_modules', entry));
      for (const link of await readdir(path.join(modules, entry)))
        await symlink(
          await readlink(path.join(modules, entry, link)),
          path.join(dir, 'node_modules', entry, link),
        );
    } else {
      await symlink(path.join(modules, entry), path.join(dir, 'node_modules', entry));
    }
  }
  return dir;
}
