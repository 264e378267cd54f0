import { ValidationError } from '@lumenlink/core';
import type { CandlePattern, PatternInput } from './patterns.js';

/**
 * The bit of each pattern in the mask that {@link CandlePatterns.update} returns, in the order of
 * {@link CandlePattern}: test a pattern with `mask & candlePatternBits.doji`.
 */
export const candlePatternBits: Readonly<Record<CandlePattern, number>> = {
  bullish_engulfing: 1,
  bearish_engulfing: 2,
  hammer: 4,
  confirmed_hammer: 8,
  shooting_star: 16,
  confirmed_shooting_star: 32,
  doji: 64,
  morning_star: 128,
  evening_star: 256,
};

const allBits = 511;
const bits = candlePatternBits;

/** Candles kept: the longest pattern (the hammers and shooting stars) reads 5. */
const kept = 5;
/** Fields per kept candle in the ring: open, high, low, close. */
const fields = 4;

/** 10^i and 10^i / 2 for i = 0..22, every one an exact double. */
const powersOfTen = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
const halfPowersOfTen = powersOfTen.map((power) => power / 2);
/** Veltkamp's splitter for binary64: 2^27 + 1. */
const splitter = 134_217_729;

/**
 * Whether `hi + lo` (an exact sum, `|lo|` at most half an ulp of `hi`) is below, at or above
 * `target`: -1, 0 or 1. A double other than `hi` is at least a whole gap away from `hi`, so `hi`
 * alone decides unless it equals `target`.
 */
function compareExact(hi: number, lo: number, target: number): number {
  if (hi !== target) return hi < target ? -1 : 1;
  return lo < 0 ? -1 : lo > 0 ? 1 : 0;
}

/**
 * `x · 10^j` as an exact sum `hi + lo` (Dekker's product with Veltkamp's split, exact without
 * overflow or underflow), compared with `target` as {@link compareExact} does.
 */
function compareScaled(x: number, j: number, target: number): number {
  const y = powersOfTen[j]!;
  const hi = x * y;
  let t = splitter * x;
  const xHi = t - (t - x);
  const xLo = x - xHi;
  t = splitter * y;
  const yHi = t - (t - y);
  const yLo = y - yHi;
  const lo = xHi * yHi - hi + xHi * yLo + xLo * yHi + xLo * yLo;
  return compareExact(hi, lo, target);
}

/**
 * The integer `n` with `(n - 1/2)·10^k <= x < (n + 1/2)·10^k`, exactly (ties round up, as
 * `toPrecision` does), or `NaN` when `k` is outside the range this computes exactly (-22..16).
 */
function roundedMantissa(x: number, k: number): number {
  if (k >= 0) {
    if (k > 16) return Number.NaN;
    // (2n ± 1)·10^k / 2 = (2n ± 1)·5^k·2^(k-1): exact while (2n ± 1)·5^k stays below 2^53.
    const half = halfPowersOfTen[k]!;
    let n = Math.floor(x / powersOfTen[k]! + 0.5);
    while (x < (2 * n - 1) * half) n--;
    while (x >= (2 * n + 1) * half) n++;
    return n;
  }
  const j = -k;
  if (j > 22) return Number.NaN;
  let n = Math.floor(x * powersOfTen[j]! + 0.5);
  while (compareScaled(x, j, n - 0.5) < 0) n--;
  while (compareScaled(x, j, n + 0.5) >= 0) n++;
  return n;
}

/**
 * `parseFloat(x.toPrecision(4))` for a finite `x > 0`, without making a string for `x` from
 * about 1e-19 to 1e20 (where 10^k and the rounding bounds are exact doubles); outside that range
 * it does make the string.
 */
function roundTo4Digits(x: number): number {
  let exponent = Math.floor(Math.log10(x));
  for (;;) {
    const k = exponent - 3;
    const n = roundedMantissa(x, k);
    if (Number.isNaN(n)) return Number.parseFloat(x.toPrecision(4));
    // Math.log10 may be off by one next to a power of ten: keep n at four digits (10000 is the
    // round-up into the next decade, the same value as 1000·10^(k+1)).
    if (n < 1000) exponent--;
    else if (n > 10_000) exponent++;
    // n·10^k as one correctly rounded operation on exact doubles: what parseFloat makes of it.
    else return k >= 0 ? n * powersOfTen[k]! : n / powersOfTen[-k]!;
  }
}

