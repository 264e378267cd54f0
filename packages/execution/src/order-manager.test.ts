import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ExchangeAuthError,
  ExchangeUnavailableError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  OrderTransitionError,
  RateLimitError,
  StorageError,
  ValidationError,
  type Fill,
  type Order,
  type OrderIntent,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedBroker } from '../test/support/scripted-broker.js';
import { clientOrderId, exitClientOrderId } from './client-order-id.js';
import { OrderManager, type OrderManagerOptions } from './order-manager.js';
import { PaperBroker } from './paper-broker.js';
import { CircuitOpenError, type EntryCircuitBreaker } from './policies.js';
import { RefusalBackoffError, SellInFlightError } from './sell-guards.js';

const t0 = Date.UTC(2026, 0, 1);
const hour = 3_600_000;

let store: LumenLinkStore;
let clock: ManualClock;
let broker: ScriptedBroker;
let seen: { fill: Fill; order: Order }[];

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
  clock = new ManualClock(t0);
  broker = new ScriptedBroker(clock);
  broker.marketPrice = 50_000;
  seen = [];
});

afterEach(async () => {
  await store.close();
});

function manager(options: Partial<OrderManagerOptions> = {}): OrderManager {
  return new OrderManager({
    broker,
    orders: store.orders,
    clock,
    exchange: 'scripted',
    onFill: (fill, order) => {
      seen.push({ fill, order });
    },
    ...options,
  });
}

function anIntent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    strategy: 'rsi_mean_reversion',
    symbol: 'BTC-USD',
    side: 'buy',
    type: 'market',
    role: 'entry',
    quantity: 0.02,
    candleTime: t0 - hour,
    reason: 'RSI 28 < 30',
    ...overrides,
  };
}

function idOf(intent: OrderIntent, attempt = 0): string {
  return clientOrderId({ ...intent, action: intent.side, attempt });
}

