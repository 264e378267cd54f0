import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OrderNotFoundError,
  OrderRejectedError,
  ValidationError,
  DataIntegrityError,
  permissiveMarketInfo,
  type Candle,
  type Fill,
  type Order,
  type OrderRequest,
  type OrderRole,
  type SymbolId,
} from '@lumenlink/core';
import { ManualClock, ScriptedMarketDataSource } from '@lumenlink/core/testing';
import { openStore } from '@lumenlink/data';
import { ReplayMarketData } from '@lumenlink/exchanges';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaperBroker, type PaperBrokerOptions } from './paper-broker.js';
import { Portfolio } from './portfolio.js';

const hour = 3_600_000;
const t0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const btc: SymbolId = 'BTC-USD';

/** A candle at hour `index` after t0. */
function candle(index: number, open: number, high: number, low: number, close: number): Candle {
  return { time: t0 + index * hour, open, high, low, close, volume: 10 };
}

let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock(t0);
});

function paper(options: Partial<PaperBrokerOptions> = {}): PaperBroker {
  return new PaperBroker({
    clock,
    feeBps: 10,
    slippageBps: 5,
    startingCash: 10_000,
    quoteCurrency: 'USD',
    ...options,
  });
}

let nextId = 1;
function request(
  side: OrderRequest['side'],
  type: OrderRequest['type'],
  quantity: number,
  prices: { limitPrice?: number; stopPrice?: number } = {},
): OrderRequest {
  return { clientOrderId: `ll-test-${nextId++}`, symbol: btc, side, type, quantity, ...prices };
}

/** Step 0 of the trade cycle for one candle. */
function process(broker: PaperBroker, bar: Candle, symbol: SymbolId = btc): readonly Fill[] {
  return broker.processCandle(symbol, bar);
}

/** Moves the clock to a candle's close, where the engine decides. */
async function closeAt(bar: Candle): Promise<void> {
  await clock.advanceTo(bar.time + hour);
}

function cash(broker: PaperBroker): number {
  return broker.balance().USD?.total ?? 0;
}

function base(broker: PaperBroker): number {
  return broker.balance().BTC?.total ?? 0;
}

describe('PaperBroker: market orders, next-open (the paper fill model)', () => {
  it('fills a buy at the next open plus slippage and a sell at the next open minus slippage, with fees on both sides', async () => {
    const broker = paper();
    const c0 = candle(0, 100, 101, 99, 100);
    process(broker, c0);
    await closeAt(c0);
    const buy = await broker.createOrder(request('buy', 'market', 10));
    expect(buy.status).toBe('open');
    expect(await broker.fetchFills(btc)).toEqual([]);

    const c1 = candle(1, 102, 104, 101, 103);
    const [buyFill, ...moreBuys] = process(broker, c1);
    expect(moreBuys).toEqual([]);
    // 102 x (1 + 5/10000) = 102.051; value 1020.51; fee 10 bps = 1.02051.
    expect(buyFill).toMatchObject({
      tradeId: 'paper-1',
      clientOrderId: buy.clientOrderId,
      exchangeOrderId: buy.exchangeOrderId,
      side: 'buy',
      quantity: 10,
      feeCurrency: 'USD',
      time: c1.time,
    });
    expect(buyFill?.price).toBeCloseTo(102.051, 9);
    expect(buyFill?.fee).toBeCloseTo(1.02051, 9);
    expect(cash(broker)).toBeCloseTo(10_000 - 1020.51 - 1.02051, 9);
    expect(base(broker)).toBe(10);
    expect(await broker.fetchOrder(btc, buy.exchangeOrderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 10,
      fee: buyFill?.fee,
      feeCurrency: 'USD',
    });

    await closeAt(c1);
    const sell = await broker.createOrder(request('sell', 'market', 10));
    const c2 = candle(2, 110, 111, 108, 109);
    const [sellFill] = process(broker, c2);
    // 110 x (1 - 5/10000) = 109.945; value 1099.45; fee 1.09945.
    expect(sellFill).toMatchObject({ tradeId: 'paper-2', side: 'sell', time: c2.time });
    expect(sellFill?.price).toBeCloseTo(109.945, 9);
    expect(sellFill?.fee).toBeCloseTo(1.09945, 9);
    expect(cash(broker)).toBeCloseTo(10_000 - 1020.51 - 1.02051 + 1099.45 - 1.09945, 9);
    expect(base(broker)).toBe(0);
    expect((await broker.fetchOrder(btc, sell.exchangeOrderId)).avgFillPrice).toBeCloseTo(
      109.945,
      9,
    );
  });

  it('fills at the close of the deciding candle in close mode, at once', async () => {
    const broker = paper({ fillMode: 'close' });
    const c0 = candle(0, 100, 101, 99, 100.5);
    process(broker, c0);
    await closeAt(c0);
    const order = await broker.createOrder(request('buy', 'market', 2));
    // 100.5 x 1.0005 = 100.55025; value 201.1005; fee 0.2011005.
    expect(order).toMatchObject({ status: 'filled', filledQuantity: 2 });
    expect(order.avgFillPrice).toBeCloseTo(100.55025, 9);
    expect(order.fee).toBeCloseTo(0.2011005, 9);
    const [fill] = await broker.fetchFills(btc);
    expect(fill?.time).toBe(c0.time + hour);
    expect(process(broker, candle(1, 120, 121, 119, 120))).toEqual([]);
  });

  it('rejects a market buy when no price is known yet', async () => {
    const broker = paper();
    const error = await broker.createOrder(request('buy', 'market', 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect(error).toMatchObject({ reason: 'invalid_order' });
    expect((error as Error).message).toContain('no price is known for BTC-USD');
  });
});

describe('PaperBroker: resting limit orders', () => {
  it('rests until the range reaches the limit, then fills at the limit or the better open', async () => {
    const broker = paper();
    process(broker, candle(0, 100, 101, 99, 100));
    const atLimit = await broker.createOrder(request('buy', 'limit', 1, { limitPrice: 98 }));
    const gapped = await broker.createOrder(request('buy', 'limit', 1, { limitPrice: 96 }));
    expect(process(broker, candle(1, 100, 102, 98.5, 101))).toEqual([]);
    // Low 97 reaches 98 (open 99 above it): fills at 98. 96 is not reached.
    const [first, ...rest] = process(broker, candle(2, 99, 100, 97, 98));
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ clientOrderId: atLimit.clientOrderId, price: 98 });
    expect(first?.fee).toBeCloseTo(0.098, 12);
    // Opens at 95, below the 96 limit: fills at the open, the better price.
    const [second] = process(broker, candle(3, 95, 97, 94, 96));
    expect(second).toMatchObject({ clientOrderId: gapped.clientOrderId, price: 95 });
    expect(cash(broker)).toBeCloseTo(10_000 - 98 - 0.098 - 95 - 0.095, 9);
    expect(base(broker)).toBe(2);

    const sell = await broker.createOrder(request('sell', 'limit', 2, { limitPrice: 105 }));
    // Opens at 106, above the 105 limit: a sell limit fills at max(limit, open) = 106.
    const [third] = process(broker, candle(4, 106, 107, 104, 105));
    expect(third).toMatchObject({ clientOrderId: sell.clientOrderId, price: 106, quantity: 2 });
  });
});

