import {
  ExchangeUnavailableError,
  StorageError,
  ValidationError,
  type BrokerOrder,
  type Order,
  type OrderIntent,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedBroker } from '../test/support/scripted-broker.js';
import { clientOrderId } from './client-order-id.js';
import { OrderManager } from './order-manager.js';
import { ReconcileError, Reconciler, type ReconcilerOptions } from './reconciler.js';

const t0 = Date.UTC(2026, 0, 1);
const hour = 3_600_000;

let store: LumenLinkStore;
let clock: ManualClock;
let broker: ScriptedBroker;
let manager: OrderManager;

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
  clock = new ManualClock(t0);
  broker = new ScriptedBroker(clock);
  broker.marketPrice = 50_000;
  manager = new OrderManager({
    broker,
    orders: store.orders,
    clock,
    exchange: 'scripted',
    notFoundGrace: { checks: 3, windowMs: 60_000 },
  });
});

afterEach(async () => {
  await store.close();
});

function reconciler(options: Partial<ReconcilerOptions> = {}): Reconciler {
  return new Reconciler({ broker, orders: store.orders, clock, manager, ...options });
}

function anIntent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    strategy: 'grid',
    symbol: 'BTC-USD',
    side: 'buy',
    type: 'limit',
    role: 'entry',
    quantity: 0.02,
    limitPrice: 49_000,
    candleTime: t0 - hour,
    reason: 'grid level 3',
    ...overrides,
  };
}

/**
 * An order manager whose "not found" is final at once, its next order refused by a 503 (so
 * proven never placed at its first lookup).
 */
function failedAtOnce(): OrderManager {
  broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'));
  return new OrderManager({
    broker,
    orders: store.orders,
    clock,
    exchange: 'scripted',
    notFoundGrace: { checks: 1, windowMs: 0 },
  });
}

function ourId(candleTime: number): string {
  return clientOrderId({
    strategy: 'lost',
    symbol: 'BTC-USD',
    candleTime,
    action: 'buy',
    role: 'entry',
    attempt: 0,
  });
}

