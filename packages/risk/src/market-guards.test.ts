import { describe, expect, it } from 'vitest';
import { btcBook, btcTicker } from './__fixtures__/risk-state.js';
import { bestQuote, estimateSlippage, measureSpread } from './market-guards.js';

describe('bestQuote and measureSpread', () => {
  it('take the best bid and ask from the book, else the ticker', () => {
    expect(bestQuote(btcTicker, btcBook)).toEqual({
      bid: 49_995,
      ask: 50_005,
      source: 'order book',
    });
    const ticker = { ...btcTicker, bid: 49_900, ask: 50_100 };
    expect(bestQuote(ticker, null)).toEqual({ bid: 49_900, ask: 50_100, source: 'ticker' });
    expect(bestQuote(ticker, { ...btcBook, asks: [] })?.source).toBe('ticker');
    expect(bestQuote({ ...btcTicker, bid: null }, null)).toBeNull();
    expect(bestQuote(null, null)).toBeNull();
  });

  it('measure the spread in bps of the mid price', () => {
    expect(measureSpread({ ...btcTicker, bid: 99.9, ask: 100.1 }, null)?.bps).toBeCloseTo(20, 9);
    expect(measureSpread({ ...btcTicker, bid: 101, ask: 99 }, null)?.bps).toBeCloseTo(-200, 9);
    expect(measureSpread(null, null)).toBeNull();
  });
});

describe('estimateSlippage', () => {
  const book = {
    ...btcBook,
    asks: [
      [100, 1],
      [101, 1],
      [110, 5],
    ] as const,
    bids: [
      [99, 2],
      [98, 2],
    ] as const,
  };

  it('walks the asks for a buy: VWAP of the walk against the best ask', () => {
    expect(estimateSlippage(book, 'buy', 0.5)).toMatchObject({ bps: 0, levels: 1, complete: true });
    const two = estimateSlippage(book, 'buy', 2);
    expect(two).toMatchObject({ averagePrice: 100.5, levels: 2, complete: true });
    expect(two?.bps).toBeCloseTo(50, 9);
  });

  it('walks the bids for a sell', () => {
    const sell = estimateSlippage(book, 'sell', 3);
    expect(sell?.averagePrice).toBeCloseTo((2 * 99 + 98) / 3, 9);
    expect(sell?.bps).toBeCloseTo(((99 - (2 * 99 + 98) / 3) / 99) * 10_000, 9);
  });

  it('reports a book thinner than the order', () => {
    expect(estimateSlippage(book, 'sell', 10)).toMatchObject({
      filledQuantity: 4,
      complete: false,
    });
  });

  it('is null for an empty side or no quantity', () => {
    expect(estimateSlippage({ ...book, asks: [] }, 'buy', 1)).toBeNull();
    expect(estimateSlippage(book, 'buy', 0)).toBeNull();
  });
});