describe('PaperBroker: stops', () => {
  async function holding(quantity: number, options: Partial<PaperBrokerOptions> = {}) {
    const broker = paper({ fillMode: 'close', ...options });
    process(broker, candle(0, 100, 101, 99, 100));
    await broker.createOrder(request('buy', 'market', quantity));
    return broker;
  }

  it('fills a stop-market at its stop, or at the open when the candle gapped through it', async () => {
    const broker = await holding(2);
    const stop = await broker.createOrder(request('sell', 'stop_market', 1, { stopPrice: 95 }));
    expect(stop.status).toBe('open');
    expect(process(broker, candle(1, 100, 101, 96, 97))).toEqual([]);
    const [hit] = process(broker, candle(2, 97, 98, 94, 95));
    expect(hit).toMatchObject({ clientOrderId: stop.clientOrderId, price: 95, quantity: 1 });
    expect(hit?.fee).toBeCloseTo(0.095, 12);

    const gap = await broker.createOrder(request('sell', 'stop_market', 1, { stopPrice: 90 }));
    const [gapFill] = process(broker, candle(3, 88, 89, 85, 86));
    expect(gapFill).toMatchObject({ clientOrderId: gap.clientOrderId, price: 88 });
  });

  it('fills a stop at once when the last processed candle already traded through it (the exit check)', async () => {
    const broker = await holding(2);
    const bar = candle(1, 100, 101, 94, 96);
    process(broker, bar);
    await closeAt(bar);
    const stop = await broker.createOrder(request('sell', 'stop_market', 1, { stopPrice: 95 }));
    expect(stop).toMatchObject({ status: 'filled', avgFillPrice: 95 });
    const fills = await broker.fetchFills(btc, bar.time + hour);
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ price: 95, time: bar.time + hour });

    const gapped = candle(2, 90, 92, 89, 91);
    process(broker, gapped);
    const second = await broker.createOrder(request('sell', 'stop_market', 1, { stopPrice: 95 }));
    expect(second).toMatchObject({ status: 'filled', avgFillPrice: 90 });
  });

  it('assumes the stop first when a stop and its take-profit (an OCO pair) are both inside one candle', async () => {
    const broker = await holding(1);
    const { stop, takeProfit } = await broker.createOcoOrders({
      stop: request('sell', 'stop_market', 1, { stopPrice: 95 }),
      takeProfit: request('sell', 'limit', 1, { limitPrice: 110 }),
    });
    // The pair reserves the 1 BTC once.
    expect(broker.balance().BTC).toEqual({ free: 0, used: 1, total: 1 });
    const fills = process(broker, candle(1, 100, 111, 94, 105));
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ clientOrderId: stop.clientOrderId, price: 95 });
    expect((await broker.fetchOrder(btc, takeProfit.exchangeOrderId)).status).toBe('canceled');
    expect(broker.balance().BTC).toEqual({ free: 0, used: 0, total: 0 });
  });

  it('fills the take-profit and cancels the stop when only the target is reached', async () => {
    const broker = await holding(1);
    const { stop, takeProfit } = await broker.createOcoOrders({
      stop: request('sell', 'stop_market', 1, { stopPrice: 95 }),
      takeProfit: request('sell', 'limit', 1, { limitPrice: 110 }),
    });
    const [fill] = process(broker, candle(1, 100, 112, 99, 111));
    expect(fill).toMatchObject({ clientOrderId: takeProfit.clientOrderId, price: 110 });
    expect((await broker.fetchOrder(btc, stop.exchangeOrderId)).status).toBe('canceled');
  });

  it('cancels both legs of an OCO pair when one is canceled', async () => {
    const broker = await holding(1);
    const { stop, takeProfit } = await broker.createOcoOrders({
      stop: request('sell', 'stop_market', 1, { stopPrice: 95 }),
      takeProfit: request('sell', 'limit', 1, { limitPrice: 110 }),
    });
    await broker.cancelOrder(btc, takeProfit.exchangeOrderId);
    expect((await broker.fetchOrder(btc, stop.exchangeOrderId)).status).toBe('canceled');
    expect(await broker.fetchOpenOrders()).toEqual([]);
  });

  it('refuses OCO legs that do not form a pair', async () => {
    const broker = await holding(1);
    await expect(
      broker.createOcoOrders({
        stop: request('sell', 'stop_market', 1, { stopPrice: 95 }),
        takeProfit: request('sell', 'limit', 1, { limitPrice: 90 }),
      }),
    ).rejects.toThrow('takeProfit.limitPrice 90 must be above stop.stopPrice 95');
    await expect(
      broker.createOcoOrders({
        stop: request('sell', 'stop_market', 1, { stopPrice: 95 }),
        takeProfit: request('sell', 'limit', 0.5, { limitPrice: 110 }),
      }),
    ).rejects.toThrow('stop.quantity 1 and takeProfit.quantity 0.5 differ');
    expect(await broker.fetchOpenOrders()).toEqual([]);
  });

  it('triggers a stop-limit at its stop and fills it there when within the limit', async () => {
    const broker = await holding(3);
    const order = await broker.createOrder(
      request('sell', 'stop_limit', 1, { stopPrice: 95, limitPrice: 94 }),
    );
    const [fill] = process(broker, candle(1, 100, 101, 94.5, 95));
    expect(fill).toMatchObject({ clientOrderId: order.clientOrderId, price: 95 });
  });

  it('fills a stop-limit that gapped below its limit at the limit when the candle comes back to it', async () => {
    const broker = await holding(3);
    const order = await broker.createOrder(
      request('sell', 'stop_limit', 1, { stopPrice: 95, limitPrice: 94 }),
    );
    // Opens at 93: triggered, but 93 is below the 94 limit; the high 94.5 reaches it afterwards.
    const [fill] = process(broker, candle(1, 93, 94.5, 92, 94));
    expect(fill).toMatchObject({ clientOrderId: order.clientOrderId, price: 94 });
  });

  it('rests a triggered stop-limit as a limit until a later candle reaches it', async () => {
    const broker = await holding(3);
    const order = await broker.createOrder(
      request('sell', 'stop_limit', 1, { stopPrice: 95, limitPrice: 96 }),
    );
    // Triggers at 95, below the 96 limit; whether the 97 high came after the trigger is unknown.
    expect(process(broker, candle(1, 100, 101, 94, 97))).toEqual([]);
    expect((await broker.fetchOrder(btc, order.exchangeOrderId)).status).toBe('open');
    // Now a plain resting sell limit: max(96, open 95.5) = 96.
    const [fill] = process(broker, candle(2, 95.5, 96.5, 95, 96));
    expect(fill).toMatchObject({ clientOrderId: order.clientOrderId, price: 96 });
  });

  it('does not fill a stop-limit gapped below its limit when the candle never comes back', async () => {
    const broker = await holding(3);
    const order = await broker.createOrder(
      request('sell', 'stop_limit', 1, { stopPrice: 95, limitPrice: 94 }),
    );
    expect(process(broker, candle(1, 90, 93, 89, 92))).toEqual([]);
    const [fill] = process(broker, candle(2, 92, 95, 91, 94));
    expect(fill).toMatchObject({ clientOrderId: order.clientOrderId, price: 94 });
  });
});

