/** services/<name>/tsconfig.json: like every service's, referencing what it imports. */
export function serviceTsconfig(): string {
  return `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "references": [
    { "path": "../../packages/kit" },
    { "path": "../../packages/contracts" },
    { "path": "../../packages/testkit" }
  ]
}
`;
}
