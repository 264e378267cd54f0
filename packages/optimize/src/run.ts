/**
 * One optimisation: load the candles once (to check them, to cut walk-forward windows and to
 * share them with the workers), pick the points, run them on the worker pool, rank them, walk
 * forward when asked, and run Monte Carlo on the winner. The result is what every output (table,
 * JSON, HTML) is made from.
 */
import { availableParallelism } from 'node:os';
import {
  timeframeMs,
  type Candle,
  type StrategyProvenance,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { formatTime, type BacktestMetrics } from '@lumenlink/analysis';
import { candlePeriod, dataProvenanceOf } from '@lumenlink/data';
import type { DefinedStrategy } from '@lumenlink/strategies';
import { OptimizeInputError } from './errors.js';
import type { BacktestSettings, EquitySample, EvaluationJob } from './evaluate.js';
import type { Evaluator, JobOutcome } from './evaluator.js';
import { monteCarlo, type MonteCarloResult } from './monte-carlo.js';
import { WorkerPool, type WorkerCrash } from './pool.js';
import type { OptimizeProvenance } from './provenance.js';
import { deriveSeed } from './random.js';
import { metricValue, rankScored, type RankMetric } from './ranking.js';
import {
  checkPoint,
  checkPoints,
  gridPoints,
  randomPoints,
  type Candidate,
  type RejectedPoint,
  type SearchMethod,
} from './search.js';
import type { Dimension, ParamPoint } from './space.js';
import { shareCandles } from './shared-candles.js';
import { loadSource, type OptimizeSource } from './source.js';
import { definitionOf, provenanceOf, strategyLabel, type OptimizeStrategy } from './strategy.js';
import type { FaultInjection, WorkerSetup } from './worker-protocol.js';
import {
  runWalkForward,
  walkForwardWindows,
  type Period,
  type WalkForwardOptions,
  type WindowResult,
} from './walk-forward.js';

/** One parameter set's result. */
export interface ResultRow {
  /** Position in the search's order (the ranking's tie-break). */
  readonly index: number;
  /** 1 for the best; `null` when the runs failed. */
  readonly rank: number | null;
  readonly point: ParamPoint;
  /** The strategy's full parameters. */
  readonly params: Record<string, unknown>;
  /**
   * The rank metric: of the run over the whole period, or (walk-forward) its mean over the
   * in-sample windows. NaN when the runs failed.
   */
  readonly score: number;
  /** Enough trades (`minTrades`): in the run, or in every in-sample window. */
  readonly qualified: boolean;
  /** The whole-period run's metrics (not in walk-forward mode). */
  readonly metrics: BacktestMetrics | null;
  /** Walk-forward: in-sample windows evaluated, and windows that chose this set. */
  readonly windows: number;
  readonly chosen: number;
  /** Why there is no result. */
  readonly error: string | null;
}

/** A run that failed: its parameters, period and why. */
export interface FailedRun {
  readonly point: ParamPoint;
  readonly from: number | null;
  readonly to: number | null;
  readonly error: string;
  /** The worker died running it (and was replaced). */
  readonly crashed: boolean;
}

/** The walk-forward part of a report. */
export interface WalkForwardReport {
  readonly options: WalkForwardOptions;
  readonly windows: WindowResult[];
  readonly stitched: EquitySample[];
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  /** Out-of-sample trades over all windows. */
  readonly trades: number;
}

/** Everything an optimisation found: what every output is made from. */
export interface OptimizeReport {
  /** The strategy's key. */
  readonly strategy: string;
  /** What produced the report: strategy source, parameters, settings, the candles read. */
  readonly provenance: OptimizeProvenance;
  readonly interval: Timeframe;
  readonly symbols: readonly SymbolId[];
  /** Where the candles came from, in words. */
  readonly source: string;
  /** The candle open times optimised over. */
  readonly period: Period;
  readonly settings: BacktestSettings;
  /** Parameters outside the search: defaults and `--param` values. */
  readonly baseParams: Record<string, unknown>;
  /** The backtest flags the run was given (data, period, model, `--strategy`, `--param`). */
  readonly backtestArgs: readonly string[];
  readonly dimensions: readonly Dimension[];
  readonly search: {
    readonly method: SearchMethod;
    readonly seed: number;
    /** Points asked for (random) or in the grid. */
    readonly requested: number;
    /** Parameter sets run. */
    readonly points: number;
    /** Points the strategy refused (a fast period above the slow one). */
    readonly rejected: readonly RejectedPoint[];
  };
  readonly metric: RankMetric;
  readonly minTrades: number;
  readonly mode: 'sweep' | 'walk-forward';
  /** Best first. */
  readonly rows: readonly ResultRow[];
  /** The first row that qualifies, else the first row with a result. */
  readonly best: ResultRow | null;
  readonly failures: readonly FailedRun[];
  readonly walkForward: WalkForwardReport | null;
  /** On the winner's trades (sweep) or on every out-of-sample trade (walk-forward). */
  readonly monteCarlo: MonteCarloResult | null;
  /** The parameters of the HTML heatmap: two, one, or none. */
  readonly heatmap: { readonly x: string; readonly y: string | null } | null;
}

/** Hooks of {@link optimize}. */
export interface OptimizeHooks {
  /** The runs are about to start: how many, on how many workers (0: on this thread). */
  readonly onStart?: (total: number, workers: number) => void;
  /** Runs done (of them failed) of the total, as they end. */
  readonly onProgress?: (done: number, failed: number, total: number) => void;
  /** A worker died running a job; it is replaced and the sweep goes on. */
  readonly onCrash?: (crash: WorkerCrash, point: ParamPoint) => void;
  /**
   * The runs are done: the CPU time (ms) each worker thread used, start-up included (how the
   * work was shared; empty on this thread's evaluator, or where Node has no `worker.cpuUsage()`).
   */
  readonly onWorkerCpu?: (threadCpuMs: readonly number[]) => void;
  /** The compiled worker script (default: beside the pool). */
  readonly workerUrl?: URL;
  /** Tests only: make workers die on given parameters. */
  readonly faultInjection?: FaultInjection;
  /** Run the jobs here instead of on worker threads (tests of the logic). */
  readonly evaluator?: (context: {
    strategy: DefinedStrategy;
    candles: ReadonlyMap<SymbolId, readonly Candle[]>;
    interval: Timeframe;
    settings: BacktestSettings;
  }) => Evaluator;
}

/**
 * What to optimise and how. Only `strategy`, `source` and `dimensions` are required; the rest
 * default as `pnpm optimize` does.
 */
export interface OptimizeRequest {
  /**
   * A strategy key of `@lumenlink/strategies` (`ema_crossover`), or a strategy loaded by
   * `@lumenlink/strategy-loader` (a file or a package): the workers load it from its provenance
   * and refuse a file changed since.
   */
  readonly strategy: OptimizeStrategy;
  /** Where the candles come from: bundled, CSV files, a database, or candles in memory. */
  readonly source: OptimizeSource;
  /** Symbols to trade; default every bundled symbol, or the CSV files' names. */
  readonly symbols?: readonly SymbolId[] | undefined;
  /** Candle interval; default `1h`, or inferred from a CSV file. */
  readonly interval?: Timeframe | undefined;
  /** First and last candle open time optimised over (epoch ms); default all the data. */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  /** The fill model and risk limits; each missing one is {@link defaultBacktestSettings}'. */
  readonly settings?: Partial<BacktestSettings>;
  /** The strategy's parameters outside the search; default its defaults. */
  readonly baseParams?: Record<string, unknown>;
  /** The searched parameters (see `buildSpace` and `parseRangeFlag`). */
  readonly dimensions: readonly Dimension[];
  /** `grid` (default) or `random`. */
  readonly search?: SearchMethod;
  /** Points of a random search (default 50). */
  readonly samples?: number;
  /** Seed of the random search and of Monte Carlo (default 42). */
  readonly seed?: number;
  /** Refuse a grid larger than this (default 10 000). */
  readonly maxPoints?: number;
  /** Rank metric (default `sharpe`). */
  readonly metric?: RankMetric;
  /** Runs with fewer trades rank after the others (default 1). */
  readonly minTrades?: number;
  /** Worker threads (default the available cores). */
  readonly workers?: number;
  /** Walk-forward mode, when given. */
  readonly walkForward?: WalkForwardOptions | undefined;
  /** Monte Carlo simulations of each kind on the winner (default 1000; 0: none). */
  readonly monteCarloRuns?: number;
  /** The two parameters of the HTML heatmap; default the first two searched. */
  readonly heatmap?: readonly [string, string] | undefined;
  /** The backtest flags to rerun a result with (shown by the table); default none. */
  readonly backtestArgs?: readonly string[];
}

/** The fill model and risk limits when a request gives none: `runBacktest`'s defaults. */
export const defaultBacktestSettings: BacktestSettings = {
  startingCash: 10_000,
  feeBps: 10,
  slippageBps: 5,
  fillMode: 'next-open',
  risk: {},
  protections: true,
  atrPeriod: 14,
  trailingStopAtrMultiple: 2,
  closeAtEnd: false,
};

/** A request with every default filled in, and its strategy's definition and provenance. */
type Resolved = Required<
  Omit<
    OptimizeRequest,
    'symbols' | 'interval' | 'from' | 'to' | 'walkForward' | 'heatmap' | 'settings'
  >
> &
  Pick<OptimizeRequest, 'symbols' | 'interval' | 'from' | 'to' | 'walkForward' | 'heatmap'> & {
    readonly settings: BacktestSettings;
    readonly definition: DefinedStrategy;
    readonly provenance: StrategyProvenance;
  };

function resolve(request: OptimizeRequest): Resolved {
  const definition = definitionOf(request.strategy);
  return {
    ...request,
    definition,
    provenance: provenanceOf(request.strategy),
    settings: { ...defaultBacktestSettings, ...request.settings },
    baseParams: request.baseParams ?? (definition.parseParams({}) as Record<string, unknown>),
    search: request.search ?? 'grid',
    samples: request.samples ?? 50,
    seed: request.seed ?? 42,
    maxPoints: request.maxPoints ?? 10_000,
    metric: request.metric ?? 'sharpe',
    minTrades: request.minTrades ?? 1,
    workers: request.workers ?? availableParallelism(),
    monteCarloRuns: request.monteCarloRuns ?? 1000,
    backtestArgs: request.backtestArgs ?? [],
  };
}

interface Points {
  readonly candidates: Candidate[];
  readonly rejected: RejectedPoint[];
  readonly requested: number;
}

function pickPoints(options: Resolved, interval: Timeframe): Points {
  const { definition: strategy, baseParams, dimensions } = options;
  if (options.search === 'grid') {
    const points = gridPoints(dimensions, options.maxPoints);
    return { ...checkPoints(strategy, baseParams, points, interval), requested: points.length };
  }
  const rejected: RejectedPoint[] = [];
  const draw = randomPoints(
    dimensions,
    options.samples,
    deriveSeed(options.seed, 'search'),
    (point) => {
      const checked = checkPoint(strategy, baseParams, point, interval);
      if ('reason' in checked) rejected.push({ point, reason: checked.reason });
      return 'params' in checked;
    },
  );
  const { candidates } = checkPoints(strategy, baseParams, draw.points, interval);
  return { candidates, rejected, requested: options.samples };
}

/** The candle open times optimised over. */
function periodOf(candles: ReadonlyMap<SymbolId, readonly Candle[]>, options: Resolved): Period {
  const { from, to } = candlePeriod(candles, options.from, options.to);
  return { from, to };
}

function failedRun(point: ParamPoint, job: EvaluationJob, outcome: JobOutcome): FailedRun | null {
  if (outcome.ok) return null;
  return {
    point,
    from: job.from ?? null,
    to: job.to ?? null,
    error: outcome.error,
    crashed: outcome.crashed,
  };
}

function rankRows(rows: Omit<ResultRow, 'rank'>[]): ResultRow[] {
  const ranked = rankScored(rows.filter((row) => row.error === null));
  const failed = rows.filter((row) => row.error !== null);
  return [
    ...ranked.map((row, index) => ({ ...row, rank: index + 1 })),
    ...failed.map((row) => ({ ...row, rank: null })),
  ];
}

function sweepRows(
  candidates: readonly Candidate[],
  outcomes: readonly JobOutcome[],
  metric: RankMetric,
  minTrades: number,
): ResultRow[] {
  return rankRows(
    candidates.map((candidate, index) => {
      const outcome = outcomes[index]!;
      const metrics = outcome.ok ? outcome.evaluation.metrics : null;
      return {
        index,
        point: candidate.point,
        params: candidate.params,
        score: metrics === null ? Number.NaN : metricValue(metrics, metric),
        qualified: metrics !== null && metrics.trades.total >= minTrades,
        metrics,
        windows: 0,
        chosen: 0,
        error: outcome.ok ? null : outcome.error,
      };
    }),
  );
}

function walkForwardRows(
  candidates: readonly Candidate[],
  inSample: readonly (readonly JobOutcome[])[],
  windows: readonly WindowResult[],
  metric: RankMetric,
  minTrades: number,
): ResultRow[] {
  return rankRows(
    candidates.map((candidate, index) => {
      let total = 0;
      let count = 0;
      let qualified = true;
      let error: string | null = null;
      for (const outcomes of inSample) {
        const outcome = outcomes[index]!;
        if (!outcome.ok) {
          error ??= outcome.error;
          continue;
        }
        total += metricValue(outcome.evaluation.metrics, metric);
        count++;
        if (outcome.evaluation.metrics.trades.total < minTrades) qualified = false;
      }
      return {
        index,
        point: candidate.point,
        params: candidate.params,
        score: count > 0 ? total / count : Number.NaN,
        qualified: count > 0 && qualified,
        metrics: null,
        windows: count,
        chosen: windows.filter((window) => window.chosen === candidate).length,
        error: count > 0 ? null : (error ?? 'no in-sample run'),
      };
    }),
  );
}

function heatmapAxes(options: Resolved): OptimizeReport['heatmap'] {
  if (options.heatmap !== undefined) return { x: options.heatmap[0], y: options.heatmap[1] };
  const [first, second] = options.dimensions;
  if (first === undefined) return null;
  return { x: first.name, y: second?.name ?? null };
}

function workerSetup(
  options: Resolved,
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
  interval: Timeframe,
): WorkerSetup {
  return {
    strategy: options.provenance,
    candles: shareCandles(candles),
    interval,
    settings: options.settings,
  };
}

/**
 * Runs an optimisation.
 *
 * @example
 * ```ts
 * const report = await optimize({
 *   strategy: 'ema_crossover',
 *   source: { kind: 'bundled' },
 *   symbols: ['BTC-USDT'],
 *   dimensions: buildSpace('ema_crossover', ['fastPeriod=5:20:5', 'slowPeriod=30,50']),
 *   metric: 'sharpe',
 * });
 * console.log(report.best?.point);
 *
 * // Your own strategy, from a file (TypeScript runs as is):
 * const mine = await loadStrategy('strategies/my-idea.ts');
 * await optimize({ strategy: mine, source, dimensions: buildSpace(mine, ['minRise=0.01:0.05:0.01']) });
 * ```
 * @throws {DataInputError} (from `@lumenlink/data`) for candles that cannot be read (a missing or
 *   malformed file, a database without the symbols' candles, a gap not allowed).
 * @throws {OptimizeInputError} for inputs that turn out bad once the data is read (no candles in the
 *   period, an unsound candle in memory, no point the strategy accepts, data too short for one
 *   walk-forward window).
 * @throws {WorkerSetupError} when a worker cannot load the strategy (its file changed since it
 *   was loaded, it no longer loads).
 */
export async function optimize(
  request: OptimizeRequest,
  hooks: OptimizeHooks = {},
): Promise<OptimizeReport> {
  const options = resolve(request);
  const loaded = await loadSource(options.source, options.symbols, options.interval);
  const { interval } = loaded;
  const period = periodOf(loaded.candles, options);
  const { settings } = options;
  const points = pickPoints(options, interval);
  const { candidates } = points;
  if (candidates.length === 0) {
    const reason = points.rejected[0]?.reason ?? 'the space is empty';
    throw new OptimizeInputError(
      '--range',
      `${strategyLabel(options.strategy)} accepts none of the ${points.requested} parameter sets (${reason}); change the ranges`,
    );
  }
  const windows =
    options.walkForward === undefined
      ? []
      : walkForwardWindows(period.from, period.to + timeframeMs(interval), options.walkForward);
  if (options.walkForward !== undefined && windows.length === 0) {
    throw new OptimizeInputError(
      '--in-sample',
      `the period ${formatTime(period.from)} → ${formatTime(period.to)} UTC is too short for one in-sample window and the out-of-sample window after it; shorten --in-sample or --out-of-sample`,
    );
  }
  const total =
    options.walkForward === undefined
      ? candidates.length
      : windows.length * candidates.length + windows.length;

  const pointOf = new Map(candidates.map((candidate) => [candidate.params, candidate.point]));
  let pool: WorkerPool | undefined;
  let evaluator: Evaluator;
  if (hooks.evaluator !== undefined) {
    evaluator = hooks.evaluator({
      strategy: options.definition,
      candles: loaded.candles,
      interval,
      settings,
    });
    hooks.onStart?.(total, 0);
  } else {
    const size = Math.min(options.workers, total);
    pool = await WorkerPool.start({
      size,
      setup: workerSetup(options, loaded.candles, interval),
      ...(hooks.workerUrl === undefined ? {} : { workerUrl: hooks.workerUrl }),
      ...(hooks.faultInjection === undefined ? {} : { faultInjection: hooks.faultInjection }),
      onCrash: (crash) => hooks.onCrash?.(crash, pointOf.get(crash.job.params) ?? {}),
    });
    evaluator = pool;
    hooks.onStart?.(total, size);
  }
  let done = 0;
  let failed = 0;
  const onSettled = (_index: number, outcome: JobOutcome): void => {
    done++;
    if (!outcome.ok) failed++;
    hooks.onProgress?.(done, failed, total);
  };

  try {
    const failures: FailedRun[] = [];
    let rows: ResultRow[];
    let walkForward: WalkForwardReport | null = null;
    let tradeReturns: number[] = [];
    if (options.walkForward === undefined) {
      const jobs: EvaluationJob[] = candidates.map((candidate) => ({
        params: candidate.params,
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.to === undefined ? {} : { to: options.to }),
      }));
      const outcomes = await evaluator.evaluate(jobs, onSettled);
      for (const [index, outcome] of outcomes.entries()) {
        const failure = failedRun(candidates[index]!.point, jobs[index]!, outcome);
        if (failure !== null) failures.push(failure);
      }
      rows = sweepRows(candidates, outcomes, options.metric, options.minTrades);
      const winner = bestRow(rows);
      const outcome = winner === null ? undefined : outcomes[winner.index];
      tradeReturns = outcome?.ok === true ? outcome.evaluation.tradeReturns : [];
    } else {
      const result = await runWalkForward(evaluator, {
        candidates,
        windows,
        metric: options.metric,
        minTrades: options.minTrades,
        startingCash: settings.startingCash,
        onSettled,
      });
      for (const [windowIndex, outcomes] of result.inSampleOutcomes.entries()) {
        const window = windows[windowIndex]!;
        for (const [index, outcome] of outcomes.entries()) {
          const failure = failedRun(
            candidates[index]!.point,
            { params: candidates[index]!.params, ...window.inSample },
            outcome,
          );
          if (failure !== null) failures.push(failure);
        }
      }
      for (const window of result.windows) {
        if (window.chosen !== null && window.outOfSampleError !== null) {
          failures.push({
            point: window.chosen.point,
            ...window.window.outOfSample,
            error: window.outOfSampleError,
            crashed: window.outOfSampleCrashed,
          });
        }
      }
      rows = walkForwardRows(
        candidates,
        result.inSampleOutcomes,
        result.windows,
        options.metric,
        options.minTrades,
      );
      tradeReturns = result.tradeReturns;
      walkForward = {
        options: options.walkForward,
        windows: result.windows,
        stitched: result.stitched,
        totalReturn: result.totalReturn,
        maxDrawdown: result.maxDrawdown,
        trades: result.tradeReturns.length,
      };
    }
    if (hooks.onWorkerCpu !== undefined) hooks.onWorkerCpu((await pool?.threadCpuMs()) ?? []);
    return {
      strategy: options.definition.key,
      provenance: {
        strategy: options.provenance,
        params: options.baseParams,
        settings: { ...settings },
        data: dataProvenanceOf({
          description: loaded.description,
          candles: loaded.candles,
          symbols: [...loaded.candles.keys()],
          interval,
        }),
      },
      interval,
      symbols: [...loaded.candles.keys()],
      source: loaded.description,
      period,
      settings,
      baseParams: options.baseParams,
      backtestArgs: options.backtestArgs,
      dimensions: options.dimensions,
      search: {
        method: options.search,
        seed: options.seed,
        requested: points.requested,
        points: candidates.length,
        rejected: points.rejected,
      },
      metric: options.metric,
      minTrades: options.minTrades,
      mode: walkForward === null ? 'sweep' : 'walk-forward',
      rows,
      best: bestRow(rows),
      failures,
      walkForward,
      monteCarlo: monteCarlo(tradeReturns, { runs: options.monteCarloRuns, seed: options.seed }),
      heatmap: heatmapAxes(options),
    };
  } finally {
    await pool?.close();
  }
}

/** The winner: the best row that qualifies, else the best row with a result. */
export function bestRow(rows: readonly ResultRow[]): ResultRow | null {
  const withResult = rows.filter((row) => row.error === null);
  return withResult.find((row) => row.qualified) ?? withResult[0] ?? null;
}
