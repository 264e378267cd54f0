import {
  DataIntegrityError,
  OrderTransitionError,
  ValidationError,
  type OrderStatus,
} from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aFill, anOrder, hour, t0 } from './__fixtures__/domain.js';
import { openStore, type LumenLinkStore } from './open-store.js';
import { DuplicateOrderError } from './store-errors.js';

let store: LumenLinkStore;

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
});

afterEach(async () => {
  await store.close();
});

describe('insertOrder', () => {
  it('stores an order and reads it back by client id', async () => {
    const order = anOrder({ type: 'limit', limitPrice: 41_500.5, feeCurrency: 'USD' });
    await store.orders.insertOrder(order);
    expect(await store.orders.getOrder(order.clientOrderId)).toEqual(order);
    expect(await store.orders.getOrder('llMISSING')).toBeNull();
  });

  it('rejects a second order with the same client id and keeps the first', async () => {
    const order = anOrder();
    await store.orders.insertOrder(order);
    const duplicate = store.orders.insertOrder(anOrder({ quantity: 5, status: 'open' }));
    await expect(duplicate).rejects.toThrow(DuplicateOrderError);
    await expect(duplicate).rejects.toThrow(DataIntegrityError);
    await expect(duplicate).rejects.toMatchObject({
      clientOrderId: order.clientOrderId,
      code: 'DATA_INTEGRITY',
      isRetryable: false,
    });
    expect(await store.orders.getOrder(order.clientOrderId)).toEqual(order);
  });

  it('rejects an exchange order id that belongs to another order', async () => {
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llA', exchangeOrderId: 'X1' }));
    await expect(
      store.orders.insertOrder(anOrder({ clientOrderId: 'llB', exchangeOrderId: 'X1' })),
    ).rejects.toThrow(/UNIQUE constraint failed: orders.exchange_order_id/);
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llC', exchangeOrderId: null }));
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llD', exchangeOrderId: null }));
  });

  it('rejects an order that breaks its type before touching the database', async () => {
    await expect(store.orders.insertOrder(anOrder({ quantity: 0 }))).rejects.toThrow(
      ValidationError,
    );
    await expect(
      store.orders.insertOrder(anOrder({ status: 'done' as OrderStatus })),
    ).rejects.toThrow(/status "done" is not one of pending, unknown, open/);
    await expect(store.orders.insertOrder(anOrder({ limitPrice: Number.NaN }))).rejects.toThrow(
      /limitPrice NaN/,
    );
    expect(await store.orders.listOrders()).toEqual([]);
  });

  it('finds an order by its exchange id', async () => {
    await store.orders.insertOrder(anOrder({ exchangeOrderId: 'X42', status: 'open' }));
    expect((await store.orders.getOrderByExchangeId('X42'))?.clientOrderId).toBe('llTEST0001');
    expect(await store.orders.getOrderByExchangeId('X43')).toBeNull();
  });
});

