/**
 * Walk-forward optimisation: the data is cut into in-sample windows, each followed by an
 * out-of-sample window. Parameters are chosen on an in-sample window alone and then traded on
 * the out-of-sample window after it; the out-of-sample runs, stitched together, are what the
 * strategy would have earned had it been re-optimised on schedule.
 */
import type { BacktestMetrics } from '@lumenlink/analysis';
import { OptimizeInputError } from './errors.js';
import type { EquitySample, EvaluationJob } from './evaluate.js';
import type { Evaluator, JobOutcome, SettledListener } from './evaluator.js';
import { metricValue, rankScored, type RankMetric } from './ranking.js';
import type { Candidate } from './search.js';

const durationUnits = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * Parses a window length such as `90d`, `12w`, `720h` or `30m` to ms.
 *
 * @example
 * ```ts
 * parseDuration('--in-sample', '90d'); // 7_776_000_000
 * ```
 * @throws {OptimizeInputError} naming `field` for anything else.
 */
export function parseDuration(field: string, text: string): number {
  const match = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  const count = Number(match?.[1]);
  if (match === null || !(count > 0)) {
    throw new OptimizeInputError(
      field,
      `${JSON.stringify(text)} is not a duration. Accepted: a count and m, h, d or w, such as 90d, 12w or 720h`,
    );
  }
  return count * durationUnits[match[2] as keyof typeof durationUnits];
}

/** How the data is cut. Durations in ms. */
export interface WalkForwardOptions {
  readonly inSampleMs: number;
  readonly outOfSampleMs: number;
  /** How far each window moves on (default: the out-of-sample length, so they tile). */
  readonly stepMs: number;
  /** Every in-sample window starts at the data's start and grows (default: they roll). */
  readonly anchored: boolean;
}

/** A period of candle open times, both ends included (epoch ms). */
export interface Period {
  readonly from: number;
  readonly to: number;
}

/** One in-sample window and the out-of-sample window right after it. */
export interface WalkForwardWindow {
  readonly index: number;
  readonly inSample: Period;
  readonly outOfSample: Period;
}

/**
 * The windows over data whose candles open from `start` to before `end` (the last candle's open
 * plus one interval). Window k's in-sample period starts at `start + k * step` (rolling) or at
 * `start` (anchored) and ends `inSampleMs` after `start + k * step`; its out-of-sample period
 * starts right after and lasts `outOfSampleMs`. Only whole out-of-sample windows are kept.
 *
 * @example
 * ```ts
 * walkForwardWindows(start, end, { inSampleMs: 90 * day, outOfSampleMs: 30 * day, stepMs: 30 * day, anchored: false });
 * ```
 */
export function walkForwardWindows(
  start: number,
  end: number,
  options: WalkForwardOptions,
): WalkForwardWindow[] {
  const windows: WalkForwardWindow[] = [];
  if (!(options.inSampleMs > 0 && options.outOfSampleMs > 0 && options.stepMs > 0)) return windows;
  for (let index = 0; ; index++) {
    const shift = start + index * options.stepMs;
    const outFrom = shift + options.inSampleMs;
    const outEnd = outFrom + options.outOfSampleMs;
    if (outEnd > end) break;
    windows.push({
      index,
      inSample: { from: options.anchored ? start : shift, to: outFrom - 1 },
      outOfSample: { from: outFrom, to: outEnd - 1 },
    });
  }
  return windows;
}

/** A window's choice and how it did. */
export interface WindowResult {
  readonly window: WalkForwardWindow;
  /** The parameters chosen in-sample; `null` when every in-sample run failed. */
  readonly chosen: Candidate | null;
  /** The chosen parameters' in-sample metrics. */
  readonly inSample: BacktestMetrics | null;
  /** Whether the choice had enough trades in-sample (`minTrades`). */
  readonly qualified: boolean;
  /** The chosen parameters traded out-of-sample; `null` when that run failed or nothing was chosen. */
  readonly outOfSample: BacktestMetrics | null;
  /** Why the out-of-sample run is missing. */
  readonly outOfSampleError: string | null;
  /** The out-of-sample run's worker died running it. */
  readonly outOfSampleCrashed: boolean;
  /** In-sample runs that succeeded, of all candidates. */
  readonly evaluated: number;
}

/** What a walk-forward returns. */
export interface WalkForwardResult {
  readonly windows: WindowResult[];
  /**
   * The out-of-sample equity stitched: each window starts from the equity the previous one
   * ended with (its curve scaled by that over the starting cash), from `startingCash`.
   */
  readonly stitched: EquitySample[];
  /** Compounded return of the stitched curve. */
  readonly totalReturn: number;
  /** Deepest fall of the stitched curve below its running peak (0..1). */
  readonly maxDrawdown: number;
  /** Every out-of-sample trade's return, window after window: what Monte Carlo resamples. */
  readonly tradeReturns: number[];
  /** The in-sample outcomes, per window, per candidate. */
  readonly inSampleOutcomes: JobOutcome[][];
}

/** What {@link runWalkForward} needs besides the evaluator. */
export interface WalkForwardRun {
  readonly candidates: readonly Candidate[];
  readonly windows: readonly WalkForwardWindow[];
  readonly metric: RankMetric;
  /** Runs with fewer trades rank after those with enough. */
  readonly minTrades: number;
  readonly startingCash: number;
  /** Each job as it ends: in-sample runs first, then the out-of-sample ones. */
  readonly onSettled?: SettledListener;
}

