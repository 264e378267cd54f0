import { DataIntegrityError } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import {
  acknowledgedOrderFromCcxt,
  balanceFromCcxt,
  brokerOrderFromCcxt,
  candlesFromCcxt,
  fillFromCcxt,
  marketInfoFromCcxt,
  orderBookFromCcxt,
  tickerFromCcxt,
} from './ccxt-payloads.js';

const at = Date.UTC(2025, 0, 1);
const src = 'binance test';
/** What the adapter asked for: every answer must be about it. */
const asked = { symbol: 'BTC-USDT' } as const;

const market = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  spot: true,
  active: true,
  precision: { amount: 0.00001, price: 0.01 },
  limits: { amount: { min: 0.0001, max: 9000 }, cost: { min: 5 } },
  taker: 0.001,
  maker: 0.001,
};

const order = {
  id: '12',
  clientOrderId: 'll1',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  status: 'open',
  amount: 2,
  filled: 0,
  price: 50_000,
  average: undefined,
  triggerPrice: undefined,
  timestamp: at,
  lastUpdateTimestamp: at + 5,
  fees: [],
};

describe('marketInfoFromCcxt', () => {
  it('takes steps from precision and minimums from limits', () => {
    expect(marketInfoFromCcxt(market, src)).toEqual({
      symbol: 'BTC-USDT',
      base: 'BTC',
      quote: 'USDT',
      amountStep: 0.00001,
      priceStep: 0.01,
      minAmount: 0.0001,
      maxAmount: 9000,
      minCost: 5,
      takerFee: 0.001,
      makerFee: 0.001,
      active: true,
    });
  });

  it('falls back to the amount step as minimum and 0 as minimum cost, and keeps inactive markets', () => {
    const bare = { ...market, limits: {}, taker: undefined, maker: undefined, active: false };
    expect(marketInfoFromCcxt(bare, src)).toMatchObject({
      minAmount: 0.00001,
      maxAmount: null,
      minCost: 0,
      takerFee: null,
      active: false,
    });
  });

  it('refuses missing or NaN steps, naming the field', () => {
    expect(() =>
      marketInfoFromCcxt({ ...market, precision: { amount: undefined, price: 0.01 } }, src),
    ).toThrow(/binance test: precision.amount \(amount step\) is undefined/);
    expect(() =>
      marketInfoFromCcxt({ ...market, precision: { amount: 0.1, price: Number.NaN } }, src),
    ).toThrow(DataIntegrityError);
  });
});

