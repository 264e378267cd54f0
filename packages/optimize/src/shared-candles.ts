/**
 * The candles of a sweep as one copy for every worker: the pool's thread loads and checks them
 * once and lays them out as number columns (time, open, high, low, close, volume) in a
 * `SharedArrayBuffer` per symbol. Posting the columns to a worker shares that memory rather than
 * copying it; each worker turns them back into candles once and runs every job on those.
 */
import { candleProblem, type Candle, type SymbolId } from '@lumenlink/core';
import { OptimizeInputError } from './errors.js';

/** The number columns of a candle, in the order they sit in a series' buffer. */
const columns = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * One symbol's candles as columns over one `SharedArrayBuffer` (6 x length doubles): plain data
 * that posts to a worker without a copy.
 */
export interface SharedCandleSeries {
  readonly symbol: SymbolId;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * Checks each candle once (sound numbers, open times strictly ascending) and copies every symbol's
 * candles into shared columns, in the map's order.
 *
 * @example
 * ```ts
 * const shared = shareCandles(loaded.candles); // post it with the worker's setup
 * const candles = candlesFromShared(shared); // in the worker, once
 * ```
 * @throws {OptimizeInputError} (`candles`) naming the symbol and candle of an unsound candle or
 *   of a time out of order.
 */
export function shareCandles(
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
): SharedCandleSeries[] {
  return [...candles].map(([symbol, list]) => {
    const length = list.length;
    const buffer = new SharedArrayBuffer(columns.length * length * Float64Array.BYTES_PER_ELEMENT);
    const [time, open, high, low, close, volume] = columns.map(
      (_, index) =>
        new Float64Array(buffer, index * length * Float64Array.BYTES_PER_ELEMENT, length),
    ) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    let previous = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < length; index++) {
      const candle = list[index]!;
      const problem =
        candleProblem(candle) ??
        (candle.time <= previous ? `its time is not after the candle before it` : undefined);
      if (problem !== undefined) {
        throw new OptimizeInputError(
          'candles',
          `${symbol} candle ${index + 1} (time ${String(candle.time)}): ${problem}`,
        );
      }
      previous = candle.time;
      time[index] = candle.time;
      open[index] = candle.open;
      high[index] = candle.high;
      low[index] = candle.low;
      close[index] = candle.close;
      volume[index] = candle.volume;
    }
    return { symbol, time, open, high, low, close, volume };
  });
}

/**
 * The candles of shared columns, as the engine takes them: one object per candle, made once per
 * worker and reused by every job it runs.
 */
export function candlesFromShared(
  series: readonly SharedCandleSeries[],
): Map<SymbolId, readonly Candle[]> {
  const candles = new Map<SymbolId, readonly Candle[]>();
  for (const { symbol, time, open, high, low, close, volume } of series) {
    const list: Candle[] = new Array<Candle>(time.length);
    for (let index = 0; index < time.length; index++) {
      list[index] = {
        time: time[index]!,
        open: open[index]!,
        high: high[index]!,
        low: low[index]!,
        close: close[index]!,
        volume: volume[index]!,
      };
    }
    candles.set(symbol, list);
  }
  return candles;
}
