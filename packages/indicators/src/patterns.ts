import type { Candle } from '@lumenlink/core';
import {
  bearishengulfingpattern,
  bullishengulfingpattern,
  doji,
  eveningstar,
  hammerpattern,
  hammerpatternunconfirmed,
  morningstar,
  shootingstar,
  shootingstarunconfirmed,
} from 'technicalindicators';

/** The candle fields that candlestick patterns read: open, high, low and close. */
export type PatternInput = Pick<Candle, 'open' | 'high' | 'low' | 'close'>;

/** A candlestick pattern that {@link detectPatterns} can report. */
export type CandlePattern =
  | 'bullish_engulfing'
  | 'bearish_engulfing'
  | 'hammer'
  | 'confirmed_hammer'
  | 'shooting_star'
  | 'confirmed_shooting_star'
  | 'doji'
  | 'morning_star'
  | 'evening_star';

/** technicalindicators' `StockData`: one column per field, oldest first. */
interface StockWindow {
  readonly open: number[];
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
}

/** A technicalindicators detector: it judges the last `requiredCount` entries of its input. */
type Detector = (data: StockWindow) => unknown;

/**
 * Each pattern's detector, how many candles it reads (the detector's `requiredCount`) and a
 * reused window of exactly that many, so the detector reads it as is (it copies shorter or longer
 * input, and warns on the console when given too few). In `detectPatterns` order.
 */
const detectors: Readonly<
  Record<CandlePattern, { readonly count: number; readonly detect: Detector; window: StockWindow }>
> = {
  bullish_engulfing: entry(2, bullishengulfingpattern),
  bearish_engulfing: entry(2, bearishengulfingpattern),
  hammer: entry(5, hammerpatternunconfirmed),
  confirmed_hammer: entry(5, hammerpattern),
  shooting_star: entry(5, shootingstarunconfirmed),
  confirmed_shooting_star: entry(5, shootingstar),
  doji: entry(1, doji),
  morning_star: entry(3, morningstar),
  evening_star: entry(3, eveningstar),
};

const allPatterns = Object.keys(detectors) as readonly CandlePattern[];

function entry(count: number, detect: Detector) {
  const column = () => new Array<number>(count).fill(0);
  return {
    count,
    detect,
    window: { open: column(), high: column(), low: column(), close: column() },
  };
}

/**
 * How many of the newest candles each pattern reads. With fewer candles a pattern never holds;
 * older candles are ignored, so passing a longer history is fine and costs nothing extra.
 */
export const patternCandleCounts: Readonly<Record<CandlePattern, number>> = Object.fromEntries(
  allPatterns.map((pattern) => [pattern, detectors[pattern].count]),
) as Record<CandlePattern, number>;

/** Whether `pattern` holds on the newest of `candles`, through its technicalindicators detector. */
function holds(pattern: CandlePattern, candles: ArrayLike<PatternInput>): boolean {
  const { count, detect, window } = detectors[pattern];
  const start = candles.length - count;
  if (start < 0) return false;
  for (let i = 0; i < count; i++) {
    const candle = candles[start + i]!;
    window.open[i] = candle.open;
    window.high[i] = candle.high;
    window.low[i] = candle.low;
    window.close[i] = candle.close;
  }
  return Boolean(detect(window));
}

/**
 * Bullish engulfing (2 candles): a bearish candle, then a candle that opens below its close and
 * closes above its open, its body swallowing the first body. A bullish reversal sign after a
 * decline. technicalindicators' `bullishengulfingpattern`, which does not check for the decline.
 *
 * @param candles closed candles, oldest first; only the newest 2 are read.
 * @example
 * ```ts
 * isBullishEngulfing([
 *   { open: 105, high: 106, low: 99, close: 100 },
 *   { open: 99, high: 108, low: 98, close: 107 },
 * ]); // true
 * ```
 */
export function isBullishEngulfing(candles: ArrayLike<PatternInput>): boolean {
  return holds('bullish_engulfing', candles);
}

/**
 * Bearish engulfing (2 candles): a bullish candle, then a candle that opens above its close and
 * closes below its open, its body swallowing the first body. A bearish reversal sign after a
 * rise. technicalindicators' `bearishengulfingpattern`, which does not check for the rise.
 *
 * @param candles closed candles, oldest first; only the newest 2 are read.
 */
export function isBearishEngulfing(candles: ArrayLike<PatternInput>): boolean {
  return holds('bearish_engulfing', candles);
}