describe('candlesFromCcxt', () => {
  const row = (i: number, close = 100): number[] => [
    at + i * 60_000,
    close,
    close + 1,
    close - 1,
    close,
    3,
  ];

  it('builds ascending candles', () => {
    expect(candlesFromCcxt([row(0), row(1, 101)], src)).toEqual([
      { time: at, open: 100, high: 101, low: 99, close: 100, volume: 3 },
      { time: at + 60_000, open: 101, high: 102, low: 100, close: 101, volume: 3 },
    ]);
  });

  it('refuses NaN, undefined and broken candles, and candles out of order', () => {
    expect(() => candlesFromCcxt([[at, Number.NaN, 1, 1, 1, 1]], src)).toThrow(
      /open NaN is not a positive price/,
    );
    expect(() => candlesFromCcxt([[at, undefined, 1, 1, 1, 1]], src)).toThrow(
      /candle #0 open is undefined/,
    );
    expect(() => candlesFromCcxt([[at, 10, 9, 11, 10, 1]], src)).toThrow(/low 11 is above high 9/);
    expect(() => candlesFromCcxt([row(1), row(0)], src)).toThrow(/is not after/);
    expect(() => candlesFromCcxt([row(0), row(0)], src)).toThrow(DataIntegrityError);
    expect(() => candlesFromCcxt([[at, 1, 1, 1]], src)).toThrow(/expected \[time, open/);
    expect(() => candlesFromCcxt('nope', src)).toThrow(/expected an array/);
  });
});

describe('tickerFromCcxt', () => {
  const ticker = {
    symbol: 'BTC/USDT',
    last: 100,
    bid: 99.5,
    ask: 100.5,
    baseVolume: 10,
    quoteVolume: 1000,
    timestamp: at,
  };

  it('keeps prices and volumes, and stamps a ticker without time with the receive time', () => {
    expect(tickerFromCcxt(ticker, asked, at + 9, src)).toEqual({
      symbol: 'BTC-USDT',
      time: at,
      last: 100,
      bid: 99.5,
      ask: 100.5,
      baseVolume24h: 10,
      quoteVolume24h: 1000,
    });
    const bare = tickerFromCcxt({ symbol: 'BTC/USDT', close: 100 }, asked, at + 9, src);
    expect(bare).toMatchObject({
      time: at + 9,
      last: 100,
      bid: null,
      ask: null,
      baseVolume24h: null,
    });
  });

  it('lets no NaN, missing or crossed price through', () => {
    expect(() =>
      tickerFromCcxt({ ...ticker, last: undefined, close: undefined }, asked, at, src),
    ).toThrow(/last price is undefined/);
    expect(() => tickerFromCcxt({ ...ticker, last: Number.NaN }, asked, at, src)).toThrow(
      /last price is NaN/,
    );
    expect(() => tickerFromCcxt({ ...ticker, bid: -1 }, asked, at, src)).toThrow(/bid is -1/);
    expect(() => tickerFromCcxt({ ...ticker, bid: 101 }, asked, at, src)).toThrow(
      /bid 101 is above ask 100.5/,
    );
    expect(() => tickerFromCcxt({ ...ticker, quoteVolume: Number.NaN }, asked, at, src)).toThrow(
      DataIntegrityError,
    );
  });

  it('refuses a ticker of another symbol than asked, naming both', () => {
    expect(() => tickerFromCcxt({ ...ticker, symbol: 'ETH/USDT' }, asked, at, src)).toThrow(
      'binance test: the answer is for ETH-USDT, not for BTC-USDT as asked',
    );
    expect(() => tickerFromCcxt({ ...ticker, symbol: undefined }, asked, at, src)).toThrow(
      'the answer is for symbol undefined, not for BTC-USDT as asked',
    );
    expect(() => tickerFromCcxt({ ...ticker, symbol: 'BTC/USDT:USDT' }, asked, at, src)).toThrow(
      /the answer is for symbol "BTC\/USDT:USDT", not for BTC-USDT as asked/,
    );
    // ccxt files an answer about a market id it does not list under the market asked.
    const binance = { ...asked, exchangeId: 'BTCUSDT' };
    expect(
      tickerFromCcxt({ ...ticker, info: { symbol: 'BTCUSDT' } }, binance, at, src).symbol,
    ).toBe('BTC-USDT');
    expect(() =>
      tickerFromCcxt({ ...ticker, info: { symbol: 'XBTUSDT' } }, binance, at, src),
    ).toThrow('the exchange answered for market "XBTUSDT", not for BTCUSDT (BTC-USDT) as asked');
    expect(tickerFromCcxt({ ...ticker, info: {} }, binance, at, src).last).toBe(100);
  });

  it('refuses infinite prices and prices below the price step', () => {
    expect(() => tickerFromCcxt({ ...ticker, last: Infinity }, asked, at, src)).toThrow(
      /last price is Infinity/,
    );
    expect(() => tickerFromCcxt({ ...ticker, ask: Infinity }, asked, at, src)).toThrow(
      /ask is Infinity/,
    );
    expect(() => tickerFromCcxt({ ...ticker, last: 0 }, asked, at, src)).toThrow(/last price is 0/);
    const stepped = { ...asked, priceStep: 0.01 };
    expect(
      tickerFromCcxt({ ...ticker, last: 0.01, bid: 0.01, ask: 0.02 }, stepped, at, src),
    ).toMatchObject({
      last: 0.01,
    });
    expect(() =>
      tickerFromCcxt({ ...ticker, last: 1e-8, bid: 0.99e-8, ask: 1.01e-8 }, stepped, at, src),
    ).toThrow("last price 1e-8 is below BTC-USDT's price step 0.01: no exchange quotes that price");
    expect(() => tickerFromCcxt({ ...ticker, bid: 0.001 }, stepped, at, src)).toThrow(
      /bid 0.001 is below/,
    );
  });
});

describe('orderBookFromCcxt', () => {
  const book = {
    symbol: 'BTC/USDT',
    bids: [
      [99, 1],
      [98, 2],
    ],
    asks: [
      [101, 1],
      [102, 3],
    ],
    timestamp: undefined,
  };

  it('keeps a sorted book, stamped with the receive time when it has none', () => {
    expect(orderBookFromCcxt(book, asked, at, src)).toEqual({
      symbol: 'BTC-USDT',
      time: at,
      bids: [
        [99, 1],
        [98, 2],
      ],
      asks: [
        [101, 1],
        [102, 3],
      ],
    });
  });

  it('refuses unsorted, crossed and non-positive levels', () => {
    expect(() =>
      orderBookFromCcxt(
        {
          ...book,
          bids: [
            [98, 1],
            [99, 1],
          ],
        },
        asked,
        at,
        src,
      ),
    ).toThrow(/bids must be descending/);
    expect(() =>
      orderBookFromCcxt(
        {
          ...book,
          asks: [
            [102, 1],
            [101, 1],
          ],
        },
        asked,
        at,
        src,
      ),
    ).toThrow(/asks must be ascending/);
    expect(() => orderBookFromCcxt({ ...book, asks: [[99, 1]] }, asked, at, src)).toThrow(
      /crossed/,
    );
    expect(() => orderBookFromCcxt({ ...book, bids: [[99, 0]] }, asked, at, src)).toThrow(
      /bids\[0\] quantity is 0/,
    );
    expect(() => orderBookFromCcxt({ ...book, bids: [[Number.NaN, 1]] }, asked, at, src)).toThrow(
      DataIntegrityError,
    );
  });

  it('refuses a book of another symbol, a level worth Infinity, and prices below the price step', () => {
    expect(() => orderBookFromCcxt({ ...book, symbol: 'ETH/USDT' }, asked, at, src)).toThrow(
      'the answer is for ETH-USDT, not for BTC-USDT as asked',
    );
    expect(() =>
      orderBookFromCcxt({ ...book, asks: [[101, Number.MAX_VALUE]] }, asked, at, src),
    ).toThrow(/asks\[0\] is worth Infinity/);
    const stepped = { ...asked, priceStep: 0.5 };
    expect(orderBookFromCcxt(book, stepped, at, src).bids).toHaveLength(2);
    expect(() =>
      orderBookFromCcxt(
        {
          ...book,
          bids: [
            [99, 1],
            [0.25, 2],
          ],
        },
        stepped,
        at,
        src,
      ),
    ).toThrow("bids[1] price 0.25 is below BTC-USDT's price step 0.5");
    expect(() =>
      orderBookFromCcxt({ ...book, bids: [], asks: [[0.1, 1]] }, stepped, at, src),
    ).toThrow(/asks\[0\] price 0.1 is below/);
  });
});

describe('brokerOrderFromCcxt', () => {
  it('maps a resting limit order', () => {
    expect(brokerOrderFromCcxt(order, src)).toEqual({
      exchangeOrderId: '12',
      clientOrderId: 'll1',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'limit',
      status: 'open',
      quantity: 2,
      filledQuantity: 0,
      avgFillPrice: null,
      limitPrice: 50_000,
      stopPrice: null,
      fee: 0,
      feeCurrency: null,
      createdAt: at,
      updatedAt: at + 5,
    });
  });

  it("maps ccxt's unified statuses, partial fills included", () => {
    const status = (patch: object): string =>
      brokerOrderFromCcxt({ ...order, average: 50_000, ...patch }, src).status;
    expect(status({ status: 'open', filled: 0.5 })).toBe('partially_filled');
    expect(status({ status: 'canceling', filled: 0 })).toBe('open');
    expect(status({ status: 'closed', filled: 2 })).toBe('filled');
    expect(status({ status: 'closed', filled: 0.5 })).toBe('canceled');
    expect(status({ status: 'canceled', filled: 0.5 })).toBe('canceled');
    expect(status({ status: 'rejected' })).toBe('rejected');
    expect(status({ status: 'expired' })).toBe('expired');
    const partialCancel = brokerOrderFromCcxt(
      { ...order, status: 'canceled', filled: 0.5, average: 49_990 },
      src,
    );
    expect(partialCancel).toMatchObject({ filledQuantity: 0.5, avgFillPrice: 49_990 });
    expect(() => status({ status: undefined })).toThrow(/status is undefined/);
  });

  it('tells stops by their trigger price and takes the fill price from cost when ccxt has no average', () => {
    const stop = brokerOrderFromCcxt(
      { ...order, type: 'market', price: undefined, triggerPrice: 45_000 },
      src,
    );
    expect(stop).toMatchObject({ type: 'stop_market', stopPrice: 45_000, limitPrice: null });
    expect(brokerOrderFromCcxt({ ...order, triggerPrice: 45_000 }, src).type).toBe('stop_limit');
    const filled = brokerOrderFromCcxt(
      { ...order, status: 'closed', filled: 2, cost: 100_010 },
      src,
    );
    expect(filled.avgFillPrice).toBe(50_005);
  });

  it('sums fees of one currency', () => {
    const fees = [
      { cost: 0.1, currency: 'USDT' },
      { cost: 0.2, currency: 'USDT' },
    ];
    const filled = brokerOrderFromCcxt(
      { ...order, status: 'closed', filled: 2, average: 1, fees },
      src,
    );
    expect(filled.fee).toBeCloseTo(0.3, 12);
    expect(filled.feeCurrency).toBe('USDT');
    const mixed = [
      { cost: 0.1, currency: 'USDT' },
      { cost: 0.2, currency: 'BNB' },
    ];
    expect(() => brokerOrderFromCcxt({ ...order, fees: mixed }, src)).toThrow(
      /fees in both USDT and BNB/,
    );
  });

  it('lets no missing price, NaN quantity or impossible fill through', () => {
    expect(() => brokerOrderFromCcxt({ ...order, price: undefined }, src)).toThrow(
      /price \(limit price\) is undefined/,
    );
    expect(() => brokerOrderFromCcxt({ ...order, amount: Number.NaN }, src)).toThrow(
      /amount is NaN/,
    );
    expect(() => brokerOrderFromCcxt({ ...order, filled: 3 }, src)).toThrow(
      /filled 3 is more than the amount 2/,
    );
    expect(() => brokerOrderFromCcxt({ ...order, status: 'closed', filled: 2 }, src)).toThrow(
      /neither average nor cost/,
    );
    expect(() => brokerOrderFromCcxt({ ...order, type: 'oco' }, src)).toThrow(/type is "oco"/);
    expect(() => brokerOrderFromCcxt({ ...order, timestamp: undefined }, src)).toThrow(
      /timestamp is undefined/,
    );
    expect(() =>
      brokerOrderFromCcxt({ ...order, symbol: 'ETH/USDT' }, src, { symbol: 'BTC-USDT' }),
    ).toThrow('binance test: the answer is for ETH-USDT, not for BTC-USDT as asked');
    expect(() =>
      brokerOrderFromCcxt({ ...order, info: { symbol: 'ETHUSDT' } }, src, {
        symbol: 'BTC-USDT',
        exchangeId: 'BTCUSDT',
      }),
    ).toThrow('the exchange answered for market "ETHUSDT", not for BTCUSDT (BTC-USDT) as asked');
    expect(brokerOrderFromCcxt({ ...order, symbol: 'ETH/USDT' }, src).symbol).toBe('ETH-USDT');
    expect(() => brokerOrderFromCcxt('{not json', src)).toThrow(
      /the order is "\{not json", expected an object/,
    );
  });
});

describe('acknowledgedOrderFromCcxt', () => {
  const request = {
    clientOrderId: 'll2',
    symbol: 'ETH-USDT',
    side: 'sell',
    type: 'limit',
    quantity: 1,
    limitPrice: 3000,
  } as const;

  it('is the request, open and unfilled, under the id the exchange gave', () => {
    expect(
      acknowledgedOrderFromCcxt({ id: 'abc', clientOrderId: 'll2' }, request, at, src),
    ).toEqual({
      exchangeOrderId: 'abc',
      clientOrderId: 'll2',
      symbol: 'ETH-USDT',
      side: 'sell',
      type: 'limit',
      status: 'open',
      quantity: 1,
      filledQuantity: 0,
      avgFillPrice: null,
      limitPrice: 3000,
      stopPrice: null,
      fee: 0,
      feeCurrency: null,
      createdAt: at,
      updatedAt: at,
    });
    expect(() => acknowledgedOrderFromCcxt({ id: undefined }, request, at, src)).toThrow(
      /id is undefined/,
    );
  });
});

describe('fillFromCcxt', () => {
  const trade = {
    id: 't1',
    order: '12',
    symbol: 'BTC/USDT',
    side: 'buy',
    amount: 0.5,
    price: 50_000,
    timestamp: at,
    fee: { cost: 0.0005, currency: 'BTC' },
  };

  it("maps a trade to a fill under its order's client id", () => {
    expect(fillFromCcxt(trade, 'll1', src)).toEqual({
      tradeId: 't1',
      clientOrderId: 'll1',
      exchangeOrderId: '12',
      symbol: 'BTC-USDT',
      side: 'buy',
      quantity: 0.5,
      price: 50_000,
      fee: 0.0005,
      feeCurrency: 'BTC',
      time: at,
    });
  });

  it('refuses a fill without price or fee', () => {
    expect(() => fillFromCcxt({ ...trade, price: undefined }, 'll1', src)).toThrow(
      /price is undefined/,
    );
    expect(() => fillFromCcxt({ ...trade, fee: undefined }, 'll1', src)).toThrow(/fee is missing/);
  });

  it('refuses a trade of another market than asked', () => {
    expect(fillFromCcxt(trade, 'll1', src, { symbol: 'BTC-USDT' }).symbol).toBe('BTC-USDT');
    expect(() => fillFromCcxt(trade, 'll1', src, { symbol: 'SOL-USDT' })).toThrow(
      'the answer is for BTC-USDT, not for SOL-USDT as asked',
    );
    expect(() =>
      fillFromCcxt({ ...trade, info: { symbol: 'SOLUSDT' } }, 'll1', src, {
        symbol: 'BTC-USDT',
        exchangeId: 'BTCUSDT',
      }),
    ).toThrow('the exchange answered for market "SOLUSDT", not for BTCUSDT (BTC-USDT) as asked');
  });
});

describe('balanceFromCcxt', () => {
  it("keeps every currency and skips ccxt's summary keys", () => {
    const balance = {
      info: {},
      timestamp: at,
      free: { USDT: 90 },
      used: { USDT: 10 },
      total: { USDT: 100 },
      USDT: { free: 90, used: 10, total: 100 },
      BTC: { free: 0, used: 0, total: 0 },
    };
    expect(balanceFromCcxt(balance, src)).toEqual({
      USDT: { free: 90, used: 10, total: 100 },
      BTC: { free: 0, used: 0, total: 0 },
    });
    expect(() => balanceFromCcxt({ USDT: { free: Number.NaN, used: 0, total: 1 } }, src)).toThrow(
      /USDT.free is NaN/,
    );
  });
});
