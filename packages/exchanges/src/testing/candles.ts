/**
 * Candles the emulator serves: a series per market (from options, a CSV file or a seeded random
 * walk), Binance's kline intervals, and aggregation into longer intervals.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  DataIntegrityError,
  ValidationError,
  candleProblem,
  seededRandom,
  type Candle,
} from '@lumenlink/core';
import { roundTo, toTick, type ResolvedMarket } from './markets.js';
import type { EmulatorRandomWalk } from './types.js';

const gunzipAsync = promisify(gunzip);

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
const weekMs = 7 * dayMs;
/** Monday 1970-01-05 00:00 UTC: Binance's weekly candles open on Mondays. */
const weekOriginMs = 4 * dayMs;

/** Binance's kline intervals of a fixed duration (`1M` has none and is not served). */
export const klineIntervals: Readonly<Record<string, number>> = {
  '1s': 1_000,
  '1m': minuteMs,
  '3m': 3 * minuteMs,
  '5m': 5 * minuteMs,
  '15m': 15 * minuteMs,
  '30m': 30 * minuteMs,
  '1h': hourMs,
  '2h': 2 * hourMs,
  '4h': 4 * hourMs,
  '6h': 6 * hourMs,
  '8h': 8 * hourMs,
  '12h': 12 * hourMs,
  '1d': dayMs,
  '3d': 3 * dayMs,
  '1w': weekMs,
};

/** The name of an interval in ms, e.g. `1h`, or `<n> ms` when Binance has no such interval. */
export function intervalName(intervalMs: number): string {
  const entry = Object.entries(klineIntervals).find(([, ms]) => ms === intervalMs);
  return entry === undefined ? `${intervalMs} ms` : entry[0];
}

/** Open time of the candle of `intervalMs` that contains `time`. */
export function candleOpenAt(time: number, intervalMs: number): number {
  const origin = intervalMs === weekMs ? weekOriginMs : 0;
  return Math.floor((time - origin) / intervalMs) * intervalMs + origin;
}

/** A market's candles, ascending, on one interval. */
export class CandleSeries {
  readonly candles: readonly Candle[];
  readonly intervalMs: number;

  private constructor(candles: readonly Candle[], intervalMs: number) {
    this.candles = candles;
    this.intervalMs = intervalMs;
  }

  /**
   * Validates candles and infers their interval from the smallest gap between open times.
   *
   * @throws {ValidationError} naming `source` and the candle at fault.
   */
  static from(candles: readonly Candle[], source: string): CandleSeries {
    if (candles.length < 2) {
      throw new ValidationError(
        `${source}: needs at least 2 candles to infer their interval, got ${candles.length}`,
      );
    }
    let intervalMs = Number.POSITIVE_INFINITY;
    candles.forEach((candle, index) => {
      const problem = candleProblem(candle);
      if (problem !== undefined) throw new ValidationError(`${source}[${index}]: ${problem}`);
      const previous = candles[index - 1];
      if (previous !== undefined) {
        if (candle.time <= previous.time) {
          throw new ValidationError(
            `${source}[${index}]: time ${candle.time} does not come after ${previous.time}; sort the candles by time and remove duplicates`,
          );
        }
        intervalMs = Math.min(intervalMs, candle.time - previous.time);
      }
    });
    if (!Object.values(klineIntervals).includes(intervalMs)) {
      throw new ValidationError(
        `${source}: the candles are ${intervalMs} ms apart, which is not a Binance interval (${Object.keys(klineIntervals).join(', ')})`,
      );
    }
    const misaligned = candles.findIndex(
      (candle) => candleOpenAt(candle.time, intervalMs) !== candle.time,
    );
    if (misaligned >= 0) {
      throw new ValidationError(
        `${source}[${misaligned}]: time ${candles[misaligned]!.time} is not the open time of a ${intervalName(intervalMs)} candle; use exchange candle open times`,
      );
    }
    return new CandleSeries(candles, intervalMs);
  }

