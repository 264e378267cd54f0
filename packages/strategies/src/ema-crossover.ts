import { type Candle, type Signal } from '@lumenlink/core';
import { EMA } from '@lumenlink/indicators';
import { z } from 'zod';
import { defineStrategy, type StrategyLogic } from './define-strategy.js';
import { describeParameters, integerParam, numberParam, requireAbove, shapeOf } from './params.js';
import { constantHold, formatNumber } from './signal-helpers.js';

const parameterTable = {
  fastPeriod: integerParam('Fast EMA period.', { default: 9, min: 1, max: 500 }),
  slowPeriod: integerParam('Slow EMA period, above fastPeriod.', {
    default: 21,
    min: 2,
    max: 1000,
  }),
  confidence: numberParam(
    'Confidence of every cross signal (a crossover carries no strength measure); sizing multiplies the max position by it.',
    { default: 1, min: 0, max: 1, minExclusive: true },
  ),
};

/** Parameters of `ema_crossover`; every one has a default. */
export const emaCrossoverParamsSchema = z
  .strictObject(shapeOf(parameterTable))
  .superRefine((params, context) => {
    requireAbove(params, context, 'fastPeriod', 'slowPeriod');
  });

/** Validated parameters of `ema_crossover`. */
export type EmaCrossoverParams = z.infer<typeof emaCrossoverParamsSchema>;

class EmaCrossover implements StrategyLogic {
  readonly warmup: number;
  readonly #params: EmaCrossoverParams;
  readonly #fast: EMA;
  readonly #slow: EMA;
  /** The previous candle's EMAs; `NaN` before both have values (number fields: no allocation). */
  #previousFast = Number.NaN;
  #previousSlow = Number.NaN;
  readonly #warmingUp: Signal;
  readonly #above: Signal;
  readonly #below: Signal;
  readonly #equal: Signal;

  constructor(params: EmaCrossoverParams) {
    this.#params = params;
    this.#fast = new EMA(params.fastPeriod);
    this.#slow = new EMA(params.slowPeriod);
    // Both EMAs have a value from the slowPeriod-th close; a cross compares two candles.
    this.warmup = params.slowPeriod + 1;
    const fast = `EMA(${params.fastPeriod})`;
    const slow = `EMA(${params.slowPeriod})`;
    this.#warmingUp = constantHold(`${fast} and ${slow} are warming up`);
    this.#above = constantHold(`${fast} is above ${slow}: no cross on this candle`);
    this.#below = constantHold(`${fast} is below ${slow}: no cross on this candle`);
    this.#equal = constantHold(`${fast} equals ${slow}: no cross on this candle`);
  }

  onCandle(candle: Candle): Signal {
    const fast = this.#fast.update(candle.close);
    const slow = this.#slow.update(candle.close);
    const previousFast = this.#previousFast;
    const previousSlow = this.#previousSlow;
    if (Number.isNaN(fast) || Number.isNaN(slow)) return this.#warmingUp;
    this.#previousFast = fast;
    this.#previousSlow = slow;
    if (Number.isNaN(previousFast) || Number.isNaN(previousSlow)) return this.#warmingUp;
    if (fast > slow && previousFast <= previousSlow) {
      return this.#cross('buy', 'above', fast, slow);
    }
    if (fast < slow && previousFast >= previousSlow) {
      return this.#cross('sell', 'below', fast, slow);
    }
    return fast > slow ? this.#above : fast < slow ? this.#below : this.#equal;
  }

  #cross(action: 'buy' | 'sell', side: string, fast: number, slow: number): Signal {
    const { fastPeriod, slowPeriod, confidence } = this.#params;
    return {
      action,
      confidence,
      reason: `EMA(${fastPeriod}) crossed ${side} EMA(${slowPeriod}): ${formatNumber(fast)} vs ${formatNumber(slow)}`,
    };
  }
}

/**
 * `ema_crossover`: buys on the candle where the fast EMA closes above the slow EMA after being at
 * or below it on the previous candle (both EMAs ready on both candles), sells on the mirror cross,
 * and does nothing else. Sells are emitted with or without a position (risk blocks a sell with
 * nothing to sell).
 *
 * @example
 * ```ts
 * const strategy = emaCrossover.create({ fastPeriod: 12, slowPeriod: 26 }, { interval: '4h' });
 * const signal = strategy.onCandle(candle, { symbol: 'ETH-USD', time, position: null });
 * ```
 */
export const emaCrossover = defineStrategy({
  key: 'ema_crossover',
  description:
    'Buys when the fast EMA crosses above the slow EMA, sells when it crosses below; nothing else.',
  paramsSchema: emaCrossoverParamsSchema,
  parameters: describeParameters(parameterTable, emaCrossoverParamsSchema.parse({})),
  build: (params) => new EmaCrossover(params),
});
