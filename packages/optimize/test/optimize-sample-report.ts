/**
 * Optimisation reports for the output tests: the real pipeline (bundled candles, search,
 * walk-forward, ranking, Monte Carlo) with a synthetic evaluator in place of the backtests, so a
 * report is made in milliseconds and its numbers are known.
 */
import { computeMetrics } from '@lumenlink/analysis';
import type { EquitySample, EvaluationJob } from '../src/evaluate.js';
import type { Evaluator, JobOutcome } from '../src/evaluator.js';
import { optimize, type OptimizeReport, type OptimizeRequest } from '../src/run.js';
import { buildSpace } from '../src/space.js';

const day = 86_400_000;

/** The synthetic total return of a parameter set: best at fastPeriod 10, slowPeriod 40. */
export function syntheticReturn(params: Readonly<Record<string, unknown>>): number {
  const fast = Number(params.fastPeriod);
  const slow = Number(params.slowPeriod);
  return 0.05 - Math.abs(fast - 10) / 200 - Math.abs(slow - 40) / 400;
}

/** A job's synthetic evaluation: equity rising or falling steadily, one point a day. */
function syntheticOutcome(job: EvaluationJob, failOn: number | undefined): JobOutcome {
  if (failOn !== undefined && job.params.fastPeriod === failOn) {
    return { ok: false, error: `the worker exited with code 70`, crashed: true };
  }
  const from = job.from ?? Date.UTC(2024, 0, 1);
  const to = job.to ?? Date.UTC(2024, 8, 6);
  const total = syntheticReturn(job.params);
  const days = Math.max(1, Math.floor((to - from) / day));
  const equity: EquitySample[] = [];
  for (let index = 1; index <= days; index++) {
    const wobble = index % 3 === 0 ? -0.004 : 0;
    equity.push({
      time: from + index * day,
      equity: 10_000 * (1 + (total * index) / days + wobble),
    });
  }
  equity[equity.length - 1] = { time: from + days * day, equity: 10_000 * (1 + total) };
  const metrics = computeMetrics({
    title: 'synthetic',
    strategy: 'ema_crossover',
    params: { ...job.params },
    interval: '1d',
    from,
    to,
    startingCash: 10_000,
    feeBps: 10,
    slippageBps: 5,
    fillMode: 'next-open',
    candles: {},
    trades: [],
    equity: equity.map((point) => ({ ...point, cash: point.equity })),
    blocked: {},
  });
  const perTrade = (1 + total) ** (1 / 4) - 1;
  return {
    ok: true,
    evaluation: {
      from,
      to,
      metrics,
      tradeReturns: [perTrade + 0.01, perTrade - 0.01, perTrade + 0.02, perTrade - 0.02],
      ...(job.equity === true ? { equity } : {}),
    },
  };
}

/** An evaluator whose results are {@link syntheticReturn}; `failOn` makes a fastPeriod crash. */
function syntheticEvaluator(failOn?: number): Evaluator {
  return {
    evaluate(jobs, onSettled) {
      return Promise.resolve(
        jobs.map((job, index) => {
          const outcome = syntheticOutcome(job, failOn);
          onSettled?.(index, outcome);
          return outcome;
        }),
      );
    },
  };
}

/**
 * An optimisation of ema_crossover over fastPeriod 5..20 step 5 and slowPeriod 20..50 step 10
 * (the set 20/20 refused), on the bundled candles, with the synthetic evaluator. `ranges` adds
 * searched parameters; `request` replaces parts of the request.
 */
export async function sampleOptimizeReport(
  options: {
    readonly walkForward?: boolean;
    readonly failOn?: number;
    readonly ranges?: readonly string[];
    readonly request?: Partial<OptimizeRequest>;
  } = {},
): Promise<OptimizeReport> {
  const strategy = 'ema_crossover';
  const ranges = ['fastPeriod=5:20:5', 'slowPeriod=20:50:10', ...(options.ranges ?? [])];
  return optimize(
    {
      strategy,
      source: { kind: 'bundled' },
      symbols: ['BTC-USDT'],
      dimensions: buildSpace(strategy, ranges),
      minTrades: 0,
      monteCarloRuns: 200,
      backtestArgs: [`--strategy=${strategy}`, '--symbol=BTC-USDT'],
      ...(options.walkForward === true
        ? {
            walkForward: {
              inSampleMs: 60 * day,
              outOfSampleMs: 30 * day,
              stepMs: 30 * day,
              anchored: false,
            },
          }
        : {}),
      ...options.request,
    },
    { evaluator: () => syntheticEvaluator(options.failOn) },
  );
}
