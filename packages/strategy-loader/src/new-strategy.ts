/**
 * The `new-strategy` command (`lumenlink-new-strategy`, `pnpm new-strategy` in the repository):
 * writes a commented strategy file and its test from the template ({@link writeStrategyTemplate})
 * and prints the commands that run them. Exit code 2 for a bad name or a file that exists
 * (never overwritten), naming it.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ValidationError } from '@lumenlink/core';
import { writeStrategyTemplate } from './template.js';

const usage = `Usage: new-strategy NAME [--dir DIR]

Writes DIR/<name>.ts, a commented strategy with the key <name> in snake case, and
DIR/<name>.test.ts, its test; never overwrites a file. NAME: words such as my_idea,
my-idea or "my idea". DIR: default strategies, relative to the working directory.
`;

/** Where the command writes, and the directory `--dir` is relative to. */
export interface NewStrategyIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
}

/**
 * Runs the command on `args` (without the program); returns the exit code: 0 written, 2 a bad
 * command line, name, or a file that exists.
 *
 * @example
 * ```ts
 * process.exitCode = await runNewStrategyCli(['my_idea'], { ...process, cwd: process.cwd() });
 * ```
 */
export async function runNewStrategyCli(
  args: readonly string[],
  io: NewStrategyIo,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: args.filter((arg) => arg !== '--'),
      options: {
        dir: { type: 'string', default: 'strategies' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
    if (values.help === true) {
      io.stdout.write(usage);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new ValidationError(
        `give one strategy name, such as my_idea (got ${positionals.length})`,
      );
    }
    const written = await writeStrategyTemplate(positionals[0]!, { dir: values.dir, cwd: io.cwd });
    const [file, test] = [written.strategyFile, written.testFile].map((f) => relative(io.cwd, f));
    const next = written.commands.map((command) => `  ${command}\n`).join('');
    io.stdout.write(`Wrote ${file} (strategy ${written.key}) and ${test}.\nNext:\n${next}`);
    return 0;
  } catch (error) {
    // parseArgs' errors (an unknown flag, --dir without a value) are mistakes of the command line too.
    const usageError =
      ValidationError.isInstance(error) ||
      (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS');
    if (!usageError) throw error;
    io.stderr.write(`Error: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
}
