/**
 * `pnpm new-strategy NAME [--dir strategies]`: a commented strategy file and its test from the
 * template of `@lumenlink/strategy-loader`; never overwrites (exit 2 naming the file).
 */
import { relative } from 'node:path';
import { ValidationError } from '@lumenlink/core';
import { writeStrategyTemplate } from '@lumenlink/strategy-loader';
import { reportCommandError, type CommandIo } from './backtest-command.js';
import { flagValue, formatFlagHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';

const flags: readonly FlagSpec[] = [
  { name: 'dir', kind: 'value', placeholder: 'DIR', help: 'Where to write (default strategies).' },
  { name: 'help', kind: 'switch', help: 'Show this help.' },
];

/** Runs `pnpm new-strategy`; returns the exit code (2 for a bad name or an existing file). */
export async function runNewStrategyCommand(
  argv: readonly string[],
  io: CommandIo,
): Promise<number> {
  try {
    const names = argv.filter((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--dir');
    const parsed = parseFlags(
      argv.filter((arg) => !names.includes(arg)),
      flags,
    );
    if (parsed.has('help') || names.length !== 1) {
      const help = ['Usage: pnpm new-strategy NAME [--dir DIR]', ...formatFlagHelp(flags)].join(
        '\n',
      );
      if (!parsed.has('help'))
        throw new UsageError('(arguments)', `give one name, such as my_idea`);
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const options = { dir: flagValue(parsed, 'dir') ?? 'strategies', cwd: io.cwd };
    const written = await writeStrategyTemplate(names[0]!, options).catch((error: unknown) => {
      throw ValidationError.isInstance(error)
        ? new UsageError('new-strategy', error.message)
        : error;
    });
    const [file, test] = [written.strategyFile, written.testFile].map((f) => relative(io.cwd, f));
    const next = written.commands.map((command) => `  ${command}\n`).join('');
    io.stdout.write(`Wrote ${file} (strategy ${written.key}) and ${test}.\nNext:\n${next}`);
    return 0;
  } catch (error) {
    return reportCommandError(error, io, 'new-strategy');
  }
}
