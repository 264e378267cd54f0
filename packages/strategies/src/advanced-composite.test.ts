import type { Candle, MarketContext } from '@lumenlink/core';
import { ValidationError } from '@lumenlink/core';
import { bundledDatasets, loadBundledCandles } from '@lumenlink/data';
import {
  isBearishEngulfing,
  isBullishEngulfing,
  isConfirmedHammer,
  isConfirmedShootingStar,
  isEveningStar,
  isMorningStar,
  rsi,
} from '@lumenlink/indicators';
import { describe, expect, it } from 'vitest';
import {
  candlesFromCloses,
  contextFor,
  dayMs,
  hourMs,
  indicesOf,
  position,
  ramp,
  runWithPositions,
  startTime,
} from './__fixtures__/candles.js';
import {
  advancedComposite,
  advancedCompositeFactors,
  type AdvancedCompositeParams,
} from './advanced-composite.js';
import { StrategyParamsError } from './params.js';
import { createStrategy } from './registry.js';

type Weights = AdvancedCompositeParams['weights'];

/** Every weight 0 but those given. */
function onlyWeights(weights: Partial<Weights>): Weights {
  const zero = Object.fromEntries(
    Object.keys(advancedComposite.defaults.weights).map((key) => [key, 0]),
  ) as unknown as Weights;
  return { ...zero, ...weights };
}

function fearGreed(value: number, updatedAt: number): MarketContext {
  return { fearGreed: { value, classification: value < 50 ? 'Fear' : 'Greed', updatedAt } };
}

const uptrend = candlesFromCloses(ramp(100, 160, 120));

