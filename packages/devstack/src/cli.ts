#!/usr/bin/env node
import {
  PrerequisiteError,
  ServerStartError,
  SettingError,
  StartInterruptedError,
  UsageError,
} from './errors';
import { upBackgroundStack } from './background-stack';
import { forgetCurrentStack, readCurrentStack, serverStates } from './current-stack';
import {
  type ServerName,
  killServer,
  pauseServer,
  restartServer,
  resumeServer,
  serverNames,
} from './server-control';
import { type LocalStack, settingsLines, stopLocalStack } from './stack';
import { findStackTools } from './stack-tools';

/**
 * `npm run stack:up|down|status|prepare`; `stack:up -- --secure` secures Kafka (SASL_SSL, see
 * StartOptions.secure), `stack:up -- --brokers 3` runs a replicated cluster (StartOptions.kafkaNodes). `stack:kill|pause|resume|restart -- <server>` are faults on the running
 * stack's servers (server-control.ts; kill takes --term for SIGTERM instead of SIGKILL).
 * Settings go to stdout as `export NAME='value'` lines (for `eval "$(npm run -s stack:up)"`);
 * everything meant for a person goes to stderr.
 */
const say = (line: string) => process.stderr.write(`${line}\n`);

async function up(options: Set<string>, args: string[]): Promise<void> {
  const { stack } = await upBackgroundStack(say, {
    secure: options.has('--secure'),
    kafkaNodes: brokerCount(options, args),
  });
  process.stdout.write(`${settingsLines(stack.settings)}\n`);
}

async function down(): Promise<void> {
  const current = readCurrentStack();
  if (!current) {
    say('no stack is running');
    return;
  }
  await stopLocalStack(current);
  forgetCurrentStack();
  say(
    `stopped ${current.servers.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}; removed ${current.dir}`,
  );
}

function status(): void {
  const current = readCurrentStack();
  if (!current) {
    say('no stack is running');
    process.exitCode = 3;
    return;
  }
  for (const s of serverStates(current))
    say(`${s.name.padEnd(16)} pid ${s.pid}  ${s.alive ? 'running' : 'NOT RUNNING'}`);
  process.stdout.write(`${settingsLines(current.settings)}\n`);
  if (!serverStates(current).every((s) => s.alive)) process.exitCode = 3;
}

/** `--brokers N` (N ≥ 1) as given to `up`, or undefined without it; anything else is a UsageError. */
function brokerCount(options: Set<string>, args: string[]): number | undefined {
  if (!options.has('--brokers')) return undefined;
  const [value, ...extra] = args;
  if (extra.length === 0 && value !== undefined && /^[1-9]\d*$/.test(value)) return Number(value);
  throw new UsageError(
    `--brokers expects the number of Kafka nodes (1 or more, e.g. --brokers 3), found ${args.map((a) => `"${a}"`).join(' ') || 'nothing'}`,
  );
}

/** The running stack and the server named on the command line, or a UsageError saying what is wrong. */
function target(args: string[]): { stack: LocalStack; name: ServerName } {
  const stack = readCurrentStack();
  if (!stack) throw new UsageError('no stack is running: start one with npm run stack:up');
  const [name, ...extra] = args;
  if (!name || extra.length > 0 || !serverNames(stack).includes(name))
    throw new UsageError(
      `expected one server name (${serverNames(stack).join(', ')}), found ${args.length ? args.map((a) => `"${a}"`).join(' ') : 'none'}`,
    );
  return { stack, name };
}

async function kill(options: Set<string>, args: string[]): Promise<void> {
  const { stack, name } = target(args);
  const sig = options.has('--term') ? 'SIGTERM' : 'SIGKILL';
  await killServer(stack, name, sig);
  say(
    `${name} (pid ${stack.servers.find((s) => s.name === name)?.pid}) ended by ${sig}; its data is kept: npm run stack:restart -- ${name}`,
  );
}

function pause(_options: Set<string>, args: string[]): void {
  const { stack, name } = target(args);
  pauseServer(stack, name);
  say(
    `${name} paused (SIGSTOP): it holds its connections and answers nothing until npm run stack:resume -- ${name}`,
  );
}

function resume(_options: Set<string>, args: string[]): void {
  const { stack, name } = target(args);
  resumeServer(stack, name);
  say(`${name} resumed`);
}

async function restart(_options: Set<string>, args: string[]): Promise<void> {
  const { stack, name } = target(args);
  const started = Date.now();
  await restartServer(stack, name);
  say(
    `${name} restarted in place (pid ${stack.servers.find((s) => s.name === name)?.pid}), answering after ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Checks everything `up` needs, as `up` does before spawning anything, and resolves the Kafka classpath. */
async function prepare(): Promise<void> {
  const tools = await findStackTools(say);
  say(`Kafka ${tools.kafka.release.version} classpath ready in ${tools.kafka.libDir}`);
}

const commands: Record<string, (options: Set<string>, args: string[]) => void | Promise<void>> = {
  up,
  down,
  status,
  prepare,
  kill,
  pause,
  resume,
  restart,
};
/** The options each command accepts; anything else is refused before the command runs. */
const accepted: Record<string, string[]> = { up: ['--secure', '--brokers'], kill: ['--term'] };
/** The commands that take a server's name. */
const takesServer = new Set(['kill', 'pause', 'resume', 'restart']);

async function main(): Promise<void> {
  const [name = '', ...words] = process.argv.slice(2);
  const command = commands[name];
  if (!command) {
    say(
      `usage: troupe-stack <${Object.keys(commands).join('|')}> (up accepts --secure and --brokers N; kill, pause, resume and restart take a server as stack:status names it)`,
    );
    process.exitCode = 2;
    return;
  }
  // Options start with `-`; the other words are the command's arguments: a server's name, or
  // the value of up's `--brokers` (`--brokers=3` is `--brokers 3`). A command that takes no
  // argument refuses any, as it refuses an unknown option.
  const split = words.flatMap((w) =>
    w.startsWith('--brokers=') ? ['--brokers', w.slice(10)] : [w],
  );
  const options = split.filter((w) => w.startsWith('-'));
  const args = split.filter((w) => !w.startsWith('-'));
  const takesArguments = takesServer.has(name) || (name === 'up' && options.includes('--brokers'));
  if (!takesArguments) options.push(...args);
  const unknown = options.filter((option) => !(accepted[name] ?? []).includes(option));
  if (unknown.length > 0) {
    const allowed = accepted[name] ?? [];
    say(
      `troupe-stack: ${name} does not accept ${unknown.join(' ')} (${allowed.length ? `accepted: ${allowed.join(' ')}` : 'it takes no option'})`,
    );
    process.exitCode = 2;
    return;
  }
  try {
    await command(new Set(options), args);
  } catch (error) {
    // Known failures are one readable line (plus a server's log tail); anything else is a bug worth its stack.
    if (
      error instanceof PrerequisiteError ||
      error instanceof SettingError ||
      error instanceof ServerStartError ||
      error instanceof StartInterruptedError ||
      error instanceof UsageError
    )
      say(`troupe-stack: ${error.message}`);
    else
      say(
        `troupe-stack: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    process.exitCode = 1;
  }
}

void main();
