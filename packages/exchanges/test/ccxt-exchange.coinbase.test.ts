/**
 * ccxt's real coinbase class against a local server answering in the shapes ccxt's coinbase.js
 * parsers read (Advanced Trade v3 and the v2 currency endpoints loadMarkets also calls).
 */
import { DataIntegrityError, ExchangeUnavailableError, ValidationError } from '@lumenlink/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CcxtExchange } from '../src/index.js';
import {
  startFakeExchangeServer,
  type FakeExchangeServer,
  type FakeReply,
  type RecordedRequest,
} from './support/fake-exchange-server.js';

const hour = 3_600_000;
const start = Date.UTC(2025, 0, 1);

const product = (id: string, patch: Record<string, unknown> = {}): Record<string, unknown> => {
  const [base, quote] = id.split('-');
  return {
    product_id: id,
    price: '42000.12',
    volume_24h: '1200.5',
    base_increment: '0.00000001',
    quote_increment: '0.01',
    price_increment: '0.01',
    quote_min_size: '1',
    quote_max_size: '150000000',
    base_min_size: '0.00000001',
    base_max_size: '3400',
    status: 'online',
    trading_disabled: false,
    product_type: 'SPOT',
    base_currency_id: base,
    quote_currency_id: quote,
    alias: '',
    alias_to: [],
    ...patch,
  };
};

/** Candles as coinbase sends them: newest first, start in epoch seconds, prices as strings. */
const candles = [2, 1, 0].map((i) => ({
  start: String((start + i * hour) / 1000),
  low: String(41_900 + i),
  high: String(42_100 + i),
  open: String(42_000 + i),
  close: String(42_050 + i),
  volume: '12.5',
}));

const order = (
  clientOrderId: string,
  patch: Record<string, unknown> = {},
): Record<string, unknown> => ({
  order_id: `id-${clientOrderId}`,
  product_id: 'BTC-USD',
  client_order_id: clientOrderId,
  side: 'SELL',
  status: 'FILLED',
  order_type: 'LIMIT',
  order_configuration: {
    limit_limit_gtc: { base_size: '0.01', limit_price: '43000', post_only: false },
  },
  created_time: '2025-01-01T10:00:00Z',
  filled_size: '0.01',
  average_filled_price: '43000',
  total_fees: '1.72',
  ...patch,
});

const ok = (body: unknown): FakeReply => ({ body });

function routes(): Record<string, (request: RecordedRequest) => FakeReply | undefined> {
  return {
    'GET /v2/currencies': () => ok({ data: [{ id: 'USD', name: 'US Dollar', min_size: '0.01' }] }),
    'GET /v2/currencies/crypto': () =>
      ok({
        data: [
          { asset_id: 'a-btc', code: 'BTC', name: 'Bitcoin' },
          { asset_id: 'a-eth', code: 'ETH', name: 'Ethereum' },
        ],
      }),
    'GET /v2/exchange-rates': () =>
      ok({ data: { currency: 'USD', rates: { BTC: '0.0000238', ETH: '0.0004', USD: '1' } } }),
    'GET /api/v3/brokerage/market/products': (request) =>
      request.query.get('product_type') === 'FUTURE'
        ? ok({ products: [], num_products: 0 })
        : ok({
            products: [
              product('BTC-USD'),
              product('ETH-USD', {
                base_increment: '0.0001',
                base_min_size: '0.001',
                trading_disabled: true,
              }),
              product('BAD-USD', { base_increment: '' }),
            ],
            num_products: 3,
          }),
    'GET /api/v3/brokerage/transaction_summary': () =>
      ok({
        fee_tier: { pricing_tier: 'Advanced 1', taker_fee_rate: '0.006', maker_fee_rate: '0.004' },
      }),
    'GET /api/v3/brokerage/market/products/BTC-USD/candles': () => ok({ candles }),
    'GET /api/v3/brokerage/market/products/BTC-USD/ticker': () =>
      ok({
        trades: [
          {
            trade_id: '1',
            product_id: 'BTC-USD',
            price: '42050.5',
            size: '0.1',
            time: '2025-01-01T03:00:00Z',
            side: 'BUY',
          },
        ],
        best_bid: '42050',
        best_ask: '42051',
      }),
    'GET /api/v3/brokerage/market/product_book': () =>
      ok({
        pricebook: {
          product_id: 'BTC-USD',
          bids: [
            { price: '42050', size: '1.5' },
            { price: '42049', size: '2' },
          ],
          asks: [
            { price: '42051', size: '0.5' },
            { price: '42052.5', size: '3' },
          ],
          time: '2025-01-01T03:00:00Z',
        },
      }),
    'POST /api/v3/brokerage/orders': (request) => {
      const body = JSON.parse(request.body) as { client_order_id: string; side: string };
      return ok({
        success: true,
        order_id: `id-${body.client_order_id}`,
        success_response: {
          order_id: `id-${body.client_order_id}`,
          product_id: 'BTC-USD',
          side: body.side,
          client_order_id: body.client_order_id,
        },
      });
    },
    'GET /api/v3/brokerage/orders/historical/batch': (request) =>
      request.query.get('order_status') === 'OPEN'
        ? ok({
            orders: [
              order('other-open', { status: 'OPEN', filled_size: '0', average_filled_price: '0' }),
            ],
            has_next: false,
            cursor: '',
          })
        : ok({ orders: [order('ll-found'), order('someone-else')], has_next: false, cursor: '' }),
  };
}

