import type { Fill } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { inQuoteFees } from './trade-cycle.js';

const fill: Fill = {
  tradeId: '1',
  clientOrderId: 'll1',
  exchangeOrderId: '7',
  symbol: 'BTC-USDT',
  side: 'buy',
  quantity: 0.02,
  price: 50_000,
  fee: 0.00002,
  feeCurrency: 'BTC',
  time: 1,
};

describe('inQuoteFees', () => {
  it('turns a buy fee charged in the base asset into a smaller position and a quote fee', () => {
    const converted = inQuoteFees(fill);
    expect(converted.quantity).toBeCloseTo(0.01998, 12);
    expect(converted.fee).toBeCloseTo(1, 9);
    expect(converted.feeCurrency).toBe('USDT');
  });

  it('values a sell fee in the base asset in quote, leaves a quote fee, and counts a BNB fee 0', () => {
    const sell = inQuoteFees({ ...fill, side: 'sell' });
    expect([sell.quantity, sell.feeCurrency]).toEqual([0.02, 'USDT']);
    expect(sell.fee).toBeCloseTo(1, 9);
    const quote = { ...fill, fee: 1, feeCurrency: 'USDT' };
    expect(inQuoteFees(quote)).toBe(quote);
    // Paid from the BNB balance: the position and the quote cash do not pay it.
    const bnb = { ...fill, fee: 0.001, feeCurrency: 'BNB' };
    expect(inQuoteFees(bnb)).toEqual({ ...bnb, fee: 0, feeCurrency: 'USDT' });
  });
});
