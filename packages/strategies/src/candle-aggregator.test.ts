import { candleOpenTime, ValidationError, type Candle, type Timeframe } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { candlesFromCloses, dayMs, hourMs, loadBtc1h, wave } from './__fixtures__/candles.js';
import { CandleAggregator } from './candle-aggregator.js';

/** Every higher candle emitted, copied, with the index of the base candle that emitted it. */
function pushAll(aggregator: CandleAggregator, candles: readonly Candle[]) {
  const out: { index: number; candle: Candle }[] = [];
  candles.forEach((candle, index) => {
    const higher = aggregator.push(candle);
    if (higher !== undefined) out.push({ index, candle: { ...higher } });
  });
  return out;
}

/** The reference: group by period, keep only periods with all `ratio` base candles. */
function batchAggregate(candles: readonly Candle[], target: Timeframe, ratio: number): Candle[] {
  const groups = new Map<number, Candle[]>();
  for (const candle of candles) {
    const period = candleOpenTime(candle.time, target);
    groups.set(period, [...(groups.get(period) ?? []), candle]);
  }
  return [...groups]
    .filter(([, group]) => group.length === ratio)
    .map(([time, group]) => ({
      time,
      open: group[0]!.open,
      high: Math.max(...group.map((candle) => candle.high)),
      low: Math.min(...group.map((candle) => candle.low)),
      close: group.at(-1)!.close,
      volume: group.reduce((sum, candle) => sum + candle.volume, 0),
    }));
}

describe('CandleAggregator', () => {
  it('builds 4h and 1d candles from 2,000 real 1h candles exactly as a batch grouping does', () => {
    const real = loadBtc1h();
    for (const [target, ratio] of [
      ['4h', 4],
      ['1d', 24],
    ] as const) {
      const aggregator = new CandleAggregator('1h', target);
      expect(aggregator.ratio).toBe(ratio);
      const emitted = pushAll(aggregator, real);
      const expected = batchAggregate(real, target, ratio);
      expect(emitted.map((entry) => entry.candle)).toHaveLength(expected.length);
      emitted.forEach((entry, i) => {
        const reference = expected[i]!;
        expect(entry.candle.time).toBe(reference.time);
        expect(entry.candle.open).toBe(reference.open);
        expect(entry.candle.high).toBe(reference.high);
        expect(entry.candle.low).toBe(reference.low);
        expect(entry.candle.close).toBe(reference.close);
        expect(entry.candle.volume).toBeCloseTo(reference.volume, 6);
      });
    }
  });

  it('emits a higher candle only on the base candle that closes it, never a forming one', () => {
    const aggregator = new CandleAggregator('1h', '4h');
    const candles = candlesFromCloses(wave(48));
    const emitted = pushAll(aggregator, candles);
    expect(emitted.map((entry) => entry.index)).toEqual([
      3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47,
    ]);
    for (const { index, candle } of emitted) {
      // The closing base candle closes when the higher candle does.
      expect(candles[index]!.time + hourMs).toBe(candle.time + 4 * hourMs);
    }
  });

  it('drops a partial first period and any period with a missing base candle', () => {
    // Starts at 02:00: the 00:00-04:00 period is partial.
    const start = Date.UTC(2024, 0, 1, 2);
    const candles = candlesFromCloses(wave(14), { start });
    // Remove 09:00 (index 7): the 08:00-12:00 period has a gap.
    const gapped = candles.filter((_, i) => i !== 7);
    const aggregator = new CandleAggregator('1h', '4h');
    const emitted = pushAll(aggregator, gapped);
    expect(emitted.map((entry) => new Date(entry.candle.time).toISOString())).toEqual([
      '2024-01-01T04:00:00.000Z',
      '2024-01-01T12:00:00.000Z',
    ]);
    expect(aggregator.droppedCandles).toBe(2 + 3);
    expect(aggregator.emitted).toBe(2);
  });

  it('builds weekly candles from daily ones, opening on Mondays', () => {
    // 2024-01-01 is a Monday; start on the Wednesday before.
    const start = Date.UTC(2023, 11, 27);
    const candles = candlesFromCloses(wave(20), { start, interval: dayMs });
    const emitted = pushAll(new CandleAggregator('1d', '1w'), candles);
    expect(emitted.map((entry) => new Date(entry.candle.time).toISOString())).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-08T00:00:00.000Z',
    ]);
  });

  it('rejects a higher timeframe that is not a whole multiple above the base', () => {
    expect(() => new CandleAggregator('4h', '1h')).toThrow(ValidationError);
    expect(() => new CandleAggregator('1h', '1h')).toThrow(ValidationError);
    expect(() => new CandleAggregator('1h', '90m')).toThrow(/whole multiple/);
  });

  it('forgets everything on reset', () => {
    const aggregator = new CandleAggregator('1h', '4h');
    const candles = candlesFromCloses(wave(8));
    pushAll(aggregator, candles.slice(0, 6));
    aggregator.reset();
    expect(pushAll(aggregator, candles).map((entry) => entry.index)).toEqual([3, 7]);
  });
});
