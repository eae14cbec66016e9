import type { ServiceNames } from './names';

/** src/main.ts: the process entry point. */
export function mainSource(names: ServiceNames, definitionModule: string): string {
  return `import { contractsCatalog } from '@troupe/contracts';
import { runService } from '@troupe/kit';
import { ${names.identifier} } from './${definitionModule}';

// Configuration from the TROUPE_* environment, validated at start; Avro on the wire, with the
// schema registry at TROUPE_SCHEMA_REGISTRY_URL. /healthz /readyz /metrics on TROUPE_HTTP_PORT;
// SIGTERM or Ctrl-C drains, commits and stops.
void runService(${names.identifier}, { catalog: contractsCatalog() });
`;
}