describe('PaperBroker: funds', () => {
  it('rejects orders the free balance cannot cover, with reason insufficient_funds', async () => {
    const broker = paper();
    process(broker, candle(0, 100, 101, 99, 100));
    // 100 x 1.0005 x 100 = 10005 plus fees: more than 10 000.
    const error = await broker.createOrder(request('buy', 'market', 100)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect(error).toMatchObject({ reason: 'insufficient_funds' });
    await expect(broker.createOrder(request('sell', 'market', 0.1))).rejects.toMatchObject({
      reason: 'insufficient_funds',
    });
    expect(await broker.fetchOpenOrders()).toEqual([]);
    expect(cash(broker)).toBe(10_000);
  });

  it('reserves what resting orders may spend', async () => {
    const broker = paper();
    process(broker, candle(0, 100, 101, 99, 100));
    await broker.createOrder(request('buy', 'limit', 50, { limitPrice: 100 }));
    // 50 x 100 = 5000 plus 5 fee reserved.
    expect(broker.balance().USD).toEqual({ free: 4995, used: 5005, total: 10_000 });
    await expect(
      broker.createOrder(request('buy', 'limit', 50, { limitPrice: 100 })),
    ).rejects.toMatchObject({ reason: 'insufficient_funds' });
  });

  it('fills what the cash covers when a market buy gaps up, and cancels the rest', async () => {
    const broker = paper({
      feeBps: 0,
      slippageBps: 0,
      markets: new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.01 })]]),
    });
    process(broker, candle(0, 100, 101, 99, 100));
    const order = await broker.createOrder(request('buy', 'market', 100)); // 10 000 at 100
    const [fill] = process(broker, candle(1, 125, 126, 124, 125));
    // 10 000 / 125 = 80 BTC.
    expect(fill).toMatchObject({ quantity: 80, price: 125 });
    expect(await broker.fetchOrder(btc, order.exchangeOrderId)).toMatchObject({
      status: 'canceled',
      filledQuantity: 80,
    });
    expect(cash(broker)).toBeCloseTo(0, 9);
  });
});

