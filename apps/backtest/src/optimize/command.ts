/**
 * `pnpm optimize`: load the strategy, run the sweep on worker threads with a progress bar, print
 * the results, write the JSON, HTML and the winner's params file, print the lines that trade it.
 * Exit code: 0 done, 1 failed (bad data, no run succeeded), 2 a bad command line or strategy.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatParamsFile, writeParamsFile } from '@lumenlink/strategy-loader';
import {
  describePoint,
  formatOptimizeJson,
  formatOptimizeTable,
  formatTradeInstructions,
  optimize,
  freshParamsFilePath,
  renderOptimizeHtml,
  strategyLabel,
  winnerParams,
  type OptimizeHooks,
} from '@lumenlink/optimize';
import { reportCommandError } from '../backtest-command.js';
import type { ProgressStream } from '../progress.js';
import { optimizeHelp, parseOptimizeArgs } from './options.js';
import { createSweepProgress, type SweepProgress } from './progress.js';

/** Where the command writes, and the directory relative paths start from. */
export interface OptimizeIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  readonly cwd: string;
  /** A monotonic clock in ms for the ETA (default `performance.now`). */
  readonly now?: () => number;
}

async function writeOutput(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/**
 * Runs the optimize command.
 *
 * @example
 * ```ts
 * process.exitCode = await runOptimizeCommand(process.argv.slice(2), {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   cwd: process.cwd(),
 * });
 * ```
 */
export async function runOptimizeCommand(
  argv: readonly string[],
  io: OptimizeIo,
  hooks: Pick<OptimizeHooks, 'workerUrl' | 'faultInjection'> = {},
): Promise<number> {
  try {
    const command = await parseOptimizeArgs(argv, io.cwd);
    if (command.kind === 'help') {
      io.stdout.write(optimizeHelp());
      return 0;
    }
    const { options } = command;
    for (const warning of options.warnings) io.stderr.write(`Warning: ${warning}\n`);
    const now = io.now ?? (() => performance.now());
    let progress: SweepProgress | undefined;
    let report;
    try {
      report = await optimize(options, {
        ...hooks,
        onStart: (total, workers) => {
          io.stderr.write(
            `Optimizing ${strategyLabel(options.strategy)}: ${total} backtest run(s) on ${workers} worker thread(s)\n`,
          );
          progress = createSweepProgress({ stream: io.stderr, total, now });
        },
        onProgress: (done, failed) => progress?.update(done, failed),
        onCrash: (crash, point) => {
          progress?.finish();
          io.stderr.write(
            `A worker crashed running ${describePoint(point)}: ${crash.message}. It was replaced; the sweep goes on.\n`,
          );
        },
      });
    } finally {
      progress?.finish();
    }
    io.stdout.write(
      formatOptimizeTable(report, { top: options.top, color: io.stdout.isTTY === true }),
    );
    if (options.jsonFile !== undefined) {
      const path = resolve(io.cwd, options.jsonFile);
      await writeOutput(path, formatOptimizeJson(report));
      io.stdout.write(`JSON results: ${path}\n`);
    }
    if (options.htmlFile !== undefined) {
      const path = resolve(io.cwd, options.htmlFile);
      await writeOutput(path, renderOptimizeHtml(report));
      io.stdout.write(`HTML report: ${path}\n`);
    }
    const winner = winnerParams(report);
    if (winner === null) {
      io.stderr.write('Error: no run succeeded; see the failed runs above.\n');
      return 1;
    }
    const paramsFile = freshParamsFilePath(
      report.strategy,
      options,
      io.cwd,
      formatParamsFile(winner),
    );
    await writeParamsFile(paramsFile, winner);
    const { symbols, interval } = report;
    io.stdout.write(
      formatTradeInstructions({ ...winner, paramsFile, cwd: io.cwd, symbols, interval }),
    );
    return 0;
  } catch (error) {
    return reportCommandError(error, io, 'optimize');
  }
}