describe('advanced_composite', () => {
  it('scores at least 12 weighted factors, each weight a parameter', () => {
    expect(advancedCompositeFactors.length).toBeGreaterThanOrEqual(12);
    const weights = advancedComposite.parameters.filter((row) => row.name.startsWith('weights.'));
    expect(weights).toHaveLength(advancedCompositeFactors.length);
    expect(weights.every((row) => typeof row.default === 'number' && row.default > 0)).toBe(true);
  });

  it('buys when the normalised score reaches the threshold; confidence is the score; the reason names the factors', () => {
    const strategy = createStrategy('advanced_composite', {
      higherTimeframes: [],
      weights: onlyWeights({ emaTrend: 1 }),
    });
    expect(strategy.warmup).toBe(34); // MACD's 26 + 9 - 1 closes
    const steps = runWithPositions(strategy, uptrend);
    const buys = indicesOf(steps, 'buy');
    expect(buys).toEqual([strategy.warmup - 1]);
    const buy = steps[buys[0]!]!.signal;
    expect(buy.confidence).toBe(1);
    expect(buy.reason).toBe(
      'confluence score 1.000 >= buy threshold 0.3 over 1 factors; bullish: ema_trend; bearish: none',
    );
    // The score stays at 1: no second buy until it has fallen back to 0 or below.
    expect(steps.at(-1)!.signal.reason).toBe(
      'confluence score is at or above 0.3, but a buy fired since the score was last at or below 0',
    );
  });

  it('follows a single factor exactly: RSI at or below oversold buys, once per dip', () => {
    const closes = [
      ...ramp(100, 110, 30),
      ...ramp(110, 90, 12),
      ...ramp(90, 100, 15),
      ...ramp(100, 85, 12),
      ...ramp(85, 95, 10),
    ];
    const values = rsi(closes, 14);
    const strategy = createStrategy('advanced_composite', {
      higherTimeframes: [],
      weights: onlyWeights({ rsi: 1 }),
    });
    const steps = runWithPositions(strategy, candlesFromCloses(closes), { trackPositions: false });
    const expected: number[] = [];
    let armed = true;
    for (let i = strategy.warmup - 1; i < closes.length; i++) {
      const vote = values[i]! <= 30 ? 1 : values[i]! >= 70 ? -1 : 0;
      if (vote <= 0) armed = true;
      if (vote >= 0.3 && armed) {
        expected.push(i);
        armed = false;
      }
    }
    expect(expected).toHaveLength(2);
    expect(indicesOf(steps, 'buy')).toEqual(expected);
    expect(steps[expected[0]!]!.signal.reason).toContain('bullish: rsi; bearish: none');
  });

  it('tilts the score by sentiment only when a fresh MarketContext is present', () => {
    const weights = onlyWeights({ emaTrend: 3, sentiment: 1 });
    const first = (market?: (time: number) => MarketContext) => {
      const strategy = createStrategy('advanced_composite', { higherTimeframes: [], weights });
      const steps = runWithPositions(strategy, uptrend, {
        ...(market === undefined ? {} : { market: (candle) => market(candle.time) }),
      });
      return steps.find((step) => step.signal.action === 'buy')?.signal;
    };
    // No context: sentiment is left out of the normalisation, the EMA trend alone scores 1.
    expect(first()?.confidence).toBe(1);
    expect(first()?.reason).toContain('over 1 factors');
    // Extreme greed votes -1 (contrarian): (3 - 1) / 4.
    const greed = first((time) => fearGreed(100, time));
    expect(greed?.confidence).toBe(0.5);
    expect(greed?.reason).toContain('over 2 factors; bullish: ema_trend; bearish: sentiment');
    // Extreme fear votes +1.
    expect(first((time) => fearGreed(0, time))?.confidence).toBe(1);
    // Neutral votes 0 but counts: 3 / 4.
    expect(first((time) => fearGreed(50, time))?.confidence).toBe(0.75);
    // A value older than sentimentMaxAgeMs (2 days) is ignored.
    expect(first((time) => fearGreed(100, time - 3 * dayMs))?.confidence).toBe(1);
    // News counts with Fear & Greed: (0 fear -> +1, news -1) / 2 = 0.
    const mixed = first((time) => ({
      ...fearGreed(0, time),
      news: { score: -1, bullishVotes: 0, bearishVotes: 9, posts: 3, updatedAt: time },
    }));
    expect(mixed?.confidence).toBe(0.75);
  });

  it('buys above the buy threshold only, and sells a position below the negative sell threshold', () => {
    const weights = onlyWeights({ emaTrend: 3, sentiment: 1 });
    const greedy = (candle: { time: number }) => fearGreed(100, candle.time);
    const strict = createStrategy('advanced_composite', {
      higherTimeframes: [],
      weights,
      buyThreshold: 0.6,
    });
    expect(indicesOf(runWithPositions(strict, uptrend, { market: greedy }), 'buy')).toEqual([]);

    const downtrend = candlesFromCloses(ramp(160, 100, 120));
    const seller = () =>
      createStrategy('advanced_composite', {
        higherTimeframes: [],
        weights: onlyWeights({ emaTrend: 1 }),
      });
    const held = position(1, 150);
    const strategy = seller();
    const signals = downtrend.map((candle) => strategy.onCandle(candle, contextFor(candle, held)));
    const sell = signals.find((signal) => signal.action === 'sell');
    expect(sell?.confidence).toBe(1);
    expect(sell?.reason).toBe(
      'confluence score -1.000 <= -0.3 over 1 factors; bullish: none; bearish: ema_trend',
    );
    // Flat: no sell, a hold that says why.
    const flat = runWithPositions(seller(), downtrend, { trackPositions: false });
    expect(indicesOf(flat, 'sell')).toEqual([]);
    expect(flat.at(-1)!.signal.reason).toBe(
      'confluence score is at or below -0.3, but there is no position to sell',
    );
  });

  it('scores multi-timeframe alignment over 1h, 4h and 1d built from the hourly candles', () => {
    const strategy = createStrategy('advanced_composite', {
      weights: onlyWeights({ timeframes: 1 }),
    });
    // 21 daily candles for the 1d slow EMA, plus 23 hours of a partial first day.
    expect(strategy.warmup).toBe(527);
    const rising = candlesFromCloses(ramp(100, 200, 600));
    const steps = runWithPositions(strategy, rising);
    const buys = indicesOf(steps, 'buy');
    expect(buys).toEqual([526]);
    expect(steps[526]!.signal.reason).toBe(
      'confluence score 1.000 >= buy threshold 0.3 over 1 factors; bullish: timeframes; bearish: none',
    );
  });

  it("votes technicalindicators' candlestick patterns on every bundled candle, and on gaps", () => {
    // With only the patterns factor, the score is the vote itself: +1 buys (or holds while a buy
    // already fired), -1 holds with no position to sell, 0 holds as neutral. The bundled markets
    // trade around the clock and never gap a whole candle, so a gapping series adds the stars.
    const sets: { name: string; candles: readonly Candle[] }[] = bundledDatasets.map(
      ({ symbol, timeframe }) => ({
        name: symbol,
        candles: loadBundledCandles(symbol, timeframe),
      }),
    );
    sets.push({ name: 'gaps', candles: gappingCandles(3000) });
    const votes = new Map<string, number>();
    for (const { name, candles } of sets) {
      const strategy = createStrategy('advanced_composite', {
        higherTimeframes: [],
        weights: onlyWeights({ patterns: 1 }),
      });
      const steps = runWithPositions(strategy, candles, { trackPositions: false });
      for (let i = strategy.warmup - 1; i < candles.length; i++) {
        const window = candles.slice(Math.max(0, i - 4), i + 1);
        const morningStar = isMorningStar(window);
        const eveningStar = isEveningStar(window);
        const bullish = isBullishEngulfing(window) || isConfirmedHammer(window) || morningStar;
        const bearish =
          isBearishEngulfing(window) || isConfirmedShootingStar(window) || eveningStar;
        const expected = (bullish ? 1 : 0) - (bearish ? 1 : 0);
        const { signal } = steps[i]!;
        const vote =
          signal.action === 'buy' || signal.reason.includes('but a buy fired')
            ? 1
            : signal.reason.includes('no position to sell')
              ? -1
              : 0;
        expect(vote, `${name} candle ${i}: ${signal.reason}`).toBe(expected);
        if (expected !== 0) votes.set(name, (votes.get(name) ?? 0) + 1);
        if (morningStar || eveningStar) votes.set('stars', (votes.get('stars') ?? 0) + 1);
      }
    }
    for (const { name } of sets) expect(votes.get(name), name).toBeGreaterThan(200);
    expect(votes.get('stars')).toBeGreaterThan(10);
  });

  it('fires on the default factors: the reason lists only known factors, confidence is the score size', () => {
    const closes = [...ramp(100, 80, 300), ...ramp(80, 130, 300), ...ramp(130, 90, 300)].map(
      (close, i) => close * (1 + 0.01 * Math.sin(i / 3)),
    );
    const steps = runWithPositions(createStrategy('advanced_composite'), candlesFromCloses(closes));
    const fired = steps.filter((step) => step.signal.action !== 'hold');
    expect(fired.length).toBeGreaterThan(0);
    for (const { signal } of fired) {
      const match = /^confluence score (-?[\d.]+) .*; bullish: (.*); bearish: (.*)$/.exec(
        signal.reason,
      );
      expect(match).not.toBeNull();
      expect(signal.confidence).toBeCloseTo(Math.abs(Number(match![1])), 3);
      for (const name of [...match![2]!.split(', '), ...match![3]!.split(', ')]) {
        if (name !== 'none') expect(advancedCompositeFactors).toContain(name);
      }
    }
  });

  it('rejects bad parameters with the parameter named and what it accepts', () => {
    expect(() =>
      createStrategy('advanced_composite', { weights: { macd: -1, bogus: 1 } as never }),
    ).toThrow(
      /weights\.macd: got -1\. Accepted: a number from 0 to 10 \(default 1\)[\s\S]*weights\.bogus: unknown parameter\. Accepted: one of emaTrend, macd/,
    );
    expect(() => createStrategy('advanced_composite', { weights: onlyWeights({}) })).toThrow(
      /weights: at least one weight must be above 0/,
    );
    expect(() =>
      createStrategy('advanced_composite', { higherTimeframes: ['4h', 'daily'] as never }),
    ).toThrow(StrategyParamsError);
    expect(() =>
      createStrategy('advanced_composite', { higherTimeframes: ['4h', 'daily'] as never }),
    ).toThrow(/higherTimeframes\.1: not a timeframe \(got "daily"\)\. Accepted: a list of/);
    expect(() =>
      createStrategy('advanced_composite', { higherTimeframes: ['90m'] }, { interval: '1h' }),
    ).toThrow(ValidationError);
    expect(() =>
      createStrategy('advanced_composite', { higherTimeframes: ['1h'] }, { interval: '1h' }),
    ).toThrow(/must be above the interval 1h/);
  });
});

/**
 * A deterministic series that gaps a whole candle now and then (each candle drawn from a sine
 * hash), so morning and evening stars occur.
 */
function gappingCandles(count: number): Candle[] {
  const noise = (i: number) => {
    const x = Math.sin(i * 12.9898) * 43758.5453;
    return x - Math.floor(x);
  };
  const candles: Candle[] = [];
  let close = 100;
  for (let i = 0; i < count; i++) {
    const gap = noise(3 * i) < 0.3 ? (noise(3 * i + 1) < 0.5 ? -0.02 : 0.02) : 0;
    const open = close * (1 + gap);
    close = open * (1 + (noise(3 * i + 2) - 0.5) * 0.02);
    const high = Math.max(open, close) * (1 + 0.002 * noise(5 * i));
    const low = Math.min(open, close) * (1 - 0.002 * noise(7 * i));
    candles.push({ time: startTime + i * hourMs, open, high, low, close, volume: 100 });
  }
  return candles;
}
