/**
 * Screening candles that arrive from a market data source before they are stored: every row is
 * checked, rejected rows are reported with a reason and never stored, and rows outside the window
 * of interest (already stored, or not closed yet) are set aside without being judged.
 */
import { isCandleAligned, type Candle, type Timeframe } from '@lumenlink/core';

/**
 * Why a candle was rejected:
 * - `invalid_time`: the open time is not a non-negative integer of epoch milliseconds;
 * - `not_finite`: a price or the volume is NaN, infinite or not a number;
 * - `non_positive_price`: a price is 0 or below;
 * - `high_below_body`: `high < max(open, close)` (this includes `high < low`);
 * - `low_above_body`: `low > min(open, close)`;
 * - `negative_volume`: `volume < 0`;
 * - `misaligned`: the time is not the open time of a candle of the timeframe;
 * - `duplicate`: the same open time as the row before it;
 * - `out_of_order`: an open time before that of an earlier row (rows must increase).
 */
export const candleRejectionReasons = [
  'invalid_time',
  'not_finite',
  'non_positive_price',
  'high_below_body',
  'low_above_body',
  'negative_volume',
  'misaligned',
  'duplicate',
  'out_of_order',
] as const;

/** One of {@link candleRejectionReasons}. */
export type CandleRejectionReason = (typeof candleRejectionReasons)[number];

/** Rejected rows counted per reason (every reason present, 0 when none). */
export type CandleRejectionCounts = Readonly<Record<CandleRejectionReason, number>>;

/** A row that failed validation. */
export interface RejectedCandle {
  /** Position of the row in the batch (0-based). */
  readonly index: number;
  readonly candle: Candle;
  readonly reason: CandleRejectionReason;
  /** What is wrong, in words, with the values. */
  readonly problem: string;
}

/** Options of {@link validateCandles}. */
export interface ValidateCandlesOptions {
  /** Rows opening before this time (epoch ms) are set aside as outside the window (not judged). */
  readonly from?: number;
  /**
   * Rows opening after this time (epoch ms) are set aside as outside the window (not judged):
   * pass the open time of the newest closed candle to drop the forming one.
   */
  readonly to?: number;
}

/** The outcome of {@link validateCandles}. */
export interface CandleValidation {
  /** Rows that passed every check and fall inside the window, ascending. */
  readonly valid: Candle[];
  /** Rows that failed a check, in batch order. */
  readonly rejected: RejectedCandle[];
  /** Rows with a sound time that fall outside the window (already stored, or not closed). */
  readonly outside: number;
}

/**
 * The first check a single candle fails, judged on its own (no ordering), or `undefined` when it
 * is sound. Agrees with core's `candleProblem` plus the alignment to `timeframe`, so a candle that
 * passes is accepted by the store's `saveCandles`.
 *
 * @example
 * ```ts
 * candleRejection({ time: 0, open: 1, high: 0.5, low: 1, close: 1, volume: 1 }, '1h');
 * // { reason: 'high_below_body', problem: 'high 0.5 is below max(open, close) 1' }
 * ```
 */
export function candleRejection(
  candle: Candle,
  timeframe: Timeframe,
): { readonly reason: CandleRejectionReason; readonly problem: string } | undefined {
  const { time, open, high, low, close, volume } = candle;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    return { reason: 'invalid_time', problem: `time ${String(time)} is not an epoch time in ms` };
  }
  for (const [name, value] of [
    ['open', open],
    ['high', high],
    ['low', low],
    ['close', close],
    ['volume', volume],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { reason: 'not_finite', problem: `${name} ${String(value)} is not a finite number` };
    }
  }
  for (const [name, value] of [
    ['open', open],
    ['high', high],
    ['low', low],
    ['close', close],
  ] as const) {
    if (value <= 0)
      return { reason: 'non_positive_price', problem: `${name} ${value} is not positive` };
  }
  const top = Math.max(open, close);
  if (high < top) {
    return { reason: 'high_below_body', problem: `high ${high} is below max(open, close) ${top}` };
  }
  const bottom = Math.min(open, close);
  if (low > bottom) {
    return { reason: 'low_above_body', problem: `low ${low} is above min(open, close) ${bottom}` };
  }
  if (volume < 0) return { reason: 'negative_volume', problem: `volume ${volume} is negative` };
  if (!isCandleAligned(time, timeframe)) {
    return {
      reason: 'misaligned',
      problem: `time ${time} is not the open time of a ${timeframe} candle`,
    };
  }
  return undefined;
}

/**
 * Validates a batch of candles from a source: each row on its own ({@link candleRejection}) and
 * in sequence (open times must increase strictly from row to row, so a repeated time is a
 * `duplicate` and an earlier one `out_of_order`). Rows outside `[from, to]` are counted in
 * `outside` and not judged on their values. Never throws.
 *
 * @example
 * ```ts
 * const { valid, rejected } = validateCandles(rows, '1h', { to: lastClosedOpenTime });
 * await store.saveCandles('BTC-USD', '1h', valid);
 * ```
 */
export function validateCandles(
  candles: readonly Candle[],
  timeframe: Timeframe,
  options: ValidateCandlesOptions = {},
): CandleValidation {
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  const valid: Candle[] = [];
  const rejected: RejectedCandle[] = [];
  let outside = 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < candles.length; index++) {
    const candle = candles[index] as Candle;
    const time = candle.time;
    if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
      rejected.push({
        index,
        candle,
        reason: 'invalid_time',
        problem: `time ${String(time)} is not an epoch time in ms`,
      });
      continue;
    }
    if (time <= previous) {
      rejected.push({
        index,
        candle,
        reason: time === previous ? 'duplicate' : 'out_of_order',
        problem:
          time === previous
            ? `time ${time} repeats the row before`
            : `time ${time} comes after ${previous}; rows must be in increasing time`,
      });
      continue;
    }
    previous = time;
    if (time < from || time > to) {
      outside++;
      continue;
    }
    const rejection = candleRejection(candle, timeframe);
    if (rejection === undefined) valid.push(candle);
    else rejected.push({ index, candle, ...rejection });
  }
  return { valid, rejected, outside };
}

/** A {@link CandleRejectionCounts} with every reason at 0. */
export function emptyRejectionCounts(): Record<CandleRejectionReason, number> {
  const counts = {} as Record<CandleRejectionReason, number>;
  for (const reason of candleRejectionReasons) counts[reason] = 0;
  return counts;
}
