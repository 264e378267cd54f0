import { candleOpenTime, ValidationError, type Candle, type Timeframe } from '@lumenlink/core';
import { ema } from '@lumenlink/indicators';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candlesFromCloses, loadBtc1h, ramp } from './__fixtures__/candles.js';
import { MultiTimeframeAnalyzer, type TrendDirection } from './multi-timeframe.js';

/** Closes of the complete higher candles among `candles` (a batch reference). */
function completeCloses(candles: readonly Candle[], target: Timeframe, ratio: number): number[] {
  const groups = new Map<number, Candle[]>();
  for (const candle of candles) {
    const period = candleOpenTime(candle.time, target);
    groups.set(period, [...(groups.get(period) ?? []), candle]);
  }
  return [...groups.values()]
    .filter((group) => group.length === ratio)
    .map((group) => group.at(-1)!.close);
}

/** The trend a batch EMA pair gives on the last of `closes`. */
function batchTrend(closes: readonly number[]): TrendDirection | undefined {
  const fast = ema(closes, 9).at(-1);
  const slow = ema(closes, 21).at(-1);
  if (fast === undefined || slow === undefined || Number.isNaN(slow)) return undefined;
  return fast > slow ? 'up' : fast < slow ? 'down' : 'flat';
}

describe('MultiTimeframeAnalyzer', () => {
  it('reports bullish alignment in a steady rise and bearish in a steady fall, after its warm-up', () => {
    const analyzer = new MultiTimeframeAnalyzer({ base: '1h' });
    expect(analyzer.timeframes).toEqual(['1h', '4h', '1d']);
    expect(analyzer.warmup).toBe(22 * 24 - 1);
    const rising = candlesFromCloses(ramp(100, 200, 700));
    const alignments = rising.map((candle) => analyzer.update(candle));
    expect(alignments.slice(0, 503).every((alignment) => alignment === 'warming_up')).toBe(true);
    expect(alignments[503]).toBe('bullish');
    expect(analyzer.score).toBe(1);
    expect(analyzer.trend('1d')?.candles).toBe(29);

    const falling = new MultiTimeframeAnalyzer({ base: '1h' });
    for (const candle of candlesFromCloses(ramp(200, 100, 700))) falling.update(candle);
    expect(falling.alignment).toBe('bearish');
    expect(falling.score).toBe(-1);
  });

  it('reports mixed alignment when the base trend turns against the higher ones', () => {
    const analyzer = new MultiTimeframeAnalyzer({ base: '1h' });
    for (const candle of candlesFromCloses([...ramp(100, 200, 600), ...ramp(200, 190, 12)])) {
      analyzer.update(candle);
    }
    expect(analyzer.trend('1h')?.direction).toBe('down');
    expect(analyzer.trend('1d')?.direction).toBe('up');
    expect(analyzer.alignment).toBe('mixed');
    expect(analyzer.score).toBeCloseTo(1 / 3, 12);
  });

  it('never sees a forming or partial higher candle: its trends equal batch EMAs of complete higher candles only', () => {
    const real = loadBtc1h().slice(0, 900);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 875 }),
        (skip, length) => {
          // Start anywhere in a day (so the first 4h and 1d candles may be partial), stop anywhere.
          const candles = real.slice(skip, skip + length);
          const analyzer = new MultiTimeframeAnalyzer({ base: '1h' });
          for (const candle of candles) analyzer.update(candle);
          expect(analyzer.trend('1h')?.direction).toBe(batchTrend(candles.map((c) => c.close)));
          expect(analyzer.trend('4h')?.direction).toBe(
            batchTrend(completeCloses(candles, '4h', 4)),
          );
          expect(analyzer.trend('1d')?.direction).toBe(
            batchTrend(completeCloses(candles, '1d', 24)),
          );
        },
      ),
      { numRuns: 60, seed: 20240101 },
    );
  });

  it('has every trend after warmup base candles, whatever the first candle time', () => {
    const real = loadBtc1h();
    for (let skip = 0; skip < 24; skip++) {
      const analyzer = new MultiTimeframeAnalyzer({ base: '1h' });
      for (const candle of real.slice(skip, skip + analyzer.warmup)) analyzer.update(candle);
      expect(analyzer.isReady, `start at hour ${skip}`).toBe(true);
    }
  });

  it('rejects bad timeframes and periods', () => {
    expect(() => new MultiTimeframeAnalyzer({ base: '1h', higher: ['30m'] })).toThrow(
      ValidationError,
    );
    expect(() => new MultiTimeframeAnalyzer({ base: '1h', higher: ['4h', '4h'] })).toThrow(
      /repeat/,
    );
    expect(() => new MultiTimeframeAnalyzer({ base: '1h', fastPeriod: 21, slowPeriod: 9 })).toThrow(
      /fastPeriod must be below slowPeriod/,
    );
  });

  it('forgets everything on reset', () => {
    const analyzer = new MultiTimeframeAnalyzer({ base: '1h', higher: ['4h'] });
    for (const candle of candlesFromCloses(ramp(100, 200, 200))) analyzer.update(candle);
    expect(analyzer.alignment).toBe('bullish');
    analyzer.reset();
    expect(analyzer.alignment).toBe('warming_up');
    expect(analyzer.trend('4h')?.candles).toBe(0);
  });
});
