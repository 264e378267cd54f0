/**
 * The JSON output of an optimisation: every parameter set with its metrics, the walk-forward
 * windows and stitched equity, Monte Carlo, and every failed or refused run. Keys are sorted and
 * non-finite numbers written as `null` (the report layer's `canonicalize`), and nothing depends
 * on the clock or on which worker finished first: the same options and seed give the same bytes.
 */
import { canonicalize, type JsonValue } from '@lumenlink/analysis';
import type { OptimizeReport } from './run.js';

/** The JSON document of an optimisation (schema version 1), before serialisation. */
export function toOptimizeJson(report: OptimizeReport): JsonValue {
  const walkForward = report.walkForward;
  return canonicalize({
    schemaVersion: 1,
    kind: 'optimize',
    strategy: report.strategy,
    provenance: report.provenance,
    interval: report.interval,
    symbols: report.symbols,
    source: report.source,
    period: report.period,
    settings: report.settings,
    baseParams: report.baseParams,
    backtestArgs: report.backtestArgs,
    space: report.dimensions,
    search: report.search,
    metric: report.metric,
    minTrades: report.minTrades,
    mode: report.mode,
    best:
      report.best === null
        ? null
        : { point: report.best.point, params: report.best.params, score: report.best.score },
    results: report.rows.map((row) => ({
      rank: row.rank,
      index: row.index,
      point: row.point,
      score: row.score,
      qualified: row.qualified,
      metrics: row.metrics,
      inSampleWindows: row.windows,
      chosenInWindows: row.chosen,
      error: row.error,
    })),
    walkForward:
      walkForward === null
        ? null
        : {
            ...walkForward.options,
            windows: walkForward.windows.map((result) => ({
              index: result.window.index,
              inSample: result.window.inSample,
              outOfSample: result.window.outOfSample,
              chosen: result.chosen?.point ?? null,
              qualified: result.qualified,
              inSampleRuns: result.evaluated,
              inSampleMetrics: result.inSample,
              outOfSampleMetrics: result.outOfSample,
              outOfSampleError: result.outOfSampleError,
            })),
            stitchedEquity: walkForward.stitched,
            totalReturn: walkForward.totalReturn,
            maxDrawdown: walkForward.maxDrawdown,
            trades: walkForward.trades,
          },
    monteCarlo: report.monteCarlo,
    failures: report.failures,
  });
}

/** The JSON output as text: two-space indented, ending with a newline. */
export function formatOptimizeJson(report: OptimizeReport): string {
  return `${JSON.stringify(toOptimizeJson(report), null, 2)}\n`;
}
