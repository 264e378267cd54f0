import {
  DataIntegrityError,
  OrderTransitionError,
  type Fill,
  type Order,
  type TrailingStopState,
} from '@lumenlink/core';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStores, type EngineStores } from './memory-stores.js';

function order(clientOrderId: string, createdAt: number, overrides: Partial<Order> = {}): Order {
  return {
    clientOrderId,
    exchangeOrderId: null,
    exchange: 'paper',
    strategy: 'ema_crossover',
    symbol: 'BTC-USD',
    side: 'buy',
    type: 'market',
    role: 'entry',
    quantity: 0.5,
    limitPrice: null,
    stopPrice: null,
    status: 'pending',
    filledQuantity: 0,
    avgFillPrice: null,
    fee: 0,
    feeCurrency: null,
    reason: null,
    candleTime: createdAt,
    attempt: 0,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

function fill(tradeId: string, clientOrderId: string, time: number): Fill {
  return {
    tradeId,
    clientOrderId,
    exchangeOrderId: 'x1',
    symbol: 'BTC-USD',
    side: 'buy',
    quantity: 0.25,
    price: 100,
    fee: 0.025,
    feeCurrency: 'USD',
    time,
  };
}

const opened: LumenLinkStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

const implementations: [string, () => Promise<EngineStores>][] = [
  ['memory', () => Promise.resolve(memoryStores())],
  [
    'sqlite',
    async () => {
      const store = await openStore({ path: ':memory:' });
      opened.push(store);
      return store;
    },
  ],
];

// The memory stores stand in for SQLite in backtests, so they must answer exactly as it does.
describe.each(implementations)('%s stores', (_name, open) => {
  it('use a client order id once and follow the order state machine', async () => {
    const { orders } = await open();
    await orders.insertOrder(order('ll1', 1_000));
    await expect(orders.insertOrder(order('ll1', 2_000))).rejects.toBeInstanceOf(
      DataIntegrityError,
    );
    const open1 = await orders.updateOrder('ll1', {
      status: 'open',
      exchangeOrderId: 'x1',
      updatedAt: 1_100,
    });
    expect(open1).toMatchObject({ status: 'open', exchangeOrderId: 'x1', updatedAt: 1_100 });
    expect((await orders.getOrderByExchangeId('x1'))?.clientOrderId).toBe('ll1');
    await orders.updateOrder('ll1', {
      status: 'filled',
      filledQuantity: 0.5,
      avgFillPrice: 101,
      updatedAt: 1_200,
    });
    await expect(
      orders.updateOrder('ll1', { status: 'open', updatedAt: 1_300 }),
    ).rejects.toBeInstanceOf(OrderTransitionError);
    await expect(
      orders.updateOrder('nope', { status: 'open', updatedAt: 1 }),
    ).rejects.toBeInstanceOf(DataIntegrityError);
    expect((await orders.getOrder('ll1'))?.avgFillPrice).toBe(101);
  });

  it('apply every field an update gives and keep the others', async () => {
    const { orders } = await open();
    const stored = order('ll1', 1_000, { reason: 'entry' });
    await orders.insertOrder(stored);
    const update = {
      exchangeOrderId: 'x9',
      status: 'filled',
      filledQuantity: 0.5,
      avgFillPrice: 101,
      fee: 0.05,
      feeCurrency: 'USD',
      reason: 'filled at once',
      updatedAt: 1_100,
    } as const;
    const updated = await orders.updateOrder('ll1', update);
    expect(updated).toEqual({ ...stored, ...update });
    expect(await orders.getOrder('ll1')).toEqual({ ...stored, ...update });
    const feeOnly = await orders.updateOrder('ll1', { fee: 0.06, updatedAt: 1_200 });
    expect(feeOnly).toEqual({ ...stored, ...update, fee: 0.06, updatedAt: 1_200 });
  });

  it("list a symbol's orders with their latest updates, whichever order was updated", async () => {
    const { orders } = await open();
    for (const [id, createdAt] of [
      ['lld', 4_000],
      ['lla', 1_000],
      ['llc', 3_000],
      ['llb', 2_000],
      ['lle', 5_000],
    ] as const) {
      await orders.insertOrder(order(id, createdAt));
    }
    // Deep in the list, next to last, last.
    await orders.updateOrder('lla', { status: 'open', updatedAt: 6_000 });
    await orders.updateOrder('lld', { status: 'rejected', updatedAt: 6_100 });
    await orders.updateOrder('lle', { status: 'open', updatedAt: 6_200 });
    await orders.updateOrder('llb', { status: 'canceled', updatedAt: 6_300 });
    expect(
      (await orders.listOrders({ symbol: 'BTC-USD', since: 0 })).map((o) => [
        o.clientOrderId,
        o.status,
      ]),
    ).toEqual([
      ['lla', 'open'],
      ['llb', 'canceled'],
      ['llc', 'pending'],
      ['lld', 'rejected'],
      ['lle', 'open'],
    ]);
    expect((await orders.listNonFinalOrders()).map((o) => o.clientOrderId)).toEqual([
      'lla',
      'llc',
      'lle',
    ]);
  });

  it('list non-final orders oldest first, and the latest orders with a limit', async () => {
    const { orders } = await open();
    await orders.insertOrder(order('llc', 3_000));
    await orders.insertOrder(order('lla', 1_000));
    await orders.insertOrder(order('llb', 2_000, { symbol: 'ETH-USD' }));
    await orders.updateOrder('lla', { status: 'rejected', updatedAt: 1_500 });
    expect((await orders.listNonFinalOrders()).map((o) => o.clientOrderId)).toEqual(['llb', 'llc']);
    expect((await orders.listOrders()).map((o) => o.clientOrderId)).toEqual(['lla', 'llb', 'llc']);
    expect((await orders.listOrders({ limit: 2 })).map((o) => o.clientOrderId)).toEqual([
      'llb',
      'llc',
    ]);
    expect(await orders.listOrders({ limit: 0 })).toEqual([]);
    expect(
      (await orders.listOrders({ symbol: 'BTC-USD', since: 1_500 })).map((o) => o.clientOrderId),
    ).toEqual(['llc']);
  });

  it('keep a fill once per trade id', async () => {
    const { orders } = await open();
    await orders.insertOrder(order('ll1', 1_000));
    expect(await orders.saveFill(fill('t1', 'll1', 1_100))).toBe(true);
    expect(await orders.saveFill(fill('t1', 'll1', 1_100))).toBe(false);
    expect(await orders.saveFill(fill('t2', 'll1', 1_050))).toBe(true);
    // The same trade id on another symbol is another fill.
    await orders.insertOrder(order('ll2', 1_000, { symbol: 'ETH-USD' }));
    expect(await orders.saveFill({ ...fill('t1', 'll2', 1_100), symbol: 'ETH-USD' })).toBe(true);
    expect(await orders.saveFill({ ...fill('t1', 'll2', 1_100), symbol: 'ETH-USD' })).toBe(false);
    expect((await orders.listFills({ clientOrderId: 'll1' })).map((f) => f.tradeId)).toEqual([
      't2',
      't1',
    ]);
    expect(await orders.listFills({ since: 1_080 })).toHaveLength(2);
    expect(await orders.listFills({ symbol: 'BTC-USD', since: 1_080 })).toHaveLength(1);
  });

  it("list an order's fills oldest first, as a copy the caller may change", async () => {
    const { orders } = await open();
    await orders.insertOrder(order('ll1', 1_000));
    await orders.insertOrder(order('ll2', 1_000, { side: 'sell' }));
    for (const [tradeId, time] of [
      ['t1', 1_100],
      ['t2', 1_200],
      ['t3', 1_300],
    ] as const) {
      await orders.saveFill(fill(tradeId, 'll1', time));
    }
    await orders.saveFill(fill('t4', 'll2', 1_150));
    const listed = await orders.listFills({ clientOrderId: 'll1' });
    expect(listed.map((f) => f.tradeId)).toEqual(['t1', 't2', 't3']);
    listed.reverse().pop();
    expect((await orders.listFills({ clientOrderId: 'll1' })).map((f) => f.tradeId)).toEqual([
      't1',
      't2',
      't3',
    ]);
    expect(await orders.listFills({ clientOrderId: 'none' })).toEqual([]);
    expect(
      (await orders.listFills({ clientOrderId: 'll1', since: 1_150 })).map((f) => f.tradeId),
    ).toEqual(['t2', 't3']);
  });

  it('keep decisions newest first, trading state, trailing stops and processed candles', async () => {
    const { decisions, runtime } = await open();
    for (const candleTime of [1, 2, 3]) {
      await decisions.recordDecision({
        symbol: 'BTC-USD',
        strategy: 's',
        candleTime,
        decidedAt: candleTime,
        signal: { action: 'buy', confidence: 1, reason: `r${candleTime}` },
        verdict: null,
        outcome: 'blocked',
        clientOrderId: null,
        note: '',
      });
    }
    expect((await decisions.recentDecisions('BTC-USD', 2)).map((d) => d.candleTime)).toEqual([
      3, 2,
    ]);
    expect(await runtime.getTradingState()).toBeNull();
    const record = {
      state: 'reducing' as const,
      reason: 'r',
      changedBy: 'test',
      changedAt: 5,
      until: 9,
    };
    await runtime.setTradingState(record);
    expect(await runtime.getTradingState()).toEqual(record);
    const stop: TrailingStopState = {
      symbol: 'BTC-USD',
      stopPrice: 90,
      highWater: 100,
      atrMultiple: 2,
      updatedAt: 5,
    };
    await runtime.saveTrailingStop(stop);
    expect(await runtime.listTrailingStops()).toEqual([stop]);
    await runtime.deleteTrailingStop('BTC-USD');
    expect(await runtime.listTrailingStops()).toEqual([]);
    expect(await runtime.getLastProcessedCandle('BTC-USD', '1h')).toBeNull();
    await runtime.setLastProcessedCandle('BTC-USD', '1h', 3_600_000);
    expect(await runtime.getLastProcessedCandle('BTC-USD', '1h')).toBe(3_600_000);
    expect(await runtime.getLastProcessedCandle('BTC-USD', '4h')).toBeNull();
  });

  it('keep symbol pauses by symbol until lifted', async () => {
    const { runtime } = await open();
    const pause = {
      symbol: 'SOL-USD',
      reason: 'over-sell on record',
      pausedBy: 'restore',
      pausedAt: 5,
      resumedAt: null,
      issues: ['t-1'],
      acknowledged: [],
    } as const;
    await runtime.setSymbolPause(pause);
    await runtime.setSymbolPause({ ...pause, symbol: 'BTC-USD', pausedAt: 6 });
    expect((await runtime.listSymbolPauses()).map((p) => p.symbol)).toEqual(['BTC-USD', 'SOL-USD']);
    await runtime.deleteSymbolPause('SOL-USD');
    await runtime.deleteSymbolPause('SOL-USD');
    expect(await runtime.listSymbolPauses()).toEqual([
      { ...pause, symbol: 'BTC-USD', pausedAt: 6 },
    ]);
  });

  it('keep position write-offs oldest first, one per id', async () => {
    const { runtime } = await open();
    const writeOff = {
      id: 'write-off:BTC-USD:20',
      symbol: 'BTC-USD',
      quantity: 0.004,
      price: 50_000,
      reason: 'sold by hand',
      adjustedBy: 'http',
      at: 20,
      afterTradeId: 't-7',
    } as const;
    await runtime.savePositionAdjustment(writeOff);
    await runtime.savePositionAdjustment({ ...writeOff, id: 'write-off:ETH-USD:10', at: 10 });
    await runtime.savePositionAdjustment(writeOff);
    expect((await runtime.listPositionAdjustments()).map((a) => a.id)).toEqual([
      'write-off:ETH-USD:10',
      'write-off:BTC-USD:20',
    ]);
  });

  it('list a non-final order of a symbol and a final one filled in its fee', async () => {
    const { orders } = await open();
    await orders.insertOrder(order('llx', 1_000));
    await orders.updateOrder('llx', { status: 'filled', filledQuantity: 0.01, updatedAt: 1_100 });
    await orders.updateOrder('llx', { fee: 0.5, feeCurrency: 'USD', updatedAt: 1_200 });
    expect(await orders.getOrder('llx')).toMatchObject({ status: 'filled', fee: 0.5 });
    await expect(
      orders.updateOrder('llx', { filledQuantity: 0.02, updatedAt: 1_300 }),
    ).rejects.toThrow(/illegal status change filled -> filled/);
  });
});

describe('MemoryOrderStore', () => {
  it("keeps an order's field order through updates (results compared as JSON stay equal)", async () => {
    const { orders } = memoryStores();
    const stored = order('ll1', 1_000);
    await orders.insertOrder(stored);
    await orders.updateOrder('ll1', { reason: 'late', status: 'open', updatedAt: 1_100 });
    const updated = await orders.updateOrder('ll1', {
      fee: 0.1,
      feeCurrency: 'USD',
      filledQuantity: 0.5,
      status: 'filled',
      updatedAt: 1_200,
    });
    expect(Object.keys(updated)).toEqual(Object.keys(stored));
  });
});
