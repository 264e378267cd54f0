import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@lumenlink/data';
import type { BacktestResult } from '@lumenlink/engine';
import { botDatabase, bundled, symbols, tempPath } from '../../test/bot-database.js';
import { rebuildTrades } from './rebuild-trades.js';

let basePath: string;
let base: BacktestResult;

beforeAll(async () => {
  basePath = tempPath('bot.db');
  base = await botDatabase(basePath);
});

describe('rebuildTrades', () => {
  it("rebuilds the engine's own trades from the stored orders and fills", async () => {
    const store = await openStore({ path: basePath });
    const [orders, fills] = await Promise.all([
      store.orders.listOrders(),
      store.orders.listFills(),
    ]);
    await store.close();
    const candles = bundled();
    const marks = new Map(symbols.map((symbol) => [symbol, candles.get(symbol)!.at(-1)!.close]));
    const rebuilt = rebuildTrades({ orders, fills, interval: '1h', marks, symbols }).map(
      ({ entryFilledAt, exitFilledAt, entryOrderId, exitOrderId, ...trade }) => {
        expect(entryFilledAt).toBeGreaterThanOrEqual(trade.entryTime);
        expect(exitFilledAt === null).toBe(exitOrderId === null);
        expect(entryOrderId).toMatch(/^ll/);
        return trade;
      },
    );
    // Market fills at the next open, stop exits filled at a candle's close: every kind is here.
    const reasons = new Set(base.trades.map((trade) => trade.exitReason));
    expect(reasons).toEqual(new Set(['signal', 'trailing_stop', 'stop']));
    expect(base.trades.length).toBeGreaterThan(20);
    expect(rebuilt).toEqual(base.trades);
  });
});
