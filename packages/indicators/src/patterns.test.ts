import * as ti from 'technicalindicators';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadBtc1h } from './__fixtures__/candles.js';
import {
  detectPatterns,
  isBearishEngulfing,
  isBullishEngulfing,
  isConfirmedHammer,
  isConfirmedShootingStar,
  isDoji,
  isEveningStar,
  isHammer,
  isMorningStar,
  isShootingStar,
  patternCandleCounts,
  type CandlePattern,
  type PatternInput,
} from './patterns.js';

/** Candles from `[open, high, low, close]` rows, oldest first. */
function candles(...rows: readonly (readonly [number, number, number, number])[]): PatternInput[] {
  return rows.map(([open, high, low, close]) => ({ open, high, low, close }));
}

const declining = candles([125, 126, 119, 120], [120, 121, 114, 115], [115, 116, 109, 110]);
const rising = candles([100, 106, 99, 105], [105, 111, 104, 110], [110, 116, 109, 115]);

/** Per pattern: our function, its technicalindicators detector, a textbook case and a near miss. */
const cases: Record<
  CandlePattern,
  {
    readonly ours: (candles: readonly PatternInput[]) => boolean;
    readonly reference: (data: {
      open: number[];
      high: number[];
      low: number[];
      close: number[];
    }) => unknown;
    readonly positive: readonly PatternInput[];
    readonly negative: readonly PatternInput[];
  }
> = {
  bullish_engulfing: {
    ours: isBullishEngulfing,
    reference: ti.bullishengulfingpattern,
    positive: candles([105, 106, 99, 100], [99, 108, 98, 107]),
    // The second body does not reach above the first open.
    negative: candles([105, 106, 99, 100], [99, 104, 98, 103]),
  },
  bearish_engulfing: {
    ours: isBearishEngulfing,
    reference: ti.bearishengulfingpattern,
    positive: candles([100, 106, 99, 105], [106, 107, 97, 98]),
    // The first candle is bearish, so there is no rally to engulf.
    negative: candles([105, 106, 99, 100], [106, 107, 97, 98]),
  },
  hammer: {
    ours: isHammer,
    reference: ti.hammerpatternunconfirmed,
    positive: [...declining, ...candles([110, 111, 104, 105], [103, 104, 96, 104])],
    // The same candle after a rise is a hanging man, not a hammer.
    negative: [...rising, ...candles([115, 121, 114, 120], [119, 120, 112, 120])],
  },
  confirmed_hammer: {
    ours: isConfirmedHammer,
    reference: ti.hammerpattern,
    positive: [...declining, ...candles([103, 104, 96, 104], [104, 109, 103.5, 108])],
    // The candle after the hammer is bearish: no confirmation.
    negative: [...declining, ...candles([103, 104, 96, 104], [104, 105, 100, 101])],
  },
  shooting_star: {
    ours: isShootingStar,
    reference: ti.shootingstarunconfirmed,
    positive: [...rising, ...candles([115, 121, 114, 120], [121, 128, 120, 120])],
    // The same candle after a decline is an inverted hammer, a bullish sign.
    negative: [...declining, ...candles([110, 111, 104, 105], [106, 113, 105, 105])],
  },
  confirmed_shooting_star: {
    ours: isConfirmedShootingStar,
    reference: ti.shootingstar,
    positive: [...rising, ...candles([121, 128, 120, 120], [119, 119.5, 112, 113])],
    // The candle after the star is bullish: no confirmation.
    negative: [...rising, ...candles([121, 128, 120, 120], [119, 124, 118, 123])],
  },
  doji: {
    ours: isDoji,
    reference: ti.doji,
    positive: candles([100, 105, 95, 100.05]),
    // A real body of 3% of the price.
    negative: candles([100, 105, 95, 103]),
  },
  morning_star: {
    ours: isMorningStar,
    reference: ti.morningstar,
    positive: candles([110, 111, 99, 100], [97, 98, 95, 96.5], [99, 108, 98.5, 107]),
    // The third candle closes below the midpoint (105) of the first body.
    negative: candles([110, 111, 99, 100], [97, 98, 95, 96.5], [99, 104, 98.5, 103]),
  },
  evening_star: {
    ours: isEveningStar,
    reference: ti.eveningstar,
    positive: candles([100, 111, 99, 110], [113, 115, 112, 113.5], [110, 111, 102, 103]),
    // The third candle closes above the midpoint (105) of the first body.
    negative: candles([100, 111, 99, 110], [113, 115, 112, 113.5], [110, 111, 107, 108]),
  },
};