describe('submit', () => {
  it('stores the intent as pending before sending it, under its deterministic client id', async () => {
    const intent = anIntent();
    let storedAtSend: Order | null = null;
    broker.onCall = async (method) => {
      if (method === 'createOrder') storedAtSend = await store.orders.getOrder(idOf(intent));
    };
    const result = await manager().submit(intent);
    expect(storedAtSend).toMatchObject({
      clientOrderId: idOf(intent),
      status: 'pending',
      exchangeOrderId: null,
      attempt: 0,
      strategy: 'rsi_mean_reversion',
      reason: 'RSI 28 < 30',
    });
    expect(broker.callsOf('createOrder')[0]?.args[0]).toEqual({
      clientOrderId: idOf(intent),
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'market',
      quantity: 0.02,
    });
    expect(result.status).toBe('placed');
  });

  it('stores the result: status, exchange id, filled quantity, price, fee and the fill', async () => {
    const result = await manager().submit(anIntent());
    expect(result.order).toMatchObject({
      status: 'filled',
      exchangeOrderId: 'ex-1',
      filledQuantity: 0.02,
      avgFillPrice: 50_000,
      fee: 1,
      feeCurrency: 'USD',
      exchange: 'scripted',
    });
    expect(await store.orders.getOrder(result.order.clientOrderId)).toEqual(result.order);
    const fills = await store.orders.listFills({ clientOrderId: result.order.clientOrderId });
    expect(fills).toEqual([
      expect.objectContaining({ tradeId: 't-1', quantity: 0.02, price: 50_000, fee: 1 }),
    ]);
    expect(seen.map(({ fill }) => fill.tradeId)).toEqual(['t-1']);
    expect(seen[0]?.order.status).toBe('filled');
  });

  it('passes limit and stop prices and keeps a resting order open', async () => {
    const result = await manager().submit(
      anIntent({ type: 'limit', limitPrice: 49_000, side: 'sell', role: 'take_profit' }),
    );
    expect(result.order).toMatchObject({ status: 'open', limitPrice: 49_000, filledQuantity: 0 });
    expect(broker.callsOf('createOrder')[0]?.args[0]).toMatchObject({ limitPrice: 49_000 });
    expect(broker.callsOf('fetchFills')).toHaveLength(0);
  });

  it('returns a duplicate intent without sending it again', async () => {
    const orders = manager();
    const first = await orders.submit(anIntent());
    const again = await orders.submit(anIntent({ reason: 'same candle, same decision' }));
    expect(again).toEqual({ status: 'duplicate', order: first.order });
    expect(broker.callsOf('createOrder')).toHaveLength(1);
  });

  it('sends concurrent submissions of one intent once', async () => {
    const orders = manager();
    const results = await Promise.all([
      orders.submit(anIntent()),
      orders.submit(anIntent()),
      orders.submit(anIntent()),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([
      'duplicate',
      'duplicate',
      'placed',
    ]);
    expect(broker.callsOf('createOrder')).toHaveLength(1);
    expect(await store.orders.listOrders()).toHaveLength(1);
  });

  it('sends nothing when the intent cannot be stored, and throws the storage error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lumenlink-execution-'));
    const file = path.join(dir, 'orders.db');
    const fileStore = await openStore({ path: file, busyTimeoutMs: 0 });
    const locker = await openStore({ path: file, busyTimeoutMs: 0 });
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let signalLocked = (): void => undefined;
    const locked = new Promise<void>((resolve) => (signalLocked = resolve));
    // Another writer holds the database's write lock: inserts fail with SQLITE_BUSY.
    const holding = locker.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('candles')
        .values({
          symbol: 'BTC-USD',
          interval: '1h',
          time: t0,
          open: 1,
          high: 1,
          low: 1,
          close: 1,
          volume: 1,
        })
        .execute();
      signalLocked();
      await released;
    });
    try {
      await locked;
      const orders = new OrderManager({
        broker,
        orders: fileStore.orders,
        clock,
        exchange: 'scripted',
      });
      const submitted = orders.submit(anIntent());
      await expect(submitted).rejects.toThrow(StorageError);
      await expect(submitted).rejects.toThrow(/insertOrder ll[a-z2-7]{30}: .*SQLITE_BUSY/);
      expect(broker.calls).toHaveLength(0);
      release();
      await holding;
      expect(await fileStore.orders.listOrders()).toEqual([]);
    } finally {
      release();
      await holding.catch(() => undefined);
      await fileStore.close();
      await locker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an intent the store refuses, before sending', async () => {
    await expect(manager().submit(anIntent({ quantity: 0 }))).rejects.toThrow(ValidationError);
    expect(broker.calls).toHaveLength(0);
  });

  it('stores a rejection with its reason and does not look the order up', async () => {
    broker.failNext(
      'createOrder',
      new OrderRejectedError('insufficient_funds', 'Account has insufficient balance'),
    );
    const result = await manager().submit(anIntent());
    expect(result.status).toBe('rejected');
    expect(result.order).toMatchObject({
      status: 'rejected',
      reason: 'insufficient_funds: Account has insufficient balance',
    });
    expect(broker.callsOf('fetchOrderByClientId')).toHaveLength(0);
  });

  it('stores another definite refusal as rejected and throws it', async () => {
    broker.failNext('createOrder', new ExchangeAuthError('API key has no trading permission'));
    const intent = anIntent();
    await expect(manager().submit(intent)).rejects.toThrow(ExchangeAuthError);
    expect(await store.orders.getOrder(idOf(intent))).toMatchObject({
      status: 'rejected',
      reason: 'EXCHANGE_AUTH: API key has no trading permission',
    });
  });

  it('marks a lost response unknown, finds the order by client id and adopts it: sent once', async () => {
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'ETIMEDOUT'), {
      placed: true,
    });
    const states: string[] = [];
    broker.onCall = async (method, args) => {
      if (method === 'fetchOrderByClientId') {
        states.push((await store.orders.getOrder(String(args[1])))?.status ?? 'none');
      }
    };
    const result = await manager().submit(anIntent());
    expect(states).toEqual(['unknown']);
    expect(result.status).toBe('placed');
    expect(result.order).toMatchObject({
      status: 'filled',
      exchangeOrderId: 'ex-1',
      filledQuantity: 0.02,
      reason: 'ETIMEDOUT',
    });
    expect(broker.callsOf('createOrder')).toHaveLength(1);
    expect(await store.orders.listFills()).toHaveLength(1);
  });

  it.each([
    ['an exchange outage', new ExchangeUnavailableError('HTTP 503')],
    ['a rate limit', new RateLimitError('HTTP 429', { retryAfterMs: 1_000 })],
    ['a non-LumenLink error', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('treats %s on send as an unknown outcome', async (_name, error) => {
    broker.failNext('createOrder', error);
    const result = await manager().submit(anIntent());
    expect(result.status).toBe('unknown');
    expect(result.order).toMatchObject({ status: 'unknown', reason: error.message });
    expect(broker.callsOf('createOrder')).toHaveLength(1);
    expect(broker.callsOf('fetchOrderByClientId')).toHaveLength(1);
  });

  it('leaves the order unknown when the immediate lookup fails', async () => {
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'socket hang up'), {
      placed: true,
    });
    broker.failNext('fetchOrderByClientId', new ExchangeUnavailableError('HTTP 503'));
    const result = await manager().submit(anIntent());
    expect(result).toMatchObject({ status: 'unknown', order: { status: 'unknown' } });
    // The order is there: the next lookup adopts it.
    const resolved = await manager().resolve(result.order.clientOrderId);
    expect(resolved.order.status).toBe('filled');
    expect(broker.callsOf('createOrder')).toHaveLength(1);
  });

  it('returns failed when a grace of one check and no window proves it never placed', async () => {
    broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'));
    const result = await manager({ notFoundGrace: { checks: 1, windowMs: 0 } }).submit(anIntent());
    expect(result).toMatchObject({ status: 'failed', order: { status: 'failed' } });
  });
});

