import { ValidationError } from './errors.js';

/**
 * A candle interval written as a count and a unit: `1m`, `5m`, `15m`, `1h`, `4h`, `1d`, `1w`.
 * Units: `m` minutes, `h` hours, `d` days, `w` weeks (weeks open on Monday 00:00 UTC, as on
 * Binance and Bybit). Months are not supported: they have no fixed duration.
 */
export type Timeframe = `${number}${'m' | 'h' | 'd' | 'w'}`;

const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** Monday 1970-01-05 00:00 UTC: weekly candles are aligned to Mondays. */
const weekOriginMs = 4 * unitMs.d;
const pattern = /^([1-9][0-9]{0,3})([mhdw])$/;

/**
 * Parses and validates a timeframe string.
 *
 * @example
 * ```ts
 * parseTimeframe('4h'); // '4h'
 * ```
 * @throws {ValidationError} when the text is not a count followed by m, h, d or w.
 */
export function parseTimeframe(text: string): Timeframe {
  const match = pattern.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      `Invalid timeframe "${text}": expected a count and a unit m, h, d or w, such as 1m, 15m, 1h, 4h, 1d or 1w`,
    );
  }
  return `${Number(match[1])}${match[2] as 'm' | 'h' | 'd' | 'w'}`;
}

/** Whether `text` is a valid {@link Timeframe}. */
export function isTimeframe(text: string): text is Timeframe {
  return pattern.test(text);
}

/**
 * Duration of one candle in milliseconds.
 *
 * @example
 * ```ts
 * timeframeMs('1h'); // 3_600_000
 * ```
 */
export function timeframeMs(timeframe: Timeframe): number {
  const match = pattern.exec(timeframe);
  if (!match) throw new ValidationError(`Invalid timeframe "${timeframe}"`);
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

/**
 * Open time of the candle that contains `time` (epoch ms, UTC): candles of a timeframe open at
 * multiples of its duration since the epoch, weekly ones on Mondays.
 */
export function candleOpenTime(time: number, timeframe: Timeframe): number {
  const duration = timeframeMs(timeframe);
  const origin = timeframe.endsWith('w') ? weekOriginMs : 0;
  return Math.floor((time - origin) / duration) * duration + origin;
}

/** Close time (exclusive: the next candle's open time) of the candle that opens at `openTime`. */
export function candleCloseTime(openTime: number, timeframe: Timeframe): number {
  return openTime + timeframeMs(timeframe);
}

/** Whether `time` is the open time of a candle of this timeframe. */
export function isCandleAligned(time: number, timeframe: Timeframe): boolean {
  return candleOpenTime(time, timeframe) === time;
}

/**
 * Whether the candle opening at `openTime` has closed by `now`: closed candles only reach
 * strategies (docs/architecture/principles.md, principle 2).
 */
export function isCandleClosed(openTime: number, timeframe: Timeframe, now: number): boolean {
  return candleCloseTime(openTime, timeframe) <= now;
}