/**
 * Chooses the best of `outcomes` by the metric: the first by rank among those with enough
 * trades, else the first by rank; `null` when none succeeded.
 */
export function chooseBest(
  candidates: readonly Candidate[],
  outcomes: readonly JobOutcome[],
  metric: RankMetric,
  minTrades: number,
): { candidate: Candidate; metrics: BacktestMetrics; qualified: boolean } | null {
  const scored = [];
  for (const [index, outcome] of outcomes.entries()) {
    if (!outcome.ok) continue;
    const { metrics } = outcome.evaluation;
    scored.push({
      index,
      metrics,
      score: metricValue(metrics, metric),
      qualified: metrics.trades.total >= minTrades,
    });
  }
  const best = rankScored(scored)[0];
  if (best === undefined) return null;
  return { candidate: candidates[best.index]!, metrics: best.metrics, qualified: best.qualified };
}

function stitch(
  windows: readonly WalkForwardWindow[],
  outcomes: readonly (JobOutcome | undefined)[],
  startingCash: number,
): { stitched: EquitySample[]; totalReturn: number; maxDrawdown: number } {
  const stitched: EquitySample[] = [];
  let level = startingCash;
  let peak = startingCash;
  let maxDrawdown = 0;
  for (const [index, window] of windows.entries()) {
    const outcome = outcomes[index];
    if (stitched.length === 0) stitched.push({ time: window.outOfSample.from, equity: level });
    if (outcome === undefined || !outcome.ok) continue;
    const scale = level / startingCash;
    let end = level;
    for (const point of outcome.evaluation.equity ?? []) {
      end = point.equity * scale;
      stitched.push({ time: point.time, equity: end });
      peak = Math.max(peak, end);
      if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - end) / peak);
    }
    level = end;
  }
  return { stitched, totalReturn: startingCash > 0 ? level / startingCash - 1 : 0, maxDrawdown };
}

/**
 * Runs a walk-forward: every candidate on every in-sample window, the best per window (by the
 * metric, from that window's in-sample runs alone), then each window's choice on its
 * out-of-sample window. An out-of-sample window never takes part in its own choice: the
 * in-sample jobs end before it starts, and the evaluator hands the engine no candle after a
 * job's end.
 *
 * @example
 * ```ts
 * const result = await runWalkForward(pool, { candidates, windows, metric: 'sharpe', minTrades: 1, startingCash: 10_000 });
 * result.windows.map((window) => window.chosen?.point);
 * ```
 */
export async function runWalkForward(
  evaluator: Evaluator,
  run: WalkForwardRun,
): Promise<WalkForwardResult> {
  const { candidates, windows } = run;
  const inSampleJobs: EvaluationJob[] = [];
  for (const window of windows) {
    for (const candidate of candidates) {
      inSampleJobs.push({
        params: candidate.params,
        from: window.inSample.from,
        to: window.inSample.to,
      });
    }
  }
  const inSample = await evaluator.evaluate(inSampleJobs, run.onSettled);
  const inSampleOutcomes = windows.map((_, index) =>
    inSample.slice(index * candidates.length, (index + 1) * candidates.length),
  );

  const choices = windows.map((_, index) =>
    chooseBest(candidates, inSampleOutcomes[index]!, run.metric, run.minTrades),
  );
  const outOfSampleJobs: EvaluationJob[] = [];
  const jobWindow: number[] = [];
  for (const [index, window] of windows.entries()) {
    const choice = choices[index];
    if (choice === null || choice === undefined) continue;
    jobWindow.push(index);
    outOfSampleJobs.push({
      params: choice.candidate.params,
      from: window.outOfSample.from,
      to: window.outOfSample.to,
      equity: true,
    });
  }
  const offset = inSampleJobs.length;
  const outOfSample = await evaluator.evaluate(
    outOfSampleJobs,
    run.onSettled === undefined
      ? undefined
      : (index, outcome) => run.onSettled?.(offset + index, outcome),
  );
  const byWindow: (JobOutcome | undefined)[] = windows.map(() => undefined);
  for (const [job, index] of jobWindow.entries()) byWindow[index] = outOfSample[job];

  const results: WindowResult[] = windows.map((window, index) => {
    const choice = choices[index] ?? null;
    const outcome = byWindow[index];
    return {
      window,
      chosen: choice?.candidate ?? null,
      inSample: choice?.metrics ?? null,
      qualified: choice?.qualified ?? false,
      outOfSample: outcome?.ok === true ? outcome.evaluation.metrics : null,
      outOfSampleError:
        outcome === undefined
          ? 'no parameters: every in-sample run failed'
          : outcome.ok
            ? null
            : outcome.error,
      outOfSampleCrashed: outcome?.ok === false && outcome.crashed,
      evaluated: inSampleOutcomes[index]!.filter((item) => item.ok).length,
    };
  });
  const tradeReturns = byWindow.flatMap((outcome) =>
    outcome?.ok === true ? outcome.evaluation.tradeReturns : [],
  );
  return {
    windows: results,
    ...stitch(windows, byWindow, run.startingCash),
    tradeReturns,
    inSampleOutcomes,
  };
}
