import { permissiveMarketInfo, type Position, type SymbolId } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { holdingShortfalls } from './holdings.js';

function position(symbol: string, quantity: number): Position {
  return {
    symbol: symbol as SymbolId,
    state: 'filled',
    quantity,
    avgEntryPrice: 100,
    realizedPnl: 0,
    fees: 0,
    openedAt: 1,
    updatedAt: 1,
  };
}

describe('holdingShortfalls', () => {
  it('finds an asset the exchange holds less of than the positions, never one it holds more of', () => {
    const btc: SymbolId = 'BTC-USDT';
    const markets = new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.00001 })]]);
    const positions = [
      position('BTC-USDT', 0.00824),
      position('ETH-USDT', 0.5),
      position('SOL-USDT', 2),
      position('SOL-USD', 1),
    ];
    const balance = {
      // The user's own coins on top of the bot's: fine.
      BTC: { free: 1, used: 0, total: 1.00824 },
      // Half a step short: within tolerance of rounding.
      ETH: { free: 0.5, used: 0, total: 0.5 - 1e-12 },
      // Sold outside the bot: 3 SOL held by the positions, 1.2 on the exchange.
      SOL: { free: 1, used: 0.2, total: 1.2 },
    };
    expect(holdingShortfalls(positions, balance, markets)).toEqual([
      {
        asset: 'SOL',
        symbols: ['SOL-USDT', 'SOL-USD'],
        positions: 3,
        exchangeTotal: 1.2,
        missing: 1.8,
      },
    ]);
    expect(holdingShortfalls([position('BTC-USDT', 0.01)], {})[0]?.missing).toBe(0.01);
  });
});
