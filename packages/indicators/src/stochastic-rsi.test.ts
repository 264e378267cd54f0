import fc from 'fast-check';
import { RSI as TiRSI, StochasticRSI as TiStochasticRSI } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { loadBtc1h } from './__fixtures__/candles.js';
import { rsi } from './rsi.js';
import { sma } from './sma.js';
import { stochastic } from './stochastic.js';
import { StochasticRSI, stochasticRSI, type StochasticRSIOptions } from './stochastic-rsi.js';

const { close } = loadBtc1h();
const series = fc.array(
  fc.oneof(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 3 })),
  { maxLength: 300 },
);
const options = fc.record({
  rsiPeriod: fc.integer({ min: 1, max: 20 }),
  stochasticPeriod: fc.integer({ min: 1, max: 20 }),
  kPeriod: fc.integer({ min: 1, max: 5 }),
  dPeriod: fc.integer({ min: 1, max: 5 }),
});

/** Streams `values` through a fresh StochasticRSI, copying each reused result; NaN while warming up. */
function stream(options: StochasticRSIOptions, values: readonly number[]) {
  const indicator = new StochasticRSI(options);
  const out = { k: [] as number[], d: [] as number[] };
  for (const value of values) {
    const result = indicator.update(value);
    out.k.push(result?.k ?? Number.NaN);
    out.d.push(result?.d ?? Number.NaN);
  }
  return out;
}

/** Mean of `values[from..to]`, inclusive. */
function mean(values: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i <= to; i++) sum += values[i]!;
  return sum / (to - from + 1);
}

/**
 * Stochastic RSI straight from its definition over a given RSI series, written independently of
 * the class: raw = 100 * (rsi - min) / (max - min) over each window (0 for an empty range),
 * %K = mean of the last kPeriod raw values, %D = mean of the last dPeriod %K values.
 */
function stochasticRsiByHand(
  rsiValues: ArrayLike<number>,
  stochasticPeriod: number,
  kPeriod: number,
  dPeriod: number,
) {
  const n = rsiValues.length;
  const raw = Array.from({ length: n }, () => Number.NaN);
  const k = Array.from({ length: n }, () => Number.NaN);
  const d = Array.from({ length: n }, () => Number.NaN);
  for (let i = 0; i < n; i++) {
    const window = Array.from(rsiValues).slice(i - stochasticPeriod + 1, i + 1);
    if (i < stochasticPeriod - 1 || window.some(Number.isNaN)) continue;
    const highest = Math.max(...window);
    const lowest = Math.min(...window);
    raw[i] = highest === lowest ? 0 : (100 * (rsiValues[i]! - lowest)) / (highest - lowest);
    if (i >= kPeriod - 1) k[i] = mean(raw, i - kPeriod + 1, i);
    if (i >= dPeriod - 1) d[i] = mean(k, i - dPeriod + 1, i);
  }
  return { k, d };
}

/** `reference` (which omits warm-up entries) aligned to the end of a `length`-long series. */
function alignEnd(reference: readonly number[], length: number): number[] {
  return [...Array.from({ length: length - reference.length }, () => Number.NaN), ...reference];
}

/**
 * Asserts `ours` is within `tolerance` absolute of `reference` wherever the reference is defined;
 * returns how many values were compared. %K and %D live on a 0 to 100 scale and are often exactly
 * 0, where a rolling sum leaves a residue near 1e-14 that a relative error would magnify: an
 * absolute bound is the meaningful one.
 */
function expectWithin(ours: ArrayLike<number>, reference: readonly number[], tolerance: number) {
  let compared = 0;
  reference.forEach((expected, i) => {
    if (Number.isNaN(expected)) return;
    if (!(Math.abs(ours[i]! - expected) <= tolerance)) {
      expect.fail(`index ${i}: ours ${ours[i]}, reference ${expected}`);
    }
    compared++;
  });
  return compared;
}

