/**
 * The order path end to end: OrderManager and Reconciler over a LiveBroker over the real ccxt
 * adapter (CcxtExchange, binance) against the local exchange emulator, with the real SQLite store.
 * The emulator and the manager share one manual clock (grace windows, "not found" windows); the
 * retry backoff runs on real timers with short delays.
 */
import type { SymbolId } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { CcxtExchange } from '@lumenlink/exchanges';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LiveBroker,
  OrderManager,
  Reconciler,
  clientOrderId,
  createExchangePolicies,
  type SubmitResult,
} from '../src/index.js';

const symbol = 'BTC-USDT' as SymbolId;
const grace = { checks: 3, windowMs: 60_000 };

let clock: ManualClock;
let emulator: ExchangeEmulator;
let store: LumenLinkStore;
let exchange: CcxtExchange;
let broker: LiveBroker;
let manager: OrderManager;
let reconciler: Reconciler;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
  emulator = await startExchangeEmulator({ now: () => clock.now() });
  store = await openStore({ path: ':memory:' });
  exchange = new CcxtExchange({
    exchange: 'binance',
    apiKey: 'key',
    secret: 'secret',
    apiUrl: emulator.url,
    timeoutMs: 5_000,
    // The emulator enforces no rate limit: at binance's pace ccxt would space every request (200 ms after a myTrades).
    rateLimitMs: 1,
    clock,
  });
  // Markets load before any fault is injected: faults then hit the order path only.
  await exchange.loadMarkets();
  broker = new LiveBroker({
    exchange,
    policies: createExchangePolicies({ retries: 8, initialDelayMs: 5, maxDelayMs: 50 }),
  });
  manager = new OrderManager({
    broker,
    orders: store.orders,
    clock,
    exchange: 'binance',
    notFoundGrace: grace,
    entryBreaker: broker.entryBreaker,
  });
  reconciler = new Reconciler({ broker, orders: store.orders, clock, manager });
});

afterEach(async () => {
  await emulator.close();
  await store.close();
});

function intent(overrides: { quantity?: number; candleTime?: number } = {}) {
  return {
    strategy: 'trend_follow',
    symbol,
    side: 'buy',
    type: 'market',
    role: 'entry',
    quantity: overrides.quantity ?? 0.01,
    candleTime: overrides.candleTime ?? Date.UTC(2026, 0, 5, 11),
    reason: 'breakout',
  } as const;
}

function idOf(attempt: number, candleTime = Date.UTC(2026, 0, 5, 11)): string {
  return clientOrderId({
    strategy: 'trend_follow',
    symbol,
    candleTime,
    action: 'buy',
    role: 'entry',
    attempt,
  });
}

/** POST /api/v3/order requests per client order id. */
function postsPerClientId(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of emulator.requests()) {
    if (request.method !== 'POST' || request.path !== '/api/v3/order') continue;
    const id = request.body['newClientOrderId'] ?? '';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

/** Emulator orders per client order id. */
function ordersPerClientId(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const order of emulator.orders()) {
    counts[order.clientOrderId] = (counts[order.clientOrderId] ?? 0) + 1;
  }
  return counts;
}

/** Reconciles every `stepMs` of the clock until `until` (ms from now). */
async function reconcileFor(until: number, stepMs: number): Promise<void> {
  for (let elapsed = stepMs; elapsed <= until; elapsed += stepMs) {
    await clock.advance(stepMs);
    await reconciler.reconcile();
  }
}

