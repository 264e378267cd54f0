/**
 * ccxt's real bybit class against a local server answering in the v5 shapes ccxt's bybit.js
 * parsers read: every body is `{ retCode, retMsg, result, time }`.
 */
import {
  DataIntegrityError,
  ExchangeUnavailableError,
  OrderRejectedError,
  RateLimitError,
} from '@lumenlink/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CcxtExchange } from '../src/index.js';
import {
  startFakeExchangeServer,
  type FakeExchangeServer,
  type FakeReply,
  type FakeRoute,
} from './support/fake-exchange-server.js';

const minute = 60_000;
const start = Date.UTC(2025, 0, 1);

const ok = (result: unknown): FakeReply => ({
  body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: start },
});

const instrument = (symbol: string, base: string, patch: Record<string, unknown> = {}) => ({
  symbol,
  baseCoin: base,
  quoteCoin: 'USDT',
  innovation: '0',
  status: 'Trading',
  marginTrading: 'both',
  lotSizeFilter: {
    basePrecision: '0.000001',
    quotePrecision: '0.00000001',
    minOrderQty: '0.000048',
    maxOrderQty: '71.73956243',
    minOrderAmt: '1',
    maxOrderAmt: '2000000',
  },
  priceFilter: { tickSize: '0.01' },
  ...patch,
});

/** Klines as bybit sends them: newest first, `[start, open, high, low, close, volume, turnover]`. */
const klines = [2, 1, 0].map((i) => [
  String(start + i * minute),
  String(42_000 + i),
  String(42_010 + i),
  String(41_990 + i),
  String(42_005 + i),
  '3.5',
  '147000',
]);

const historyOrder = (orderLinkId: string) => ({
  orderId: `b-${orderLinkId}`,
  orderLinkId,
  symbol: 'BTCUSDT',
  price: '43000',
  qty: '0.01',
  side: 'Sell',
  orderStatus: 'Filled',
  orderType: 'Limit',
  timeInForce: 'GTC',
  cumExecQty: '0.01',
  cumExecValue: '430',
  avgPrice: '43000',
  leavesQty: '0',
  triggerPrice: '0',
  createdTime: String(start + minute),
  updatedTime: String(start + 2 * minute),
  cumFeeDetail: { USDT: '0.43' },
});

function routes(): Record<string, FakeRoute> {
  return {
    'GET /v5/asset/coin/query-info': () => ok({ rows: [] }),
    'GET /v5/market/instruments-info': (request) =>
      request.query.get('category') === 'spot'
        ? ok({
            category: 'spot',
            list: [
              instrument('BTCUSDT', 'BTC'),
              instrument('ETHUSDT', 'ETH', { status: 'PreLaunch' }),
              instrument('NANUSDT', 'NAN', { priceFilter: { tickSize: 'abc' }, lotSizeFilter: {} }),
            ],
            nextPageCursor: '',
          })
        : { status: 400, body: { retCode: 10001, retMsg: 'only spot here' } },
    'GET /v5/market/kline': () => ok({ category: 'spot', symbol: 'BTCUSDT', list: klines }),
    'GET /v5/market/tickers': () =>
      ok({
        category: 'spot',
        list: [
          {
            symbol: 'BTCUSDT',
            bid1Price: '42004.5',
            bid1Size: '1.2',
            ask1Price: '42005.5',
            ask1Size: '0.8',
            lastPrice: '42005',
            prevPrice24h: '41000',
            price24hPcnt: '0.0245',
            highPrice24h: '42100',
            lowPrice24h: '40900',
            turnover24h: '52500000',
            volume24h: '1250',
          },
        ],
      }),
    'GET /v5/market/orderbook': () =>
      ok({
        s: 'BTCUSDT',
        b: [
          ['42004.5', '1.2'],
          ['42004', '3'],
        ],
        a: [
          ['42005.5', '0.8'],
          ['42006', '2'],
        ],
        ts: start + 5 * minute,
        u: 1,
      }),
    'GET /v5/user/query-api': () => ok({ id: '1', readOnly: 0, unified: 0, uta: 1 }),
    'GET /v5/account/info': () => ok({ unifiedMarginStatus: 5, marginMode: 'REGULAR_MARGIN' }),
    'POST /v5/order/create': (request) => {
      const body = JSON.parse(request.body) as { orderLinkId: string };
      return ok({ orderId: `b-${body.orderLinkId}`, orderLinkId: body.orderLinkId });
    },
    'GET /v5/order/realtime': () => ok({ category: 'spot', list: [], nextPageCursor: '' }),
    'GET /v5/order/history': (request) => {
      const linkId = request.query.get('orderLinkId');
      return ok({
        category: 'spot',
        list: linkId === 'll-found' ? [historyOrder('ll-found')] : [],
        nextPageCursor: '',
      });
    },
  };
}

