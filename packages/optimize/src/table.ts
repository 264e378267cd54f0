/**
 * The terminal output of an optimisation: the ranked results as a table, the winner, the
 * walk-forward windows in-sample against out-of-sample, Monte Carlo percentiles, and
 * every failed run.
 */
import { formatPercent, formatRatio, formatTime, type BacktestMetrics } from '@lumenlink/analysis';
import { shellQuote } from '@lumenlink/core';
import type { MonteCarloResult, Percentiles } from './monte-carlo.js';
import { describeStrategySource } from './provenance.js';
import { metricLabel, metricValue, type RankMetric } from './ranking.js';
import type { OptimizeReport, ResultRow } from './run.js';
import { describeDimension, type ParamPoint } from './space.js';

/** How to print the results. */
export interface OptimizeTableOptions {
  /** Rows of the results table (default 10). */
  readonly top?: number;
  /** Bold headings; pass `process.stdout.isTTY === true`. Default: none. */
  readonly color?: boolean;
}

type Align = 'left' | 'right';

/** Lines of a table: a header row and the rows, each column padded to its widest cell. */
export function formatColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `  ${cells
      .map((cell, column) =>
        align[column] === 'left' ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A searched value as typed on the command line. */
export function formatValue(value: unknown): string {
  return String(value);
}

/**
 * The `pnpm backtest` command that reruns a point: the optimisation's own data, period and model
 * flags, its fixed `--param`s, and the point's values as `--param`s.
 */
export function backtestCommand(report: OptimizeReport, point: ParamPoint): string {
  const searched = new Set(Object.keys(point));
  const shared = report.backtestArgs.filter((arg) => {
    const match = /^--param=([^=]+)=/.exec(arg);
    return match === null || !searched.has(match[1]!.trim());
  });
  const args = [
    ...shared,
    ...Object.entries(point).map(([name, value]) => `--param=${name}=${formatValue(value)}`),
  ];
  return `pnpm backtest -- ${args.map(shellQuote).join(' ')}`;
}

/** A point as `name=value` pairs. */
export function describePoint(point: ParamPoint): string {
  return Object.entries(point)
    .map(([name, value]) => `${name}=${formatValue(value)}`)
    .join(' ');
}

/** Which runs rank last for too few trades, in words: `without trades`, `with fewer than 5 trades`. */
export function tradesNote(minTrades: number): string {
  if (minTrades <= 0) return '';
  return minTrades === 1 ? 'without trades' : `with fewer than ${minTrades} trades`;
}

/** The base parameters that are not searched: what stays fixed across the sweep. */
export function fixedParams(report: OptimizeReport): Record<string, unknown> {
  const searched = new Set(report.dimensions.map((dimension) => dimension.name));
  return Object.fromEntries(
    Object.entries(report.baseParams).filter(([name]) => !searched.has(name)),
  );
}

/** A rank metric's value: a percentage for `return`, a ratio otherwise. */
export function formatMetric(value: number, metric: RankMetric): string {
  return metric === 'return' ? formatPercent(value, { sign: true }) : formatRatio(value);
}

/** A window length as `--in-sample` takes it: `90d`, `12w`, `720h`. */
export function formatDurationMs(ms: number): string {
  const units: [string, number][] = [
    ['w', 604_800_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function day(ms: number): string {
  return formatTime(ms).slice(0, 10);
}

function sweepTable(report: OptimizeReport, rows: readonly ResultRow[]): string[] {
  const names = report.dimensions.map((dimension) => dimension.name);
  const metrics: [string, (metrics: BacktestMetrics) => string][] = [
    ['Return', (m) => formatPercent(m.totalReturn, { sign: true })],
    ['Max DD', (m) => formatPercent(-m.maxDrawdown)],
    ['Sharpe', (m) => formatRatio(m.sharpe)],
    ['Sortino', (m) => formatRatio(m.sortino)],
    ['Calmar', (m) => formatRatio(m.calmar)],
    ['PF', (m) => formatRatio(m.profitFactor)],
    ['Trades', (m) => String(m.trades.total)],
  ];
  const header = ['Rank', ...names, ...metrics.map(([title]) => title)];
  const body = rows.map((row) => [
    `${row.rank ?? '-'}${row.qualified ? '' : '*'}`,
    ...names.map((name) => formatValue(row.point[name])),
    ...metrics.map(([, cell]) => (row.metrics === null ? 'failed' : cell(row.metrics))),
  ]);
  return formatColumns(header, body, [
    'right',
    ...names.map((): Align => 'right'),
    ...metrics.map((): Align => 'right'),
  ]);
}

function walkForwardResultsTable(report: OptimizeReport, rows: readonly ResultRow[]): string[] {
  const names = report.dimensions.map((dimension) => dimension.name);
  const header = ['Rank', ...names, `Mean IS ${metricLabel(report.metric)}`, 'Windows', 'Chosen'];
  const body = rows.map((row) => [
    `${row.rank ?? '-'}${row.qualified ? '' : '*'}`,
    ...names.map((name) => formatValue(row.point[name])),
    row.error === null ? formatMetric(row.score, report.metric) : 'failed',
    String(row.windows),
    String(row.chosen),
  ]);
  return formatColumns(header, body, [
    'right',
    ...names.map((): Align => 'right'),
    'right',
    'right',
    'right',
  ]);
}

/**
 * The walk-forward windows as table cells: dates, the choice, the rank metric in-sample and
 * out-of-sample, the returns (unless the metric is the return), the out-of-sample drawdown and
 * trades. Columns 1 to 3 are text, the others numbers.
 */
export function windowTable(
  report: OptimizeReport,
  missing: string,
): { header: string[]; rows: string[][] } {
  const label = metricLabel(report.metric);
  const withReturns = report.metric !== 'return';
  const score = (metrics: BacktestMetrics | null): string =>
    metrics === null ? missing : formatMetric(metricValue(metrics, report.metric), report.metric);
  const percent = (value: number | undefined): string =>
    value === undefined ? missing : formatPercent(value, { sign: true });
  const header = [
    '#',
    'In-sample',
    'Out-of-sample',
    'Chosen',
    `IS ${label}`,
    `OOS ${label}`,
    ...(withReturns ? ['IS return', 'OOS return'] : []),
    'OOS max DD',
    'OOS trades',
  ];
  const rows = (report.walkForward?.windows ?? []).map((result) => [
    String(result.window.index + 1),
    `${day(result.window.inSample.from)} → ${day(result.window.inSample.to)}`,
    `${day(result.window.outOfSample.from)} → ${day(result.window.outOfSample.to)}`,
    result.chosen === null
      ? 'none'
      : `${describePoint(result.chosen.point)}${result.qualified ? '' : '*'}`,
    score(result.inSample),
    result.outOfSample === null ? (result.outOfSampleError ?? missing) : score(result.outOfSample),
    ...(withReturns
      ? [percent(result.inSample?.totalReturn), percent(result.outOfSample?.totalReturn)]
      : []),
    result.outOfSample === null ? missing : formatPercent(-result.outOfSample.maxDrawdown),
    result.outOfSample === null ? missing : String(result.outOfSample.trades.total),
  ]);
  return { header, rows };
}

function walkForwardLines(report: OptimizeReport): string[] {
  const walkForward = report.walkForward;
  if (walkForward === null) return [];
  const { options } = walkForward;
  const { header, rows } = windowTable(report, '-');
  return [
    '',
    `Walk-forward (${options.anchored ? 'anchored' : 'rolling'}: in-sample ${formatDurationMs(options.inSampleMs)}, out-of-sample ${formatDurationMs(options.outOfSampleMs)}, step ${formatDurationMs(options.stepMs)}), ${walkForward.windows.length} windows`,
    ...formatColumns(
      header,
      rows,
      header.map((_, index): Align => (index >= 1 && index <= 3 ? 'left' : 'right')),
    ),
    `  Out-of-sample, stitched: return ${formatPercent(walkForward.totalReturn, { sign: true })}, max drawdown ${formatPercent(walkForward.maxDrawdown)}, ${walkForward.trades} trades`,
  ];
}

function monteCarloLines(monteCarlo: MonteCarloResult | null, subject: string): string[] {
  if (monteCarlo === null) return [];
  const cells = (values: Percentiles, sign: boolean): string[] =>
    [values.p5, values.p50, values.p95].map((value) => formatPercent(value, { sign }));
  return [
    '',
    `Monte Carlo on ${subject} (${monteCarlo.runs} runs of each, seed ${monteCarlo.seed}, ${monteCarlo.trades} trades compounded)`,
    ...formatColumns(
      ['', '5th', '50th', '95th'],
      [
        ['Return, bootstrap', ...cells(monteCarlo.bootstrap.totalReturn, true)],
        ['Max drawdown, bootstrap', ...cells(monteCarlo.bootstrap.maxDrawdown, false)],
        ['Max drawdown, shuffled order', ...cells(monteCarlo.shuffle.maxDrawdown, false)],
      ],
      ['left', 'right', 'right', 'right'],
    ),
    `  In the actual order: return ${formatPercent(monteCarlo.actual.totalReturn, { sign: true })}, max drawdown ${formatPercent(monteCarlo.actual.maxDrawdown)}; bootstrap runs ending in a loss: ${formatPercent(monteCarlo.bootstrap.probabilityOfLoss)}`,
  ];
}

function failureLines(report: OptimizeReport): string[] {
  const lines: string[] = [];
  if (report.search.rejected.length > 0) {
    const first = report.search.rejected[0]!;
    lines.push(
      '',
      `${report.search.rejected.length} parameter set(s) refused by the strategy, e.g. ${describePoint(first.point)}: ${first.reason}`,
    );
  }
  if (report.failures.length > 0) {
    const crashes = report.failures.filter((failure) => failure.crashed).length;
    lines.push(
      '',
      `Failed runs: ${report.failures.length}${crashes > 0 ? ` (${crashes} worker crash${crashes === 1 ? '' : 'es'}, replaced)` : ''}`,
    );
    for (const failure of report.failures.slice(0, 10)) {
      const period =
        failure.from === null ? '' : ` [${day(failure.from)} → ${day(failure.to ?? failure.from)}]`;
      lines.push(
        `  ${describePoint(failure.point)}${period}: ${failure.error}${failure.crashed ? ' (worker crashed)' : ''}`,
      );
    }
    if (report.failures.length > 10)
      lines.push(`  ... and ${report.failures.length - 10} more (see --json)`);
  }
  return lines;
}

/**
 * The terminal output of an optimisation.
 *
 * @example
 * ```ts
 * process.stdout.write(formatOptimizeTable(report, { top: 10, color: process.stdout.isTTY === true }));
 * ```
 */
export function formatOptimizeTable(
  report: OptimizeReport,
  options: OptimizeTableOptions = {},
): string {
  const bold = (text: string): string =>
    options.color === true ? `\u001b[1m${text}\u001b[0m` : text;
  const top = options.top ?? 10;
  const label = metricLabel(report.metric);
  const shown = report.rows.slice(0, top);
  const lines = [
    bold(
      `LumenLink optimize: ${report.strategy} on ${report.symbols.join(', ')} ${report.interval}`,
    ),
    ...(report.provenance.strategy.kind === 'builtin'
      ? []
      : [`Strategy: ${describeStrategySource(report.provenance.strategy)}`]),
    `Period: ${formatTime(report.period.from)} → ${formatTime(report.period.to)} UTC (${report.source})`,
    `Space: ${report.dimensions.map((dimension) => `${dimension.name} ${describeDimension(dimension)}`).join(' · ')}`,
    `Search: ${report.search.method}${report.search.method === 'random' ? ` (seed ${report.search.seed})` : ''}, ${report.search.points} parameter sets, ranked by ${report.mode === 'walk-forward' ? `mean in-sample ${label}` : label}${report.minTrades > 0 ? `; * marks runs ${tradesNote(report.minTrades)}, ranked last` : ''}`,
    '',
    bold(report.mode === 'walk-forward' ? 'Parameter sets over the in-sample windows' : 'Results'),
    ...(report.mode === 'walk-forward'
      ? walkForwardResultsTable(report, shown)
      : sweepTable(report, shown)),
  ];
  if (report.rows.length > shown.length)
    lines.push(`  ... ${report.rows.length - shown.length} more (--top N, or --json)`);
  if (report.best !== null && report.mode === 'sweep') {
    lines.push('', `Best: ${describePoint(report.best.point)}`);
  }
  lines.push(...walkForwardLines(report));
  lines.push(
    ...monteCarloLines(
      report.monteCarlo,
      report.mode === 'walk-forward' ? 'the out-of-sample trades' : 'the best parameter set',
    ),
  );
  lines.push(...failureLines(report));
  return `${lines.join('\n')}\n`;
}
