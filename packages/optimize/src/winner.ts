/**
 * The winner of an optimisation as something to trade: a params file (what `pnpm backtest
 * --params-file`, `STRATEGY_PARAMS` and the bot read) with a note of how it was found, and the
 * exact `.env` lines and commands that trade it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { commandHint, shellQuote, type StrategyProvenance } from '@lumenlink/core';
import { formatPercent, formatTime } from '@lumenlink/analysis';
import { metricLabel } from './ranking.js';
import type { OptimizeReport, ResultRow } from './run.js';
import { describePoint, formatDurationMs, formatMetric } from './table.js';

/** What `writeParamsFile` of `@lumenlink/strategy-loader` takes: the winner's params file. */
export interface WinnerParams {
  readonly strategy: StrategyProvenance;
  /** The winner's full parameters: the fixed ones and its searched values. */
  readonly params: Readonly<Record<string, unknown>>;
  /** How they were found: the search, the rank metric, the winner's figures. */
  readonly note: string;
}

function runFigures(row: ResultRow): string {
  const metrics = row.metrics;
  if (metrics === null) return '';
  return `, return ${formatPercent(metrics.totalReturn, { sign: true })}, max drawdown ${formatPercent(metrics.maxDrawdown)}, ${metrics.trades.total} trades`;
}

function walkForwardFigures(report: OptimizeReport, row: ResultRow): string {
  const walkForward = report.walkForward;
  if (walkForward === null) return '';
  const { options } = walkForward;
  return `; walk-forward (${options.anchored ? 'anchored' : 'rolling'}, in-sample ${formatDurationMs(options.inSampleMs)}, out-of-sample ${formatDurationMs(options.outOfSampleMs)}): chosen in ${row.chosen} of ${walkForward.windows.length} windows, out-of-sample stitched return ${formatPercent(walkForward.totalReturn, { sign: true })}, max drawdown ${formatPercent(walkForward.maxDrawdown)}, ${walkForward.trades} trades`;
}

/**
 * How the winner was found, in one line: the search, the data, the rank metric and its figures
 * (in walk-forward mode, the out-of-sample ones too).
 *
 * @example
 * ```ts
 * winnerNote(report, report.best!);
 * // 'pnpm optimize: grid search of 15 parameter sets on BTC-USDT 1h, 2024-03-01 00:00 → …, ranked by Sharpe; best fastPeriod=10 slowPeriod=40: Sharpe 1.52, return +5.00%, …'
 * ```
 */
export function winnerNote(report: OptimizeReport, row: ResultRow): string {
  const { search } = report;
  const label = metricLabel(report.metric);
  const method = `${search.method} search${search.method === 'random' ? ` (seed ${search.seed})` : ''}`;
  const scored = report.mode === 'walk-forward' ? `mean in-sample ${label}` : label;
  const qualified = row.qualified ? '' : ` (fewer than ${report.minTrades} trades)`;
  return `pnpm optimize: ${method} of ${search.points} parameter sets on ${report.symbols.join(', ')} ${report.interval}, ${formatTime(report.period.from)} → ${formatTime(report.period.to)} UTC, ranked by ${scored}; best ${describePoint(row.point)}: ${scored} ${formatMetric(row.score, report.metric)}${qualified}${runFigures(row)}${walkForwardFigures(report, row)}`;
}

/**
 * The winner's params file (`report.best`: the best row that has enough trades, else the best
 * with a result); `null` when no run succeeded.
 *
 * @example
 * ```ts
 * const winner = winnerParams(report);
 * if (winner !== null) await writeParamsFile('reports/my_idea.params.json', winner);
 * ```
 */
export function winnerParams(report: OptimizeReport): WinnerParams | null {
  const best = report.best;
  if (best === null) return null;
  return {
    strategy: report.provenance.strategy,
    params: best.params,
    note: winnerNote(report, best),
  };
}

/** Where an optimisation writes its outputs (paths as given; `undefined`: not written). */
export interface OptimizeOutputs {
  /** The winner's params file, when chosen. */
  readonly paramsOut?: string | undefined;
  readonly jsonFile?: string | undefined;
  readonly htmlFile?: string | undefined;
}

