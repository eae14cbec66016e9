import * as avro from 'avsc';
import { type SchemaRegistryClient } from '@troupe/kit';
import { avroTypeOptions, type RegisteredSchema, type SubjectNamer } from '@troupe/kit/internal';
import { CliFailure, type CliContext } from '../context';
import { planSubjects, shownPath, type Contracts, type SubjectPlan } from './contracts';

/**
 * The CI gate: asks the registry whether each schema may become the next version of its
 * subject — the check registration makes, against every version under a *_TRANSITIVE level.
 * Fails with one line per incompatible subject naming the subject, the registered version it
 * conflicts with, the compatibility level and why.
 */
export async function checkSchemas(
  contracts: Contracts,
  registry: SchemaRegistryClient,
  subjectOf: SubjectNamer,
  context: CliContext,
): Promise<void> {
  const plans = planSubjects(contracts, subjectOf);
  const failures: string[] = [];
  for (const plan of plans) {
    const latest = await registry.latest(plan.subject);
    if (latest === undefined) {
      context.out(`new ${plan.subject} (not registered yet)`);
      continue;
    }
    const result = await registry.testCompatibility(plan.subject, plan.entry.schemaText);
    if (result === undefined || result.compatible) {
      context.out(`ok  ${plan.subject} (compatible with version ${latest.version})`);
    } else {
      const conflict = (await newestConflict(registry, plan, latest)) ?? {
        version: latest,
        messages: result.messages,
      };
      failures.push(await describeFailure(contracts, plan, conflict, registry));
    }
  }
  if (failures.length > 0) throw new CliFailure(failures.join('\n'));
  context.out(`${plans.length} subjects compatible with ${registry.url}`);
}

interface Conflict {
  version: RegisteredSchema;
  /** The registry's reasons, if it gives them. */
  messages: string[];
}

/**
 * The newest registered version the schema cannot live with. Under a *_TRANSITIVE level that may
 * be older than the latest, and registries do not say which in one agreed form (Confluent adds
 * `{oldSchemaVersion: n}` to its reasons, others word it their own way), so ask version by
 * version: a check against one version applies the level's direction to that version alone.
 * Only runs for failures, so the extra requests cost nothing on a passing build.
 */
async function newestConflict(
  registry: SchemaRegistryClient,
  plan: SubjectPlan,
  latest: RegisteredSchema,
): Promise<Conflict | undefined> {
  const versions = (await registry.versions(plan.subject)) ?? [latest.version];
  for (const number of [...versions].sort((a, b) => b - a)) {
    const result = await registry.testCompatibilityWithVersion(
      plan.subject,
      number,
      plan.entry.schemaText,
    );
    if (result === undefined || result.compatible) continue;
    const version =
      number === latest.version ? latest : await registry.version(plan.subject, number);
    if (version) return { version, messages: result.messages };
  }
  return undefined;
}

async function describeFailure(
  contracts: Contracts,
  plan: SubjectPlan,
  { version, messages }: Conflict,
  registry: SchemaRegistryClient,
): Promise<string> {
  const level = await registry.compatibilityLevel(plan.subject).catch(() => undefined);
  let why = readableMessages(messages).join('; ');
  if (!why) why = explainIncompatibility(plan.entry.type, version.schema, level) ?? '';
  return (
    `${plan.subject}: ${shownPath(contracts, plan.entry.source)} is incompatible with version ${version.version} (id ${version.id})` +
    `${level ? ` under ${level}` : ''}: ${why || 'the registry gave no reason'}`
  );
}

/**
 * Confluent's verbose reasons are JSON-ish strings: `{errorType:'…', description:'…',
 * additionalInfo:'…'}` per problem, then context — `{oldSchemaVersion: 2}`, `{oldSchema: '…'}`,
 * `{compatibility: '…'}` — that the line already states (and a whole schema is no reason).
 * Keep the descriptions, which may themselves contain quotes; pass other registries' text through.
 */
function readableMessages(messages: string[]): string[] {
  return messages.filter((message) => !CONTEXT_MESSAGE.test(message)).map(readableMessage);
}

const CONTEXT_MESSAGE = /^\{(oldSchemaVersion|oldSchema|compatibility|validateFields):/;
const DESCRIPTION = /description:(['"])(.*?)\1(?:, additionalInfo:.*)?\}$/s;

function readableMessage(message: string): string {
  return DESCRIPTION.exec(message)?.[2] ?? message;
}

/**
 * Works out locally why two versions are incompatible when the registry does not say:
 * BACKWARD means the new schema must read data written with the old one, FORWARD the reverse,
 * FULL both. avsc's resolver errors name the offending field or type.
 */
export function explainIncompatibility(
  candidate: avro.Type,
  registeredText: string,
  level?: string,
): string | undefined {
  let registered: avro.Type;
  try {
    registered = avro.Type.forSchema(JSON.parse(registeredText) as avro.Schema, {
      ...avroTypeOptions(),
      wrapUnions: 'auto',
    });
  } catch (error) {
    return `the registered schema does not parse: ${(error as Error).message}`;
  }
  const mode = (level ?? 'FULL').toUpperCase();
  const problems: string[] = [];
  if (!mode.startsWith('FORWARD') && mode !== 'NONE') {
    const problem = resolutionProblem(candidate, registered);
    if (problem)
      problems.push(`the new schema cannot read data written with the registered one (${problem})`);
  }
  if (!mode.startsWith('BACKWARD') && mode !== 'NONE') {
    const problem = resolutionProblem(registered, candidate);
    if (problem)
      problems.push(
        `readers of the registered schema cannot read data written with the new one (${problem})`,
      );
  }
  return problems.length ? problems.join('; ') : undefined;
}

function resolutionProblem(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
