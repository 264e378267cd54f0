import { ValidationError, type Candle } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { describe, expect, it } from 'vitest';
import { BracketTracker, protectiveLevels } from './protective-orders.js';

const t0 = Date.UTC(2026, 0, 5);

function bar(open: number, high: number, low: number, close: number): Candle {
  return { time: t0, open, high, low, close, volume: 1 };
}

describe('protectiveLevels', () => {
  it("takes the signal's prices, else the config's percentages from the entry", () => {
    expect(protectiveLevels({ side: 'buy', entryPrice: 100 })).toEqual({
      stopLoss: null,
      takeProfit: null,
    });
    expect(
      protectiveLevels({
        side: 'buy',
        entryPrice: 200,
        defaultStopLossPct: 2.5,
        defaultTakeProfitPct: 10,
      }),
    ).toEqual({ stopLoss: 195, takeProfit: 220 });
    expect(
      protectiveLevels({
        side: 'buy',
        entryPrice: 200,
        stopLoss: 180,
        takeProfit: 250,
        defaultStopLossPct: 2.5,
        defaultTakeProfitPct: 10,
      }),
    ).toEqual({ stopLoss: 180, takeProfit: 250 });
    expect(
      protectiveLevels({ side: 'sell', entryPrice: 200, defaultStopLossPct: 5, takeProfit: 150 }),
    ).toEqual({ stopLoss: 210, takeProfit: 150 });
  });

  it('refuses levels on the wrong side of the entry, with a clear error', () => {
    expect(() => protectiveLevels({ side: 'buy', entryPrice: 100, stopLoss: 101 })).toThrow(
      'stopLoss 101 must be below the entry price 100 of a buy',
    );
    expect(() => protectiveLevels({ side: 'buy', entryPrice: 100, takeProfit: 100 })).toThrow(
      'takeProfit 100 must be above the entry price 100 of a buy',
    );
    expect(() => protectiveLevels({ side: 'sell', entryPrice: 100, stopLoss: 90 })).toThrow(
      'must be above the entry price 100 of a sell',
    );
    expect(() =>
      protectiveLevels({ side: 'buy', entryPrice: 100, defaultStopLossPct: 100 }),
    ).toThrow('defaultStopLossPct must be below 100');
    expect(() => protectiveLevels({ side: 'buy', entryPrice: Number.NaN })).toThrow(
      ValidationError,
    );
    expect(() => protectiveLevels({ side: 'buy', entryPrice: 100, stopLoss: -1 })).toThrow(
      'protectiveLevels: stopLoss must be a finite number above 0, got -1',
    );
  });
});

describe('BracketTracker: client-side OCO', () => {
  function tracker() {
    const clock = new ManualClock(t0);
    const brackets = new BracketTracker({ clock });
    brackets.register('BTC-USD', 'buy', { stopLoss: 95, takeProfit: 110 });
    return brackets;
  }

  it('triggers the stop before the target when both are inside one candle', () => {
    expect(tracker().check('BTC-USD', bar(100, 111, 94, 105))).toMatchObject({
      leg: 'stop',
      price: 95,
      role: 'bracket_stop',
    });
  });

  it('fills a gapped leg at the open, and a plain one at its level', () => {
    const brackets = tracker();
    expect(brackets.check('BTC-USD', bar(100, 105, 96, 101))).toBeNull();
    expect(brackets.check('BTC-USD', bar(93, 96, 92, 95))).toMatchObject({
      leg: 'stop',
      price: 93,
    });
    expect(brackets.check('BTC-USD', bar(105, 110.5, 104, 109))).toMatchObject({
      leg: 'take_profit',
      price: 110,
      role: 'bracket_take_profit',
    });
    expect(brackets.check('BTC-USD', bar(112, 113, 111, 112))).toMatchObject({
      leg: 'take_profit',
      price: 112,
    });
  });

  it('triggers on a price at that price, and cancels both legs at once', () => {
    const brackets = tracker();
    expect(brackets.check('BTC-USD', 94.9)).toMatchObject({ leg: 'stop', price: 94.9 });
    expect(brackets.check('BTC-USD', 110.2)).toMatchObject({ leg: 'take_profit', price: 110.2 });
    expect(brackets.check('BTC-USD', 100)).toBeNull();
    expect(brackets.cancel('BTC-USD')).toBe(true);
    expect(brackets.check('BTC-USD', 90)).toBeNull();
    expect(brackets.cancel('BTC-USD')).toBe(false);
  });

  it('watches a single leg, and restores from given brackets', () => {
    const clock = new ManualClock(t0);
    const brackets = new BracketTracker({
      clock,
      brackets: [
        { symbol: 'ETH-USD', entrySide: 'buy', stopLoss: null, takeProfit: 2200, registeredAt: 1 },
      ],
    });
    expect(brackets.check('ETH-USD', bar(2000, 2300, 1000, 2100))).toMatchObject({
      leg: 'take_profit',
      price: 2200,
    });
    expect(brackets.list().map((bracket) => bracket.symbol)).toEqual(['ETH-USD']);
  });

  it('refuses brackets that cannot be watched', () => {
    const brackets = new BracketTracker({ clock: new ManualClock(t0) });
    expect(() => brackets.register('BTC-USD', 'buy', { stopLoss: null, takeProfit: null })).toThrow(
      'nothing to watch',
    );
    expect(() => brackets.register('BTC-USD', 'buy', { stopLoss: 110, takeProfit: 100 })).toThrow(
      'stopLoss 110 must be below takeProfit 100 for a buy entry',
    );
    expect(() =>
      brackets.register('BTC-USD', 'buy', { stopLoss: Number.NaN, takeProfit: 100 }),
    ).toThrow('bracket BTC-USD: stopLoss must be a finite number above 0, got NaN');
    expect(brackets.list()).toEqual([]);
  });
});