describe('reconcile', () => {
  it('brings every non-final order up to date and reports it', async () => {
    // An open order that filled meanwhile.
    const open = await manager.submit(anIntent());
    broker.fill('ex-1', 0.02, 49_000);
    // A lost response: the order landed, its outcome is unknown locally.
    broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'), { placed: true });
    broker.failNext('fetchOrderByClientId', new ExchangeUnavailableError('HTTP 503'));
    const lost = await manager.submit(anIntent({ candleTime: t0 }));
    expect(lost.status).toBe('unknown');
    // An order that never landed.
    broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'));
    const dropped = await manager.submit(anIntent({ candleTime: t0 + hour }));
    expect(dropped.status).toBe('unknown');

    const report = await reconciler().reconcile();
    expect(report).toMatchObject({
      checked: 3,
      changed: 2,
      failed: 0,
      outcomes: { filled: 1, open: 1, unknown: 1 },
      adopted: [],
      foreign: [],
      conflicts: [],
      fills: 1,
      failures: [],
    });
    expect((await store.orders.getOrder(open.order.clientOrderId))?.status).toBe('filled');
    expect(await store.orders.getOrder(lost.order.clientOrderId)).toMatchObject({
      status: 'open',
      exchangeOrderId: 'ex-2',
    });
    expect(broker.callsOf('createOrder')).toHaveLength(3);
  });

  it('fails a never-placed order only after the grace window, one run at a time', async () => {
    broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'));
    const { order } = await manager.submit(anIntent());
    const runs = reconciler();
    await clock.advance(10_000);
    expect((await runs.reconcile()).failed).toBe(0);
    await clock.advance(10_000);
    expect((await runs.reconcile()).outcomes).toEqual({ unknown: 1 });
    await clock.advance(40_000);
    const report = await runs.reconcile();
    expect(report).toMatchObject({ failed: 1, changed: 1, outcomes: { failed: 1 } });
    expect((await store.orders.getOrder(order.clientOrderId))?.status).toBe('failed');
    expect(broker.callsOf('createOrder')).toHaveLength(1);
  });

  it('adopts an exchange order with our prefix that the store lacks, and reports a foreign one', async () => {
    const adoptedSeen: Order[] = [];
    const foreignSeen: BrokerOrder[] = [];
    const ours = broker.place({
      clientOrderId: ourId(t0),
      symbol: 'ETH-USD',
      side: 'buy',
      type: 'limit',
      quantity: 1,
      limitPrice: 3_000,
    });
    broker.fill(ours.exchangeOrderId, 0.25, 3_000);
    const foreign = broker.place({
      clientOrderId: null,
      symbol: 'BTC-USD',
      side: 'sell',
      type: 'limit',
      quantity: 0.1,
      limitPrice: 60_000,
    });
    const manual = broker.place({
      clientOrderId: 'web_123',
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.1,
      limitPrice: 30_000,
    });
    const report = await reconciler({
      onAdopted: (order) => adoptedSeen.push(order),
      onForeignOrder: (order) => foreignSeen.push(order),
    }).reconcile();
    expect(report.adopted).toEqual([ourId(t0)]);
    expect(report.foreign).toEqual([foreign.exchangeOrderId, manual.exchangeOrderId]);
    expect(report.fills).toBe(1);
    expect(await store.orders.getOrder(ourId(t0))).toMatchObject({
      strategy: 'adopted',
      role: 'entry',
      status: 'partially_filled',
      exchangeOrderId: ours.exchangeOrderId,
      filledQuantity: 0.25,
      quantity: 1,
    });
    expect(await store.orders.listFills({ clientOrderId: ourId(t0) })).toHaveLength(1);
    expect(adoptedSeen.map((order) => order.clientOrderId)).toEqual([ourId(t0)]);
    expect(foreignSeen.map((order) => order.exchangeOrderId)).toEqual([
      foreign.exchangeOrderId,
      manual.exchangeOrderId,
    ]);
    // Foreign orders are never touched.
    expect(broker.callsOf('cancelOrder')).toHaveLength(0);
    expect(await store.orders.getOrderByExchangeId(foreign.exchangeOrderId)).toBeNull();

    // The next run knows the adopted order: nothing adopted twice, no fill twice.
    const again = await reconciler().reconcile();
    expect(again).toMatchObject({ adopted: [], fills: 0, checked: 1 });
  });

  it('resurrects an order proven failed that the exchange shows open after all', async () => {
    const resurrected: string[] = [];
    const fast = failedAtOnce();
    const { order } = await fast.submit(anIntent());
    expect(order.status).toBe('failed');
    const late = broker.place({
      clientOrderId: order.clientOrderId,
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.02,
      limitPrice: 49_000,
    });
    broker.fill(late.exchangeOrderId, 0.005, 49_000);
    const report = await reconciler({
      manager: fast,
      onResurrected: (stored) => resurrected.push(stored.clientOrderId),
    }).reconcile();
    expect(report).toMatchObject({ resurrected: [order.clientOrderId], conflicts: [], fills: 1 });
    expect(resurrected).toEqual([order.clientOrderId]);
    expect(await store.orders.getOrder(order.clientOrderId)).toMatchObject({
      status: 'partially_filled',
      exchangeOrderId: late.exchangeOrderId,
      filledQuantity: 0.005,
    });
    expect(await store.orders.listFills({ clientOrderId: order.clientOrderId })).toHaveLength(1);
  });

  it('sweeps a symbol dropped from the traded ones while it has recent orders of ours', async () => {
    const fast = failedAtOnce();
    const { order } = await fast.submit(
      anIntent({ symbol: 'ETH-USD', quantity: 0.5, limitPrice: 3_000 }),
    );
    expect(order.status).toBe('failed');
    // It filled after all; meanwhile ETH-USD was dropped from the traded symbols.
    const late = broker.place({
      clientOrderId: order.clientOrderId,
      symbol: 'ETH-USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.5,
      limitPrice: 3_000,
    });
    broker.fill(late.exchangeOrderId, 0.5, 3_000);
    const report = await reconciler({
      manager: fast,
      symbols: ['BTC-USD'],
      tradeSweepIntervalMs: 0,
    }).reconcile();
    expect(report.resurrected).toEqual([order.clientOrderId]);
    expect(await store.orders.getOrder(order.clientOrderId)).toMatchObject({ status: 'filled' });
    expect(await store.orders.listFills({ clientOrderId: order.clientOrderId })).toHaveLength(1);
  });

  it('reports a conflict when the exchange has open an order the store holds as done', async () => {
    const conflicts: string[] = [];
    const { order } = await manager.submit(anIntent());
    await manager.cancel(order.clientOrderId);
    expect((await store.orders.getOrder(order.clientOrderId))?.status).toBe('canceled');
    broker.place({
      clientOrderId: order.clientOrderId,
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.02,
      limitPrice: 49_000,
    });
    const report = await reconciler({
      onConflict: (exchangeOrder) => conflicts.push(exchangeOrder.clientOrderId ?? ''),
    }).reconcile();
    expect(report.conflicts).toEqual([order.clientOrderId]);
    expect(conflicts).toEqual([order.clientOrderId]);
    expect(report).toMatchObject({ adopted: [], resurrected: [] });
  });

  it('reports an open order whose client id merely starts with ll as foreign, never adopted', async () => {
    const forged = broker.place({
      clientOrderId: 'llFORGED-not-our-format',
      symbol: 'BTC-USD',
      side: 'sell',
      type: 'limit',
      quantity: 1e308,
      limitPrice: 60_000,
    });
    const almost = broker.place({
      clientOrderId: `${ourId(t0).slice(0, 31)}1`, // '1' is not in the base32 alphabet
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      limitPrice: 40_000,
    });
    const report = await reconciler().reconcile();
    expect(report.adopted).toEqual([]);
    expect(report.foreign).toEqual([forged.exchangeOrderId, almost.exchangeOrderId]);
    expect(await store.orders.listOrders()).toEqual([]);
  });

  it('sweeps trades: a fill of ours the store lacks is adopted, a manual trade reported once', async () => {
    const foreignTrades: string[] = [];
    const ours = broker.place({
      clientOrderId: ourId(t0),
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'market',
      quantity: 0.01,
    });
    broker.fill(ours.exchangeOrderId, 0.01, 50_000);
    const manual = broker.place({
      clientOrderId: 'web_manual_sell',
      symbol: 'BTC-USD',
      side: 'sell',
      type: 'market',
      quantity: 0.5,
    });
    broker.fill(manual.exchangeOrderId, 0.5, 50_000);
    const runs = reconciler({
      symbols: ['BTC-USD'],
      tradeSweepIntervalMs: 0,
      onForeignTrade: (fill) => foreignTrades.push(fill.tradeId),
    });
    const report = await runs.reconcile();
    expect(report.adopted).toEqual([ourId(t0)]);
    expect(report.foreignTrades).toHaveLength(1);
    expect(await store.orders.getOrder(ourId(t0))).toMatchObject({ status: 'filled' });
    expect(await store.orders.listFills({ clientOrderId: ourId(t0) })).toHaveLength(1);
    // The next sweep stores nothing twice and reports the manual trade no more.
    await clock.advance(1_000);
    const again = await runs.reconcile();
    expect(again).toMatchObject({ adopted: [], foreignTrades: [], fills: 0 });
    expect(foreignTrades).toHaveLength(1);
  });

  it('sweeps again from a trade of ours whose order was not found yet, however old it grows', async () => {
    const ours = broker.place({
      clientOrderId: ourId(t0),
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'market',
      quantity: 0.01,
    });
    broker.fill(ours.exchangeOrderId, 0.01, 50_000);
    // The lookup by client id lags: the first sweep sees the trade but cannot adopt it.
    broker.hide(ourId(t0), 1);
    const runs = reconciler({ symbols: ['BTC-USD'], tradeSweepIntervalMs: 0 });
    await clock.advance(10 * 60_000);
    expect((await runs.reconcile()).adopted).toEqual([]);
    expect(await store.orders.getOrder(ourId(t0))).toBeNull();
    // Ten minutes on, the trade lies before the previous sweep's overlap: it is still swept.
    await clock.advance(10 * 60_000);
    const again = await runs.reconcile();
    expect(again.adopted).toEqual([ourId(t0)]);
    expect(await store.orders.listFills({ clientOrderId: ourId(t0) })).toHaveLength(1);
    // Resolved: the next sweep starts after it again.
    await clock.advance(10 * 60_000);
    await runs.reconcile();
    const sweeps = broker.callsOf('fetchFills').map((call) => call.args[1]);
    expect(sweeps.at(-1)).toBe(t0 + 20 * 60_000 - 5 * 60_000);
  });

  it('stores fills once by trade id, also trades reported after their order ended', async () => {
    broker.withholdTrades = true;
    broker.marketPrice = null;
    const { order } = await manager.submit(anIntent());
    broker.fill('ex-1', 0.01, 49_000);
    broker.withholdTrades = false;
    // The first trade arrives; the second is reported by the exchange only later.
    const first = await reconciler().reconcile();
    expect(first.fills).toBe(1);
    broker.fill('ex-1', 0.01, 49_000);
    const hiddenTrade = broker.trades.pop();
    const second = await reconciler().reconcile();
    expect(second.outcomes).toEqual({ filled: 1 });
    expect(second.fills).toBe(0);
    if (hiddenTrade) broker.trades.push(hiddenTrade);
    const third = await reconciler().reconcile();
    expect(third).toMatchObject({ checked: 0, fills: 1 });
    expect((await reconciler().reconcile()).fills).toBe(0);
    const fills = await store.orders.listFills({ clientOrderId: order.clientOrderId });
    expect(fills.map((fill) => fill.tradeId)).toEqual(['t-1', 't-2']);
  });

  it('finishes the others and throws a ReconcileError with the report when an order fails', async () => {
    const a = await manager.submit(anIntent());
    const b = await manager.submit(anIntent({ candleTime: t0 }));
    broker.fill('ex-2', 0.02, 49_000);
    broker.failNext('fetchOrder', new ExchangeUnavailableError('HTTP 503'));
    const run = reconciler().reconcile();
    await expect(run).rejects.toThrow(ReconcileError);
    const error = (await run.catch((caught: unknown) => caught)) as ReconcileError;
    expect(error.code).toBe('RECONCILE_INCOMPLETE');
    expect(error.report.failures.map((failure) => failure.clientOrderId)).toEqual([
      a.order.clientOrderId,
    ]);
    expect(error.report.checked).toBe(2);
    expect((await store.orders.getOrder(b.order.clientOrderId))?.status).toBe('filled');
  });

  it('throws a storage error at once', async () => {
    await manager.submit(anIntent());
    await store.close();
    await expect(reconciler().reconcile()).rejects.toThrow(StorageError);
    store = await openStore({ path: ':memory:' });
  });

  it('shares one run between concurrent calls', async () => {
    await manager.submit(anIntent());
    const runs = reconciler();
    const [first, second] = [runs.reconcile(), runs.reconcile()];
    expect(second).toBe(first);
    await first;
    expect(broker.callsOf('fetchOpenOrders')).toHaveLength(1);
  });
});