describe('client order id hashing', () => {
  it('refuses fast ids with a broker that does not fill on candles here (a live venue)', () => {
    expect(() => manager({ clientOrderIdHash: 'fast' })).toThrow(ValidationError);
    expect(() => manager({ clientOrderIdHash: 'sha256' })).not.toThrow();
  });

  it('sends an order with the fast id of its intent on a paper broker, and finds it again by it', async () => {
    const paper = new PaperBroker({ clock, feeBps: 0, slippageBps: 0, startingCash: 10_000 });
    paper.processCandle('BTC-USD', {
      time: t0 - hour,
      open: 100,
      high: 101,
      low: 99,
      close: 100,
      volume: 1,
    });
    const fast = manager({ broker: paper, exchange: 'paper', clientOrderIdHash: 'fast' });
    const intent = anIntent();
    const first = await fast.submit(intent);
    const id = clientOrderId({ ...intent, action: 'buy', attempt: 0 }, 'fast');
    expect(first.order.clientOrderId).toBe(id);
    expect(id).not.toBe(clientOrderId({ ...intent, action: 'buy', attempt: 0 }));
    expect((await fast.submit(intent)).status).toBe('duplicate');
    expect(await store.orders.listOrders()).toHaveLength(1);
  });
});

describe('not found: grace, failed, next attempt', () => {
  it('fails an unknown order only after enough "not found" answers over the window, then sends the next attempt', async () => {
    const orders = manager({ notFoundGrace: { checks: 3, windowMs: 60_000 } });
    const intent = anIntent();
    broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'));
    const first = await orders.submit(intent);
    expect(first.status).toBe('unknown');
    const id = first.order.clientOrderId;

    // While it is unknown, the same intent is a duplicate: never resent.
    expect((await orders.submit(intent)).status).toBe('duplicate');

    // Many answers within the window: still unknown.
    for (let check = 0; check < 4; check++) {
      await clock.advance(10_000);
      expect((await orders.resolve(id)).order.status).toBe('unknown');
    }
    // The window has passed, and more than 3 answers said "not found".
    await clock.advance(20_000);
    const failed = await orders.resolve(id);
    expect(failed.order.status).toBe('failed');
    expect(failed.order.reason).toMatch(
      /never placed: not found on scripted by client id 6 times over 60000 ms/,
    );
    expect(broker.callsOf('createOrder')).toHaveLength(1);

    // Only now a new attempt goes out, under a new client id.
    const retry = await orders.submit(intent);
    expect(retry.status).toBe('placed');
    expect(retry.order).toMatchObject({ clientOrderId: idOf(intent, 1), attempt: 1 });
    expect(retry.order.clientOrderId).not.toBe(id);
    expect(broker.callsOf('createOrder')).toHaveLength(2);
  });

  it('needs the checks too, not only the window', async () => {
    const orders = manager({ notFoundGrace: { checks: 3, windowMs: 60_000 } });
    broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'));
    const { order } = await orders.submit(anIntent());
    await clock.advance(120_000);
    expect((await orders.resolve(order.clientOrderId)).order.status).toBe('unknown');
    expect((await orders.resolve(order.clientOrderId)).order.status).toBe('failed');
  });

  it('does not fail a fresh order that the exchange briefly reports missing', async () => {
    const orders = manager({ notFoundGrace: { checks: 3, windowMs: 60_000 } });
    const intent = anIntent();
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'ETIMEDOUT'), {
      placed: true,
    });
    broker.hide(idOf(intent), 4);
    const { order } = await orders.submit(intent);
    expect(order.status).toBe('unknown');
    for (let check = 0; check < 3; check++) {
      await clock.advance(15_000);
      expect((await orders.resolve(order.clientOrderId)).order.status).toBe('unknown');
    }
    await clock.advance(15_000);
    const found = await orders.resolve(order.clientOrderId);
    expect(found.order).toMatchObject({ status: 'filled', exchangeOrderId: 'ex-1' });
    expect(broker.callsOf('createOrder')).toHaveLength(1);
  });

  it('starts counting again after a restart (a new manager)', async () => {
    const grace = { checks: 2, windowMs: 0 };
    broker.failNext('createOrder', new ExchangeUnavailableError('HTTP 503'));
    const { order } = await manager({ notFoundGrace: { checks: 2, windowMs: 0 } }).submit(
      anIntent(),
    );
    // One "not found" so far (the immediate lookup); the restarted manager counts from 0.
    const restarted = manager({ notFoundGrace: grace });
    expect((await restarted.resolve(order.clientOrderId)).order.status).toBe('unknown');
    expect((await restarted.resolve(order.clientOrderId)).order.status).toBe('failed');
  });

  it('resolves a pending order left by a crash before the send', async () => {
    const intent = anIntent();
    const id = idOf(intent);
    await store.orders.insertOrder({
      clientOrderId: id,
      exchangeOrderId: null,
      exchange: 'scripted',
      strategy: intent.strategy,
      symbol: intent.symbol,
      side: intent.side,
      type: intent.type,
      role: intent.role,
      quantity: intent.quantity,
      limitPrice: null,
      stopPrice: null,
      status: 'pending',
      filledQuantity: 0,
      avgFillPrice: null,
      fee: 0,
      feeCurrency: null,
      reason: intent.reason,
      candleTime: intent.candleTime,
      attempt: 0,
      createdAt: t0,
      updatedAt: t0,
    });
    const orders = manager({ notFoundGrace: { checks: 2, windowMs: 30_000 } });
    expect((await orders.submit(intent)).status).toBe('duplicate');
    expect((await orders.resolve(id)).order.status).toBe('pending');
    await clock.advance(30_000);
    expect((await orders.resolve(id)).order.status).toBe('failed');
    expect(broker.callsOf('createOrder')).toHaveLength(0);
  });

  it('leaves an order being sent alone: a lookup meanwhile neither asks nor counts', async () => {
    const orders = manager({ notFoundGrace: { checks: 1, windowMs: 0 } });
    const intent = anIntent();
    let release = (): void => undefined;
    const sending = new Promise<void>((resolve) => (release = resolve));
    let sent = (): void => undefined;
    const reachedSend = new Promise<void>((resolve) => (sent = resolve));
    broker.onCall = async (method) => {
      if (method !== 'createOrder') return;
      sent();
      await sending;
    };
    const submitted = orders.submit(intent);
    await reachedSend;
    expect((await orders.resolve(idOf(intent))).order.status).toBe('pending');
    expect((await orders.refresh(idOf(intent))).order.status).toBe('pending');
    expect(broker.callsOf('fetchOrderByClientId')).toHaveLength(0);
    release();
    expect((await submitted).order.status).toBe('filled');
  });

  it('leaves final orders alone and refuses unknown client ids', async () => {
    const orders = manager();
    const { order } = await orders.submit(anIntent());
    const calls = broker.calls.length;
    expect((await orders.resolve(order.clientOrderId)).order).toEqual(order);
    expect(broker.calls).toHaveLength(calls);
    await expect(orders.resolve('llnope')).rejects.toThrow(ValidationError);
  });
});