describe('orders against the exchange emulator', () => {
  it('a storm of 429/503 during a submit ends with exactly one order', async () => {
    // The send itself is refused (nothing placed), then every lookup meets a storm.
    emulator.inject({ kind: 'status', status: 503, route: 'POST /api/v3/order', times: 1 });
    emulator.inject({ kind: 'status', status: 429, times: 3 });
    emulator.inject({ kind: 'status', status: 503, times: 3 });
    const first = await manager.submit(intent());
    expect(first).toMatchObject({ status: 'unknown', order: { clientOrderId: idOf(0) } });

    // The engine decides again on the next candles: nothing is sent while it is unknown.
    expect((await manager.submit(intent())).status).toBe('duplicate');
    await reconcileFor(40_000, 20_000);
    expect((await store.orders.getOrder(idOf(0)))?.status).toBe('unknown');
    expect((await manager.submit(intent())).status).toBe('duplicate');
    await reconcileFor(20_000, 20_000);
    expect((await store.orders.getOrder(idOf(0)))?.status).toBe('failed');

    // Proven never placed: the next attempt, under a new client id, is placed.
    const second = await manager.submit(intent());
    expect(second).toMatchObject({
      status: 'placed',
      order: { clientOrderId: idOf(1), attempt: 1, status: 'filled' },
    });
    expect(postsPerClientId()).toEqual({ [idOf(0)]: 1, [idOf(1)]: 1 });
    expect(ordersPerClientId()).toEqual({ [idOf(1)]: 1 });
  });

  it('a storm of 429/503 on the lookups after a lost response still ends with one order, sent once', async () => {
    emulator.inject({ kind: 'lose-response', times: 1 });
    emulator.inject({ kind: 'status', status: 429, route: 'GET /api/v3/order', times: 3 });
    emulator.inject({ kind: 'status', status: 503, route: 'GET /api/v3/order', times: 2 });
    const result = await manager.submit(intent());
    expect(result.status).toBe('placed');
    expect(result.order).toMatchObject({ clientOrderId: idOf(0), status: 'filled' });
    expect(postsPerClientId()).toEqual({ [idOf(0)]: 1 });
    expect(ordersPerClientId()).toEqual({ [idOf(0)]: 1 });
  });

  it('a lost response is found by client id and adopted: one order, no resend', async () => {
    emulator.inject({ kind: 'lose-response', times: 1 });
    const result: SubmitResult = await manager.submit(intent());
    const [placed] = emulator.orders();
    expect(result.status).toBe('placed');
    expect(result.order).toMatchObject({
      status: 'filled',
      exchangeOrderId: String(placed?.orderId),
      filledQuantity: 0.01,
    });
    expect(result.order.reason).toBeTruthy();
    expect(postsPerClientId()).toEqual({ [idOf(0)]: 1 });
    expect(emulator.orders()).toHaveLength(1);
    const fills = await store.orders.listFills({ clientOrderId: idOf(0) });
    expect(fills.map((fill) => fill.tradeId).sort()).toEqual(
      emulator
        .trades()
        .map((trade) => String(trade.id))
        .sort(),
    );
  });

  it('a dropped order is failed only after the grace window, and only then sent again', async () => {
    emulator.inject({ kind: 'drop-order', times: 1 });
    const first = await manager.submit(intent());
    expect(first.status).toBe('unknown');
    expect(emulator.orders()).toHaveLength(0);

    await reconcileFor(50_000, 10_000);
    expect((await store.orders.getOrder(idOf(0)))?.status).toBe('unknown');
    expect((await manager.submit(intent())).status).toBe('duplicate');
    expect(postsPerClientId()).toEqual({ [idOf(0)]: 1 });

    await reconcileFor(10_000, 10_000);
    expect(await store.orders.getOrder(idOf(0))).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^never placed/) as unknown,
    });
    const second = await manager.submit(intent());
    expect(second.order).toMatchObject({ clientOrderId: idOf(1), status: 'filled' });
    expect(postsPerClientId()).toEqual({ [idOf(0)]: 1, [idOf(1)]: 1 });
    expect(ordersPerClientId()).toEqual({ [idOf(1)]: 1 });
  });

  it('a fresh order the exchange briefly reports missing is not failed early', async () => {
    emulator.inject({ kind: 'not-found', forMs: 45_000 });
    emulator.inject({ kind: 'lose-response', times: 1 });
    const result = await manager.submit(intent());
    expect(result.status).toBe('unknown');
    // Three "not found" answers within the window: still unknown.
    await reconcileFor(40_000, 20_000);
    expect((await store.orders.getOrder(idOf(0)))?.status).toBe('unknown');
    // The exchange shows the order again: adopted, never failed, never resent.
    await reconcileFor(20_000, 20_000);
    expect(await store.orders.getOrder(idOf(0))).toMatchObject({
      status: 'filled',
      exchangeOrderId: String(emulator.orders()[0]?.orderId),
    });
    expect(postsPerClientId()).toEqual({ [idOf(0)]: 1 });
    expect(emulator.orders()).toHaveLength(1);
  });

  it('reconcile adopts an order with our prefix the store lacks and reports a foreign one', async () => {
    const price = emulator.price('BTC/USDT');
    const ours = idOf(0, Date.UTC(2026, 0, 5, 8));
    emulator.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      price: Math.round(price * 0.9),
      clientOrderId: ours,
    });
    const foreign = emulator.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      price: Math.round(price * 0.8),
      clientOrderId: 'web_manual_1',
    });
    const report = await reconciler.reconcile();
    expect(report.adopted).toEqual([ours]);
    expect(report.foreign).toEqual([String(foreign.orderId)]);
    expect(await store.orders.getOrder(ours)).toMatchObject({
      strategy: 'adopted',
      role: 'entry',
      status: 'open',
      quantity: 0.01,
    });
    expect(await store.orders.getOrderByExchangeId(String(foreign.orderId))).toBeNull();
    // Known now: the next run adopts nothing.
    expect((await reconciler.reconcile()).adopted).toEqual([]);
  });

  it('a partial fill keeps the stored fills equal to the exchange trades', async () => {
    emulator.inject({ kind: 'partial-fill', ratio: 0.4, times: 1 });
    const result = await manager.submit(intent({ quantity: 0.05 }));
    expect(result.order.status).toBe('partially_filled');
    const tradesOfOrder = () =>
      emulator
        .trades()
        .filter((trade) => trade.clientOrderId === idOf(0))
        .map((trade) => ({
          tradeId: String(trade.id),
          quantity: trade.quantity,
          price: trade.price,
        }))
        .sort((a, b) => a.tradeId.localeCompare(b.tradeId));
    const storedFills = async () =>
      (await store.orders.listFills({ clientOrderId: idOf(0) }))
        .map(({ tradeId, quantity, price }) => ({ tradeId, quantity, price }))
        .sort((a, b) => a.tradeId.localeCompare(b.tradeId));
    expect(await storedFills()).toEqual(tradesOfOrder());

    // The rest fills when the market moves; reconciliation stores those trades, each once.
    emulator.setPrice('BTC/USDT', emulator.price('BTC/USDT') * 1.001);
    await reconcileFor(20_000, 10_000);
    expect((await store.orders.getOrder(idOf(0)))?.status).toBe('filled');
    expect(await storedFills()).toEqual(tradesOfOrder());
    expect(tradesOfOrder().length).toBeGreaterThan(1);
    const filled = (await storedFills()).reduce((sum, fill) => sum + fill.quantity, 0);
    expect(filled).toBeCloseTo(0.05, 10);
  });
});