  /** Index of the latest candle open at `now`, or -1 before the first. */
  indexAt(now: number): number {
    let low = 0;
    let high = this.candles.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.candles[middle]!.time <= now) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /**
   * The candles of `intervalMs` opened by `now`, the last one possibly still forming, or
   * `undefined` when `intervalMs` is not this series' interval or a multiple of it.
   */
  visible(intervalMs: number, now: number): Candle[] | undefined {
    if (intervalMs % this.intervalMs !== 0) return undefined;
    const opened = this.candles.slice(0, this.indexAt(now) + 1);
    if (intervalMs === this.intervalMs) return opened;
    const result: Candle[] = [];
    for (const candle of opened) {
      const time = candleOpenAt(candle.time, intervalMs);
      const last = result.at(-1);
      if (last?.time === time) {
        result[result.length - 1] = {
          time,
          open: last.open,
          high: Math.max(last.high, candle.high),
          low: Math.min(last.low, candle.low),
          close: candle.close,
          volume: roundTo(last.volume + candle.volume),
        };
      } else {
        result.push({ ...candle, time });
      }
    }
    return result;
  }

  /** The candles opened in the 24 hours up to `now`. */
  lastDay(now: number): Candle[] {
    const end = this.indexAt(now) + 1;
    let start = end;
    while (start > 0 && this.candles[start - 1]!.time > now - dayMs) start--;
    return this.candles.slice(start, end);
  }
}

/**
 * Reads a `time,open,high,low,close,volume` CSV file (time = open time in epoch ms), plain or
 * gzip-compressed.
 *
 * @throws {ValidationError} when the file cannot be read.
 * @throws {DataIntegrityError} naming the file and line of a bad header or row.
 */
export async function readCandlesCsv(path: string, field: string): Promise<Candle[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ValidationError(
      `${field}: cannot read "${path}" (${error instanceof Error ? error.message : String(error)}); give the path of a CSV file`,
      { cause: error },
    );
  }
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = (gzipped ? await gunzipAsync(bytes) : bytes).toString('utf8');
  return parseCandlesCsv(text, `${field} (${path})`);
}

const csvHeader = 'time,open,high,low,close,volume';

function parseCandlesCsv(text: string, source: string): Candle[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim().toLowerCase().replaceAll(' ', '') !== csvHeader) {
    throw new DataIntegrityError(
      `${source}: line 1 must be the header "${csvHeader}" (time = open time in epoch ms), got "${lines[0] ?? ''}"`,
    );
  }
  const candles: Candle[] = [];
  lines.forEach((line, index) => {
    if (index === 0 || line.trim() === '') return;
    const fields = line.split(',').map((field) => (field.trim() === '' ? NaN : Number(field)));
    if (fields.length !== 6) {
      throw new DataIntegrityError(
        `${source}: line ${index + 1}: expected 6 comma-separated fields, got ${fields.length}`,
      );
    }
    const [time, open, high, low, close, volume] = fields as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const candle = { time, open, high, low, close, volume };
    const problem = candleProblem(candle);
    if (problem !== undefined) {
      throw new DataIntegrityError(`${source}: line ${index + 1}: ${problem}`);
    }
    candles.push(candle);
  });
  return candles;
}

/** FNV-1a of a string, so each market walks its own path from one seed. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}

/**
 * A seeded random walk of candles for one market, starting at the market's price: log-normal
 * steps (0.5% per hour, scaled by the square root of the interval), wicks beyond open and close,
 * prices on the tick grid and volumes on the step grid. Same seed and market, same candles.
 */
export function randomWalkCandles(market: ResolvedMarket, walk: EmulatorRandomWalk): Candle[] {
  const random = seededRandom(hashText(market.id) ^ walk.seed);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const sigma = Math.min(0.1, 0.005 * Math.sqrt(walk.intervalMs / hourMs));
  const notionalUnit = market.minNotional > 0 ? market.minNotional : 1;
  const tick = market.tickSize;
  const candles: Candle[] = [];
  let close = market.price;
  for (let index = 0; index < walk.count; index++) {
    const open = close;
    close = toTick(market, open * Math.exp(sigma * gaussian()));
    const top = Math.max(open, close) * (1 + (Math.abs(gaussian()) * sigma) / 2);
    const bottom = Math.min(open, close) * (1 - (Math.abs(gaussian()) * sigma) / 2);
    const volumeValue = (0.5 + random()) * notionalUnit * 200_000 * (walk.intervalMs / hourMs);
    candles.push({
      time: walk.start + index * walk.intervalMs,
      open,
      high: Math.max(toTick(market, Math.ceil(top / tick) * tick), open, close),
      low: Math.min(toTick(market, Math.floor(bottom / tick) * tick), open, close),
      close,
      volume: roundTo(volumeValue / close, market.quantityDecimals),
    });
  }
  return candles;
}