/**
 * technicalindicators' `approximateEqual(a, b)` for `a = p[i]`, `b = p[j]`:
 * `parseFloat(|a - b|.toPrecision(4)) <= parseFloat((a * 0.001).toPrecision(4))`, the same verdict
 * for every input, without strings. Rounding to four digits is monotonic, so it only matters when
 * the two sides are within 0.1% of each other (two numbers that round to the same four digits
 * differ by less than that); elsewhere the unrounded comparison decides. (Prices are passed as
 * indexes: a double passed to a function that is not inlined is boxed, an allocation.)
 */
function approximatelyEqual(p: Float64Array, i: number, j: number): boolean {
  const a = p[i]!;
  const difference = Math.abs(a - p[j]!);
  const tolerance = a * 0.001;
  if (difference <= tolerance) return true;
  if (!(difference <= tolerance * 1.0011)) return false;
  return roundTo4Digits(difference) <= roundTo4Digits(tolerance);
}

/**
 * The two averages that {@link trendHolds} compares, passed to its helpers by index: a double
 * passed to (or returned from) a function that is not inlined is boxed, an allocation.
 */
const averages = new Float64Array(2);

/** How many digits the integer part of `averages[i]` (1 <= it < 1e15) has. */
function integerDigits(i: number): number {
  const x = averages[i]!;
  let digits = 1;
  while (digits < 16 && x >= powersOfTen[digits]!) digits++;
  return digits;
}

/**
 * Whether `floor(averages[i] / 10^m)` (exact, for averages below 1e15) is at least
 * `floor(averages[1 - i])`: the leading digits of one average against the other's integer part.
 */
function leadingDigitsReach(i: number, m: number): boolean {
  const x = averages[i]!;
  const power = powersOfTen[m]!;
  let q = Math.floor(x / power);
  if (q * power > x) q--;
  else if ((q + 1) * power <= x) q++;
  return q >= Math.floor(averages[1 - i]!);
}

/**
 * technicalindicators' `downwardTrend` (`decline`) or `upwardTrend` before the candle at `slot`:
 * its `averageloss` and `averagegain` over the closes of slots 0..slot-1 (period slot - 1, summed
 * in its order), compared as its one-element arrays `[losses] > [gains]` (or the reverse) are:
 * **as strings**, so "9.5" is above "20".
 *
 * Decided from the numbers whenever both averages are 0, in [1e-6, 1) or in [1, 1e15): there
 * `String` writes the shortest digits that read back as the number in fixed notation, so its
 * integer part is the number's, "0" is below every other string, "0.…" below every one that
 * starts with a digit from 1 to 9, and integer parts of one length compare as numbers. Other
 * averages (below 1e-6, which `String` writes with an exponent such as "1e-7", huge, or not
 * finite) are compared through their strings.
 */
function trendHolds(p: Float64Array, slot: number, decline: boolean): boolean {
  let gains = 0;
  let losses = 0;
  for (let i = 1; i < slot; i++) {
    // technicalindicators' loss is previous - current: exactly -move.
    const move = p[i * fields + 3]! - p[(i - 1) * fields + 3]!;
    if (move > 0) gains += move;
    else if (move < 0) losses += -move;
  }
  const period = slot - 1;
  const x = decline ? losses / period : gains / period;
  const y = decline ? gains / period : losses / period;
  if (x === y) return false;
  const xForm = x === 0 ? 0 : x >= 1e-6 && x < 1 ? 1 : x >= 1 && x < 1e15 ? 2 : 3;
  const yForm = y === 0 ? 0 : y >= 1e-6 && y < 1 ? 1 : y >= 1 && y < 1e15 ? 2 : 3;
  // Forms: 0 "0", 1 "0.…", 2 integer digits first, 3 compared as strings.
  if (xForm === 3 || yForm === 3) return String(x) > String(y);
  if (xForm !== yForm) return xForm > yForm;
  if (xForm !== 2) return x > y;
  averages[0] = x;
  averages[1] = y;
  const xDigits = integerDigits(0);
  const yDigits = integerDigits(1);
  if (xDigits === yDigits) return x > y;
  // Compare the leading digits both have; where they tie, the shorter integer part ends ('.' or
  // the end of the string) while the longer one still has a digit, so the longer one is above.
  if (xDigits < yDigits) return !leadingDigitsReach(1, yDigits - xDigits);
  return leadingDigitsReach(0, xDigits - yDigits);
}

