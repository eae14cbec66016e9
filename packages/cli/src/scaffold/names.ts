import { camel, pascal } from '../typegen/named-types';
import { CliFailure } from '../context';

/** What `troupe new service <name>` accepts: a lowercase word, words joined by single hyphens. */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{1,40}$/;

/** The contracts namespace every domain of the project lives under (`troupe.<domain>`). */
export const NAMESPACE_ROOT = 'troupe';

/** Every name the scaffold derives from the service name, in one place. */
export interface ServiceNames {
  /** `order-status`: the folder under services/, the consumer group, the topic's prefix. */
  name: string;
  /** `@troupe-services/order-status`. */
  packageName: string;
  /** `orderStatus`: the contract domain, its folder under schemas/ and its namespace's last part. */
  domain: string;
  /** `troupe.orderStatus`. */
  namespace: string;
  /** `order-status.events`. */
  topic: string;
  /** The exported definition, a valid identifier no generated file uses otherwise (`orderStatus`). */
  identifier: string;
  /** The aggregate key: a field of both events and the topic's key. */
  idField: string;
  requested: EventNames;
  answered: EventNames;
}

export interface EventNames {
  /** `OrderStatusRequested`: the record's name, its file name and its TypeScript type. */
  short: string;
  /** `troupe.orderStatus.OrderStatusRequested`: the event type. */
  type: string;
}

/** Identifiers the generated files use, and lowercase names TypeScript or jest reserve. */
const TAKEN = new Set([
  // the generated files' own identifiers
  ...['defineService', 'runService', 'createService', 'loadConfig', 'contractsCatalog'],
  ...['Publisher', 'JsonTestCodec', 'MemoryKafkaDriver', 'EventTypes', 'TroupeService'],
  ...['headerString', 'request', 'ctx', 'kafka', 'codec', 'service', 'publisher', 'topic'],
  ...['eventually', 'check', 'what', 'deadline', 'sent', 'record', 'answered', 'requested'],
  // globals a module-level const would shadow
  ...['process', 'console', 'require', 'module', 'exports', 'global', 'globalThis', 'undefined'],
  ...['eval', 'arguments', 'describe', 'it', 'test', 'expect', 'jest', 'beforeEach', 'afterEach'],
  ...['beforeAll', 'afterAll', 'setTimeout', 'clearTimeout', 'fetch', 'structuredClone'],
  // reserved words (ES2022 strict mode and TypeScript's own)
  ...['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete'],
  ...['do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if'],
  ...['import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw'],
  ...['true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static'],
  ...['implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'async'],
  ...['declare', 'type', 'namespace', 'module', 'abstract', 'any', 'boolean', 'number'],
  ...['string', 'symbol', 'object', 'never', 'unknown', 'bigint', 'as', 'satisfies', 'of'],
]);

/**
 * Checks the name (one line naming the problem, as a CliFailure) and derives every other name.
 * Stricter than the pattern alone where a name would give odd or clashing identifiers: no
 * trailing hyphen, no double hyphen, not `main` (src/main.ts is the entry point).
 */
export function serviceNames(name: string): ServiceNames {
  if (!SERVICE_NAME.test(name))
    throw new CliFailure(
      `service name "${name}" is not a lowercase word: expected ${SERVICE_NAME.source} ` +
        '(a letter, then 1 to 40 lowercase letters, digits or hyphens)',
    );
  if (name.endsWith('-') || name.includes('--'))
    throw new CliFailure(
      `service name "${name}": hyphens go between words, one at a time (like order-status)`,
    );
  if (name === 'main')
    throw new CliFailure(
      'service name "main" would put its definition in src/main.ts, the entry point: pick another name',
    );
  const domain = camel(name);
  const namespace = `${NAMESPACE_ROOT}.${domain}`;
  const event = (suffix: string): EventNames => {
    const short = `${pascal(name)}${suffix}`;
    return { short, type: `${namespace}.${short}` };
  };
  const identifier =
    [domain, `${domain}Service`, `${domain}Definition`].find(
      (candidate) => !TAKEN.has(candidate),
    ) ?? `${domain}Definition`;
  return {
    name,
    packageName: `@troupe-services/${name}`,
    domain,
    namespace,
    topic: `${name}.events`,
    identifier,
    idField: 'requestId',
    requested: event('Requested'),
    answered: event('Answered'),
  };
}