describe('PaperBroker: live paper trading (market data)', () => {
  function liveBroker(source: ScriptedMarketDataSource): PaperBroker {
    return paper({ marketData: source });
  }

  it('walks the order book: one fill per level, the rest rests and fills at the next open', async () => {
    const source = new ScriptedMarketDataSource();
    source.setOrderBook({
      symbol: btc,
      time: t0,
      bids: [[99, 5]],
      asks: [
        [100, 1],
        [101, 0.5],
      ],
    });
    const broker = liveBroker(source);
    const order = await broker.createOrder(request('buy', 'market', 2));
    expect(order).toMatchObject({ status: 'partially_filled', filledQuantity: 1.5 });
    expect(order.avgFillPrice).toBeCloseTo((100 + 50.5) / 1.5, 9);
    const fills = await broker.fetchFills(btc);
    expect(fills.map((fill) => [fill.tradeId, fill.price, fill.quantity])).toEqual([
      ['paper-1', 100, 1],
      ['paper-2', 101, 0.5],
    ]);
    expect(fills[1]?.fee).toBeCloseTo(0.0505, 12);
    const [rest] = process(broker, candle(1, 102, 103, 101, 102));
    expect(rest?.quantity).toBeCloseTo(0.5, 12);
    expect(rest?.price).toBeCloseTo(102.051, 9);
    expect((await broker.fetchOrder(btc, order.exchangeOrderId)).status).toBe('filled');
  });

  it('fills a marketable limit within its limit and rests the rest; canceling keeps the filled part', async () => {
    const source = new ScriptedMarketDataSource();
    source.setOrderBook({
      symbol: btc,
      time: t0,
      bids: [],
      asks: [
        [100, 1],
        [100.5, 1],
        [101, 5],
      ],
    });
    const broker = liveBroker(source);
    const order = await broker.createOrder(request('buy', 'limit', 3, { limitPrice: 100.5 }));
    expect(order).toMatchObject({ status: 'partially_filled', filledQuantity: 2 });
    expect(broker.balance().USD?.used).toBeCloseTo(100.5 * 1 * 1.001, 9);
    const canceled = await broker.cancelOrder(btc, order.exchangeOrderId);
    expect(canceled).toMatchObject({ status: 'canceled', filledQuantity: 2 });
    expect(base(broker)).toBe(2);
    expect(broker.balance().USD?.used).toBe(0);
    expect(cash(broker)).toBeCloseTo(10_000 - 200.5 - 0.2005, 9);
    await expect(broker.cancelOrder(btc, order.exchangeOrderId)).rejects.toBeInstanceOf(
      OrderNotFoundError,
    );
  });

  it('fills at the ticker with slippage when the source serves no order book (replay)', async () => {
    const bars = [candle(0, 100, 101, 99, 100), candle(1, 100, 102, 99, 101)];
    const replay = new ReplayMarketData({
      candles: { [btc]: bars },
      timeframe: '1h',
      startAfter: 2,
    });
    const broker = paper({ marketData: replay });
    const order = await broker.createOrder(request('sell', 'market', 1)).catch((e: unknown) => e);
    expect(order).toMatchObject({ reason: 'insufficient_funds' });
    const buy = await broker.createOrder(request('buy', 'market', 1));
    // Last close 101 x 1.0005 = 101.0505.
    expect(buy.status).toBe('filled');
    expect(buy.avgFillPrice).toBeCloseTo(101.0505, 9);
  });

  it('executes a stop at once when the market is already through it', async () => {
    const source = new ScriptedMarketDataSource();
    source.setOrderBook({ symbol: btc, time: t0, bids: [[94, 10]], asks: [[94.1, 10]] });
    const broker = liveBroker(source);
    await broker.createOrder(request('buy', 'market', 1));
    const stop = await broker.createOrder(request('sell', 'stop_market', 1, { stopPrice: 95 }));
    expect(stop).toMatchObject({ status: 'filled', avgFillPrice: 94 });
  });

  it('places nothing when the market data fails', async () => {
    const source = new ScriptedMarketDataSource();
    source.failNext('fetchOrderBook', new Error('ECONNRESET'));
    const broker = liveBroker(source);
    const attempt = request('buy', 'market', 1);
    await expect(broker.createOrder(attempt)).rejects.toThrow('ECONNRESET');
    expect(await broker.fetchOrderByClientId(btc, attempt.clientOrderId)).toBeNull();
  });
});