describe('state machine', () => {
  it('throws on an illegal transition reported by the exchange and keeps the stored order', async () => {
    const orders = manager();
    const { order } = await orders.submit(anIntent({ type: 'limit', limitPrice: 49_000 }));
    broker.fill('ex-1', 0.01, 49_000);
    expect((await orders.refresh(order.clientOrderId)).order.status).toBe('partially_filled');
    broker.setStatus('ex-1', 'open');
    await expect(orders.refresh(order.clientOrderId)).rejects.toThrow(OrderTransitionError);
    expect((await store.orders.getOrder(order.clientOrderId))?.status).toBe('partially_filled');
  });
});

describe('fills', () => {
  it('stores partial fills once each, reporting only new ones', async () => {
    const orders = manager();
    const { order } = await orders.submit(anIntent({ type: 'limit', limitPrice: 49_000 }));
    await clock.advance(1_000);
    broker.fill('ex-1', 0.005, 49_000);
    const first = await orders.refresh(order.clientOrderId);
    expect(first.order).toMatchObject({ status: 'partially_filled', filledQuantity: 0.005 });
    expect(first.fills.map((fill) => fill.tradeId)).toEqual(['t-1']);
    expect((await orders.refresh(order.clientOrderId)).fills).toEqual([]);
    await clock.advance(1_000);
    broker.fill('ex-1', 0.015, 48_900);
    const second = await orders.refresh(order.clientOrderId);
    expect(second.order).toMatchObject({ status: 'filled', filledQuantity: 0.02 });
    expect(second.fills.map((fill) => fill.tradeId)).toEqual(['t-2']);
    const stored = await store.orders.listFills({ clientOrderId: order.clientOrderId });
    expect(stored.map((fill) => [fill.tradeId, fill.quantity])).toEqual([
      ['t-1', 0.005],
      ['t-2', 0.015],
    ]);
    expect(stored.every((fill) => fill.clientOrderId === order.clientOrderId)).toBe(true);
    expect(seen.map(({ fill }) => fill.tradeId)).toEqual(['t-1', 't-2']);
    expect((await orders.syncFills(order.clientOrderId)).fills).toEqual([]);
  });

  it('falls back to one synthetic fill per increment when the broker gives no trades', async () => {
    broker.withholdTrades = true;
    const orders = manager();
    const { order } = await orders.submit(anIntent({ type: 'limit', limitPrice: 49_000 }));
    broker.fill('ex-1', 0.005, 49_000);
    await orders.refresh(order.clientOrderId);
    broker.fill('ex-1', 0.015, 48_000);
    await orders.refresh(order.clientOrderId);
    const stored = await store.orders.listFills({ clientOrderId: order.clientOrderId });
    expect(stored.map((fill) => fill.tradeId)).toEqual([
      `${order.clientOrderId}:0.005`,
      `${order.clientOrderId}:0.02`,
    ]);
    expect(stored[0]).toMatchObject({ quantity: 0.005, feeCurrency: 'USD' });
    expect(stored[0]?.price).toBeCloseTo(49_000, 6);
    expect(stored[1]?.quantity).toBeCloseTo(0.015, 12);
    expect(stored[1]?.price).toBeCloseTo(48_000, 6);
    const total = stored.reduce((sum, fill) => sum + fill.quantity, 0);
    expect(total).toBeCloseTo(0.02, 12);
    expect(stored.reduce((sum, fill) => sum + fill.fee, 0)).toBeCloseTo(0.005 * 49 + 0.015 * 48, 9);
    // Trades that show up later do not count twice.
    broker.withholdTrades = false;
    expect((await orders.syncFills(order.clientOrderId)).fills).toEqual([]);
  });

  it('propagates an onFill error; the fill stays stored once', async () => {
    const orders = manager({
      onFill: () => {
        throw new Error('portfolio down');
      },
    });
    await expect(orders.submit(anIntent())).rejects.toThrow('portfolio down');
    expect(await store.orders.listFills()).toHaveLength(1);
  });
});

