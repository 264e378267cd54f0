import fc from 'fast-check';
import { MACD as TiMACD } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { ema } from './ema.js';
import { MACD, macd, type MACDOptions } from './macd.js';

const { close } = loadBtc1h();
const series = fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { maxLength: 300 });
const options = fc
  .record({
    fast: fc.integer({ min: 1, max: 20 }),
    gap: fc.integer({ min: 1, max: 20 }),
    signal: fc.integer({ min: 1, max: 15 }),
  })
  .map(({ fast, gap, signal }) => ({ fast, slow: fast + gap, signal }));

/** Streams `values` through a fresh MACD, copying each reused result; NaN while warming up. */
function stream(options: MACDOptions, values: readonly number[]) {
  const indicator = new MACD(options);
  const out = { macd: [] as number[], signal: [] as number[], histogram: [] as number[] };
  for (const value of values) {
    const result = indicator.update(value);
    out.macd.push(result?.macd ?? Number.NaN);
    out.signal.push(result?.signal ?? Number.NaN);
    out.histogram.push(result?.histogram ?? Number.NaN);
  }
  return out;
}

describe('MACD', () => {
  it('matches technicalindicators (EMA oscillator and signal, no SMA flags) on BTC 1h to 1e-9', () => {
    for (const [fast, slow, signal] of [
      [12, 26, 9],
      [5, 35, 5],
      [3, 10, 16],
    ] as const) {
      const reference = TiMACD.calculate({
        values: [...close],
        fastPeriod: fast,
        slowPeriod: slow,
        signalPeriod: signal,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      });
      const ours = macd(close, { fast, slow, signal });
      // technicalindicators starts at the first MACD line value and leaves signal and histogram
      // undefined for `signal - 1` entries; we return nothing until all three exist.
      const skip = slow + signal - 2;
      const count = close.length - skip;
      expect(Number.isNaN(ours.macd[skip - 1]!) && !Number.isNaN(ours.macd[skip]!)).toBe(true);
      const line = reference.map((r) => r.MACD!);
      expect(expectMatchesReference(ours.macd, line, { skip })).toBe(count);
      const signalLine = reference.map((r) => r.signal ?? Number.NaN);
      expect(expectMatchesReference(ours.signal, signalLine, { skip })).toBe(count);
      const histogram = reference.map((r) => r.histogram ?? Number.NaN);
      expect(expectMatchesReference(ours.histogram, histogram, { skip })).toBe(count);
    }
  });

  it('is the difference of SMA-seeded EMAs with an EMA signal seeded from the first MACD value', () => {
    const ours = macd(close);
    const fast = ema(close, 12);
    const slow = ema(close, 26);
    const line = Array.from(close, (_, i) => fast[i]! - slow[i]!);
    const signal = ema(line.slice(25), 9);
    for (let i = 33; i < close.length; i++) {
      expect(ours.macd[i]).toBe(line[i]);
      expect(ours.signal[i]).toBe(signal[i - 25]);
      expect(ours.histogram[i]).toBe(line[i]! - signal[i - 25]!);
    }
  });

  it('returns one reused result object, NaN fields while warming up', () => {
    const indicator = new MACD({ fast: 1, slow: 3, signal: 2 });
    const empty = { macd: Number.NaN, signal: Number.NaN, histogram: Number.NaN };
    expect([2, 4].map((v) => ({ ...indicator.update(v) }))).toEqual([empty, empty]);
    expect({ ...indicator.update(6) }).toEqual(empty); // line 6 - (2 + 4 + 6) / 3 = 2, signal warming up
    const first = indicator.update(10); // slow 4 + (10 - 4) / 2 = 7: line 3, signal (2 + 3) / 2
    expect(first).toEqual({ macd: 3, signal: 2.5, histogram: 0.5 });
    const second = indicator.update(10);
    expect(second).toBe(first);
    expect(indicator.value).toBe(first);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([{ ...indicator.value }, indicator.isReady, { ...indicator.update(1) }]).toEqual([
      empty,
      false,
      empty,
    ]);
  });

  it('defaults to 12, 26, 9', () => {
    const indicator = new MACD();
    expect([indicator.fast, indicator.slow, indicator.signal]).toEqual([12, 26, 9]);
    expect(Number.isNaN(macd(close).macd[32]!) && !Number.isNaN(macd(close).macd[33]!)).toBe(true);
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, options, (values, o) => {
        const batch = macd(values, o);
        const streamed = stream(o, values);
        expect([...batch.macd]).toEqual(streamed.macd);
        expect([...batch.signal]).toEqual(streamed.signal);
        expect([...batch.histogram]).toEqual(streamed.histogram);
      }),
    );
  });

  it('rejects bad periods, naming them', () => {
    expect(() => new MACD({ fast: 0 })).toThrow('MACD fast must be an integer >= 1, got 0');
    expect(() => new MACD({ slow: 2.5 })).toThrow('MACD slow must be an integer >= 1, got 2.5');
    expect(() => macd([1], { signal: -1 })).toThrow('MACD signal must be an integer >= 1, got -1');
    expect(() => new MACD({ fast: 26, slow: 12 })).toThrow(
      'MACD fast must be less than slow, got fast 26 and slow 12',
    );
  });
});
