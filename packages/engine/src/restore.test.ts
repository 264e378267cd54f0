import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  silentLogger,
  type Decision,
  type Fill,
  type Logger,
  type Order,
  type Position,
  type SymbolId,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { afterEach, describe, expect, it } from 'vitest';
import { liveStartingCash, restoreBrackets, roleFills, storedHistory } from './restore.js';

const symbol = 'BTC-USDT' as SymbolId;
const t0 = Date.UTC(2026, 0, 5);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteStore(): Promise<LumenLinkStore> {
  const directory = mkdtempSync(join(tmpdir(), 'lumenlink-restore-'));
  const store = await openStore({ path: join(directory, 'state.db') });
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return store;
}

function order(id: string, fields: Partial<Order> = {}): Order {
  return {
    clientOrderId: id,
    exchangeOrderId: `x-${id}`,
    exchange: 'binance',
    strategy: 'test',
    symbol,
    side: 'buy',
    type: 'market',
    role: 'entry',
    quantity: 0.01,
    limitPrice: null,
    stopPrice: null,
    status: 'filled',
    filledQuantity: 0.01,
    avgFillPrice: 50_000,
    fee: 0,
    feeCurrency: 'USDT',
    reason: null,
    candleTime: t0,
    attempt: 0,
    createdAt: t0,
    updatedAt: t0,
    ...fields,
  };
}

function fill(id: string, fields: Partial<Fill> = {}): Fill {
  return {
    tradeId: `t-${id}`,
    clientOrderId: id,
    exchangeOrderId: `x-${id}`,
    symbol,
    side: 'buy',
    quantity: 0.01,
    price: 50_000,
    fee: 0.5,
    feeCurrency: 'USDT',
    time: t0,
    ...fields,
  };
}

function position(fields: Partial<Position> = {}): Position {
  return {
    symbol,
    state: 'managing',
    quantity: 0.01,
    avgEntryPrice: 50_000,
    realizedPnl: 0,
    fees: 0.5,
    openedAt: t0,
    updatedAt: t0,
    ...fields,
  };
}

function entryDecision(clientOrderId: string, levels: { stopLoss?: number; takeProfit?: number }) {
  const decision: Decision = {
    symbol,
    strategy: 'test',
    candleTime: t0,
    decidedAt: t0,
    signal: { action: 'buy', confidence: 1, reason: 'entry', ...levels },
    verdict: null,
    outcome: 'submitted',
    clientOrderId,
    note: 'entry',
  };
  return decision;
}

describe('storedHistory and roleFills', () => {
  it("reads only this broker's orders and fills, in time order, each fill with its order's role", async () => {
    const store = await sqliteStore();
    await store.orders.insertOrder(order('llentry'));
    await store.orders.insertOrder(
      order('llexit', { side: 'sell', role: 'trailing_stop', createdAt: t0 + 2_000 }),
    );
    await store.orders.insertOrder(order('llpaper', { exchange: 'paper' }));
    // Stored out of order: the exit's fill first.
    await store.orders.saveFill(fill('llexit', { side: 'sell', time: t0 + 2_000 }));
    await store.orders.saveFill(fill('llentry', { time: t0 + 1_000 }));
    await store.orders.saveFill(fill('llpaper', { time: t0 + 500 }));

    const history = await storedHistory(store.orders, 'binance');
    expect(history.orders.map((stored) => stored.clientOrderId).sort()).toEqual([
      'llentry',
      'llexit',
    ]);
    expect(history.fills.map((stored) => stored.clientOrderId)).toEqual(['llentry', 'llexit']);
    expect(roleFills(history).map(({ fill: stored, role }) => [stored.tradeId, role])).toEqual([
      ['t-llentry', 'entry'],
      ['t-llexit', 'trailing_stop'],
    ]);
    expect((await storedHistory(store.orders, 'paper')).fills).toHaveLength(1);
  });

  it('turns a fee paid in the coin into a smaller position and a quote fee, as the cycle does', () => {
    const [entry] = roleFills({
      orders: [order('llentry')],
      fills: [fill('llentry', { fee: 0.00001, feeCurrency: 'BTC' })],
    });
    expect(entry?.fill.quantity).toBeCloseTo(0.00999, 12);
    expect(entry?.fill.fee).toBeCloseTo(0.5, 9);
    expect(entry?.fill.feeCurrency).toBe('USDT');
  });

  it('gives a fill whose order is missing the entry role rather than dropping it', () => {
    const fills = roleFills({ orders: [], fills: [fill('llorphan')] });
    expect(fills).toEqual([{ fill: fill('llorphan'), role: 'entry' }]);
  });
});