describe('cancel', () => {
  it('cancels an open order', async () => {
    const orders = manager();
    const { order } = await orders.submit(anIntent({ type: 'limit', limitPrice: 49_000 }));
    const canceled = await orders.cancel(order.clientOrderId);
    expect(canceled.order.status).toBe('canceled');
    expect(broker.callsOf('cancelOrder')[0]?.args).toEqual(['BTC-USD', 'ex-1']);
  });

  it('stores the fill when the cancel lost the race to it', async () => {
    const orders = manager();
    const { order } = await orders.submit(anIntent({ type: 'limit', limitPrice: 49_000 }));
    broker.fill('ex-1', 0.02, 49_000);
    const result = await orders.cancel(order.clientOrderId);
    expect(result.order.status).toBe('filled');
    expect(result.fills).toHaveLength(1);
  });

  it('throws when the cancel fails and the order is still open', async () => {
    const orders = manager();
    const { order } = await orders.submit(anIntent({ type: 'limit', limitPrice: 49_000 }));
    broker.failNext('cancelOrder', new ExchangeUnavailableError('HTTP 503'));
    await expect(orders.cancel(order.clientOrderId)).rejects.toThrow('HTTP 503');
    expect((await store.orders.getOrder(order.clientOrderId))?.status).toBe('open');
  });

  it('resolves an unknown order before cancelling it', async () => {
    const orders = manager();
    broker.marketPrice = null;
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'ETIMEDOUT'), {
      placed: true,
    });
    broker.failNext('fetchOrderByClientId', new ExchangeUnavailableError('HTTP 503'));
    const { order } = await orders.submit(anIntent());
    expect(order.status).toBe('unknown');
    expect((await orders.cancel(order.clientOrderId)).order.status).toBe('canceled');
  });
});