describe('PaperBroker: dust, by the rule the Portfolio applies', () => {
  /** Both levels of 3.995 and 2.094 at 100, each side: 6.089 in, 6.089 out leaves 4.4e-16. */
  function twoLevels(source: ScriptedMarketDataSource): void {
    const levels: [number, number][] = [
      [100, 3.995],
      [100, 2.094],
    ];
    source.setOrderBook({ symbol: btc, time: t0, bids: levels, asks: levels });
  }

  /** Applies the broker's fills to a portfolio with the same markets, as the trade cycle does. */
  async function portfolioOf(broker: PaperBroker, options: Partial<PaperBrokerOptions> = {}) {
    const portfolio = new Portfolio({
      clock,
      startingCash: 10_000,
      quoteCurrency: 'USD',
      ...(options.markets === undefined ? {} : { markets: options.markets }),
    });
    for (const fill of await broker.fetchFills(btc)) {
      portfolio.applyFill(fill, { role: fill.side === 'buy' ? 'entry' : 'exit' });
    }
    return portfolio;
  }

  it('writes off the float residue a sale leaves, where the portfolio closes the position', async () => {
    const source = new ScriptedMarketDataSource();
    twoLevels(source);
    const broker = paper({ marketData: source });
    await broker.createOrder(request('buy', 'market', 6.089));
    expect(base(broker)).toBe(6.089);
    const sale = await broker.createOrder(request('sell', 'market', 6.089));
    expect(sale).toMatchObject({ status: 'filled', filledQuantity: 6.089 });
    const fills = await broker.fetchFills(btc);
    const sold = fills.filter((fill) => fill.side === 'sell').map((fill) => fill.quantity);
    expect(sold).toEqual([3.995, 2.094]);
    expect(6.089 - 3.995 - 2.094).toBeGreaterThan(0); // the residue the sale leaves

    expect(broker.balance().BTC).toEqual({ free: 0, used: 0, total: 0 });
    const portfolio = await portfolioOf(broker);
    expect(portfolio.position(btc)).toBeUndefined();
    expect(portfolio.cash).toBeCloseTo(cash(broker), 9);
    // Nothing is left to sell: a flatten of the residue is refused, never filled.
    const residue = broker.createOrder(request('sell', 'market', 6.089 - 3.995 - 2.094));
    await expect(residue).rejects.toMatchObject({ reason: 'insufficient_funds' });
    expect(await broker.fetchFills(btc)).toHaveLength(4);
  });

  it('writes off a rest of at most half the amount step and cancels the sell orders left with nothing to sell', async () => {
    const markets = new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.01 })]]);
    const source = new ScriptedMarketDataSource();
    source.setOrderBook({ symbol: btc, time: t0, bids: [[100, 0.003]], asks: [[100, 1]] });
    const broker = paper({ marketData: source, markets });
    await broker.createOrder(request('buy', 'market', 0.013));
    // A thin bid takes 0.003 of a 0.006 limit; its other 0.003 rests, reserved.
    const limit = await broker.createOrder(request('sell', 'limit', 0.006, { limitPrice: 100 }));
    expect(limit).toMatchObject({ status: 'partially_filled', filledQuantity: 0.003 });
    source.setOrderBook({ symbol: btc, time: t0, bids: [[100, 1]], asks: [[100, 1]] });
    // Selling the 0.007 free leaves 0.003, at most half the 0.01 step: dust, written off.
    const sale = await broker.createOrder(request('sell', 'market', 0.007));
    expect(sale).toMatchObject({ status: 'filled', filledQuantity: 0.007 });

    expect(broker.balance().BTC).toEqual({ free: 0, used: 0, total: 0 });
    expect(await broker.fetchOrder(btc, limit.exchangeOrderId)).toMatchObject({
      status: 'canceled',
      filledQuantity: 0.003,
    });
    expect(await broker.fetchOpenOrders(btc)).toEqual([]);
    const portfolio = await portfolioOf(broker, { markets });
    expect(portfolio.position(btc)).toBeUndefined();
  });

  it('cancels the unfilled rest of the sale itself when its fill leaves dust', async () => {
    const markets = new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.01 })]]);
    const source = new ScriptedMarketDataSource();
    source.setOrderBook({ symbol: btc, time: t0, bids: [[100, 0.01]], asks: [[100, 1]] });
    const broker = paper({ marketData: source, markets });
    await broker.createOrder(request('buy', 'market', 0.013));
    const sale = await broker.createOrder(request('sell', 'limit', 0.013, { limitPrice: 100 }));
    expect(sale).toMatchObject({ status: 'canceled', filledQuantity: 0.01 });
    expect(broker.balance().BTC).toEqual({ free: 0, used: 0, total: 0 });
    expect((await portfolioOf(broker, { markets })).position(btc)).toBeUndefined();
  });

  it('refuses an order whose quantity is dust: at most half the amount step', async () => {
    const markets = new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.01 })]]);
    const broker = paper({ markets });
    process(broker, candle(0, 100, 101, 99, 100));
    for (const side of ['buy', 'sell'] as const) {
      const attempt = broker.createOrder(request(side, 'market', 0.005));
      await expect(attempt).rejects.toBeInstanceOf(OrderRejectedError);
      await expect(attempt).rejects.toMatchObject({ reason: 'invalid_order' });
      await expect(attempt).rejects.toThrow(
        'quantity 0.005 BTC is dust: at most 0.005, half the BTC-USD amount step 0.01',
      );
    }
    await expect(broker.createOrder(request('buy', 'market', 0.006))).resolves.toMatchObject({
      status: 'open',
    });
  });

  it('refuses a sale of the float residue that reserving the rest leaves free', async () => {
    const broker = paper({ fillMode: 'close' });
    process(broker, candle(0, 100, 101, 99, 100));
    await broker.createOrder(request('buy', 'market', 16.001));
    const keep = await broker.createOrder(
      request('sell', 'limit', 16.001 - 0.001, { limitPrice: 200 }),
    );
    expect(keep.status).toBe('open');
    const free = broker.balance().BTC?.free ?? 0;
    expect(free).not.toBe(0.001); // 0.0010000000000012221
    // Selling what is free but 0.001 would sell 1.2e-15 BTC: a billionth of 16.001 is more.
    const residue = broker.createOrder(request('sell', 'market', free - 0.001));
    await expect(residue).rejects.toMatchObject({ reason: 'invalid_order' });
    await expect(residue).rejects.toThrow(/quantity 1\.2\d*e-15 BTC is dust: at most 1\.6\d*e-8/);
    // Without a balance, nothing is dust but a market's half step.
    const fresh = paper();
    process(fresh, candle(0, 100, 101, 99, 100));
    await expect(fresh.createOrder(request('buy', 'market', 1e-12))).resolves.toMatchObject({
      status: 'open',
    });
  });
});

