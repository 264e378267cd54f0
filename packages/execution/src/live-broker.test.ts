import {
  ExchangeUnavailableError,
  OrderOutcomeUnknownError,
  RateLimitError,
  systemClock,
  type Broker,
  type OrderIntent,
} from '@lumenlink/core';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScriptedBroker } from '../test/support/scripted-broker.js';
import { LiveBroker } from './live-broker.js';
import { OrderManager } from './order-manager.js';
import { CircuitOpenError, createExchangePolicies } from './policies.js';

const t0 = Date.UTC(2026, 0, 1);

let store: LumenLinkStore;
let exchange: ScriptedBroker;

// cockatiel reads the global clock, so everything here runs on vitest's fake timers, and the
// system clock (which reads the faked Date) is the manager's clock.
beforeEach(async () => {
  vi.useFakeTimers({ now: t0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  store = await openStore({ path: ':memory:', clock: systemClock });
  exchange = new ScriptedBroker(systemClock);
  exchange.marketPrice = 50_000;
});

afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

/** Lets the promise settle while running every timer (the backoff waits). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  const settled = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const outcome = await settled;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

function anIntent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    strategy: 'trend',
    symbol: 'BTC-USD',
    side: 'buy',
    type: 'market',
    role: 'entry',
    quantity: 0.01,
    candleTime: t0 - 3_600_000,
    reason: 'breakout',
    ...overrides,
  };
}

const outage = (): ExchangeUnavailableError => new ExchangeUnavailableError('HTTP 503');

describe('LiveBroker', () => {
  it('sends an order once, even when the exchange fails', async () => {
    const broker = new LiveBroker({ exchange });
    exchange.failNext('createOrder', outage());
    await expect(
      settle(
        broker.createOrder({
          clientOrderId: 'lla',
          symbol: 'BTC-USD',
          side: 'buy',
          type: 'market',
          quantity: 0.01,
        }),
      ),
    ).rejects.toThrow('HTTP 503');
    expect(exchange.callsOf('createOrder')).toHaveLength(1);
    expect(broker.name).toBe('scripted');
  });

  it.each<[string, (broker: Broker) => Promise<unknown>]>([
    ['fetchOrder', (broker) => broker.fetchOrder('BTC-USD', 'ex-1')],
    ['fetchOrderByClientId', (broker) => broker.fetchOrderByClientId('BTC-USD', 'lla')],
    ['fetchOpenOrders', (broker) => broker.fetchOpenOrders()],
    ['fetchClosedOrders', (broker) => broker.fetchClosedOrders('BTC-USD', t0)],
    ['fetchFills', (broker) => broker.fetchFills('BTC-USD', t0)],
    ['fetchBalance', (broker) => broker.fetchBalance()],
    ['cancelOrder', (broker) => broker.cancelOrder('BTC-USD', 'ex-1')],
  ])('retries %s through an outage', async (method, call) => {
    exchange.marketPrice = null;
    exchange.place({
      clientOrderId: 'lla',
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      limitPrice: 40_000,
    });
    const broker = new LiveBroker({ exchange });
    const name = method as Exclude<keyof Broker, 'name'>;
    exchange.failNext(name, outage());
    exchange.failNext(name, new RateLimitError('HTTP 429', { retryAfterMs: 2_000 }));
    await settle(call(broker));
    expect(exchange.callsOf(name)).toHaveLength(3);
    const [first, second, third] = exchange.callsOf(name).map((entry) => entry.at);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThan(0);
  });

  it('exposes the breaker of its policies', () => {
    const policies = createExchangePolicies();
    const broker = new LiveBroker({ exchange, policies });
    expect(broker.policies).toBe(policies);
    expect(broker.entryBreaker).toBe(policies.entryBreaker);
    expect(broker.breakerState()).toBe('closed');
  });
});

describe('OrderManager over a LiveBroker', () => {
  it('a storm of 503/429 around a submit whose order landed ends with exactly one order', async () => {
    const broker = new LiveBroker({ exchange });
    const manager = new OrderManager({
      broker,
      orders: store.orders,
      clock: systemClock,
      exchange: 'scripted',
      entryBreaker: broker.entryBreaker,
    });
    exchange.failNext('createOrder', outage(), { placed: true });
    exchange.failNext('fetchOrderByClientId', new RateLimitError('HTTP 429'), { times: 2 });
    exchange.failNext('fetchOrderByClientId', outage(), { times: 2 });
    const result = await settle(manager.submit(anIntent()));
    expect(result.status).toBe('placed');
    expect(result.order).toMatchObject({ status: 'filled', exchangeOrderId: 'ex-1' });
    expect(exchange.callsOf('createOrder')).toHaveLength(1);
    expect(exchange.orders).toHaveLength(1);
    expect(await store.orders.listOrders()).toHaveLength(1);
  });

  it('a storm where the order did not land: unknown, failed after the grace, then one new attempt', async () => {
    const broker = new LiveBroker({ exchange });
    const manager = new OrderManager({
      broker,
      orders: store.orders,
      clock: systemClock,
      exchange: 'scripted',
      notFoundGrace: { checks: 3, windowMs: 60_000 },
    });
    exchange.failNext('createOrder', new RateLimitError('HTTP 429'));
    exchange.failNext('fetchOrderByClientId', outage(), { times: 3 });
    const first = await settle(manager.submit(anIntent()));
    expect(first.status).toBe('unknown');
    // Resubmitting the same decision sends nothing while the first is unresolved.
    expect((await settle(manager.submit(anIntent()))).status).toBe('duplicate');
    for (let check = 0; check < 3; check++) {
      await vi.advanceTimersByTimeAsync(30_000);
      await settle(manager.resolve(first.order.clientOrderId));
    }
    expect((await store.orders.getOrder(first.order.clientOrderId))?.status).toBe('failed');
    const second = await settle(manager.submit(anIntent()));
    expect(second).toMatchObject({ status: 'placed', order: { attempt: 1, status: 'filled' } });
    expect(exchange.callsOf('createOrder')).toHaveLength(2);
    expect(exchange.orders).toHaveLength(1);
  });

  it('opens the breaker on failed entries: entries refused before storing, exits pass', async () => {
    const policies = createExchangePolicies({ breakerThreshold: 2, halfOpenAfterMs: 10_000 });
    const broker = new LiveBroker({ exchange, policies });
    const manager = new OrderManager({
      broker,
      orders: store.orders,
      clock: systemClock,
      exchange: 'scripted',
      entryBreaker: broker.entryBreaker,
    });
    exchange.failNext('createOrder', new OrderOutcomeUnknownError('x', 'ETIMEDOUT'), { times: 2 });
    await settle(manager.submit(anIntent({ candleTime: t0 - 7_200_000 })));
    await settle(manager.submit(anIntent({ candleTime: t0 - 3_600_000 })));
    expect(broker.breakerState()).toBe('open');
    const stored = (await store.orders.listOrders()).length;

    await expect(settle(manager.submit(anIntent({ candleTime: t0 })))).rejects.toThrow(
      CircuitOpenError,
    );
    expect(await store.orders.listOrders()).toHaveLength(stored);
    expect(exchange.callsOf('createOrder')).toHaveLength(2);

    const exit = await settle(manager.submit(anIntent({ side: 'sell', role: 'exit' })));
    expect(exit.status).toBe('placed');

    await vi.advanceTimersByTimeAsync(10_000);
    expect(broker.breakerState()).toBe('half_open');
    const probe = await settle(manager.submit(anIntent({ candleTime: t0 })));
    expect(probe.status).toBe('placed');
    expect(broker.breakerState()).toBe('closed');
  });
});
