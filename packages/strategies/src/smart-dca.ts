import { contextAge, type Candle, type Signal, type StrategyContext } from '@lumenlink/core';
import { z } from 'zod';
import { defineStrategy, type StrategyLogic } from './define-strategy.js';
import { PeriodFinder } from './period.js';
import {
  describeParameters,
  integerParam,
  numberParam,
  shapeOf,
  timeframeParam,
} from './params.js';
import {
  clamp,
  constantHold,
  formatNumber,
  formatPercent,
  holdsPosition,
} from './signal-helpers.js';

const parameterTable = {
  schedule: timeframeParam(
    'How often to buy: once per period of this timeframe, on its first closed candle.',
    '1d',
  ),
  basePortion: numberParam(
    'Share of the max position bought per scheduled buy without sentiment.',
    {
      default: 0.1,
      min: 0,
      max: 1,
      minExclusive: true,
    },
  ),
  fearMultiplier: numberParam('Size multiplier at Fear & Greed 0 (extreme fear); 1 at 50.', {
    default: 2,
    min: 1,
    max: 10,
  }),
  greedMultiplier: numberParam('Size multiplier at Fear & Greed 100 (extreme greed); 1 at 50.', {
    default: 0.25,
    min: 0,
    max: 1,
    minExclusive: true,
  }),
  sentimentMaxAgeMs: integerParam('Ignore a Fear & Greed value older than this (ms).', {
    default: 172_800_000,
    min: 60_000,
    max: 2_592_000_000,
  }),
  takeProfitPct: numberParam(
    'Sell when the close is this many percent above the average entry price; 0 turns it off.',
    { default: 10, min: 0, max: 1000 },
  ),
  takeProfitPortion: numberParam('Share of the position sold at the take-profit.', {
    default: 1,
    min: 0,
    max: 1,
    minExclusive: true,
  }),
};

/** Parameters of `smart_dca`; every one has a default. */
export const smartDcaParamsSchema = z.strictObject(shapeOf(parameterTable));

/** Validated parameters of `smart_dca`. */
export type SmartDcaParams = z.infer<typeof smartDcaParamsSchema>;

class SmartDca implements StrategyLogic {
  readonly warmup = 1;
  readonly #params: SmartDcaParams;
  readonly #schedule: PeriodFinder;
  /** Open time of the schedule period of the last buy. */
  #lastBuyPeriod = Number.NaN;
  readonly #waiting: Signal;
  readonly #belowTarget: Signal;

  constructor(params: SmartDcaParams) {
    this.#params = params;
    this.#schedule = new PeriodFinder(params.schedule);
    this.#waiting = constantHold(
      `smart DCA bought in this ${params.schedule} period: next buy in the next one`,
    );
    this.#belowTarget = constantHold(
      `smart DCA bought in this ${params.schedule} period; the position is below its ${params.takeProfitPct}% take-profit`,
    );
  }

  onCandle(candle: Candle, context: StrategyContext): Signal {
    const params = this.#params;
    const position = context.position;
    if (params.takeProfitPct > 0 && position !== null && holdsPosition(context)) {
      // close >= avg x (1 + pct / 100), in a form that keeps an exact 10% gain exact.
      if (candle.close * 100 >= position.avgEntryPrice * (100 + params.takeProfitPct)) {
        const gain = (candle.close / position.avgEntryPrice - 1) * 100;
        return {
          action: 'sell',
          confidence: 1,
          portion: params.takeProfitPortion,
          reason: `smart DCA take-profit: close ${formatNumber(candle.close)} is ${formatNumber(gain)}% above the average entry ${formatNumber(position.avgEntryPrice)} (target ${params.takeProfitPct}%): sell ${formatPercent(params.takeProfitPortion)} of the position`,
        };
      }
    }
    const period = this.#schedule.openTime(candle.time);
    if (period === this.#lastBuyPeriod) {
      return params.takeProfitPct > 0 && holdsPosition(context) ? this.#belowTarget : this.#waiting;
    }
    this.#lastBuyPeriod = period;
    const fearGreed = context.market?.fearGreed;
    const age = contextAge(fearGreed, context.time);
    if (fearGreed === undefined || age === undefined || age > params.sentimentMaxAgeMs) {
      return {
        action: 'buy',
        confidence: 1,
        portion: params.basePortion,
        reason: `smart DCA scheduled ${params.schedule} buy, no fresh Fear & Greed: base size ${formatPercent(params.basePortion)} of the max position`,
      };
    }
    const value = clamp(fearGreed.value, 0, 100);
    const multiplier =
      value <= 50
        ? 1 + ((params.fearMultiplier - 1) * (50 - value)) / 50
        : 1 - ((1 - params.greedMultiplier) * (value - 50)) / 50;
    const portion = clamp(params.basePortion * multiplier, Number.MIN_VALUE, 1);
    return {
      action: 'buy',
      confidence: 1,
      portion,
      reason: `smart DCA scheduled ${params.schedule} buy, Fear & Greed ${formatNumber(value, 0)} (${fearGreed.classification}): ${formatNumber(multiplier)}x the base ${formatPercent(params.basePortion)} = ${formatPercent(portion)} of the max position`,
    };
  }
}

/**
 * `smart_dca`: scheduled accumulation. Buys once per `schedule` period (on its first closed
 * candle), sized through the signal's `portion`: `basePortion` without a fresh Fear & Greed value,
 * more in fear (up to `fearMultiplier`x at 0) and less in greed (down to `greedMultiplier`x at
 * 100), linear on each side of 50. With a position, sells `takeProfitPortion` of it when the close
 * is `takeProfitPct` above the position's average entry price (the take-profit comes first).
 *
 * @example
 * ```ts
 * const dca = smartDca.create({ schedule: '1w', basePortion: 0.05 }, { interval: '1h' });
 * ```
 */
export const smartDca = defineStrategy({
  key: 'smart_dca',
  description:
    'Scheduled accumulation sized by Fear & Greed (more in fear, less in greed), with an optional take-profit on the averaged position.',
  paramsSchema: smartDcaParamsSchema,
  parameters: describeParameters(parameterTable, smartDcaParamsSchema.parse({})),
  build: (params) => new SmartDca(params),
});
