import { type Candle, type Signal } from '@lumenlink/core';
import { RSI } from '@lumenlink/indicators';
import { z } from 'zod';
import { defineStrategy, type StrategyLogic } from './define-strategy.js';
import { describeParameters, integerParam, numberParam, requireAbove, shapeOf } from './params.js';
import { clamp, constantHold, formatNumber } from './signal-helpers.js';

const parameterTable = {
  period: integerParam('RSI period (Wilder).', { default: 14, min: 2, max: 500 }),
  oversold: numberParam('Buy when the RSI crosses up through this level.', {
    default: 30,
    min: 0,
    max: 100,
    minExclusive: true,
  }),
  overbought: numberParam('Sell when the RSI crosses down through this level.', {
    default: 70,
    min: 0,
    max: 100,
    minExclusive: true,
  }),
};

/** Parameters of `rsi_mean_reversion`; every one has a default. */
export const rsiMeanReversionParamsSchema = z
  .strictObject(shapeOf(parameterTable))
  .superRefine((params, context) => {
    requireAbove(params, context, 'oversold', 'overbought');
  });

/** Validated parameters of `rsi_mean_reversion`. */
export type RsiMeanReversionParams = z.infer<typeof rsiMeanReversionParamsSchema>;

class RsiMeanReversion implements StrategyLogic {
  readonly warmup: number;
  readonly #params: RsiMeanReversionParams;
  readonly #rsi: RSI;
  /** The previous RSI; `NaN` before one (a number field, so storing it allocates nothing). */
  #previous = Number.NaN;
  /** Lowest RSI since it went below oversold, highest since it went above overbought. */
  #trough = Number.POSITIVE_INFINITY;
  #peak = Number.NEGATIVE_INFINITY;
  readonly #warmingUp: Signal;
  readonly #belowOversold: Signal;
  readonly #aboveOverbought: Signal;
  readonly #between: Signal;

  constructor(params: RsiMeanReversionParams) {
    this.#params = params;
    this.#rsi = new RSI(params.period);
    // The RSI has a value after period + 1 closes, and a cross needs two values.
    this.warmup = params.period + 2;
    const name = `RSI(${params.period})`;
    this.#warmingUp = constantHold(`${name} is warming up`);
    this.#belowOversold = constantHold(
      `${name} is below oversold ${params.oversold}: waiting for the cross back up`,
    );
    this.#aboveOverbought = constantHold(
      `${name} is above overbought ${params.overbought}: waiting for the cross back down`,
    );
    this.#between = constantHold(`${name} is between ${params.oversold} and ${params.overbought}`);
  }

  onCandle(candle: Candle): Signal {
    const { oversold, overbought } = this.#params;
    const value = this.#rsi.update(candle.close);
    const previous = this.#previous;
    if (Number.isNaN(value)) return this.#warmingUp;
    this.#previous = value;
    if (value < oversold) {
      if (value < this.#trough) this.#trough = value;
    } else if (previous < oversold) {
      const trough = Math.min(this.#trough, previous);
      this.#trough = Number.POSITIVE_INFINITY;
      return {
        action: 'buy',
        confidence: clamp(0.5 + (0.5 * (oversold - trough)) / oversold, 0.5, 1),
        reason: `RSI(${this.#params.period}) crossed up through oversold ${oversold}: ${formatNumber(previous)} -> ${formatNumber(value)} (low ${formatNumber(trough)})`,
      };
    } else {
      this.#trough = Number.POSITIVE_INFINITY;
    }
    if (value > overbought) {
      if (value > this.#peak) this.#peak = value;
    } else if (previous > overbought) {
      const peak = Math.max(this.#peak, previous);
      this.#peak = Number.NEGATIVE_INFINITY;
      return {
        action: 'sell',
        confidence: clamp(0.5 + (0.5 * (peak - overbought)) / (100 - overbought), 0.5, 1),
        reason: `RSI(${this.#params.period}) crossed down through overbought ${overbought}: ${formatNumber(previous)} -> ${formatNumber(value)} (high ${formatNumber(peak)})`,
      };
    } else {
      this.#peak = Number.NEGATIVE_INFINITY;
    }
    if (Number.isNaN(previous)) return this.#warmingUp;
    return value < oversold
      ? this.#belowOversold
      : value > overbought
        ? this.#aboveOverbought
        : this.#between;
  }
}

/**
 * `rsi_mean_reversion`: buys when the RSI crosses up through the oversold level (the dip is
 * ending) and sells when it crosses down through the overbought level, whether or not a position
 * is open (risk blocks a sell with nothing to sell). Confidence grows from 0.5 to 1 with how deep
 * the RSI went past the level before crossing back.
 *
 * @example
 * ```ts
 * const strategy = rsiMeanReversion.create({ oversold: 25 }, { interval: '1h' });
 * const signal = strategy.onCandle(candle, { symbol: 'BTC-USD', time, position: null });
 * ```
 */
export const rsiMeanReversion = defineStrategy({
  key: 'rsi_mean_reversion',
  description:
    'Buys when RSI crosses up through the oversold level, sells when it crosses down through the overbought level.',
  paramsSchema: rsiMeanReversionParamsSchema,
  parameters: describeParameters(parameterTable, rsiMeanReversionParamsSchema.parse({})),
  build: (params) => new RsiMeanReversion(params),
});