describe('entry circuit breaker', () => {
  function breakerStub(state: 'closed' | 'open', refuse = false): EntryCircuitBreaker {
    return {
      state: () => state,
      execute: (placement) => {
        if (refuse) return Promise.reject(new CircuitOpenError('circuit open'));
        return placement();
      },
    };
  }

  it('refuses an entry while open before storing or sending; exits pass', async () => {
    const orders = manager({ entryBreaker: breakerStub('open') });
    await expect(orders.submit(anIntent())).rejects.toThrow(CircuitOpenError);
    expect(await store.orders.listOrders()).toEqual([]);
    expect(broker.calls).toHaveLength(0);
    const exit = await orders.submit(anIntent({ side: 'sell', role: 'exit' }));
    expect(exit.status).toBe('placed');
  });

  it('marks failed an entry the breaker refused after it was stored, and throws', async () => {
    const orders = manager({ entryBreaker: breakerStub('closed', true) });
    const intent = anIntent();
    await expect(orders.submit(intent)).rejects.toThrow(CircuitOpenError);
    expect(await store.orders.getOrder(idOf(intent))).toMatchObject({
      status: 'failed',
      reason: 'not sent: circuit open',
    });
    expect(broker.calls).toHaveLength(0);
  });
});

describe('options', () => {
  it('refuses a bad grace or exchange', () => {
    expect(() => manager({ notFoundGrace: { checks: 0 } })).toThrow(ValidationError);
    expect(() => manager({ notFoundGrace: { windowMs: -1 } })).toThrow(/windowMs -1/);
    expect(() => manager({ exchange: '' })).toThrow(/exchange is empty/);
  });
});