/**
 * Where the winner's params file goes: `paramsOut` when given, else `<key>.params.json` beside
 * the JSON output (or the HTML one), else in `reports/`.
 *
 * @example
 * ```ts
 * paramsFilePath('my_idea', {}); // 'reports/my_idea.params.json'
 * paramsFilePath('my_idea', { jsonFile: 'out/sweep.json' }); // 'out/my_idea.params.json'
 * ```
 */
export function paramsFilePath(key: string, outputs: OptimizeOutputs): string {
  if (outputs.paramsOut !== undefined) return outputs.paramsOut;
  const report = outputs.jsonFile ?? outputs.htmlFile;
  return join(report === undefined ? 'reports' : dirname(report), `${key}.params.json`);
}

/**
 * Where to write the winner's params file, absolute: {@link paramsFilePath} from `cwd`; but when
 * no `paramsOut` was given and a params file with other contents is already there (a bot may
 * trade it), the first free `<key>.params-2.json`, `-3`, ...: a params file is never replaced
 * unasked. `text` is what will be written (`formatParamsFile`); the same text reuses the path.
 */
export function freshParamsFilePath(
  key: string,
  outputs: OptimizeOutputs,
  cwd: string,
  text: string,
): string {
  const path = resolve(cwd, paramsFilePath(key, outputs));
  if (outputs.paramsOut !== undefined) return path;
  const stem = path.endsWith('.json') ? path.slice(0, -'.json'.length) : path;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? path : `${stem}-${n}.json`;
    if (!existsSync(candidate) || readFileSync(candidate, 'utf8') === text) return candidate;
  }
}

/** A path relative to `cwd` when inside it, else as it is. */
function shownPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const inside = relative(cwd, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

/**
 * The lines that trade a params file: the `.env` lines (`STRATEGY` as the user gave it: the
 * provenance's `spec`; `STRATEGY_PARAMS` the file) and the commands to backtest it again and to
 * run it on replay, paper or live, after an empty line. The params file is shown relative to
 * `cwd` when inside it.
 *
 * @example
 * ```ts
 * const paramsFile = '/home/me/bot/reports/my_idea.params.json';
 * await writeParamsFile(paramsFile, winner);
 * formatTradeInstructions({ strategy: winner.strategy, paramsFile, cwd: '/home/me/bot' });
 * // Best parameters: reports/my_idea.params.json
 * // Trade them — add to .env:
 * //   STRATEGY=strategies/my-idea.ts
 * //   STRATEGY_PARAMS=reports/my_idea.params.json
 * //   SYMBOLS=BTC-USDT        (given symbols and interval)
 * //   INTERVAL=1h
 * // Then: pnpm backtest --strategy strategies/my-idea.ts --params-file reports/my_idea.params.json
 * //       pnpm demo    (replay, paper)   ·   pnpm paper   ·   pnpm live
 * ```
 */
export function formatTradeInstructions(input: {
  /** The strategy traded; its `spec` is what the user gave: a key, a file path or a package. */
  readonly strategy: StrategyProvenance;
  /** The params file written. */
  readonly paramsFile: string;
  /** The directory the commands are run from. */
  readonly cwd: string;
  /** The symbols and interval the parameters were found on: the bot should trade the same. */
  readonly symbols?: readonly string[];
  readonly interval?: string;
}): string {
  const strategy = input.strategy.spec;
  const paramsFile = shownPath(input.paramsFile, input.cwd);
  return [
    '',
    `Best parameters: ${paramsFile}`,
    'Trade them — add to .env:',
    `  STRATEGY=${strategy}`,
    `  STRATEGY_PARAMS=${paramsFile}`,
    ...(input.symbols === undefined ? [] : [`  SYMBOLS=${input.symbols.join(',')}`]),
    ...(input.interval === undefined ? [] : [`  INTERVAL=${input.interval}`]),
    `Then: ${commandHint('backtest')} --strategy ${shellQuote(strategy)} --params-file ${shellQuote(paramsFile)}`,
    `      ${commandHint('demo')}    (replay, paper)   ·   ${commandHint('paper')}   ·   ${commandHint('live')}`,
    '',
  ].join('\n');
}
