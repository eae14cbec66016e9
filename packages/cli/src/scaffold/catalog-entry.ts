import type { ServiceNames } from './names';

/** src/catalog.ts: the service as the system catalog (troupe.config.ts) reads it. */
export function catalogSource(names: ServiceNames, definitionModule: string): string {
  return `/** ${names.name} as the system catalog (troupe.config.ts) describes it: its definition. */
export { ${names.identifier} as default } from './${definitionModule}';
`;
}

/**
 * troupe.config.ts with `file` added at the end of its \`services\` list, by editing the text
 * (the list is string literals, as \`troupe new service\` and the README write it).
 *
 * @throws Error when the text has no \`services: [ … ]\` list of strings.
 */
export function addServiceFile(text: string, file: string): string {
  const list = /\bservices\s*:\s*\[([^\]]*)\]/.exec(text);
  if (!list || !/^(\s*(['"])[^'"]*\2\s*,?)*\s*$/.test(list[1]!))
    throw new Error('has no services: [ … ] list of file names to add the service to');
  const entries = list[1]!.trimEnd();
  const separator = entries === '' || entries.endsWith(',') ? '' : ',';
  const at = list.index + list[0].length - 1 - (list[1]!.length - entries.length);
  return `${text.slice(0, at)}${separator}\n'${file}',${text.slice(at)}`;
}
