import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadCatalog } from '../catalog/load-catalog';
import { CliFailure, type CliContext } from '../context';
import { checkChoreography } from '../graph/check';
import { allowedLines, passingLine } from '../graph/check-summary';
import { GRAPH_FORMATS, parseGraphFormat, renderGraph } from '../graph/render';

interface GraphOptions {
  format: string;
  config?: string;
  out?: string;
  check?: boolean;
}

/**
 * `troupe graph`: the choreography of troupe.config.ts drawn (Mermaid, DOT or SVG), or with
 * `--check` checked against CHOREOGRAPHY_RULES (the CI gate: exit 1 and one line per finding).
 * Reads the catalog only; connects to nothing.
 */
export function registerGraphCommands(program: Command, context: CliContext): void {
  program
    .command('graph')
    .description(
      'draw the choreography of troupe.config.ts (services, event types, topics), or --check it',
    )
    .option('--format <format>', GRAPH_FORMATS.join(' | '), GRAPH_FORMATS[0])
    .option('--config <file>', 'the catalog (default: troupe.config.ts in the working directory)')
    .option('--out <file>', 'write the drawing to this file instead of printing it')
    .option(
      '--check',
      'check the choreography instead of drawing it: one line per finding, exit 1 if any',
    )
    .action(async (options: GraphOptions, command: Command) => {
      const format = parseGraphFormat(options.format);
      const catalog = await loadCatalog(options.config, context);
      if (options.check) {
        const report = checkChoreography(catalog);
        const verbose = command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
        if (verbose) allowedLines(report).forEach((line) => context.out(line));
        if (report.findings.length > 0) {
          const allowed =
            report.allowed.length > 0 && !verbose
              ? [`(and ${report.allowed.length} allowed by the catalog: --verbose lists them)`]
              : [];
          throw new CliFailure([...report.findings.map((f) => f.message), ...allowed].join('\n'));
        }
        context.out(passingLine(catalog, report));
        return;
      }
      const text = await renderGraph(catalog, format);
      if (options.out === undefined) {
        for (const line of text.trimEnd().split('\n')) context.out(line);
        return;
      }
      await writeFile(path.resolve(context.cwd, options.out), text);
      context.err(`troupe graph: wrote ${options.out}`);
    });
}
