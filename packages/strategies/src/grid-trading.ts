import { type Candle, type Signal, type StrategyContext } from '@lumenlink/core';
import { ATR, Donchian } from '@lumenlink/indicators';
import { z } from 'zod';
import { defineStrategy, type StrategyLogic } from './define-strategy.js';
import {
  choiceParam,
  describeParameters,
  integerParam,
  numberParam,
  optionalNumberParam,
  shapeOf,
  requireAbove,
} from './params.js';
import { constantHold, formatNumber, formatPercent, holdsPosition } from './signal-helpers.js';

const price = { min: 0, minExclusive: true } as const;

const parameterTable = {
  levels: integerParam('Grid lines, evenly spaced from the bottom to the top of the range.', {
    default: 10,
    min: 2,
    max: 200,
  }),
  range: choiceParam(
    'Where the range comes from: the Donchian channel, close ± atrMultiplier × ATR, or lower/upper.',
    ['donchian', 'atr', 'fixed'],
    'donchian',
  ),
  lower: optionalNumberParam(
    'Bottom of the range (quote currency); required with range fixed.',
    price,
  ),
  upper: optionalNumberParam(
    'Top of the range (quote currency); required with range fixed.',
    price,
  ),
  donchianPeriod: integerParam('Donchian channel period of a donchian range.', {
    default: 48,
    min: 2,
    max: 2000,
  }),
  atrPeriod: integerParam('ATR period of an atr range.', { default: 14, min: 1, max: 500 }),
  atrMultiplier: numberParam('Half-width of an atr range, in ATRs.', {
    default: 4,
    min: 0,
    max: 100,
    minExclusive: true,
  }),
  portion: numberParam(
    'Share of the max position bought on each cross down through a level; at most 1/portion units are held.',
    { default: 0.1, min: 0, max: 1, minExclusive: true },
  ),
};

/** Parameters of `grid_trading`; every one but `lower`/`upper` has a default. */
export const gridTradingParamsSchema = z
  .strictObject(shapeOf(parameterTable))
  .superRefine((params, context) => {
    if (params.range !== 'fixed') return;
    if (params.lower === undefined || params.upper === undefined) {
      context.addIssue({
        code: 'custom',
        path: [params.lower === undefined ? 'lower' : 'upper'],
        message: 'is required with range fixed',
      });
    } else {
      requireAbove(params, context, 'lower', 'upper');
    }
  });

/** Validated parameters of `grid_trading`. */
export type GridTradingParams = z.infer<typeof gridTradingParamsSchema>;

class GridTrading implements StrategyLogic {
  readonly warmup: number;
  readonly #params: GridTradingParams;
  readonly #lines: Float64Array;
  readonly #maxUnits: number;
  readonly #donchian: Donchian | undefined;
  readonly #atr: ATR | undefined;
  #hasGrid = false;
  #previousClose = Number.NaN;
  /** Grid units bought and not yet sold, as this instance counts them. */
  #units = 0;
  readonly #warmingUp: Signal;
  readonly #noCross: Signal;
  readonly #rebuilt: Signal;
  readonly #full: Signal;
  readonly #nothingToSell: Signal;