describe('CcxtExchange on bybit (ccxt bybit against a local v5 server)', () => {
  let server: FakeExchangeServer;
  let exchange: CcxtExchange;
  const fresh = (): CcxtExchange =>
    new CcxtExchange({
      exchange: 'bybit',
      apiKey: 'test-key',
      secret: 'test-secret',
      apiUrl: server.url,
      timeoutMs: 5_000,
      // The local server enforces no rate limit: ccxt's spacing at bybit's pace would only wait.
      rateLimitMs: 1,
    });

  beforeAll(async () => {
    server = await startFakeExchangeServer(routes());
    exchange = fresh();
  });
  afterEach(() => server.reset(routes()));
  afterAll(() => server.close());

  it('loads spot markets only, with precision and minimums', async () => {
    const markets = await fresh().loadMarkets();
    expect(markets.get('BTC-USDT')).toEqual({
      symbol: 'BTC-USDT',
      base: 'BTC',
      quote: 'USDT',
      amountStep: 0.000001,
      priceStep: 0.01,
      minAmount: 0.000048,
      maxAmount: 71.73956243,
      minCost: 1,
      takerFee: 0.001,
      makerFee: 0.001,
      active: true,
    });
    expect(markets.get('ETH-USDT')?.active).toBe(false);
    expect(markets.has('NAN-USDT')).toBe(false);
    const categories = server
      .requestsTo('GET /v5/market/instruments-info')
      .map((request) => request.query.get('category'));
    expect(categories).toEqual(['spot']);
  });

  it('fetches candles ascending from the newest-first kline list', async () => {
    const candles = await exchange.fetchCandles('BTC-USDT', '1m', { limit: 3 });
    expect(candles.map((candle) => candle.time)).toEqual([
      start,
      start + minute,
      start + 2 * minute,
    ]);
    expect(candles[0]).toEqual({
      time: start,
      open: 42_000,
      high: 42_010,
      low: 41_990,
      close: 42_005,
      volume: 3.5,
    });
    const [request] = server.requestsTo('GET /v5/market/kline');
    expect(Object.fromEntries(request?.query ?? [])).toMatchObject({
      category: 'spot',
      symbol: 'BTCUSDT',
      interval: '1',
      limit: '3',
    });
  });

  it('refuses a kline with a missing price', async () => {
    server.route('GET /v5/market/kline', () =>
      ok({
        category: 'spot',
        symbol: 'BTCUSDT',
        list: [[String(start), '', '1', '1', '1', '1', '1']],
      }),
    );
    await expect(exchange.fetchCandles('BTC-USDT', '1m')).rejects.toThrow(DataIntegrityError);
  });

  it('fetches the ticker with 24h volumes and the order book', async () => {
    expect(await exchange.fetchTicker('BTC-USDT')).toMatchObject({
      symbol: 'BTC-USDT',
      last: 42_005,
      bid: 42_004.5,
      ask: 42_005.5,
      baseVolume24h: 1250,
      quoteVolume24h: 52_500_000,
    });
    expect(await exchange.fetchOrderBook('BTC-USDT', 2)).toEqual({
      symbol: 'BTC-USDT',
      time: start + 5 * minute,
      bids: [
        [42_004.5, 1.2],
        [42_004, 3],
      ],
      asks: [
        [42_005.5, 0.8],
        [42_006, 2],
      ],
    });
  });

  it('maps a 429 to RateLimitError with the Retry-After wait', async () => {
    server.route('GET /v5/market/tickers', () => ({
      status: 429,
      headers: { 'Retry-After': '2' },
      body: { retCode: 10006, retMsg: 'Too many visits!', result: {}, time: start },
    }));
    const error: unknown = await exchange
      .fetchTicker('BTC-USDT')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(2_000);
  });

  it('sends our client order id as orderLinkId and answers with the acknowledged order', async () => {
    const placed = await exchange.createOrder({
      clientOrderId: 'll-bybit-1',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      limitPrice: 42_000,
    });
    expect(placed).toMatchObject({
      exchangeOrderId: 'b-ll-bybit-1',
      clientOrderId: 'll-bybit-1',
      status: 'open',
      quantity: 0.01,
      limitPrice: 42_000,
    });
    const [post] = server.requestsTo('POST /v5/order/create');
    expect(JSON.parse(post?.body ?? '')).toMatchObject({
      category: 'spot',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      qty: '0.01',
      price: '42000',
      orderLinkId: 'll-bybit-1',
    });
  });

  it('makes a refused account check a read failure, not an order of unknown outcome', async () => {
    const exchange = fresh();
    server.route('GET /v5/account/info', () => ({ status: 503, body: 'Service Unavailable' }));
    const request = {
      clientOrderId: 'll-bybit-2',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      limitPrice: 42_000,
    } as const;
    const error: unknown = await exchange.createOrder(request).catch((caught: unknown) => caught);
    expect((error as Error).constructor).toBe(ExchangeUnavailableError);
    expect(server.requestsTo('POST /v5/order/create')).toHaveLength(0);
  });

  it('maps a reused orderLinkId to a duplicate_client_id rejection, whichever code bybit uses', async () => {
    for (const [retCode, retMsg] of [
      [170141, 'Duplicate clientOrderId'],
      [12141, 'Duplicate clientOrderId.'],
    ] as const) {
      server.route('POST /v5/order/create', () => ({
        body: { retCode, retMsg, result: {}, retExtInfo: {}, time: start },
      }));
      const error: unknown = await exchange
        .createOrder({
          clientOrderId: 'll-dup',
          symbol: 'BTC-USDT',
          side: 'sell',
          type: 'market',
          quantity: 0.01,
        })
        .catch((caught: unknown) => caught);
      expect(error, String(retCode)).toBeInstanceOf(OrderRejectedError);
      expect((error as OrderRejectedError).reason).toBe('duplicate_client_id');
    }
  });

  it('finds an order by client id in the open, then the past orders, filtered by orderLinkId', async () => {
    expect(await exchange.fetchOrderByClientId('BTC-USDT', 'll-found')).toMatchObject({
      exchangeOrderId: 'b-ll-found',
      clientOrderId: 'll-found',
      side: 'sell',
      type: 'limit',
      status: 'filled',
      quantity: 0.01,
      filledQuantity: 0.01,
      avgFillPrice: 43_000,
      fee: 0.43,
      feeCurrency: 'USDT',
      createdAt: start + minute,
      updatedAt: start + 2 * minute,
    });
    expect(await exchange.fetchOrderByClientId('BTC-USDT', 'll-missing')).toBeNull();
    const asked = [
      ...server.requestsTo('GET /v5/order/realtime'),
      ...server.requestsTo('GET /v5/order/history'),
    ];
    expect(asked.map((request) => request.query.get('orderLinkId')).sort()).toEqual([
      'll-found',
      'll-found',
      'll-missing',
      'll-missing',
    ]);
  });
});
