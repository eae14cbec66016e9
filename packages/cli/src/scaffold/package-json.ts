import type { ServiceNames } from './names';

export interface WorkspaceVersions {
  kit: string;
  contracts: string;
  testkit: string;
}

/** services/<name>/package.json: a private workspace, run from source by `npm start`. */
export function packageJson(names: ServiceNames, versions: WorkspaceVersions): string {
  const manifest = {
    name: names.packageName,
    version: '0.1.0',
    private: true,
    description: `Answers ${names.requested.short} with ${names.answered.short}.`,
    license: 'Apache-2.0',
    scripts: {
      // From the project root, as the README runs it: the root tsconfig.json's paths resolve the
      // workspace packages to their sources, so nothing needs a build first.
      start: `cd ../.. && tsx services/${names.name}/src/main.ts`,
    },
    dependencies: { '@troupe/contracts': versions.contracts, '@troupe/kit': versions.kit },
    devDependencies: { '@troupe/testkit': versions.testkit },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
