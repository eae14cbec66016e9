import type { Command } from 'commander';
import type { CliContext } from '../context';
import { newService } from '../scaffold/new-service';

/** `troupe new service <name>`: scaffolds a service with a contract domain of its own. */
export function registerNewCommands(program: Command, context: CliContext): void {
  const create = program.command('new').description('scaffold new parts of a Troupe project');
  create
    .command('service <name>')
    .description(
      'a service with its own events (schemas/<name>/, topic <name>.events), a unit test and a README',
    )
    .option('--dir <root>', 'the project root, where schemas/topics.json is', '.')
    .action(async (name: string, options: { dir: string }) => {
      await newService(name, options.dir, context);
    });
}
