import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerSchemasCommands } from './commands/schemas';
import { registerDlqCommands } from './commands/dlq';
import { registerTopicsCommands } from './commands/topics';
import { registerTraceCommands } from './commands/trace';
import { registerPublishCommands } from './commands/publish';
import { registerNewCommands } from './commands/new';
import { registerGraphCommands } from './commands/graph';
import { registerAsyncApiCommands } from './commands/asyncapi';
import { CliFailure, type CliContext } from './context';

/**
 * The `troupe` command. Each command group lives in its own file under commands/ and exports
 * `register<Group>Commands(program, context)`; add new groups (topics, dlq, trace) to
 * COMMAND_GROUPS. Actions throw on failure; `run` turns any error into one readable line.
 */
type CommandGroup = (program: Command, context: CliContext) => void;

const COMMAND_GROUPS: CommandGroup[] = [
  registerSchemasCommands,
  registerTopicsCommands,
  registerDlqCommands,
  registerTraceCommands,
  registerPublishCommands,
  registerNewCommands,
  registerGraphCommands,
  registerAsyncApiCommands,
];

export function createProgram(context: CliContext): Command {
  const program = new Command('troupe')
    .description('Troupe: choreographed microservices on Kafka')
    .version(cliVersion(), '--version', 'the version of @troupe/cli')
    .option('--verbose', 'on failure, also print the stack trace and causes')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) =>
        text
          .trimEnd()
          .split('\n')
          .forEach((line) => context.out(line)),
      writeErr: (text) =>
        text
          .trimEnd()
          .split('\n')
          .forEach((line) => context.err(line)),
    });
  for (const register of COMMAND_GROUPS) register(program, context);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function run(argv: string[], context: CliContext = processContext()): Promise<number> {
  const program = createProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed it
    const verbose = argv.includes('--verbose');
    // A CliFailure may list several self-contained lines (one per failed subject); anything
    // else is squeezed onto one line.
    const lines = error instanceof CliFailure ? error.message.split('\n') : [oneLine(error)];
    for (const line of lines) context.err(`troupe: ${line}`);
    if (verbose) describeInDetail(error, context);
    return error instanceof CliFailure ? error.exitCode : 1;
  }
}

function cliVersion(): string {
  // package.json sits one folder above both src/ (a checkout) and dist/ (an installed package).
  const manifest = readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

function describeInDetail(error: unknown, context: CliContext): void {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const stack = current instanceof Error ? (current.stack ?? current.message) : String(current);
    context.err(depth === 0 ? stack : `caused by: ${stack}`);
    current = current instanceof Error ? current.cause : undefined;
  }
}

export function processContext(): CliContext {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
}