describe('StochasticRSI', () => {
  it('matches a hand-computed stochastic RSI of the unrounded Wilder RSI on BTC 1h to 1e-9', () => {
    for (const [rsiPeriod, stochasticPeriod, kPeriod, dPeriod] of [
      [14, 14, 3, 3],
      [7, 21, 1, 1],
      [21, 9, 5, 2],
    ] as const) {
      const ours = stochasticRSI(close, { rsiPeriod, stochasticPeriod, kPeriod, dPeriod });
      const reference = stochasticRsiByHand(
        rsi(close, rsiPeriod),
        stochasticPeriod,
        kPeriod,
        dPeriod,
      );
      const first = rsiPeriod + stochasticPeriod + kPeriod + dPeriod - 3;
      expect(Number.isNaN(ours.k[first - 1]!) && !Number.isNaN(ours.k[first]!)).toBe(true);
      // %K exists before %D; we return both together, from the first %D on.
      const k = reference.k.map((value, i) => (i < first ? Number.NaN : value));
      expect(expectWithin(ours.k, k, 1e-9)).toBe(close.length - first);
      expect(expectWithin(ours.d, reference.d, 1e-9)).toBe(close.length - first);
    }
  });

  it("follows technicalindicators' convention: from its own rounded RSI we reproduce it to 1e-9", () => {
    // technicalindicators rounds the RSI to two decimals before the stochastic, so its output
    // cannot match ours to 1e-9. Fed that same rounded RSI, our Stochastic (%D = SMA of %K)
    // followed by an SMA reproduces its %K and %D, which proves the smoothing and alignment agree.
    const rounded = TiRSI.calculate({ period: 14, values: [...close] });
    const reference = TiStochasticRSI.calculate({
      values: [...close],
      rsiPeriod: 14,
      stochasticPeriod: 14,
      kPeriod: 3,
      dPeriod: 3,
    });
    const k = stochastic(rounded, rounded, rounded, { period: 14, signal: 3 }).d;
    const d = sma(k.slice(15), 3); // %K is defined from index 15 of the rounded RSI on
    const count = reference.length;
    expect(
      expectWithin(
        k,
        alignEnd(
          reference.map((r) => r.k),
          k.length,
        ),
        1e-9,
      ),
    ).toBe(count);
    expect(
      expectWithin(
        d,
        alignEnd(
          reference.map((r) => r.d),
          d.length,
        ),
        1e-9,
      ),
    ).toBe(count);
  });

  it('stays within 0.1 of technicalindicators, whose RSI rounding is the only difference', () => {
    const reference = TiStochasticRSI.calculate({
      values: [...close],
      rsiPeriod: 14,
      stochasticPeriod: 14,
      kPeriod: 3,
      dPeriod: 3,
    });
    const ours = stochasticRSI(close);
    const offset = close.length - reference.length;
    expect(offset).toBe(14 + 14 + 3 + 3 - 3);
    reference.forEach((expected, i) => {
      expect(Math.abs(ours.k[i + offset]! - expected.k)).toBeLessThan(0.1);
      expect(Math.abs(ours.d[i + offset]! - expected.d)).toBeLessThan(0.1);
    });
  });

  it('returns one reused result object, NaN while warming up, and 0 over a flat RSI', () => {
    const indicator = new StochasticRSI({
      rsiPeriod: 1,
      stochasticPeriod: 2,
      kPeriod: 1,
      dPeriod: 2,
    });
    // RSI(1) is 100 on a rise, 0 on a fall. Raw: over RSI 100, 0 -> 0; over 0, 100 -> 100.
    expect([1, 2, 1].map((v) => ({ ...indicator.update(v) }))).toEqual(
      Array(3).fill({ k: Number.NaN, d: Number.NaN }),
    );
    const first = indicator.update(2);
    expect(first).toEqual({ k: 100, d: 50 });
    expect(indicator.update(3)).toBe(first); // RSI 100, 100: a flat window gives raw 0
    expect(first).toEqual({ k: 0, d: 50 });
    expect(indicator.value).toBe(first);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    const empty = { k: Number.NaN, d: Number.NaN };
    expect([{ ...indicator.value }, indicator.isReady, { ...indicator.update(1) }]).toEqual([
      empty,
      false,
      empty,
    ]);
  });

  it('defaults to 14, 14, 3, 3', () => {
    const indicator = new StochasticRSI();
    expect([
      indicator.rsiPeriod,
      indicator.stochasticPeriod,
      indicator.kPeriod,
      indicator.dPeriod,
    ]).toEqual([14, 14, 3, 3]);
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, options, (values, o) => {
        const batch = stochasticRSI(values, o);
        const streamed = stream(o, values);
        expect([...batch.k]).toEqual(streamed.k);
        expect([...batch.d]).toEqual(streamed.d);
      }),
    );
  });

  it('rejects bad periods, naming them', () => {
    expect(() => new StochasticRSI({ rsiPeriod: 0 })).toThrow(
      'StochasticRSI rsiPeriod must be an integer >= 1, got 0',
    );
    expect(() => new StochasticRSI({ stochasticPeriod: 0.5 })).toThrow(
      'StochasticRSI stochasticPeriod must be an integer >= 1, got 0.5',
    );
    expect(() => new StochasticRSI({ kPeriod: -3 })).toThrow(
      'StochasticRSI kPeriod must be an integer >= 1, got -3',
    );
    expect(() => stochasticRSI([1], { dPeriod: Number.NaN })).toThrow(
      'StochasticRSI dPeriod must be an integer >= 1, got NaN',
    );
  });
});