describe('sells: one exit per position at a time, never lost, refusals backed off', () => {
  const openedAt = t0 - 2 * hour;

  function anExit(overrides: Partial<OrderIntent> = {}): OrderIntent {
    return anIntent({
      side: 'sell',
      role: 'trailing_stop',
      quantity: 0.02,
      positionOpenedAt: openedAt,
      candleTime: clock.now(),
      reason: 'trailing stop hit',
      ...overrides,
    });
  }

  function exitId(sequence: number, attempt: number): string {
    return exitClientOrderId({
      strategy: 'rsi_mean_reversion',
      symbol: 'BTC-USD',
      positionOpenedAt: openedAt,
      sequence,
      attempt,
    });
  }

  it('keys an exit by its position: a repeat on a later tick is the same client id, sent once', async () => {
    const orders = manager({ notFoundGrace: { checks: 3, windowMs: 60_000 } });
    // The answer is lost; the exchange placed it but answers "not found" for a while.
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'timeout'), { placed: true });
    broker.hide(exitId(0, 0), 100);
    const first = await orders.submit(anExit());
    expect(first).toMatchObject({ status: 'unknown', order: { clientOrderId: exitId(0, 0) } });
    for (let tick = 1; tick <= 5; tick++) {
      await clock.advance(1_000);
      // Another trigger on another tick: the same exit, the same id, nothing sent.
      const again = await orders.submit(anExit({ role: tick % 2 === 0 ? 'stop' : 'exit' }));
      expect(again).toMatchObject({ status: 'duplicate', order: { clientOrderId: exitId(0, 0) } });
    }
    expect(broker.callsOf('createOrder')).toHaveLength(1);
  });

  it('sends no other sell of the symbol while one is unknown, even of another position', async () => {
    const orders = manager();
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'timeout'));
    broker.failNext('fetchOrderByClientId', new ExchangeUnavailableError('HTTP 503'));
    await orders.submit(anExit());
    // A sell keyed another way (another position, a candle-keyed sell) is refused too.
    await expect(orders.submit(anExit({ positionOpenedAt: openedAt + 1 }))).rejects.toThrow(
      SellInFlightError,
    );
    const { positionOpenedAt, ...candleKeyed } = anExit();
    void positionOpenedAt;
    await expect(orders.submit(candleKeyed)).rejects.toThrow(/is unknown; no other sell/);
    expect(broker.callsOf('createOrder')).toHaveLength(1);
    // Buys are not held back by a sell in flight.
    expect((await orders.submit(anIntent())).status).toBe('placed');
  });

  it('sends no other sell while a filled sell has fills not stored (myTrades failing)', async () => {
    const orders = manager();
    broker.failNext('fetchFills', new ExchangeUnavailableError('HTTP 503'), { times: 2 });
    await expect(orders.submit(anExit())).rejects.toThrow(ExchangeUnavailableError);
    expect(await store.orders.getOrder(exitId(0, 0))).toMatchObject({
      status: 'filled',
      filledQuantity: 0.02,
    });
    expect(seen).toHaveLength(0);
    // The next tick: refused while the fills cannot be read; nothing sent.
    await expect(orders.submit(anExit({ candleTime: clock.now() + 1 }))).rejects.toThrow(
      /filled 0\.02 but its fills are not stored yet/,
    );
    // The fills can be read again: they are stored, and the sell is refused once more, since
    // the position it was sized on has changed.
    await expect(orders.submit(anExit())).rejects.toThrow(/missing fills were just stored/);
    expect(seen.map(({ fill }) => fill.quantity)).toEqual([0.02]);
    expect(broker.callsOf('createOrder')).toHaveLength(1);
  });

  it('sends the next exit of the position only after one sold: partial exits in sequence', async () => {
    const orders = manager();
    const first = await orders.submit(anExit({ quantity: 0.01, role: 'exit' }));
    expect(first.order.clientOrderId).toBe(exitId(0, 0));
    const second = await orders.submit(anExit({ quantity: 0.01, role: 'exit' }));
    expect(second).toMatchObject({ status: 'placed', order: { clientOrderId: exitId(1, 0) } });
  });

  it('backs refusals of the same exit off exponentially; a force exit is not held back', async () => {
    const orders = manager({ refusalBackoff: { initialMs: 5_000, maxMs: 60_000 } });
    let refusing = true;
    broker.onCall = (method) => {
      if (method === 'createOrder' && refusing) {
        throw new OrderRejectedError('insufficient_funds', 'Account has insufficient balance');
      }
    };
    expect((await orders.submit(anExit())).status).toBe('rejected');
    // Ticks every second: nothing is sent before 5 s, then one attempt, then 10 s...
    const sentAt: number[] = [clock.now()];
    let heldBack = 0;
    for (let second = 1; second <= 60; second++) {
      await clock.advance(1_000);
      try {
        const result = await orders.submit(anExit());
        expect(result.status).toBe('rejected');
        sentAt.push(clock.now());
      } catch (error) {
        expect(error).toBeInstanceOf(RefusalBackoffError);
        heldBack += 1;
      }
    }
    expect(broker.callsOf('createOrder')).toHaveLength(sentAt.length);
    expect(heldBack).toBe(60 - (sentAt.length - 1));
    refusing = false;
    const gaps = sentAt.slice(1).map((at, index) => (at - (sentAt[index] ?? 0)) / 1_000);
    expect(gaps).toEqual([5, 10, 20]);
    // An operator's force exit goes through at once after the refusals.
    const forced = await orders.submit(anExit({ role: 'force_exit' }));
    expect(forced).toMatchObject({ status: 'placed', order: { clientOrderId: exitId(0, 4) } });
  });

  it('refuses a refusal backoff that would turn itself off or shrink', () => {
    expect(() => manager({ refusalBackoff: { initialMs: 0 } })).toThrow(
      /refusalBackoff.initialMs 0 is not an integer >= 1/,
    );
    expect(() => manager({ refusalBackoff: { maxMs: 0.5 } })).toThrow(/refusalBackoff.maxMs/);
    expect(() => manager({ refusalBackoff: { initialMs: 10_000, maxMs: 5_000 } })).toThrow(
      /maxMs 5000 is below initialMs 10000/,
    );
  });

  it('backs off an exit the exchange expired with nothing filled, as a refusal', async () => {
    const orders = manager({ refusalBackoff: { initialMs: 5_000, maxMs: 60_000 } });
    broker.marketPrice = null;
    const first = await orders.submit(anExit());
    // A market order expired on a thin book: placed, nothing filled.
    broker.setStatus(first.order.exchangeOrderId ?? '', 'expired');
    await orders.refresh(first.order.clientOrderId);
    expect((await store.orders.getOrder(first.order.clientOrderId))?.status).toBe('expired');
    await clock.advance(1_000);
    await expect(orders.submit(anExit())).rejects.toThrow(RefusalBackoffError);
    await clock.advance(5_000);
    expect((await orders.submit(anExit())).order.clientOrderId).toBe(exitId(0, 1));
  });

  it('does not prove a sell never placed while the exchange trades show it', async () => {
    const orders = manager({ notFoundGrace: { checks: 2, windowMs: 10_000 } });
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'timeout'), { placed: true });
    broker.hide(exitId(0, 0), 1_000);
    await orders.submit(anExit());
    await clock.advance(20_000);
    // Not found twice over the window, but its trade is listed: adopted from the trades.
    const { order } = await orders.resolve(exitId(0, 0));
    expect(order).toMatchObject({ status: 'filled', filledQuantity: 0.02 });
    expect(seen.map(({ fill }) => fill.clientOrderId)).toEqual([exitId(0, 0)]);
    // When the trades cannot be read, nothing is proven either.
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'timeout'));
    const other = await orders.submit(anExit({ positionOpenedAt: openedAt + 5 }));
    broker.failNext('fetchFills', new ExchangeUnavailableError('HTTP 503'), { times: 2 });
    await clock.advance(20_000);
    await orders.resolve(other.order.clientOrderId);
    await orders.resolve(other.order.clientOrderId);
    expect((await store.orders.getOrder(other.order.clientOrderId))?.status).toBe('unknown');
    // Readable and empty: proven never placed.
    await orders.resolve(other.order.clientOrderId);
    expect((await store.orders.getOrder(other.order.clientOrderId))?.status).toBe('failed');
  });

  it('resurrects a failed order with its fills when the exchange shows it later', async () => {
    const orders = manager({ notFoundGrace: { checks: 1, windowMs: 0 } });
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'timeout'));
    const { order } = await orders.submit(anIntent());
    expect(order.status).toBe('failed');
    const late = broker.place({
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: 'limit',
      quantity: order.quantity,
      limitPrice: 50_000,
    });
    broker.fill(late.exchangeOrderId, 0.02, 50_000);
    const { order: resurrected, fills } = await orders.resurrect(order.clientOrderId);
    expect(resurrected).toMatchObject({
      status: 'filled',
      filledQuantity: 0.02,
      // The lookup carries the fee; its fills agree.
      fee: 1,
      feeCurrency: 'USD',
    });
    expect(fills).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  it('fills in the fee of an order resolved by lookup from its fills', async () => {
    const orders = manager();
    broker.failNext('createOrder', new OrderOutcomeUnknownError('x', 'timeout'), { placed: true });
    const result = await orders.submit(anIntent());
    expect(result.status).toBe('placed');
    const stored = await store.orders.getOrder(result.order.clientOrderId);
    expect(stored).toMatchObject({ status: 'filled', fee: 1, feeCurrency: 'USD' });
  });
});
