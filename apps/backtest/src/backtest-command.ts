/**
 * `pnpm backtest`: parse the flags, run, print the summary, write the reports. Returns the exit
 * code: 0 done, 1 the run failed (bad data, an engine error), 2 a bad command line.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { formatJsonReport, formatSummary, renderHtmlReport } from '@lumenlink/analysis';
import { LumenLinkError } from '@lumenlink/core';
import { backtestHelp, parseBacktestArgs, type BacktestCliOptions } from './backtest-options.js';
import { executeBacktest } from './backtest-run.js';
import { isUsageError } from './flags.js';
import { createProgress } from './progress.js';

/** A stream a command writes to: `process.stdout`, `process.stderr`, or a test's sink. */
export type CommandStream = Writable & { readonly isTTY?: boolean };

/** Where a command writes, and the directory relative paths start from. */
export interface CommandIo {
  readonly stdout: CommandStream;
  readonly stderr: CommandStream;
  readonly cwd: string;
}

/** The exit code of a command line mistake. */
const usageExitCode = 2;

/**
 * Reports an error of a command on stderr and returns its exit code: 2 for a bad command line,
 * 1 for anything else (unexpected errors with their stack).
 */
export function reportCommandError(
  error: unknown,
  io: { readonly stderr: { write(text: string): unknown } },
  command: string,
): number {
  if (isUsageError(error)) {
    io.stderr.write(`Error: ${error.message}\nRun pnpm ${command} -- --help for every flag.\n`);
    return usageExitCode;
  }
  if (LumenLinkError.isInstance(error)) {
    io.stderr.write(`Error: ${error.message}\n`);
    return 1;
  }
  io.stderr.write(
    `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

/** The options with every file path made absolute against `cwd`. */
function resolvePaths(options: BacktestCliOptions, cwd: string): BacktestCliOptions {
  const at = (path: string | undefined): string | undefined =>
    path === undefined ? undefined : resolve(cwd, path);
  const { source } = options;
  return {
    ...options,
    source:
      source.kind === 'csv'
        ? { kind: 'csv', files: source.files.map((file) => resolve(cwd, file)) }
        : source.kind === 'db'
          ? { kind: 'db', path: resolve(cwd, source.path) }
          : source,
    sentimentFile: at(options.sentimentFile),
    db: at(options.db),
    jsonFile: at(options.jsonFile),
    htmlFile: at(options.htmlFile),
  };
}

async function writeReport(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/**
 * Runs the backtest command.
 *
 * @example
 * ```ts
 * process.exitCode = await runBacktestCommand(process.argv.slice(2), {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   cwd: process.cwd(),
 * });
 * ```
 */
export async function runBacktestCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  try {
    const command = parseBacktestArgs(argv);
    if (command.kind === 'help') {
      io.stdout.write(backtestHelp());
      return 0;
    }
    const options = resolvePaths(command.options, io.cwd);
    const progress = createProgress({ stream: io.stderr });
    let run;
    try {
      run = await executeBacktest(options, {
        onProgress: (done, total) => progress.update(done, total),
      });
    } finally {
      progress.finish();
    }
    io.stdout.write(formatSummary(run.input, run.metrics, { color: io.stdout.isTTY === true }));
    io.stdout.write(`\nCandles: ${run.source}\n`);
    if (options.jsonFile !== undefined) {
      const path = options.jsonFile;
      await writeReport(path, formatJsonReport(run.input, run.metrics));
      io.stdout.write(`JSON report: ${path}\n`);
    }
    if (options.htmlFile !== undefined) {
      const path = options.htmlFile;
      await writeReport(path, renderHtmlReport(run.input, run.metrics));
      io.stdout.write(`HTML report: ${path}\n`);
    }
    if (options.db !== undefined) {
      io.stdout.write(`Orders, fills and decisions: ${options.db}\n`);
    }
    return 0;
  } catch (error) {
    return reportCommandError(error, io, 'backtest');
  }
}