describe('start and stop', () => {
  it('runs periodically on the clock, never overlapping, until stopped', async () => {
    await manager.submit(anIntent());
    let release = (): void => undefined;
    let slow = true;
    broker.onCall = (method) =>
      method === 'fetchOrder' && slow
        ? new Promise<void>((resolve) => (release = resolve))
        : undefined;
    const runs = reconciler();
    runs.start(10_000);
    expect(runs.started).toBe(true);
    await clock.advance(9_999);
    expect(broker.callsOf('fetchOrder')).toHaveLength(0);
    await clock.advance(1);
    expect(broker.callsOf('fetchOrder')).toHaveLength(1);
    // The run hangs on the exchange: no second run starts meanwhile.
    await clock.advance(60_000);
    expect(broker.callsOf('fetchOrder')).toHaveLength(1);
    slow = false;
    release();
    await clock.advance(0);
    // The next run is scheduled when the previous one ends.
    await clock.advance(10_000);
    expect(broker.callsOf('fetchOrder')).toHaveLength(2);
    runs.stop();
    expect(runs.started).toBe(false);
    await clock.advance(100_000);
    expect(broker.callsOf('fetchOrder')).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports a failed periodic run and keeps going', async () => {
    await manager.submit(anIntent());
    const errors: unknown[] = [];
    broker.failNext('fetchOpenOrders', new ExchangeUnavailableError('HTTP 503'));
    const runs = reconciler({ onError: (error) => errors.push(error) });
    runs.start(1_000);
    await clock.advance(1_000);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ExchangeUnavailableError);
    await clock.advance(1_000);
    expect(errors).toHaveLength(1);
    expect(broker.callsOf('fetchOpenOrders')).toHaveLength(2);
    runs.stop();
  });

  it('refuses a bad interval, a second start and bad options', () => {
    const runs = reconciler();
    expect(() => runs.start(0)).toThrow(ValidationError);
    runs.start(1_000);
    expect(() => runs.start(1_000)).toThrow(/already started/);
    runs.stop();
    expect(() => reconciler({ tradeSweepIntervalMs: -1 })).toThrow(/tradeSweepIntervalMs -1/);
    expect(() => reconciler({ fillLookbackMs: -1 })).toThrow(/fillLookbackMs -1/);
  });
});