describe('restoreBrackets', () => {
  it("takes the entry signal's own stop and target, from the fill that opened the position", async () => {
    const store = await sqliteStore();
    // An earlier round trip, then the position open now.
    const fills = [
      fill('llold', { price: 40_000, time: t0 }),
      fill('llsold', { side: 'sell', price: 41_000, time: t0 + 1_000 }),
      fill('llnew', { price: 50_000, time: t0 + 2_000 }),
    ];
    await store.decisions.recordDecision(entryDecision('llold', { stopLoss: 38_000 }));
    await store.decisions.recordDecision(
      entryDecision('llnew', { stopLoss: 48_000, takeProfit: 55_000 }),
    );
    const tracker = await restoreBrackets({
      clock: new ManualClock(t0 + 3_000),
      positions: [position({ openedAt: t0 + 2_000 })],
      history: { orders: [], fills },
      decisions: store.decisions,
      stopLossPct: 5,
      logger: silentLogger,
    });
    expect(tracker.get(symbol)).toMatchObject({ stopLoss: 48_000, takeProfit: 55_000 });
  });

  it("falls back to the config's percentages of the opening price, and skips a flat symbol", async () => {
    const store = await sqliteStore();
    const other = 'ETH-USDT' as SymbolId;
    const tracker = await restoreBrackets({
      clock: new ManualClock(t0),
      positions: [position(), position({ symbol: other, quantity: 0 })],
      history: {
        orders: [],
        fills: [fill('llentry', { price: 50_000 }), fill('lleth', { symbol: other, price: 3_000 })],
      },
      decisions: store.decisions,
      stopLossPct: 2,
      takeProfitPct: 4,
      logger: silentLogger,
    });
    expect(tracker.get(symbol)?.stopLoss).toBeCloseTo(49_000, 6);
    expect(tracker.get(symbol)?.takeProfit).toBeCloseTo(52_000, 6);
    expect(tracker.get(other)).toBeUndefined();
  });

  it('registers nothing when neither the signal nor the config sets a level', async () => {
    const store = await sqliteStore();
    const tracker = await restoreBrackets({
      clock: new ManualClock(t0),
      positions: [position()],
      history: { orders: [], fills: [fill('llentry')] },
      decisions: store.decisions,
      logger: silentLogger,
    });
    expect(tracker.list()).toEqual([]);
  });

  it('skips a level the entry cannot carry with a warning, and restores the rest', async () => {
    const store = await sqliteStore();
    const other = 'ETH-USDT' as SymbolId;
    // A stop above the entry price of a long: refused, as the cycle refuses it.
    await store.decisions.recordDecision(entryDecision('llentry', { stopLoss: 60_000 }));
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const tracker = await restoreBrackets({
      clock: new ManualClock(t0),
      positions: [position(), position({ symbol: other, avgEntryPrice: 3_000 })],
      history: {
        orders: [],
        fills: [fill('llentry'), fill('lleth', { symbol: other, price: 3_000 })],
      },
      decisions: store.decisions,
      stopLossPct: 10,
      logger,
    });
    expect(tracker.get(symbol)).toBeUndefined();
    expect(warnings).toEqual(['BTC-USDT: its bracket could not be restored']);
    expect(tracker.get(other)?.stopLoss).toBeCloseTo(2_700, 6);
  });
});

describe('liveStartingCash', () => {
  it('is the quote balance before the stored fills: buys give back what they cost, sells take back', () => {
    const fills = roleFills({
      orders: [],
      fills: [
        fill('llbuy', { quantity: 0.02, price: 50_000, fee: 1 }),
        fill('llsell', { side: 'sell', quantity: 0.01, price: 52_000, fee: 0.52, time: t0 + 1 }),
      ],
    });
    // Now: 10 000 - (1 000 + 1) + (520 - 0.52) = 9 518.48.
    const balance = { USDT: { free: 9_518.48, used: 0, total: 9_518.48 } };
    const { quote, startingCash } = liveStartingCash(balance, [symbol], fills);
    expect(quote).toBe('USDT');
    expect(startingCash).toBeCloseTo(10_000, 8);
  });

  it('never goes below 0 when withdrawals left less than the fills explain, nor fails on no balance', () => {
    const fills = roleFills({
      orders: [],
      fills: [fill('llsell', { side: 'sell', quantity: 1, price: 50_000, fee: 0 })],
    });
    const balance = { USDT: { free: 10, used: 0, total: 10 } };
    expect(liveStartingCash(balance, [symbol], fills).startingCash).toBe(0);
    expect(liveStartingCash({}, [symbol], [])).toEqual({ quote: 'USDT', startingCash: 0 });
  });
});