/**
 * Hammer, unconfirmed (5 candles): after a decline, the newest candle has a small body at the top
 * of its range and a long lower shadow: sellers pushed the price down and buyers took it back. A
 * bullish reversal sign, to be confirmed by the next candle (see {@link isConfirmedHammer}).
 *
 * technicalindicators' `hammerpatternunconfirmed`: the decline is judged on the four closes
 * before the newest candle (average loss above average gain; technicalindicators compares those
 * averages as strings, so only a clean decline is judged reliably), and the newest candle may be
 * any of its four hammer shapes, inverted hammers (long upper shadow) included.
 *
 * @param candles closed candles, oldest first; only the newest 5 are read.
 */
export function isHammer(candles: ArrayLike<PatternInput>): boolean {
  return holds('hammer', candles);
}

/**
 * Hammer, confirmed (5 candles): a decline over three candles, a hammer on the fourth (as in
 * {@link isHammer}), and the newest candle bullish and closing above the hammer's close. The
 * pattern completes on the newest candle, which is the confirmation, not the hammer.
 * technicalindicators' `hammerpattern`.
 *
 * @param candles closed candles, oldest first; only the newest 5 are read.
 */
export function isConfirmedHammer(candles: ArrayLike<PatternInput>): boolean {
  return holds('confirmed_hammer', candles);
}

/**
 * Shooting star, unconfirmed (5 candles): after a rise, the newest candle has a small body at the
 * bottom of its range and a long upper shadow: buyers pushed the price up and sellers took it
 * back. A bearish reversal sign, to be confirmed by the next candle (see
 * {@link isConfirmedShootingStar}).
 *
 * technicalindicators' `shootingstarunconfirmed`: the rise is judged on the four closes before the
 * newest candle (average gain above average loss, compared as strings as in {@link isHammer}), and
 * the newest candle must be a bullish or bearish inverted hammer.
 *
 * @param candles closed candles, oldest first; only the newest 5 are read.
 */
export function isShootingStar(candles: ArrayLike<PatternInput>): boolean {
  return holds('shooting_star', candles);
}

/**
 * Shooting star, confirmed (5 candles): a rise over three candles, a shooting star on the fourth
 * (as in {@link isShootingStar}), and the newest candle bearish and closing below the star's
 * close. The pattern completes on the newest candle, which is the confirmation.
 * technicalindicators' `shootingstar`.
 *
 * @param candles closed candles, oldest first; only the newest 5 are read.
 */
export function isConfirmedShootingStar(candles: ArrayLike<PatternInput>): boolean {
  return holds('confirmed_shooting_star', candles);
}

/**
 * Doji (1 candle): the newest candle opens and closes at (nearly) the same price, within 0.1% of
 * the open: indecision, often read as a possible turn when it follows a strong move.
 * technicalindicators' `doji`, which excludes dragonfly and gravestone doji (a close at the high
 * or at the low alone) but accepts a four-price doji (open, high, low and close all equal).
 *
 * @param candles closed candles, oldest first; only the newest is read.
 */
export function isDoji(candles: ArrayLike<PatternInput>): boolean {
  return holds('doji', candles);
}

/**
 * Morning star (3 candles): a bearish candle, then a candle entirely below its low (a gap down),
 * then a bullish candle that opens above that star candle and closes above the midpoint of the
 * first body. A bullish reversal after a decline. technicalindicators' `morningstar`, which checks
 * neither the decline nor the star's body size; its gaps are whole-candle gaps, rare on 24/7
 * crypto markets.
 *
 * @param candles closed candles, oldest first; only the newest 3 are read.
 */
export function isMorningStar(candles: ArrayLike<PatternInput>): boolean {
  return holds('morning_star', candles);
}

/**
 * Evening star (3 candles): a bullish candle, then a candle entirely above its high (a gap up),
 * then a bearish candle that opens below that star candle and closes below the midpoint of the
 * first body. A bearish reversal after a rise. technicalindicators' `eveningstar`, with the same
 * limits as {@link isMorningStar}.
 *
 * @param candles closed candles, oldest first; only the newest 3 are read.
 */
export function isEveningStar(candles: ArrayLike<PatternInput>): boolean {
  return holds('evening_star', candles);
}

/**
 * The candlestick patterns that hold on the newest of `candles` (each pattern's last candle is the
 * newest one), in the order of {@link CandlePattern}. Reads at most the newest 5 candles; call it
 * once per closed candle.
 *
 * @param candles closed candles, oldest first.
 * @example
 * ```ts
 * const patterns = detectPatterns(recentCandles);
 * if (patterns.includes('bullish_engulfing')) {
 *   // a bullish reversal sign on the candle that just closed
 * }
 * ```
 */
export function detectPatterns(candles: ArrayLike<PatternInput>): readonly CandlePattern[] {
  const found: CandlePattern[] = [];
  for (const pattern of allPatterns) if (holds(pattern, candles)) found.push(pattern);
  return found;
}
