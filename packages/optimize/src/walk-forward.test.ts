import { describe, expect, it } from 'vitest';
import { computeMetrics, type BacktestMetrics } from '@lumenlink/analysis';
import type { EquitySample, EvaluationJob } from './evaluate.js';
import type { Evaluator, JobOutcome } from './evaluator.js';
import type { Candidate } from './search.js';
import {
  chooseBest,
  parseDuration,
  runWalkForward,
  walkForwardWindows,
  type Period,
} from './walk-forward.js';

const day = 86_400_000;
const start = Date.UTC(2024, 0, 1);

/** Real metrics of a run whose equity goes from 10,000 to 10,000 x (1 + total) at `to`. */
function metricsOf(total: number, period: Period, trades = 0): BacktestMetrics {
  return computeMetrics({
    title: 'synthetic',
    strategy: 'synthetic',
    params: {},
    interval: '1h',
    from: period.from,
    to: period.to,
    startingCash: 10_000,
    feeBps: 0,
    slippageBps: 0,
    fillMode: 'next-open',
    candles: {},
    trades: Array.from({ length: trades }, () => ({
      symbol: 'BTC-USDT',
      side: 'long' as const,
      entrySignalTime: period.from,
      entryTime: period.from,
      entryPrice: 1,
      exitSignalTime: period.to,
      exitTime: period.to,
      exitPrice: 1,
      quantity: 1,
      fees: 0,
      pnl: 0,
      exitReason: 'signal',
    })),
    equity: [{ time: period.to, equity: 10_000 * (1 + total), cash: 10_000 * (1 + total) }],
    blocked: {},
  });
}

/** An evaluator that records every job it is given and scores it with `score`. */
function spyEvaluator(
  score: (job: EvaluationJob) => number | Error,
  equity: (job: EvaluationJob) => EquitySample[] = () => [],
): Evaluator & { jobs: EvaluationJob[] } {
  const jobs: EvaluationJob[] = [];
  return {
    jobs,
    evaluate(list, onSettled) {
      const outcomes = list.map((job, index): JobOutcome => {
        jobs.push(job);
        const value = score(job);
        const outcome: JobOutcome =
          value instanceof Error
            ? { ok: false, error: value.message, crashed: false }
            : {
                ok: true,
                evaluation: {
                  from: job.from!,
                  to: job.to!,
                  metrics: metricsOf(value, { from: job.from!, to: job.to! }, 1),
                  tradeReturns: [value],
                  ...(job.equity === true ? { equity: equity(job) } : {}),
                },
              };
        onSettled?.(index, outcome);
        return outcome;
      });
      return Promise.resolve(outcomes);
    },
  };
}

const candidates = (count: number): Candidate[] =>
  Array.from({ length: count }, (_, p) => ({ point: { p }, params: { p } }));

describe('walkForwardWindows', () => {
  it('rolls in-sample windows, each followed by its out-of-sample window, whole ones only', () => {
    const windows = walkForwardWindows(start, start + 11 * day, {
      inSampleMs: 4 * day,
      outOfSampleMs: 2 * day,
      stepMs: 2 * day,
      anchored: false,
    });
    expect(windows).toEqual([
      {
        index: 0,
        inSample: { from: start, to: start + 4 * day - 1 },
        outOfSample: { from: start + 4 * day, to: start + 6 * day - 1 },
      },
      {
        index: 1,
        inSample: { from: start + 2 * day, to: start + 6 * day - 1 },
        outOfSample: { from: start + 6 * day, to: start + 8 * day - 1 },
      },
      {
        index: 2,
        inSample: { from: start + 4 * day, to: start + 8 * day - 1 },
        outOfSample: { from: start + 8 * day, to: start + 10 * day - 1 },
      },
    ]);
  });

  it('anchors every in-sample window at the start when asked, and finds none in data too short', () => {
    const options = {
      inSampleMs: 4 * day,
      outOfSampleMs: 2 * day,
      stepMs: 2 * day,
      anchored: true,
    };
    const windows = walkForwardWindows(start, start + 10 * day, options);
    expect(windows.map((window) => window.inSample.from)).toEqual([start, start, start]);
    expect(windows.map((window) => window.inSample.to - window.inSample.from + 1)).toEqual([
      4 * day,
      6 * day,
      8 * day,
    ]);
    expect(walkForwardWindows(start, start + 5 * day, options)).toEqual([]);
  });
});