describe('updateOrder', () => {
  beforeEach(async () => {
    await store.orders.insertOrder(anOrder());
  });

  it('follows legal transitions and returns the updated order', async () => {
    const unknown = await store.orders.updateOrder('llTEST0001', {
      status: 'unknown',
      reason: 'timeout while sending',
      updatedAt: t0 + hour + 1,
    });
    expect(unknown).toMatchObject({ status: 'unknown', reason: 'timeout while sending' });

    const open = await store.orders.updateOrder('llTEST0001', {
      status: 'open',
      exchangeOrderId: 'X9',
      updatedAt: t0 + hour + 2,
    });
    expect(open).toMatchObject({ status: 'open', exchangeOrderId: 'X9' });

    await store.orders.updateOrder('llTEST0001', {
      status: 'partially_filled',
      filledQuantity: 0.004,
      avgFillPrice: 42_000,
      fee: 0.17,
      feeCurrency: 'USD',
      updatedAt: t0 + hour + 3,
    });
    await store.orders.updateOrder('llTEST0001', {
      filledQuantity: 0.006,
      updatedAt: t0 + hour + 4,
    });
    const filled = await store.orders.updateOrder('llTEST0001', {
      status: 'filled',
      filledQuantity: 0.01,
      avgFillPrice: 42_010,
      fee: 0.42,
      updatedAt: t0 + hour + 5,
    });
    expect(filled).toEqual({
      ...anOrder(),
      exchangeOrderId: 'X9',
      status: 'filled',
      filledQuantity: 0.01,
      avgFillPrice: 42_010,
      fee: 0.42,
      feeCurrency: 'USD',
      reason: 'timeout while sending',
      updatedAt: t0 + hour + 5,
    });
    expect(await store.orders.getOrder('llTEST0001')).toEqual(filled);
  });

  it('throws on an illegal transition and changes nothing', async () => {
    await store.orders.updateOrder('llTEST0001', { status: 'open', updatedAt: t0 + hour + 1 });
    await expect(
      store.orders.updateOrder('llTEST0001', { status: 'pending', updatedAt: t0 + hour + 2 }),
    ).rejects.toThrow(OrderTransitionError);
    await store.orders.updateOrder('llTEST0001', { status: 'filled', updatedAt: t0 + hour + 3 });
    await expect(
      store.orders.updateOrder('llTEST0001', { status: 'canceled', updatedAt: t0 + hour + 4 }),
    ).rejects.toThrow('llTEST0001: illegal status change filled -> canceled');
    // A final order never changes, not even without a status...
    await expect(
      store.orders.updateOrder('llTEST0001', { filledQuantity: 1, updatedAt: t0 + hour + 5 }),
    ).rejects.toThrow(OrderTransitionError);
    await expect(
      store.orders.updateOrder('llTEST0001', { fee: 1, reason: 'x', updatedAt: t0 + hour + 5 }),
    ).rejects.toThrow(OrderTransitionError);
    expect(await store.orders.getOrder('llTEST0001')).toMatchObject({
      status: 'filled',
      fee: 0,
      updatedAt: t0 + hour + 3,
    });
    // ...but its fee, learned from its fills after a lookup, is filled in.
    await store.orders.updateOrder('llTEST0001', {
      fee: 0.02,
      feeCurrency: 'USD',
      updatedAt: t0 + hour + 6,
    });
    expect(await store.orders.getOrder('llTEST0001')).toMatchObject({
      status: 'filled',
      fee: 0.02,
      feeCurrency: 'USD',
    });
  });

  it('lets exactly one of two racing final updates win', async () => {
    await store.orders.updateOrder('llTEST0001', { status: 'open', updatedAt: t0 + hour + 1 });
    const results = await Promise.allSettled([
      store.orders.updateOrder('llTEST0001', { status: 'filled', updatedAt: t0 + hour + 2 }),
      store.orders.updateOrder('llTEST0001', { status: 'canceled', updatedAt: t0 + hour + 2 }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(OrderTransitionError);
    expect((await store.orders.getOrder('llTEST0001'))?.status).toBe('filled');
  });

  it('throws for an order that is not stored', async () => {
    await expect(
      store.orders.updateOrder('llNOPE', { status: 'open', updatedAt: t0 }),
    ).rejects.toThrow(new DataIntegrityError('updateOrder llNOPE: no such order is stored'));
  });

  it('rejects an update that breaks the order type', async () => {
    await expect(
      store.orders.updateOrder('llTEST0001', { filledQuantity: -1, updatedAt: t0 }),
    ).rejects.toThrow(ValidationError);
  });
});

describe('order listings', () => {
  const statuses: OrderStatus[] = ['filled', 'open', 'pending', 'canceled', 'unknown', 'failed'];

  beforeEach(async () => {
    // Inserted out of creation order, to check the ordering.
    for (const [index, status] of statuses.entries()) {
      await store.orders.insertOrder(
        anOrder({
          clientOrderId: `ll${index}`,
          status,
          symbol: index % 2 === 0 ? 'BTC-USD' : 'ETH-USD',
          createdAt: t0 + (10 - index) * hour,
        }),
      );
    }
  });

  it('lists every non-final order, oldest first', async () => {
    const open = await store.orders.listNonFinalOrders();
    expect(open.map((order) => [order.clientOrderId, order.status])).toEqual([
      ['ll4', 'unknown'],
      ['ll2', 'pending'],
      ['ll1', 'open'],
    ]);
  });

  it('lists orders by symbol and time, the most recent `limit` oldest first', async () => {
    const ids = async (options: Parameters<typeof store.orders.listOrders>[0]) =>
      (await store.orders.listOrders(options)).map((order) => order.clientOrderId);
    expect(await ids({})).toEqual(['ll5', 'll4', 'll3', 'll2', 'll1', 'll0']);
    expect(await ids({ symbol: 'BTC-USD' })).toEqual(['ll4', 'll2', 'll0']);
    expect(await ids({ since: t0 + 8 * hour })).toEqual(['ll2', 'll1', 'll0']);
    expect(await ids({ limit: 2 })).toEqual(['ll1', 'll0']);
    expect(await ids({ symbol: 'ETH-USD', limit: 1 })).toEqual(['ll1']);
  });
});

describe('fills', () => {
  beforeEach(async () => {
    await store.orders.insertOrder(anOrder());
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llETH', symbol: 'ETH-USD' }));
  });

  it('stores a fill once per trade id', async () => {
    expect(await store.orders.saveFill(aFill())).toBe(true);
    expect(await store.orders.saveFill(aFill())).toBe(false);
    expect(await store.orders.saveFill(aFill({ price: 1 }))).toBe(false);
    expect(await store.orders.listFills()).toEqual([aFill()]);
  });

  it('keys trade ids per symbol (exchanges number trades per market)', async () => {
    expect(await store.orders.saveFill(aFill())).toBe(true);
    expect(await store.orders.saveFill(aFill({ symbol: 'ETH-USD', clientOrderId: 'llETH' }))).toBe(
      true,
    );
    expect(await store.orders.listFills()).toHaveLength(2);
  });

  it('rejects a fill of an order that is not stored', async () => {
    await expect(store.orders.saveFill(aFill({ clientOrderId: 'llNOPE' }))).rejects.toThrow(
      DataIntegrityError,
    );
    await expect(store.orders.saveFill(aFill({ clientOrderId: 'llNOPE' }))).rejects.toThrow(
      /FOREIGN KEY constraint failed/,
    );
  });

  it('rejects a fill that breaks its type', async () => {
    await expect(store.orders.saveFill(aFill({ quantity: -1 }))).rejects.toThrow(ValidationError);
  });

  it('lists fills by symbol, order and time, in execution order', async () => {
    await store.orders.saveFill(aFill({ tradeId: 'T2', time: t0 + 3 * hour }));
    await store.orders.saveFill(aFill({ tradeId: 'T1', time: t0 + 2 * hour }));
    await store.orders.saveFill(
      aFill({ tradeId: 'E1', symbol: 'ETH-USD', clientOrderId: 'llETH', time: t0 + hour }),
    );
    const ids = async (options: Parameters<typeof store.orders.listFills>[0]) =>
      (await store.orders.listFills(options)).map((fill) => fill.tradeId);
    expect(await ids({})).toEqual(['E1', 'T1', 'T2']);
    expect(await ids({ symbol: 'BTC-USD' })).toEqual(['T1', 'T2']);
    expect(await ids({ clientOrderId: 'llETH' })).toEqual(['E1']);
    expect(await ids({ since: t0 + 2 * hour })).toEqual(['T1', 'T2']);
  });
});