const patterns = Object.keys(cases) as CandlePattern[];

/** technicalindicators' input for the `count` candles ending at `end` (exclusive). */
function columns(source: ReturnType<typeof loadBtc1h>, end: number, count: number) {
  const column = (values: Float64Array) => Array.from(values.subarray(end - count, end));
  return {
    open: column(source.open),
    high: column(source.high),
    low: column(source.low),
    close: column(source.close),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(patterns)('%s', (pattern) => {
  const { ours, reference, positive, negative } = cases[pattern];

  it('holds on a textbook case and agrees with technicalindicators there', () => {
    expect(positive).toHaveLength(patternCandleCounts[pattern]);
    expect(ours(positive)).toBe(true);
    expect(reference(toColumns(positive))).toBe(true);
    expect(detectPatterns(positive)).toContain(pattern);
  });

  it('does not hold on a near miss', () => {
    expect(ours(negative)).toBe(false);
    expect(reference(toColumns(negative))).toBe(false);
    expect(detectPatterns(negative)).not.toContain(pattern);
  });

  it('reads only the newest candles, and is false without enough of them', () => {
    const warn = vi.spyOn(console, 'warn');
    const padding = candles([50, 60, 40, 55], [55, 70, 45, 48], [48, 49, 30, 31]);
    expect(ours([...padding, ...positive])).toBe(true);
    expect(ours([...positive, ...padding])).toBe(
      Boolean(reference(toColumns([...positive, ...padding]))),
    );
    expect(ours(positive.slice(1))).toBe(false);
    expect(ours([])).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });
});

function toColumns(rows: readonly PatternInput[]) {
  return {
    open: rows.map((c) => c.open),
    high: rows.map((c) => c.high),
    low: rows.map((c) => c.low),
    close: rows.map((c) => c.close),
  };
}

describe('on real BTC 1h candles', () => {
  const btc = loadBtc1h();
  const history = btc.candles;

  it('finds each pattern exactly where technicalindicators does on the same window', () => {
    const found: Record<string, number> = {};
    for (const pattern of patterns) {
      const { ours, reference } = cases[pattern];
      const count = patternCandleCounts[pattern];
      const expected: number[] = [];
      const actual: number[] = [];
      for (let end = 1; end <= history.length; end++) {
        // Hand ours a longer history than it needs, so it must pick the newest `count` itself.
        if (ours(history.slice(Math.max(0, end - 8), end))) actual.push(end);
        if (end >= count && reference(columns(btc, end, count)) === true) expected.push(end);
      }
      expect(actual).toEqual(expected);
      found[pattern] = actual.length;
    }
    // The scan compared real hits, not two empty lists (the gapped stars are rare on 24/7 data).
    for (const pattern of patterns) {
      if (pattern !== 'morning_star' && pattern !== 'evening_star') {
        expect(found[pattern], pattern).toBeGreaterThan(10);
      }
    }
  });

  it('detectPatterns lists exactly the patterns whose own functions hold', () => {
    let hits = 0;
    for (let end = 1; end <= history.length; end++) {
      const window = history.slice(Math.max(0, end - 5), end);
      const expected = patterns.filter((pattern) => cases[pattern].ours(window));
      expect(detectPatterns(window)).toEqual(expected);
      hits += expected.length;
    }
    expect(hits).toBeGreaterThan(100);
  });
});