/**
 * Streaming candlestick patterns: feed each closed candle once, in time order; `update` returns
 * the mask of the patterns that complete on it (see {@link candlePatternBits}). O(1) per candle,
 * no allocation: it keeps the last five candles' prices in one `Float64Array`. (Where the
 * 4-digit rounding decides, about one candle in a thousand on real data, V8 may box a few
 * numbers; averages outside [1e-6, 1e15) are compared through their strings.)
 *
 * Each verdict is exactly technicalindicators' detector's on the same newest candles (the
 * functions of `patterns.ts`, tested against each other on every bundled candle), quirks
 * included:
 * - a price is "at" another when technicalindicators' `approximateEqual` holds: both the
 *   difference and 0.1% of the first price rounded to 4 significant digits, then compared;
 * - the hammers' decline and the shooting stars' rise compare the average gain and average loss
 *   of the closes before the stick **as strings** ("9.5" is above "10.25"), so a decline whose
 *   average loss has more integer digits than its average gain is not one;
 * - the hammer (unconfirmed and confirmed) accepts all four of technicalindicators' hammer sticks,
 *   inverted ones included; engulfing and star patterns check no prior trend.
 *
 * Until a pattern has seen as many candles as it reads, it does not hold.
 *
 * @example
 * ```ts
 * const patterns = new CandlePatterns();
 * for (const candle of candles) {
 *   const mask = patterns.update(candle);
 *   if (mask & candlePatternBits.bullish_engulfing) console.log('bullish engulfing at', candle.time);
 * }
 * ```
 */
export class CandlePatterns {
  /** The last five candles, oldest first: open, high, low, close each. */
  readonly #prices = new Float64Array(kept * fields);
  readonly #wanted: number;
  #count = 0;

  /**
   * @param patterns the patterns to detect (default: all nine); leaving some out saves their work.
   * @throws {ValidationError} for a name that is not a {@link CandlePattern}.
   */
  constructor(patterns?: readonly CandlePattern[]) {
    let wanted = patterns === undefined ? allBits : 0;
    for (const name of patterns ?? []) {
      if (!Object.hasOwn(bits, name)) {
        throw new ValidationError(
          `CandlePatterns pattern must be one of ${Object.keys(bits).join(', ')}, got ${String(name)}`,
        );
      }
      wanted |= bits[name];
    }
    this.#wanted = wanted;
  }

  /** How many candles have been fed since construction or the last {@link reset}. */
  get count(): number {
    return this.#count;
  }

  /** Forgets every candle, as if newly made. */
  reset(): void {
    this.#count = 0;
    this.#prices.fill(0);
  }

  /** Adds the next closed candle; returns the mask of the patterns that complete on it. */
  update(candle: PatternInput): number {
    const p = this.#prices;
    // Shift the older candles down one slot (a plain loop: copyWithin is a slower runtime call).
    for (let i = 0; i < (kept - 1) * fields; i++) p[i] = p[i + fields]!;
    const base = (kept - 1) * fields;
    p[base] = candle.open;
    p[base + 1] = candle.high;
    p[base + 2] = candle.low;
    p[base + 3] = candle.close;
    const count = ++this.#count;
    const wanted = this.#wanted;
    let mask = 0;
    if (wanted & bits.doji && isDoji(p, 4)) mask |= bits.doji;
    if (count < 2) return mask;
    if (wanted & bits.bullish_engulfing && isBullishEngulfing(p)) mask |= bits.bullish_engulfing;
    if (wanted & bits.bearish_engulfing && isBearishEngulfing(p)) mask |= bits.bearish_engulfing;
    if (count < 3) return mask;
    if (wanted & bits.morning_star && isMorningStar(p)) mask |= bits.morning_star;
    if (wanted & bits.evening_star && isEveningStar(p)) mask |= bits.evening_star;
    if (count < kept) return mask;
    if (wanted & bits.hammer && isAnyHammer(p, 4) && trendHolds(p, 4, true)) mask |= bits.hammer;
    if (
      wanted & bits.confirmed_hammer &&
      p[19]! > p[16]! &&
      p[15]! < p[19]! &&
      isAnyHammer(p, 3) &&
      trendHolds(p, 3, true)
    ) {
      mask |= bits.confirmed_hammer;
    }
    if (wanted & bits.shooting_star && isInvertedHammer(p, 4) && trendHolds(p, 4, false)) {
      mask |= bits.shooting_star;
    }
    if (
      wanted & bits.confirmed_shooting_star &&
      p[16]! > p[19]! &&
      p[15]! > p[19]! &&
      isInvertedHammer(p, 3) &&
      trendHolds(p, 3, false)
    ) {
      mask |= bits.confirmed_shooting_star;
    }
    return mask;
  }
}