describe('runWalkForward', () => {
  const windows = walkForwardWindows(start, start + 20 * day, {
    inSampleMs: 4 * day,
    outOfSampleMs: 2 * day,
    stepMs: 2 * day,
    anchored: false,
  });

  it('never lets an out-of-sample window take part in choosing its own parameters', async () => {
    expect(windows).toHaveLength(8);
    // Parameter p = k + 1 scores 100 on any run that sees a candle of window k's out-of-sample
    // period; anything else scores -p. Had window k's choice seen its own out-of-sample data,
    // p = k + 1 would win it.
    const overlaps = (job: EvaluationJob, period: Period): boolean =>
      job.from! <= period.to && job.to! >= period.from;
    const evaluator = spyEvaluator((job) => {
      const p = job.params.p as number;
      const leaked = windows.some(
        (window) => window.index + 1 === p && overlaps(job, window.outOfSample),
      );
      return leaked ? 100 : -p;
    });
    const count = windows.length + 1;
    const result = await runWalkForward(evaluator, {
      candidates: candidates(count),
      windows,
      metric: 'return',
      minTrades: 0,
      startingCash: 10_000,
    });

    for (const [k, window] of result.windows.entries()) {
      expect(window.chosen).not.toBeNull();
      expect(window.chosen?.point.p).not.toBe(k + 1);
      expect(window.evaluated).toBe(count);
    }
    // The first window sees no out-of-sample period: the plain best, p = 0. Later ones hold
    // earlier windows' out-of-sample periods in their in-sample one (the past: allowed), so
    // window 1 picks p = 1 (window 0's) and window 3 p = 2 (windows 1 and 2 tie; the first wins).
    expect(result.windows.map((window) => window.chosen?.point.p)).toEqual([
      0, 1, 1, 2, 3, 4, 5, 6,
    ]);

    // Every in-sample run ended before the out-of-sample period of its window started.
    const inSampleJobs = evaluator.jobs.filter((job) => job.equity !== true);
    expect(inSampleJobs).toHaveLength(windows.length * count);
    for (const [k, window] of windows.entries()) {
      const own = inSampleJobs.slice(k * count, (k + 1) * count);
      for (const job of own) {
        expect(job).toMatchObject(window.inSample);
        expect(job.to!).toBeLessThan(window.outOfSample.from);
      }
    }
    // Each window's choice was traded on its out-of-sample period, with its equity curve.
    const outOfSampleJobs = evaluator.jobs.filter((job) => job.equity === true);
    expect(outOfSampleJobs.map((job) => [job.params.p, job.from, job.to])).toEqual(
      result.windows.map((window) => [
        window.chosen?.point.p,
        window.window.outOfSample.from,
        window.window.outOfSample.to,
      ]),
    );
  });

  it('stitches the out-of-sample equity, each window starting where the last ended', async () => {
    const two = windows.slice(0, 2);
    const evaluator = spyEvaluator(
      () => 0,
      (job) =>
        job.from === two[0]!.outOfSample.from
          ? [
              { time: job.from + day, equity: 12_000 },
              { time: job.to! + 1, equity: 11_000 },
            ]
          : [
              { time: job.from! + day, equity: 8_000 },
              { time: job.to! + 1, equity: 9_000 },
            ],
    );
    const result = await runWalkForward(evaluator, {
      candidates: candidates(1),
      windows: two,
      metric: 'return',
      minTrades: 0,
      startingCash: 10_000,
    });
    // 10,000 → 12,000 → 11,000, then the second window's curve scaled by 1.1: 8,800, 9,900.
    expect(result.stitched.map((point) => point.equity)).toEqual([
      10_000, 12_000, 11_000, 8_800, 9_900,
    ]);
    expect(result.stitched.map((point) => point.time)).toEqual([
      two[0]!.outOfSample.from,
      two[0]!.outOfSample.from + day,
      two[0]!.outOfSample.to + 1,
      two[1]!.outOfSample.from + day,
      two[1]!.outOfSample.to + 1,
    ]);
    expect(result.totalReturn).toBeCloseTo(-0.01, 12);
    expect(result.maxDrawdown).toBeCloseTo(1 - 8_800 / 12_000, 12);
    expect(result.tradeReturns).toEqual([0, 0]);
  });

  it('skips failed in-sample runs, and reports a window whose runs all failed', async () => {
    const evaluator = spyEvaluator((job) =>
      job.from === windows[1]!.inSample.from || job.params.p === 0
        ? new Error(`no data for p=${String(job.params.p)}`)
        : 1 - (job.params.p as number),
    );
    const result = await runWalkForward(evaluator, {
      candidates: candidates(3),
      windows: windows.slice(0, 2),
      metric: 'return',
      minTrades: 0,
      startingCash: 10_000,
    });
    expect(result.windows[0]).toMatchObject({ chosen: { point: { p: 1 } }, evaluated: 2 });
    expect(result.windows[1]).toMatchObject({
      chosen: null,
      outOfSample: null,
      outOfSampleError: 'no parameters: every in-sample run failed',
      evaluated: 0,
    });
    expect(evaluator.jobs.filter((job) => job.equity === true)).toHaveLength(1);
  });
});

describe('chooseBest', () => {
  it('prefers runs with enough trades, then the metric', () => {
    const period = { from: start, to: start + day };
    const outcomes: JobOutcome[] = [
      { ok: true, evaluation: { ...period, metrics: metricsOf(0.5, period, 1), tradeReturns: [] } },
      { ok: true, evaluation: { ...period, metrics: metricsOf(0.2, period, 3), tradeReturns: [] } },
      { ok: false, error: 'boom', crashed: true },
    ];
    expect(chooseBest(candidates(3), outcomes, 'return', 3)).toMatchObject({
      candidate: { point: { p: 1 } },
      qualified: true,
    });
    expect(chooseBest(candidates(3), outcomes, 'return', 5)).toMatchObject({
      candidate: { point: { p: 0 } },
      qualified: false,
    });
    expect(chooseBest(candidates(1), [outcomes[2]!], 'return', 0)).toBeNull();
  });
});

describe('parseDuration', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(parseDuration('--step', '30m')).toBe(1_800_000);
    expect(parseDuration('--step', '12h')).toBe(43_200_000);
    expect(parseDuration('--step', '90d')).toBe(90 * 86_400_000);
    expect(parseDuration('--step', '2w')).toBe(14 * 86_400_000);
    expect(() => parseDuration('--step', '0d')).toThrow('--step: "0d" is not a duration');
  });
});
