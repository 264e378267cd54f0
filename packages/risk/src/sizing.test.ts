import { describe, expect, it } from 'vitest';
import { btcMarket, btcPosition, buy, riskState, sell } from './__fixtures__/risk-state.js';
import { defaultRiskLimits, type RiskLimits } from './risk-options.js';
import { roundDownToStep, roundUpToStep } from './rounding.js';
import { minimumQuantity, sizeOrder } from './sizing.js';

const limits: RiskLimits = defaultRiskLimits;
const atrLimits: RiskLimits = { ...defaultRiskLimits, sizing: 'atr', maxPositionUsd: 10_000 };

describe('roundDownToStep and roundUpToStep', () => {
  it('round to the step without float noise, down for quantities', () => {
    expect(roundDownToStep(0.123456, 0.001)).toBe(0.123);
    expect(roundDownToStep(0.3, 0.1)).toBe(0.3);
    expect(roundDownToStep(0.29999999, 0.1)).toBe(0.2);
    expect(roundDownToStep(1.23456789, 1e-8)).toBe(1.23456789);
    expect(roundDownToStep(0.74, 0.25)).toBe(0.5);
    expect(roundDownToStep(7, 5)).toBe(5);
    expect(roundDownToStep(0.5, 0)).toBe(0.5);
    expect(roundDownToStep(-1, 0.1)).toBe(0);
    expect(roundUpToStep(0.0001234, 0.0001)).toBe(0.0002);
    expect(roundUpToStep(0.3, 0.1)).toBe(0.3);
  });

  it('never round a quantity up, over many values and steps', () => {
    for (const step of [0.1, 0.001, 0.00001, 0.25, 1e-8, 3]) {
      for (let i = 1; i < 2_000; i++) {
        const quantity = i * 0.0137 * step * 7.3;
        const rounded = roundDownToStep(quantity, step);
        expect(rounded).toBeLessThanOrEqual(quantity);
        expect(quantity - rounded).toBeLessThan(step * (1 + 1e-9));
      }
    }
  });
});