describe('PaperBroker: the hot path', () => {
  const eth: SymbolId = 'ETH-USD';

  it('returns one shared empty list for a candle with nothing to fill', () => {
    const broker = paper();
    const first = process(broker, candle(0, 100, 101, 99, 100));
    expect(first).toEqual([]);
    expect(process(broker, candle(1, 100, 101, 99, 100))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('validates candles unless built with candlesValidated (the caller validated them once)', () => {
    const bad = { ...candle(0, 100, 101, 99, 100), high: 98 };
    expect(() => process(paper(), bad)).toThrow(DataIntegrityError);
    expect(() => process(paper({ candlesValidated: true }), bad)).not.toThrow();
  });

  it('checks a symbol once: the same text later still trades, and another quote is still refused', () => {
    const broker = paper();
    process(broker, candle(0, 100, 101, 99, 100), 'btc-usd');
    process(broker, candle(1, 100, 101, 99, 100), 'btc-usd');
    expect(broker.lastCandle(btc)?.time).toBe(candle(1, 100, 101, 99, 100).time);
    expect(() => process(broker, candle(0, 100, 101, 99, 100), 'BTC-EUR')).toThrow(ValidationError);
  });

  it('keeps each symbol’s open orders in step with the orders under places, fills and cancels', async () => {
    type Step =
      | { kind: 'place'; symbol: 0 | 1; side: 'buy' | 'sell'; limit: number }
      | { kind: 'cancel'; pick: number }
      | { kind: 'candle'; symbol: 0 | 1; low: number; high: number };
    const symbols = [btc, eth] as const;
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('place' as const),
        symbol: fc.constantFrom(0 as const, 1 as const),
        side: fc.constantFrom('buy' as const, 'sell' as const),
        limit: fc.integer({ min: 90, max: 110 }),
      }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({
        kind: fc.constant('candle' as const),
        symbol: fc.constantFrom(0 as const, 1 as const),
        low: fc.integer({ min: 85, max: 100 }),
        high: fc.integer({ min: 100, max: 115 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        clock = new ManualClock(t0);
        const broker = paper({ startingCash: 1_000_000 });
        const bars = [0, 0];
        for (const symbol of symbols)
          process(broker, candle(bars[0]!++, 100, 101, 99, 100), symbol);
        bars[1] = bars[0]!;
        // Something to sell on both symbols.
        for (const symbol of symbols) {
          await broker.createOrder({ ...request('buy', 'market', 50), symbol });
          process(broker, candle(bars[0]!++, 100, 101, 99, 100), symbol);
        }
        for (const item of steps) {
          if (item.kind === 'place') {
            const side = item.side;
            const limitPrice = side === 'buy' ? item.limit : item.limit + 15;
            await broker
              .createOrder({
                ...request(side, 'limit', 1, { limitPrice }),
                symbol: symbols[item.symbol],
              })
              .catch((error: unknown) => {
                if (!(error instanceof OrderRejectedError)) throw error;
              });
          } else if (item.kind === 'cancel') {
            const open = await broker.fetchOpenOrders();
            const order = open[item.pick % Math.max(1, open.length)];
            if (order !== undefined) await broker.cancelOrder(order.symbol, order.exchangeOrderId);
          } else {
            const bar = candle(bars[0]!++, 100, item.high, item.low, 100);
            process(broker, bar, symbols[item.symbol]);
          }
          const all = await broker.fetchOpenOrders();
          for (const symbol of symbols) {
            const indexed = await broker.fetchOpenOrders(symbol);
            expect(indexed.map((order) => order.exchangeOrderId)).toEqual(
              all.filter((order) => order.symbol === symbol).map((order) => order.exchangeOrderId),
            );
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('PaperBroker: requests and lookups', () => {
  it('rejects malformed requests with an error naming the field', async () => {
    const broker = paper({
      markets: new Map([[btc, permissiveMarketInfo(btc, { minAmount: 0.001 })]]),
    });
    process(broker, candle(0, 100, 101, 99, 100));
    const cases: [OrderRequest, string][] = [
      [request('buy', 'market', Number.NaN), 'quantity must be a finite number above 0, got NaN'],
      [request('buy', 'market', -1), 'quantity must be a finite number above 0, got -1'],
      [request('buy', 'limit', 1), 'a limit order needs limitPrice'],
      [request('buy', 'market', 1, { limitPrice: 100 }), 'a market order takes no limitPrice'],
      [request('sell', 'stop_limit', 1, { stopPrice: 90 }), 'needs limitPrice'],
      [request('buy', 'market', 0.0001), 'below the BTC-USD minimum amount 0.001'],
      [{ ...request('buy', 'market', 1), symbol: 'ETH-USD' }, 'unknown symbol ETH-USD'],
      [
        { ...request('buy', 'market', 1), clientOrderId: '' },
        'clientOrderId must be a non-empty string',
      ],
    ];
    for (const [bad, message] of cases) {
      const error = await broker.createOrder(bad).catch((e: unknown) => e);
      expect(error, message).toBeInstanceOf(OrderRejectedError);
      expect(error).toMatchObject({ reason: 'invalid_order' });
      expect((error as Error).message).toContain(message);
    }
    expect(() => broker.processCandle('ETH-USD', candle(1, 1, 1, 1, 1))).toThrow(ValidationError);
  });

  it('rejects a second order with the same client id', async () => {
    const broker = paper();
    process(broker, candle(0, 100, 101, 99, 100));
    const first = request('buy', 'limit', 1, { limitPrice: 90 });
    await broker.createOrder(first);
    await expect(broker.createOrder(first)).rejects.toMatchObject({
      reason: 'duplicate_client_id',
    });
  });

  it('places an order at once without market data (nothing to wait for), refusing its id again meanwhile', async () => {
    const broker = paper();
    process(broker, candle(0, 100, 101, 99, 100));
    const first = request('buy', 'limit', 1, { limitPrice: 90 });
    const placing = broker.createOrder(first);
    // Reserved before the call's promise settles: the funds are used already.
    expect(broker.balance()['USD']?.used).toBeGreaterThanOrEqual(90);
    await expect(broker.createOrder(first)).rejects.toMatchObject({
      reason: 'duplicate_client_id',
    });
    await expect(placing).resolves.toMatchObject({
      status: 'open',
      clientOrderId: first.clientOrderId,
    });
  });

  it('refuses symbols quoted in another currency than the cash', async () => {
    const broker = paper();
    await expect(
      broker.createOrder({ ...request('buy', 'limit', 1, { limitPrice: 1 }), symbol: 'ETH-BTC' }),
    ).rejects.toThrow('symbol ETH-BTC is quoted in BTC, but the paper account holds USD');
  });

  it('takes the quote currency from the first symbol when none is given', () => {
    const broker = new PaperBroker({ clock, feeBps: 0, slippageBps: 0, startingCash: 500 });
    expect(broker.balance()).toEqual({});
    process(broker, candle(0, 100, 101, 99, 100), 'ETH-USDT');
    expect(broker.quoteCurrency).toBe('USDT');
    expect(broker.balance()).toEqual({ USDT: { free: 500, used: 0, total: 500 } });
  });

  it('refuses candles out of order and candles that break their invariants', () => {
    const broker = paper();
    process(broker, candle(1, 100, 101, 99, 100));
    expect(() => broker.processCandle(btc, candle(1, 100, 101, 99, 100))).toThrow(
      'is not after the last processed candle',
    );
    expect(() => broker.processCandle(btc, candle(2, 100, 99, 101, 100))).toThrow(
      DataIntegrityError,
    );
  });

  it('answers lookups from its state: by id, by client id, open, closed since, fills since', async () => {
    const broker = paper();
    process(broker, candle(0, 100, 101, 99, 100));
    const market = await broker.createOrder(request('buy', 'market', 1));
    const limit = await broker.createOrder(request('buy', 'limit', 1, { limitPrice: 50 }));
    await clock.advance(hour);
    process(broker, candle(1, 100, 101, 99, 100));
    await clock.advance(hour);
    const canceled = await broker.cancelOrder(btc, limit.exchangeOrderId);
    expect(canceled.updatedAt).toBe(t0 + 2 * hour);

    expect(await broker.fetchOrderByClientId(btc, market.clientOrderId ?? '')).toMatchObject({
      exchangeOrderId: market.exchangeOrderId,
      status: 'filled',
    });
    expect(await broker.fetchOrderByClientId(btc, 'll-never')).toBeNull();
    expect(await broker.fetchOrderByClientId('ETH-USD', market.clientOrderId ?? '')).toBeNull();
    await expect(broker.fetchOrder(btc, 'paper-order-99')).rejects.toBeInstanceOf(
      OrderNotFoundError,
    );
    expect(await broker.fetchOpenOrders(btc)).toEqual([]);
    const closed = await broker.fetchClosedOrders(btc);
    expect(closed.map((order) => order.exchangeOrderId)).toEqual([
      market.exchangeOrderId,
      limit.exchangeOrderId,
    ]);
    expect((await broker.fetchClosedOrders(btc, t0 + 2 * hour)).map((o) => o.status)).toEqual([
      'canceled',
    ]);
    expect(await broker.fetchFills(btc, t0 + 2 * hour)).toEqual([]);
    expect(await broker.fetchFills(btc, t0 + hour)).toHaveLength(1);
  });

  it('validates its options', () => {
    expect(() => paper({ feeBps: -1 })).toThrow('PaperBroker feeBps must be basis points');
    expect(() => paper({ slippageBps: Number.NaN })).toThrow('PaperBroker slippageBps');
    expect(() => paper({ startingCash: -5 })).toThrow('PaperBroker startingCash');
    expect(() => paper({ fillMode: 'later' as 'close' })).toThrow('fillMode');
  });
});

describe('PaperBroker: restart from the order store (real SQLite)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lumenlink-paper-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Stores a broker's order as the order manager would, with a role and candle. */
  function toStored(order: Awaited<ReturnType<PaperBroker['fetchOrder']>>, role: OrderRole): Order {
    return {
      clientOrderId: order.clientOrderId ?? '',
      exchangeOrderId: order.exchangeOrderId,
      exchange: 'paper',
      strategy: 'test',
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      role,
      quantity: order.quantity,
      limitPrice: order.limitPrice,
      stopPrice: order.stopPrice,
      status: order.status,
      filledQuantity: order.filledQuantity,
      avgFillPrice: order.avgFillPrice,
      fee: order.fee,
      feeCurrency: order.feeCurrency,
      reason: null,
      candleTime: t0,
      attempt: 0,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    };
  }

  it('rebuilds balances, open orders and OCO pairs, and continues exactly as the original', async () => {
    const file = join(dir, 'paper.db');
    const original = paper();
    process(original, candle(0, 100, 101, 99, 100));
    const entry = await original.createOrder(request('buy', 'market', 4));
    process(original, candle(1, 101, 102, 100, 101));
    const { stop, takeProfit } = await original.createOcoOrders({
      stop: request('sell', 'stop_market', 2, { stopPrice: 95 }),
      takeProfit: request('sell', 'limit', 2, { limitPrice: 110 }),
    });
    const bid = await original.createOrder(request('buy', 'limit', 1, { limitPrice: 97 }));
    const pendingOnly = request('buy', 'limit', 1, { limitPrice: 10 });

    const store = await openStore({ path: file, clock });
    const roles = new Map<string, OrderRole>([
      [entry.exchangeOrderId, 'entry'],
      [stop.exchangeOrderId, 'bracket_stop'],
      [takeProfit.exchangeOrderId, 'bracket_take_profit'],
      [bid.exchangeOrderId, 'entry'],
    ]);
    for (const order of await original.fetchOpenOrders()) {
      await store.orders.insertOrder(toStored(order, roles.get(order.exchangeOrderId) ?? 'entry'));
    }
    for (const order of await original.fetchClosedOrders(btc)) {
      await store.orders.insertOrder(toStored(order, roles.get(order.exchangeOrderId) ?? 'entry'));
    }
    for (const fill of await original.fetchFills(btc)) await store.orders.saveFill(fill);
    // Stored pending, never sent: the broker does not know it after the restart either.
    await store.orders.insertOrder({
      ...toStored(bid, 'entry'),
      clientOrderId: pendingOnly.clientOrderId,
      exchangeOrderId: null,
      status: 'pending',
      filledQuantity: 0,
    });
    await store.close();

    const reopened = await openStore({ path: file, clock });
    const restored = paper({
      restore: {
        orders: await reopened.orders.listOrders(),
        fills: await reopened.orders.listFills(),
      },
    });
    await reopened.close();

    expect(restored.balance()).toEqual(original.balance());
    expect(await restored.fetchOpenOrders()).toEqual(await original.fetchOpenOrders());
    expect(await restored.fetchFills(btc)).toEqual(await original.fetchFills(btc));
    expect(await restored.fetchOrderByClientId(btc, pendingOnly.clientOrderId)).toBeNull();

    // The same candle on both: the stop wins over the target, the bid fills at 97.
    const next = candle(2, 100, 111, 94, 100);
    const expected = process(original, next);
    expect(process(restored, next)).toEqual(expected);
    expect(expected.map((fill) => [fill.tradeId, fill.clientOrderId])).toEqual([
      ['paper-2', stop.clientOrderId],
      ['paper-3', bid.clientOrderId],
    ]);
    expect((await restored.fetchOrder(btc, takeProfit.exchangeOrderId)).status).toBe('canceled');
    const again = await restored.createOrder(request('buy', 'limit', 1, { limitPrice: 1 }));
    expect(again.exchangeOrderId).toBe('paper-order-5');
  });

  it('writes off the same dust when it rebuilds from the fills, and refuses a sale of it', async () => {
    const source = new ScriptedMarketDataSource();
    const levels: [number, number][] = [
      [100, 3.995],
      [100, 2.094],
    ];
    source.setOrderBook({ symbol: btc, time: t0, bids: levels, asks: levels });
    const original = paper({ marketData: source });
    await original.createOrder(request('buy', 'market', 6.089));
    await original.createOrder(request('sell', 'market', 6.089));
    const orders = (await original.fetchClosedOrders(btc)).map((order) =>
      toStored(order, order.side === 'buy' ? 'entry' : 'exit'),
    );
    const fills = await original.fetchFills(btc);

    const restored = paper({ restore: { orders, fills } });
    expect(restored.balance()).toEqual(original.balance());
    expect(restored.balance().BTC?.total).toBe(0);

    // A stored sale of the residue (as the broker made before it wrote dust off) does not add
    // up, for the broker as for the portfolio.
    const sale = orders.find((order) => order.side === 'sell');
    const lastFill = fills.at(-1);
    if (sale === undefined || lastFill === undefined) throw new Error('the sale is missing');
    const residue = 6.089 - 3.995 - 2.094;
    const ghost: Order = {
      ...sale,
      clientOrderId: 'll-ghost-sale',
      exchangeOrderId: 'paper-order-3',
      role: 'force_exit',
      quantity: residue,
      filledQuantity: residue,
    };
    const ghostFill: Fill = {
      ...lastFill,
      tradeId: 'paper-5',
      clientOrderId: 'll-ghost-sale',
      exchangeOrderId: 'paper-order-3',
      quantity: residue,
      fee: 0,
    };
    expect(() =>
      paper({ restore: { orders: [...orders, ghost], fills: [...fills, ghostFill] } }),
    ).toThrow(DataIntegrityError);
    const portfolio = new Portfolio({ clock, startingCash: 10_000 });
    for (const fill of fills) portfolio.applyFill(fill, { role: 'entry' });
    expect(() => portfolio.applyFill(ghostFill, { role: 'force_exit' })).toThrow(
      DataIntegrityError,
    );
  });

  it('refuses stored fills that do not add up', () => {
    const fill: Fill = {
      tradeId: 'paper-1',
      clientOrderId: 'll-ghost',
      exchangeOrderId: 'paper-order-1',
      symbol: btc,
      side: 'buy',
      quantity: 1,
      price: 100,
      fee: 0.1,
      feeCurrency: 'USD',
      time: t0,
    };
    expect(() => paper({ restore: { orders: [], fills: [fill] } })).toThrow(DataIntegrityError);
  });
});
