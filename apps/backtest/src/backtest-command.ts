/**
 * `pnpm backtest`: parse the flags, load the strategy, run, print the summary, write the
 * reports; `--rerun` runs a report's recorded provenance again and compares. Returns the exit
 * code: 0 done (reproduced), 1 the run failed or was not reproduced, 2 a bad command line.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import {
  compareReports,
  formatJsonReport,
  formatSummary,
  renderHtmlReport,
  reportProvenance,
} from '@lumenlink/analysis';
import { commandHint, LumenLinkError, ValidationError, type RunProvenance } from '@lumenlink/core';
import { reloadRun } from '@lumenlink/strategy-loader';
import {
  backtestHelp,
  parseBacktestArgs,
  type BacktestCliOptions,
  type BacktestCommand,
} from './backtest-options.js';
import { executeBacktest, type RunStrategy } from './backtest-run.js';
import { loadStrategyFlags } from './config-flag.js';
import { isUsageError, UsageError } from './flags.js';
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
    io.stderr.write(`Error: ${error.message}\n${commandHint(command)} --help lists every flag.\n`);
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
        ? { ...source, files: source.files.map((file) => resolve(cwd, file)) }
        : source.kind === 'db'
          ? { ...source, path: resolve(cwd, source.path) }
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

/** Runs, prints the summary, writes the reports; returns the JSON report's text. */
async function runAndReport(
  options: BacktestCliOptions,
  strategy: RunStrategy,
  io: CommandIo,
): Promise<string> {
  const progress = createProgress({ stream: io.stderr });
  let run;
  try {
    run = await executeBacktest(options, strategy, {
      onProgress: (done, total) => progress.update(done, total),
      onWarning: (text) => io.stderr.write(`Warning: ${text}\n`),
    });
  } finally {
    progress.finish();
  }
  io.stdout.write(formatSummary(run.input, run.metrics, { color: io.stdout.isTTY === true }));
  io.stdout.write(`\nCandles: ${run.source}\n`);
  const json = formatJsonReport(run.input, run.metrics);
  const reports = [
    ['JSON', options.jsonFile, () => json],
    ['HTML', options.htmlFile, () => renderHtmlReport(run.input, run.metrics)],
  ] as const;
  for (const [kind, path, text] of reports) {
    if (path === undefined) continue;
    await writeReport(path, text());
    io.stdout.write(`${kind} report: ${path}\n`);
  }
  if (options.db !== undefined) io.stdout.write(`Orders, fills and decisions: ${options.db}\n`);
  return json;
}

/** `--rerun`: the recorded run again, from its provenance alone; compared byte for byte. */
async function rerun(command: Extract<BacktestCommand, { kind: 'rerun' }>, io: CommandIo) {
  const report = resolve(io.cwd, command.report);
  let recorded: string, provenance: RunProvenance, strategy: RunStrategy;
  try {
    recorded = await readFile(report, 'utf8');
    provenance = reportProvenance(recorded, report);
    strategy = await reloadRun(provenance, { cwd: io.cwd });
  } catch (error) {
    if (ValidationError.isInstance(error)) throw new UsageError('--rerun', error.message);
    const unread = (error as { code?: unknown }).code !== undefined; // the file system's
    throw unread
      ? new UsageError('--rerun', `${report}: cannot be read (${String(error)})`)
      : error;
  }
  const settings = provenance.settings as Partial<BacktestCliOptions>;
  const out = resolve(io.cwd, command.jsonFile ?? report.replace(/(\.json)?$/i, '.rerun.json'));
  if (typeof settings.source?.kind !== 'string' || typeof settings.risk !== 'object') {
    throw new UsageError('--rerun', `${report}: records no backtest settings; give a backtest's`);
  }
  if (out === report) throw new UsageError('--json', `${out} is the report rerun; give another`);
  const options = {
    ...(settings as BacktestCliOptions),
    jsonFile: out,
    htmlFile: command.htmlFile,
  };
  const json = await runAndReport(resolvePaths(options, io.cwd), strategy, io);
  const { identical, differences } = compareReports(recorded, json);
  const lines = differences.map((line) => `  - ${line}\n`).join('');
  io.stdout.write(
    `${identical ? 'Reproduced byte for byte' : 'Not reproduced'}: ${report}\n${lines}`,
  );
  return identical ? 0 : 1;
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
    if (command.kind === 'rerun') return await rerun(command, io);
    const options = resolvePaths(command.options, io.cwd);
    const { strategy: spec, paramsFile, paramAssignments: params } = options;
    const strategy = await loadStrategyFlags({ strategy: spec, paramsFile, params }, io.cwd);
    for (const warning of strategy.warnings) io.stderr.write(`Warning: ${warning}\n`);
    await runAndReport(options, strategy, io);
    return 0;
  } catch (error) {
    return reportCommandError(error, io, 'backtest');
  }
}
