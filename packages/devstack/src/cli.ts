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
import { settingsLines, stopLocalStack } from './stack';
import { findStackTools } from './stack-tools';

/**
 * `npm run stack:up|down|status|prepare`; `stack:up -- --secure` secures Kafka (SASL_SSL, see
 * StartOptions.secure). Settings go to stdout as `export NAME='value'` lines (for
 * `eval "$(npm run -s stack:up)"`);
 * everything meant for a person goes to stderr.
 */
const say = (line: string) => process.stderr.write(`${line}\n`);

async function up(options: Set<string>): Promise<void> {
  const { stack } = await upBackgroundStack(say, { secure: options.has('--secure') });
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

/** Checks everything `up` needs, as `up` does before spawning anything, and resolves the Kafka classpath. */
async function prepare(): Promise<void> {
  const tools = await findStackTools(say);
  say(`Kafka ${tools.kafka.release.version} classpath ready in ${tools.kafka.libDir}`);
}

const commands: Record<string, (options: Set<string>) => void | Promise<void>> = {
  up,
  down,
  status,
  prepare,
};
/** The options each command accepts; anything else is refused before the command runs. */
const accepted: Record<string, string[]> = { up: ['--secure'] };

async function main(): Promise<void> {
  const [name = '', ...options] = process.argv.slice(2);
  const command = commands[name];
  if (!command) {
    say(`usage: troupe-stack <${Object.keys(commands).join('|')}> (up accepts --secure)`);
    process.exitCode = 2;
    return;
  }
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
    await command(new Set(options));
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