describe('CcxtExchange on coinbase (ccxt coinbase against a local Advanced Trade server)', () => {
  let server: FakeExchangeServer;
  /** Shared by the tests that do not care when markets were loaded (ccxt paces its requests). */
  let exchange: CcxtExchange;
  const fresh = (): CcxtExchange =>
    new CcxtExchange({
      exchange: 'coinbase',
      apiKey: 'test-key',
      secret: 'test-secret',
      apiUrl: server.url,
      timeoutMs: 5_000,
      // The local server enforces no rate limit: ccxt's spacing at coinbase's pace would only wait.
      rateLimitMs: 1,
    });

  beforeAll(async () => {
    server = await startFakeExchangeServer(routes());
    exchange = fresh();
  });
  afterEach(() => server.reset(routes()));
  afterAll(() => server.close());

  it('loads spot markets with steps, minimums and the fee tier, and names the unusable ones', async () => {
    const exchange = fresh();
    const markets = await exchange.loadMarkets();
    expect(markets.get('BTC-USD')).toEqual({
      symbol: 'BTC-USD',
      base: 'BTC',
      quote: 'USD',
      amountStep: 0.00000001,
      priceStep: 0.01,
      minAmount: 0.00000001,
      maxAmount: 3400,
      minCost: 1,
      takerFee: 0.006,
      makerFee: 0.004,
      active: true,
    });
    expect(markets.get('ETH-USD')).toMatchObject({
      amountStep: 0.0001,
      minAmount: 0.001,
      active: false,
    });
    expect(markets.has('BAD-USD')).toBe(false);
    await expect(exchange.fetchTicker('BAD-USD')).rejects.toThrow(
      /BAD-USD cannot be traded: coinbase market BAD\/USD: precision.amount \(amount step\) is undefined/,
    );
    await expect(exchange.fetchTicker('DOGE-USD')).rejects.toThrow(ValidationError);
    expect(server.requestsTo('GET /api/v3/brokerage/market/products')).toHaveLength(3);
    // Cached: a second call asks nothing.
    const before = server.requests.length;
    await exchange.loadMarkets();
    expect(server.requests.length).toBe(before);
  });

  it('fetches candles in ascending order through the public candles endpoint', async () => {
    const result = await exchange.fetchCandles('BTC-USD', '1h', { since: start, limit: 3 });
    expect(result).toEqual(
      [0, 1, 2].map((i) => ({
        time: start + i * hour,
        open: 42_000 + i,
        high: 42_100 + i,
        low: 41_900 + i,
        close: 42_050 + i,
        volume: 12.5,
      })),
    );
    const [request] = server.requestsTo('GET /api/v3/brokerage/market/products/BTC-USD/candles');
    expect(request?.query.get('granularity')).toBe('ONE_HOUR');
    expect(request?.query.get('start')).toBe(String(start / 1000));
  });

  it('refuses a timeframe coinbase does not offer before any request', async () => {
    await expect(exchange.fetchCandles('BTC-USD', '4h')).rejects.toThrow(
      /coinbase offers no 4h candles; it offers 1m, 5m/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a garbled candle with a DataIntegrityError instead of passing NaN on', async () => {
    server.route('GET /api/v3/brokerage/market/products/BTC-USD/candles', () =>
      ok({ candles: [{ ...candles[0], close: 'not-a-number' }] }),
    );
    await expect(exchange.fetchCandles('BTC-USD', '1h')).rejects.toThrow(DataIntegrityError);
    server.route('GET /api/v3/brokerage/market/products/BTC-USD/candles', () =>
      ok({ candles: [{ ...candles[0], high: '1' }] }),
    );
    await expect(exchange.fetchCandles('BTC-USD', '1h')).rejects.toThrow(/high 1/);
  });

  it('fetches the ticker and the order book', async () => {
    expect(await exchange.fetchTicker('BTC-USD')).toEqual({
      symbol: 'BTC-USD',
      time: Date.UTC(2025, 0, 1, 3),
      last: 42_050.5,
      bid: 42_050,
      ask: 42_051,
      baseVolume24h: null,
      quoteVolume24h: null,
    });
    expect(await exchange.fetchOrderBook('BTC-USD', 2)).toEqual({
      symbol: 'BTC-USD',
      time: Date.UTC(2025, 0, 1, 3),
      bids: [
        [42_050, 1.5],
        [42_049, 2],
      ],
      asks: [
        [42_051, 0.5],
        [42_052.5, 3],
      ],
    });
    expect(
      server.requestsTo('GET /api/v3/brokerage/market/product_book')[0]?.query.get('product_id'),
    ).toBe('BTC-USD');
  });

  it('sends our client order id as client_order_id, and sizes a market buy at the best ask', async () => {
    const placed = await exchange.createOrder({
      clientOrderId: 'll-sell-1',
      symbol: 'BTC-USD',
      side: 'sell',
      type: 'limit',
      quantity: 0.01,
      limitPrice: 43_000,
    });
    expect(placed).toMatchObject({
      exchangeOrderId: 'id-ll-sell-1',
      clientOrderId: 'll-sell-1',
      status: 'open',
      quantity: 0.01,
      limitPrice: 43_000,
      filledQuantity: 0,
    });
    const [sell] = server.requestsTo('POST /api/v3/brokerage/orders');
    expect(JSON.parse(sell?.body ?? '')).toMatchObject({
      client_order_id: 'll-sell-1',
      product_id: 'BTC-USD',
      side: 'SELL',
      order_configuration: { limit_limit_gtc: { base_size: '0.01', limit_price: '43000' } },
    });

    await exchange.createOrder({
      clientOrderId: 'll-buy-1',
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'market',
      quantity: 0.01,
    });
    const buy = server.requestsTo('POST /api/v3/brokerage/orders')[1];
    expect(JSON.parse(buy?.body ?? '')).toMatchObject({
      client_order_id: 'll-buy-1',
      order_configuration: { market_market_ioc: { quote_size: '420.51' } },
    });
    expect(server.requestsTo('GET /api/v3/brokerage/market/products/BTC-USD/ticker')).toHaveLength(
      1,
    );
  });

  it('finds an order by client id by listing open and recent orders, and answers null when none matches', async () => {
    const found = await exchange.fetchOrderByClientId('BTC-USD', 'll-found');
    expect(found).toMatchObject({
      exchangeOrderId: 'id-ll-found',
      clientOrderId: 'll-found',
      status: 'filled',
      filledQuantity: 0.01,
      avgFillPrice: 43_000,
      fee: 1.72,
      feeCurrency: 'USD',
    });
    expect(await exchange.fetchOrderByClientId('BTC-USD', 'll-missing')).toBeNull();
    const lists = server.requestsTo('GET /api/v3/brokerage/orders/historical/batch');
    expect(lists.map((request) => request.query.get('order_status'))).toEqual([
      'OPEN',
      null,
      'OPEN',
      null,
    ]);
  });

  it('reloads markets on the next call after a failed load', async () => {
    const exchange = fresh();
    server.route('GET /api/v3/brokerage/market/products', () => ({
      status: 503,
      body: 'Service Unavailable',
    }));
    await expect(exchange.fetchCandles('BTC-USD', '1h')).rejects.toThrow(ExchangeUnavailableError);
    server.route(
      'GET /api/v3/brokerage/market/products',
      routes()['GET /api/v3/brokerage/market/products']!,
    );
    const result = await exchange.fetchCandles('BTC-USD', '1h');
    expect(result).toHaveLength(3);
  });
});
