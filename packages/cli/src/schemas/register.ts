import type { SchemaRegistryClient } from '@troupe/kit';
import type { SubjectNamer } from '@troupe/kit/internal';
import type { CliContext } from '../context';
import { planSubjects, type Contracts } from './contracts';

/**
 * Registers every event schema under the subject of each topic carrying it. Idempotent: the
 * registry returns the existing id for a schema it already has under that subject.
 */
export async function registerSchemas(
  contracts: Contracts,
  registry: SchemaRegistryClient,
  subjectOf: SubjectNamer,
  context: CliContext,
): Promise<void> {
  const plans = planSubjects(contracts, subjectOf);
  for (const plan of plans) {
    const id = await registry.register(plan.subject, plan.entry.schemaText);
    const registered = await registry.lookup(plan.subject, plan.entry.schemaText);
    const version = registered ? ` version ${registered.version}` : '';
    context.out(`registered ${plan.subject}: id ${id}${version}`);
  }
  context.out(`${plans.length} subjects registered at ${registry.url}`);
}
