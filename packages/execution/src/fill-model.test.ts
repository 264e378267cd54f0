import { DataIntegrityError, type Candle, type OrderBook } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import {
  dustQuantity,
  feeFor,
  floorToStep,
  isDustRest,
  limitFillPrice,
  slippedPrice,
  stopFillPrice,
  walkBook,
} from './fill-model.js';

function bar(open: number, high: number, low: number, close: number): Candle {
  return { time: 0, open, high, low, close, volume: 1 };
}

describe('fill model', () => {
  it('moves prices against the taker and charges fees per side', () => {
    expect(slippedPrice('buy', 200, 5)).toBeCloseTo(200.1, 12);
    expect(slippedPrice('sell', 200, 5)).toBeCloseTo(199.9, 12);
    expect(slippedPrice('buy', 200, 0)).toBe(200);
    expect(feeFor(1_000, 10)).toBeCloseTo(1, 12);
  });

  it('fills stops at the stop, or at the open after a gap, on either side', () => {
    expect(stopFillPrice('sell', 95, bar(100, 101, 96, 97))).toBeNull();
    expect(stopFillPrice('sell', 95, bar(100, 101, 95, 97))).toBe(95);
    expect(stopFillPrice('sell', 95, bar(94, 96, 93, 95))).toBe(94);
    expect(stopFillPrice('buy', 105, bar(100, 104, 99, 103))).toBeNull();
    expect(stopFillPrice('buy', 105, bar(100, 106, 99, 103))).toBe(105);
    expect(stopFillPrice('buy', 105, bar(107, 108, 106, 107))).toBe(107);
  });

  it('fills limits when the range reaches them, at the limit or the better open', () => {
    expect(limitFillPrice('buy', 98, bar(100, 101, 98.5, 99))).toBeNull();
    expect(limitFillPrice('buy', 98, bar(100, 101, 98, 99))).toBe(98);
    expect(limitFillPrice('buy', 98, bar(97, 99, 96, 98))).toBe(97);
    expect(limitFillPrice('sell', 105, bar(100, 104, 99, 103))).toBeNull();
    expect(limitFillPrice('sell', 105, bar(100, 106, 99, 103))).toBe(105);
    expect(limitFillPrice('sell', 105, bar(107, 108, 104, 106))).toBe(107);
  });

  it('walks a book level by level, within a limit, and reports a thin book as a partial fill', () => {
    const book: OrderBook = {
      symbol: 'BTC-USD',
      time: 0,
      bids: [
        [99, 1],
        [98, 0],
        [97, 2],
      ],
      asks: [
        [100, 0.5],
        [101, 1],
        [103, 1],
      ],
    };
    expect(walkBook('buy', 1, book)).toEqual([
      { price: 100, quantity: 0.5 },
      { price: 101, quantity: 0.5 },
    ]);
    expect(walkBook('buy', 5, book, 101)).toEqual([
      { price: 100, quantity: 0.5 },
      { price: 101, quantity: 1 },
    ]);
    expect(walkBook('sell', 10, book)).toEqual([
      { price: 99, quantity: 1 },
      { price: 97, quantity: 2 },
    ]);
    expect(() =>
      walkBook('buy', 1, {
        ...book,
        asks: [
          [101, 1],
          [100, 1],
        ],
      }),
    ).toThrow(DataIntegrityError);
    expect(() => walkBook('buy', 1, { ...book, asks: [[Number.NaN, 1]] })).toThrow(
      'BTC-USD order book asks[0] price must be a finite number above 0',
    );
  });

  it('has one dust rule: a rest that can never be sold (under one step) or float residue', () => {
    expect(dustQuantity(2)).toBe(2e-9);
    expect(dustQuantity(2, 0.001)).toBe(0.0005);
    expect(dustQuantity(1e9, 0.001)).toBe(1);
    expect(dustQuantity(0)).toBe(0);
    expect(dustQuantity(2, Number.NaN)).toBe(2e-9);
    // 6.089 bought on two levels and sold on the same two leaves 4.4e-16: residue.
    expect(isDustRest(6.089 - 3.995 - 2.094, 6.089)).toBe(true);
    expect(isDustRest(-1e-16, 1)).toBe(true);
    expect(isDustRest(0.003, 0.013, 0.01)).toBe(true);
    // Under one step: an exchange rounds its sale down to nothing, so it can never be sold.
    expect(isDustRest(0.006, 0.013, 0.01)).toBe(true);
    // A buy of 4.032 SOL charged 0.004032 SOL of fee holds 4.027968; its exit sells 4.027.
    expect(isDustRest(4.027968 - 4.027, 4.027968, 0.001)).toBe(true);
    expect(isDustRest(0.001, 4.028, 0.001)).toBe(false);
    expect(isDustRest(0.0015, 4.028, 0.001)).toBe(false);
    expect(isDustRest(1e-6, 1)).toBe(false);
  });

  it('floors to a step without floating-point overshoot', () => {
    expect(floorToStep(0.123456, 0.001)).toBe(0.123);
    expect(floorToStep(0.3, 0.1)).toBe(0.3);
    expect(floorToStep(79.99999999, 0.01)).toBe(79.99);
    expect(floorToStep(5, 0)).toBe(5);
    expect(floorToStep(-1, 0.1)).toBe(0);
  });
});