describe('sizeOrder: entries', () => {
  it('sizes by confidence x portion x max position', () => {
    expect(sizeOrder(buy(0.8), riskState(), limits)).toMatchObject({
      method: 'confidence',
      targetValue: 200,
      quantity: 0.004,
      value: 200,
      room: 250,
      meetsMinimum: true,
    });
    expect(sizeOrder(buy(0.8, { portion: 0.5 }), riskState(), limits).quantity).toBe(0.002);
  });

  it('sizes by ATR risk: equity x risk% / (ATR x multiplier / price), times the portion', () => {
    // 10,000 x 1% = 100 USD at risk; a 2 x 500 = 1,000 USD stop is 2% of 50,000: 5,000 USD.
    const size = sizeOrder(buy(0.1), riskState(), atrLimits);
    expect(size).toMatchObject({ method: 'atr', targetValue: 5_000, quantity: 0.1 });
    expect(size.notes[0]).toMatch(/^ATR sizing: portion 1 x 100\.00 USD at risk/);
    expect(sizeOrder(buy(0.1, { portion: 0.5 }), riskState(), atrLimits).quantity).toBe(0.05);
  });

  it('falls back to confidence sizing without an ATR, and says so', () => {
    const size = sizeOrder(buy(0.5), riskState({ atr: null }), atrLimits);
    expect(size).toMatchObject({ method: 'confidence', targetValue: 5_000, quantity: 0.1 });
    expect(size.notes[0]).toMatch(/^no ATR, so confidence sizing/);
  });

  it('caps at the room left under the max position, the existing position included', () => {
    // 0.003 BTC held is 150 USD: 100 USD of room for a 250 USD order.
    const size = sizeOrder(buy(1), riskState({ position: btcPosition(0.003) }), limits);
    expect(size).toMatchObject({ room: 100, quantity: 0.002, value: 100 });
    expect(size.notes).toContain(
      'capped at the room 100.00 USD (position 150.00 USD of max 250.00 USD)',
    );
    const atr = sizeOrder(buy(1), riskState({ position: btcPosition(0.19) }), atrLimits);
    expect(atr.value).toBeLessThanOrEqual(10_000 - 0.19 * 50_000);
  });

  it('caps at the cash, net of the taker fee', () => {
    const size = sizeOrder(
      buy(1),
      riskState({ cash: 101, market: { ...btcMarket, takerFee: 0.01 } }),
      limits,
    );
    expect(size.capValue).toBe(100);
    expect(size.quantity).toBe(0.002);
  });

  it('rounds down to the amount step, never up', () => {
    // 200 USD at 30,000 is 0.006666... BTC: 0.006 with 0.001 steps.
    const state = riskState({ price: 30_000, market: { ...btcMarket, amountStep: 0.001 } });
    const size = sizeOrder(buy(0.8), state, limits);
    expect(size.quantity).toBe(0.006);
    expect(size.notes).toContain('rounded down to the step 0.001 BTC');
  });

  it('raises a positive order to the market minimum cost or amount when the room allows', () => {
    // 0.01 x 250 = 2.5 USD, below the 5 USD minimum: 0.0001 BTC (5 USD).
    const cost = sizeOrder(buy(0.01), riskState(), limits);
    expect(cost).toMatchObject({ quantity: 0.0001, value: 5, meetsMinimum: true });
    expect(cost.notes.at(-1)).toBe('raised to the market minimum 0.0001 (5.00 USD)');
    // A 0.001 BTC minimum (50 USD) for a 25 USD order.
    const amount = sizeOrder(
      buy(0.1),
      riskState({ market: { ...btcMarket, minAmount: 0.001 } }),
      limits,
    );
    expect(amount.quantity).toBe(0.001);
    // The minimum cost at a price that does not divide it: the step multiple at or above it.
    expect(minimumQuantity(30_000, btcMarket)).toBe(0.00017);
    expect(0.00017 * 30_000).toBeGreaterThanOrEqual(5);
  });

  it('does not raise past the room: the order stays below the minimum', () => {
    const size = sizeOrder(buy(1), riskState({ position: btcPosition(0.00494) }), limits);
    expect(size.room).toBeCloseTo(3, 9);
    expect(size.meetsMinimum).toBe(false);
    expect(size.value).toBeLessThanOrEqual(3);
  });

  it('caps at the market maximum amount', () => {
    const state = riskState({ market: { ...btcMarket, maxAmount: 0.001 } });
    expect(sizeOrder(buy(1), state, limits).quantity).toBe(0.001);
  });

  it('sizes a limit order at its limit price, without market info unrounded', () => {
    const size = sizeOrder(buy(1, { limitPrice: 40_000 }), riskState({ market: null }), limits);
    expect(size).toMatchObject({ price: 40_000, quantity: 0.00625, meetsMinimum: true });
  });
});

describe('sizeOrder: exits', () => {
  it('sizes to portion x the position, rounded down', () => {
    const state = riskState({ position: btcPosition(0.0123456) });
    expect(sizeOrder(sell(), state, limits).quantity).toBe(0.01234);
    expect(sizeOrder(sell({ portion: 0.5 }), state, limits).quantity).toBe(0.00617);
  });

  it('sells everything when the rest would be dust below the market minimum', () => {
    // 0.95 of 0.0001 BTC leaves 0.000005 BTC (0.25 USD): sell all 0.0001.
    const state = riskState({ position: btcPosition(0.0001) });
    const size = sizeOrder(sell({ portion: 0.95 }), state, limits);
    expect(size.quantity).toBe(0.0001);
    expect(size.notes.at(-1)).toMatch(/selling all 0\.0001: the rest would be below/);
  });

  it('raises a tiny portion to the market minimum, never past the position', () => {
    const state = riskState({ position: btcPosition(0.01) });
    expect(sizeOrder(sell({ portion: 0.001 }), state, limits).quantity).toBe(0.0001);
    for (const portion of [0.001, 0.3, 0.77, 1]) {
      const size = sizeOrder(sell({ portion }), state, limits);
      expect(size.quantity).toBeLessThanOrEqual(0.01);
    }
  });
});
