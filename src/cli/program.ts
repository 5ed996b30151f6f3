/**
 * The `samsa` command tree (everything but starting the broker, which src/cli/main.ts does itself): topic, produce,
 * consume, group, schema and cluster commands that speak the Kafka protocol and the Schema Registry REST API, so
 * they work against Samsa and against any Kafka. Exit codes: 0 done, 1 the request failed, 2 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { CliError, printable } from './output.js';
import { sourceMappedStack } from '../source-stack.js';
import { topicCommand } from './commands/topic.js';
import { produceCommand } from './commands/produce.js';
import { consumeCommand } from './commands/consume.js';
import { groupCommand } from './commands/group.js';
import { schemaCommand } from './commands/schema.js';
import { clusterCommand } from './commands/cluster.js';

export function buildProgram(version: string): Command {
  const program = new Command('samsa')
    .description('Samsa, a Kafka-compatible broker. With no command (or `start`) it runs the broker: samsa start --help.')
    .version(`samsa ${version}`, '-V, --version')
    .exitOverride()
    // -V/--version belongs to `samsa` alone, so a command's own options (schema get --version) stay its own.
    .enablePositionalOptions()
    .showSuggestionAfterError(false);
  program.command('start').description('run the broker (the default with no command; see samsa start --help)');
  topicCommand(program);
  produceCommand(program);
  consumeCommand(program);
  groupCommand(program);
  schemaCommand(program);
  clusterCommand(program);
  return program;
}

/** Runs one command (argv without node and the script); resolves with the exit code. */
export async function runCli(args: string[], version: string): Promise<number> {
  // Output piped into `head` and closed early is not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  // A failure outside any command's promise (a socket's handler): reported as the others, not by Node, which would
  // print the bundle's minified line.
  process.on('uncaughtException', (err) => {
    process.stderr.write(`samsa: ${unexpected(err)}\n`);
    process.exit(1);
  });
  try {
    await buildProgram(version).parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version exit 0; usage errors were printed by commander ("error: …").
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`samsa: ${printable(err.message, true)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`samsa: ${unexpected(err)}\n`);
    return 1;
  }
}

/** A failure no command describes: its stack, in the sources' names and positions. */
function unexpected(err: unknown): string {
  const stack = (err as Error)?.stack;
  return stack ? sourceMappedStack(stack) : String(err);
}
