import type { Fill } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { TradeLedger } from './trade-ledger.js';

let next = 0;
function fill(side: 'buy' | 'sell', quantity: number, price: number, time: number): Fill {
  next += 1;
  return {
    tradeId: `t${next}`,
    clientOrderId: `ll${next}`,
    exchangeOrderId: null,
    symbol: 'BTC-USD',
    side,
    quantity,
    price,
    fee: quantity * price * 0.001,
    feeCurrency: 'USD',
    time,
  };
}

describe('TradeLedger', () => {
  it('makes one trade from flat to flat, with volume-weighted prices and fees of every fill', () => {
    const ledger = new TradeLedger();
    ledger.apply(fill('buy', 1, 100, 10), { role: 'entry', candleTime: 9 });
    ledger.apply(fill('buy', 1, 110, 20), { role: 'entry', candleTime: 19 });
    ledger.apply(fill('sell', 0.5, 120, 30), { role: 'exit', candleTime: 29 });
    expect(ledger.closedTrades()).toEqual([]);
    ledger.apply(fill('sell', 1.5, 90, 40), { role: 'trailing_stop', candleTime: 40 });
    const [trade] = ledger.closedTrades();
    const fees = (100 + 110 + 60 + 135) * 0.001;
    expect(trade).toEqual({
      symbol: 'BTC-USD',
      side: 'long',
      entrySignalTime: 9,
      entryTime: 10,
      entryPrice: 105,
      exitSignalTime: 40,
      exitTime: 40,
      exitPrice: (60 + 135) / 2,
      quantity: 2,
      fees,
      pnl: 60 + 135 - 210 - fees,
      exitReason: 'trailing_stop',
    });
  });

  it('reports a trade still open marked to the last price, after the closed ones', () => {
    const ledger = new TradeLedger();
    ledger.apply(fill('buy', 1, 100, 10), { role: 'entry', candleTime: 9 });
    ledger.apply(fill('sell', 1, 100, 20), { role: 'bracket_stop', candleTime: 20 });
    ledger.apply(fill('buy', 2, 50, 30), { role: 'entry', candleTime: 29 });
    const trades = ledger.trades(new Map([['BTC-USD', 60]]));
    expect(trades.map((trade) => trade.exitReason)).toEqual(['stop', null]);
    expect(trades[1]).toMatchObject({ exitTime: null, exitPrice: null, quantity: 2 });
    expect(trades[1]!.pnl).toBeCloseTo(2 * 60 - 100 - 0.1, 10);
  });

  it('ignores a sell from flat', () => {
    const ledger = new TradeLedger();
    ledger.apply(fill('sell', 1, 100, 10), { role: 'exit', candleTime: 9 });
    expect(ledger.trades(new Map())).toEqual([]);
  });
});
