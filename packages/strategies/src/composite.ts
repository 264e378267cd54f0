import { type Candle, type Signal, type StrategyContext } from '@lumenlink/core';
import { EMA, RSI } from '@lumenlink/indicators';
import { z } from 'zod';
import { defineStrategy, type StrategyLogic } from './define-strategy.js';
import { describeParameters, integerParam, numberParam, requireAbove, shapeOf } from './params.js';
import { constantHold, formatNumber, holdsPosition } from './signal-helpers.js';

const level = { min: 0, max: 100, minExclusive: true } as const;

const parameterTable = {
  fastPeriod: integerParam('Fast EMA period.', { default: 9, min: 1, max: 500 }),
  slowPeriod: integerParam('Slow EMA period, above fastPeriod.', {
    default: 21,
    min: 2,
    max: 1000,
  }),
  rsiPeriod: integerParam('RSI period (Wilder).', { default: 14, min: 2, max: 500 }),
  rsiBuyAbove: numberParam('Bullish agreement needs the RSI above this (momentum up).', {
    default: 50,
    ...level,
  }),
  rsiBuyBelow: numberParam(
    'Bullish agreement needs the RSI below this (not overbought), above rsiBuyAbove.',
    { default: 70, ...level },
  ),
  rsiSellBelow: numberParam('Bearish agreement needs the RSI below this (momentum down).', {
    default: 50,
    ...level,
  }),
  confidence: numberParam('Confidence of every buy and sell.', {
    default: 1,
    min: 0,
    max: 1,
    minExclusive: true,
  }),
};

/** Parameters of `composite`; every one has a default. */
export const compositeParamsSchema = z
  .strictObject(shapeOf(parameterTable))
  .superRefine((params, context) => {
    requireAbove(params, context, 'fastPeriod', 'slowPeriod');
    requireAbove(params, context, 'rsiBuyAbove', 'rsiBuyBelow');
  });

/** Validated parameters of `composite`. */
export type CompositeParams = z.infer<typeof compositeParamsSchema>;

class Composite implements StrategyLogic {
  readonly warmup: number;
  readonly #params: CompositeParams;
  readonly #fast: EMA;
  readonly #slow: EMA;
  readonly #rsi: RSI;
  #wasBullish = false;
  /** Whether a candle with every indicator ready has been seen: agreement can begin after it. */
  #primed = false;
  readonly #warmingUp: Signal;
  readonly #bullishHolding: Signal;
  readonly #bullishOngoing: Signal;
  readonly #bearishFlat: Signal;
  readonly #trendUpOnly: Signal;
  readonly #trendDownOnly: Signal;
  readonly #noTrend: Signal;

  constructor(params: CompositeParams) {
    this.#params = params;
    this.#fast = new EMA(params.fastPeriod);
    this.#slow = new EMA(params.slowPeriod);
    this.#rsi = new RSI(params.rsiPeriod);
    // Both indicators ready, plus one candle to see agreement begin (not merely be there).
    this.warmup = Math.max(params.slowPeriod, params.rsiPeriod + 1) + 1;
    const ema = `EMA(${params.fastPeriod}) and EMA(${params.slowPeriod})`;
    const rsi = `RSI(${params.rsiPeriod})`;
    this.#warmingUp = constantHold(`${ema} and ${rsi} are warming up`);
    this.#bullishHolding = constantHold(
      'EMA and RSI agree bullish, but a position is already open',
    );
    this.#bullishOngoing = constantHold(
      'EMA and RSI agree bullish since an earlier candle: entries happen on the first agreeing candle only',
    );
    this.#bearishFlat = constantHold('EMA and RSI agree bearish, but there is no position to sell');
    this.#trendUpOnly = constantHold(
      `EMA trend is up but ${rsi} is not between ${params.rsiBuyAbove} and ${params.rsiBuyBelow}: no agreement`,
    );
    this.#trendDownOnly = constantHold(
      `EMA trend is down but ${rsi} is not below ${params.rsiSellBelow}: no agreement`,
    );
    this.#noTrend = constantHold('fast EMA equals slow EMA: no trend to agree with');
  }

  onCandle(candle: Candle, context: StrategyContext): Signal {
    const params = this.#params;
    const fast = this.#fast.update(candle.close);
    const slow = this.#slow.update(candle.close);
    const rsi = this.#rsi.update(candle.close);
    if (Number.isNaN(fast) || Number.isNaN(slow) || Number.isNaN(rsi)) return this.#warmingUp;
    const bullish = fast > slow && rsi > params.rsiBuyAbove && rsi < params.rsiBuyBelow;
    const bearish = fast < slow && rsi < params.rsiSellBelow;
    const wasBullish = this.#wasBullish;
    this.#wasBullish = bullish;
    if (!this.#primed) {
      this.#primed = true;
      return this.#warmingUp;
    }
    if (bullish) {
      if (wasBullish) return this.#bullishOngoing;
      if (holdsPosition(context)) return this.#bullishHolding;
      return {
        action: 'buy',
        confidence: params.confidence,
        reason: `EMA and RSI agree bullish: EMA(${params.fastPeriod}) ${formatNumber(fast)} > EMA(${params.slowPeriod}) ${formatNumber(slow)} and RSI(${params.rsiPeriod}) ${formatNumber(rsi)} is between ${params.rsiBuyAbove} and ${params.rsiBuyBelow}`,
      };
    }
    if (bearish) {
      if (!holdsPosition(context)) return this.#bearishFlat;
      return {
        action: 'sell',
        confidence: params.confidence,
        reason: `EMA and RSI agree bearish: EMA(${params.fastPeriod}) ${formatNumber(fast)} < EMA(${params.slowPeriod}) ${formatNumber(slow)} and RSI(${params.rsiPeriod}) ${formatNumber(rsi)} is below ${params.rsiSellBelow}`,
      };
    }
    return fast > slow ? this.#trendUpOnly : fast < slow ? this.#trendDownOnly : this.#noTrend;
  }
}

/**
 * `composite`: RSI and EMA must agree. Bullish agreement is the fast EMA above the slow EMA with
 * the RSI between `rsiBuyAbove` and `rsiBuyBelow` (momentum up, not overbought); it buys on the
 * first candle of an agreement, when flat. Bearish agreement is the fast EMA below the slow EMA
 * with the RSI below `rsiSellBelow`; it sells while that holds and a position is open.
 *
 * @example
 * ```ts
 * const strategy = composite.create({}, { interval: '1h' });
 * ```
 */
export const composite = defineStrategy({
  key: 'composite',
  description:
    'RSI and EMA must agree: buys when an EMA uptrend and bullish RSI momentum begin to agree, sells a position when both turn bearish.',
  paramsSchema: compositeParamsSchema,
  parameters: describeParameters(parameterTable, compositeParamsSchema.parse({})),
  build: (params) => new Composite(params),
});
