/**
 * Monte Carlo on a strategy's trades: how much of its result is the luck of the order and the
 * draw of its trades. Trades are taken as returns on the equity before each entry and
 * compounded one after the other, so equity is measured trade by trade (not candle by candle).
 * - Shuffles reorder the trades: the final return never changes, the drawdown does.
 * - The bootstrap draws as many trades with replacement: return and drawdown both vary.
 */
import { percentile } from '@lumenlink/core';
import { createRandom, deriveSeed, type Random } from './random.js';

/** The 5th, 50th (median) and 95th percentiles of a distribution. */
export interface Percentiles {
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
}

/** Return and max drawdown of one sequence of trades, compounded from 1. */
export interface PathStats {
  readonly totalReturn: number;
  /** Deepest fall below the running peak, as a fraction of that peak (0..1). */
  readonly maxDrawdown: number;
}

/** What {@link monteCarlo} reports. */
export interface MonteCarloResult {
  /** Simulations of each kind. */
  readonly runs: number;
  readonly seed: number;
  readonly trades: number;
  /** The trades in the order they happened. */
  readonly actual: PathStats;
  /** Trade-order shuffles: the distribution of max drawdown (the return is the actual one). */
  readonly shuffle: { readonly maxDrawdown: Percentiles };
  /** Bootstrap with replacement: the distributions of return and max drawdown. */
  readonly bootstrap: {
    readonly totalReturn: Percentiles;
    readonly maxDrawdown: Percentiles;
    /** Share of the simulations that ended below the starting equity. */
    readonly probabilityOfLoss: number;
  };
}

function percentilesOf(values: Float64Array): Percentiles {
  const sorted = values.slice().sort();
  return { p5: percentile(sorted, 5), p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** Compounds a sequence of trade returns from 1: its total return and max drawdown. */
export function pathStats(returns: ArrayLike<number>): PathStats {
  let equity = 1;
  let peak = 1;
  let maxDrawdown = 0;
  for (let index = 0; index < returns.length; index++) {
    equity *= 1 + returns[index]!;
    if (equity > peak) peak = equity;
    else if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - equity) / peak);
  }
  return { totalReturn: equity - 1, maxDrawdown };
}

function shuffleInPlace(values: Float64Array, random: Random): void {
  for (let index = values.length - 1; index > 0; index--) {
    const other = random.integer(0, index);
    const kept = values[index]!;
    values[index] = values[other]!;
    values[other] = kept;
  }
}

/** Options of {@link monteCarlo}. */
export interface MonteCarloOptions {
  /** Simulations of each kind (shuffle and bootstrap). */
  readonly runs: number;
  /** The run's seed (`--seed`); Monte Carlo draws from its own stream of it. */
  readonly seed: number;
}

/**
 * Runs trade-order shuffles and a bootstrap over the trade returns, seeded: the same trades,
 * runs and seed always give the same figures. `null` without trades or runs.
 *
 * @example
 * ```ts
 * const result = monteCarlo(evaluation.tradeReturns, { runs: 1000, seed: 42 });
 * result?.bootstrap.totalReturn.p5; // a bad but plausible year
 * ```
 */
export function monteCarlo(
  tradeReturns: readonly number[],
  options: MonteCarloOptions,
): MonteCarloResult | null {
  const count = tradeReturns.length;
  const runs = Math.floor(options.runs);
  if (count === 0 || runs <= 0) return null;
  const random = createRandom(deriveSeed(options.seed, 'monte-carlo'));
  const trades = Float64Array.from(tradeReturns);
  const work = new Float64Array(count);

  const shuffledDrawdowns = new Float64Array(runs);
  work.set(trades);
  for (let run = 0; run < runs; run++) {
    shuffleInPlace(work, random);
    shuffledDrawdowns[run] = pathStats(work).maxDrawdown;
  }

  const bootReturns = new Float64Array(runs);
  const bootDrawdowns = new Float64Array(runs);
  let losses = 0;
  for (let run = 0; run < runs; run++) {
    for (let index = 0; index < count; index++) work[index] = trades[random.integer(0, count - 1)]!;
    const stats = pathStats(work);
    bootReturns[run] = stats.totalReturn;
    bootDrawdowns[run] = stats.maxDrawdown;
    if (stats.totalReturn < 0) losses++;
  }

  return {
    runs,
    seed: options.seed,
    trades: count,
    actual: pathStats(trades),
    shuffle: { maxDrawdown: percentilesOf(shuffledDrawdowns) },
    bootstrap: {
      totalReturn: percentilesOf(bootReturns),
      maxDrawdown: percentilesOf(bootDrawdowns),
      probabilityOfLoss: losses / runs,
    },
  };
}