  constructor(params: GridTradingParams) {
    this.#params = params;
    this.#lines = new Float64Array(params.levels);
    this.#maxUnits = Math.max(1, Math.floor(1 / params.portion + 1e-9));
    if (params.range === 'donchian') {
      this.#donchian = new Donchian(params.donchianPeriod);
      this.warmup = params.donchianPeriod + 1;
    } else if (params.range === 'atr') {
      this.#atr = new ATR(params.atrPeriod);
      this.warmup = params.atrPeriod + 2;
    } else {
      this.warmup = 2;
    }
    this.#warmingUp = constantHold(`grid is waiting for its ${params.range} range`);
    this.#noCross = constantHold('price crossed no grid level');
    this.#rebuilt = constantHold(`grid rebuilt on a new ${params.range} range around the price`);
    this.#full = constantHold(
      `crossed down through a level, but all ${this.#maxUnits} grid units are held`,
    );
    this.#nothingToSell = constantHold('crossed up through a level, but no grid unit is held');
  }

  onCandle(candle: Candle, context: StrategyContext): Signal {
    const params = this.#params;
    const close = candle.close;
    const channel = this.#donchian?.update(candle);
    const atr = this.#atr?.update(candle);
    const holding = holdsPosition(context);
    // A position closed elsewhere (a stop, a manual exit) or never filled leaves no units; an
    // inherited position (a restart) counts as one unit until its first sell.
    if (!holding) this.#units = 0;
    else if (this.#units === 0) this.#units = 1;

    const previousClose = this.#previousClose;
    this.#previousClose = close;
    const lines = this.#lines;
    const outside = this.#hasGrid && (close < lines[0]! || close > lines[lines.length - 1]!);
    if (!this.#hasGrid || (params.range !== 'fixed' && outside && this.#units === 0)) {
      let lower: number;
      let upper: number;
      if (params.range === 'fixed') {
        lower = params.lower!;
        upper = params.upper!;
      } else if (params.range === 'donchian') {
        if (channel === undefined || Number.isNaN(channel.lower)) return this.#warmingUp;
        lower = channel.lower;
        upper = channel.upper;
      } else {
        if (atr === undefined || Number.isNaN(atr)) return this.#warmingUp;
        lower = Math.max(close - params.atrMultiplier * atr, close * 1e-6);
        upper = close + params.atrMultiplier * atr;
      }
      if (!(upper > lower)) return this.#warmingUp;
      const step = (upper - lower) / (params.levels - 1);
      for (let i = 0; i < lines.length; i++) lines[i] = lower + i * step;
      const wasBuilt = this.#hasGrid;
      this.#hasGrid = true;
      if (params.range !== 'fixed' || Number.isNaN(previousClose)) {
        return wasBuilt ? this.#rebuilt : this.#warmingUp;
      }
    }
    if (Number.isNaN(previousClose)) return this.#warmingUp;

    // A close moves one way, so it crosses lines only down or only up; lines run low to high.
    let down = 0;
    let up = 0;
    let lowestCrossed = 0;
    let highestCrossed = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const crossedDown = previousClose > line && close <= line;
      const crossedUp = previousClose < line && close >= line;
      if (!crossedDown && !crossedUp) continue;
      if (down + up === 0) lowestCrossed = line;
      highestCrossed = line;
      if (crossedDown) down++;
      else up++;
    }
    if (down > 0) {
      const units = Math.min(down, this.#maxUnits - this.#units);
      if (units <= 0) return this.#full;
      this.#units += units;
      const portion = Math.min(1, units * params.portion);
      return {
        action: 'buy',
        confidence: 1,
        portion,
        reason: `grid: crossed down through ${down} level${down === 1 ? '' : 's'} (${formatNumber(highestCrossed)}${down === 1 ? '' : ` to ${formatNumber(lowestCrossed)}`}): buy ${units} unit${units === 1 ? '' : 's'} of ${formatPercent(params.portion)}, ${this.#units} of ${this.#maxUnits} held after`,
      };
    }
    if (up > 0) {
      if (!holding || this.#units === 0) return this.#nothingToSell;
      const units = Math.min(up, this.#units);
      const portion = units / this.#units;
      this.#units -= units;
      return {
        action: 'sell',
        confidence: 1,
        portion,
        reason: `grid: crossed up through ${up} level${up === 1 ? '' : 's'} (${formatNumber(lowestCrossed)}${up === 1 ? '' : ` to ${formatNumber(highestCrossed)}`}): sell ${units} of ${units + this.#units} unit${units + this.#units === 1 ? '' : 's'} held (${formatPercent(portion)} of the position)`,
      };
    }
    return this.#noCross;
  }
}

/**
 * `grid_trading`: a price grid of `levels` evenly spaced lines over a range (fixed `lower`/`upper`,
 * the Donchian channel, or close ± `atrMultiplier` ATR). Each close that crosses down through a
 * line buys one grid unit (`portion` of the max position, one unit per line crossed, at most
 * `1 / portion` units held); each close that crosses up through a line sells one held unit (the
 * signal's `portion` is that unit's share of the position). A derived range is rebuilt around the
 * price when the close leaves it while no unit is held. State is per instance, so per symbol.
 *
 * @example
 * ```ts
 * const grid = gridTrading.create({ range: 'fixed', lower: 60_000, upper: 70_000, levels: 11 });
 * ```
 */
export const gridTrading = defineStrategy({
  key: 'grid_trading',
  description:
    'Price grid over a fixed, Donchian or ATR range: buys one grid portion on each cross down through a level, sells one on each cross up.',
  paramsSchema: gridTradingParamsSchema,
  parameters: describeParameters(parameterTable, gridTradingParamsSchema.parse({})),
  build: (params) => new GridTrading(params),
});