// Prices of the candle in slot k (0 oldest, 4 newest) sit at p[4k] (open), p[4k + 1] (high),
// p[4k + 2] (low) and p[4k + 3] (close). Read directly: an accessor returning a double that V8
// does not inline boxes it, an allocation.

/** technicalindicators' `Doji` on the candle at `slot`. */
function isDoji(p: Float64Array, slot: number): boolean {
  const at = slot * fields;
  if (!approximatelyEqual(p, at, at + 3)) return false;
  return approximatelyEqual(p, at, at + 1) === approximatelyEqual(p, at + 3, at + 2);
}

/** technicalindicators' `BullishEngulfingPattern` on the last two candles. */
function isBullishEngulfing(p: Float64Array): boolean {
  const firstOpen = p[12]!;
  const firstClose = p[15]!;
  const secondOpen = p[16]!;
  return (
    firstClose < firstOpen &&
    firstOpen > secondOpen &&
    firstClose > secondOpen &&
    firstOpen < p[19]!
  );
}

/** technicalindicators' `BearishEngulfingPattern` on the last two candles. */
function isBearishEngulfing(p: Float64Array): boolean {
  const firstOpen = p[12]!;
  const firstClose = p[15]!;
  const secondOpen = p[16]!;
  return (
    firstClose > firstOpen &&
    firstOpen < secondOpen &&
    firstClose < secondOpen &&
    firstOpen > p[19]!
  );
}

/** technicalindicators' `MorningStar` on the last three candles. */
function isMorningStar(p: Float64Array): boolean {
  const firstOpen = p[8]!;
  const firstClose = p[11]!;
  const firstLow = p[10]!;
  const secondHigh = p[13]!;
  const secondLow = p[14]!;
  const thirdOpen = p[16]!;
  const thirdClose = p[19]!;
  return (
    firstClose < firstOpen &&
    firstLow > secondLow &&
    firstLow > secondHigh &&
    secondHigh < firstLow &&
    secondLow < firstLow &&
    thirdOpen > secondHigh &&
    p[15]! < thirdOpen &&
    thirdOpen < thirdClose &&
    thirdClose > (firstOpen + firstClose) / 2
  );
}

/** technicalindicators' `EveningStar` on the last three candles. */
function isEveningStar(p: Float64Array): boolean {
  const firstOpen = p[8]!;
  const firstClose = p[11]!;
  const firstHigh = p[9]!;
  const secondHigh = p[13]!;
  const secondLow = p[14]!;
  const thirdOpen = p[16]!;
  const thirdClose = p[19]!;
  return (
    firstClose > firstOpen &&
    firstHigh < secondLow &&
    firstHigh < secondHigh &&
    secondHigh > firstHigh &&
    secondLow > firstHigh &&
    thirdOpen < secondLow &&
    p[15]! > thirdOpen &&
    thirdOpen > thirdClose &&
    thirdClose < (firstOpen + firstClose) / 2
  );
}

/**
 * technicalindicators' bullish and bearish inverted hammer sticks on the candle at `slot`: a
 * body at the low and an upper shadow at least half the body.
 */
function isInvertedHammer(p: Float64Array, slot: number): boolean {
  const at = slot * fields;
  const o = p[at]!;
  const h = p[at + 1]!;
  const c = p[at + 3]!;
  return (
    (o > c && approximatelyEqual(p, at + 3, at + 2) && o - c <= 2 * (h - o)) ||
    (c > o && approximatelyEqual(p, at, at + 2) && c - o <= 2 * (h - c))
  );
}

/**
 * Any of technicalindicators' four hammer sticks on the candle at `slot`: the inverted ones, and
 * the bullish and bearish hammers (a body at the high and a lower shadow at least half the body).
 */
function isAnyHammer(p: Float64Array, slot: number): boolean {
  const at = slot * fields;
  const o = p[at]!;
  const l = p[at + 2]!;
  const c = p[at + 3]!;
  return (
    (o > c && approximatelyEqual(p, at, at + 1) && o - c <= 2 * (c - l)) ||
    (c > o && approximatelyEqual(p, at + 3, at + 1) && c - o <= 2 * (o - l)) ||
    isInvertedHammer(p, slot)
  );
}
