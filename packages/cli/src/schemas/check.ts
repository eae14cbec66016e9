import * as avro from 'avsc';
import {
  avroTypeOptions,
  type RegisteredSchema,
  type SchemaRegistryClient,
  type SubjectNamer,
} from '@troupe/kit';
import { CliFailure, type CliContext } from '../context';
import { planSubjects, shownPath, type Contracts, type SubjectPlan } from './contracts';

/**
 * The CI gate: asks the registry whether each schema may become the next version of its
 * subject. Fails with one line per incompatible subject naming the subject, the registered
 * version it conflicts with, the compatibility level and why.
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
      failures.push(await describeFailure(contracts, plan, latest, registry, result.messages));
    }
  }
  if (failures.length > 0) throw new CliFailure(failures.join('\n'));
  context.out(`${plans.length} subjects compatible with ${registry.url}`);
}

async function describeFailure(
  contracts: Contracts,
  plan: SubjectPlan,
  latest: RegisteredSchema,
  registry: SchemaRegistryClient,
  messages: string[],
): Promise<string> {
  const level = await registry.compatibilityLevel(plan.subject).catch(() => undefined);
  let why = messages.map(readableMessage).join('; ');
  if (!why) why = explainIncompatibility(plan.entry.type, latest.schema, level) ?? '';
  return (
    `${plan.subject}: ${shownPath(contracts, plan.entry.source)} is incompatible with version ${latest.version} (id ${latest.id})` +
    `${level ? ` under ${level}` : ''}: ${why || 'the registry gave no reason'}`
  );
}

/** Confluent's verbose messages are sometimes JSON-ish objects in a string; keep the description. */
function readableMessage(message: string): string {
  const description = /description:'([^']*)'/.exec(message)?.[1];
  return description ?? message;
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
