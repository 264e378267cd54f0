/**
 * The Binance spot REST endpoints the emulator serves, keyed by `'METHOD /path'`: parameter
 * parsing with Binance's error codes, and the answers built from the matching engine.
 */
import {
  EmulatorApiError,
  illegalParameter,
  invalidSymbol,
  missingParameter,
  orderDoesNotExist,
} from './api-error.js';
import {
  canceledOrderJson,
  dayTickerJson,
  klineJson,
  myTradeJson,
  newOrderJson,
  orderJson,
} from './binance-format.js';
import { intervalName, klineIntervals } from './candles.js';
import type { FaultBook } from './faults.js';
import { exchangeInfoSymbol, formatAmount, formatPrice, type ResolvedMarket } from './markets.js';
import {
  feeRate,
  type BinanceOrderType,
  type BookLevel,
  type MatchingEngine,
  type NewOrder,
  type OrderRecord,
  type TimeInForce,
} from './matching-engine.js';

/** What a route handler gets. */
interface RouteContext {
  /** Query and body parameters together. */
  readonly params: Readonly<Record<string, string>>;
  readonly engine: MatchingEngine;
  readonly faults: FaultBook;
  /** The emulator's time when the request is handled. */
  readonly now: number;
  /** `'METHOD /path'` of the request, for faults that apply to some routes. */
  readonly route: string;
}

/** One endpoint: whether it is signed (USER_DATA / TRADE), and its handler returning the JSON body. */
export interface Route {
  readonly signed: boolean;
  handle(context: RouteContext): unknown;
}

const decimalPattern = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const integerPattern = /^[0-9]{1,20}$/;
/** Binance's rule for client order ids. */
export const clientOrderIdPattern = /^[.A-Z:/a-z0-9_-]{1,36}$/;

function required(params: RouteContext['params'], name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

/** A numeric parameter, if sent; -1100 when it does not match `pattern`. */
function optionalNumber(
  params: RouteContext['params'],
  name: string,
  pattern: RegExp,
): number | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (!pattern.test(value)) throw illegalParameter(name, pattern.source);
  return Number(value);
}

function limitParam(params: RouteContext['params'], fallback: number, max: number): number {
  const limit = optionalNumber(params, 'limit', integerPattern) ?? fallback;
  if (limit < 1 || limit > max) {
    throw new EmulatorApiError(400, -1130, `Data sent for parameter 'limit' is not valid.`);
  }
  return limit;
}

function marketParam(context: RouteContext): ResolvedMarket {
  const market = context.engine.findMarket(required(context.params, 'symbol'));
  if (market === undefined) throw invalidSymbol();
  return market;
}

/** `symbol`, or a JSON array in `symbols`, or every market when neither is sent. */
function marketsParam(context: RouteContext): ResolvedMarket[] {
  const { params, engine } = context;
  if (params['symbol'] !== undefined) return [marketParam(context)];
  const list = params['symbols'];
  if (list === undefined) return engine.markets();
  let ids: unknown;
  try {
    ids = JSON.parse(list);
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw illegalParameter(
      'symbols',
      '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$',
    );
  }
  return ids.map((id: string) => {
    const market = engine.findMarket(id);
    if (market === undefined) throw invalidSymbol();
    return market;
  });
}

/** The first `limit` items when the range has a start, else the last `limit`. */
function pick<T>(items: readonly T[], limit: number, fromStart: boolean): T[] {
  return fromStart ? items.slice(0, limit) : items.slice(Math.max(0, items.length - limit));
}

function between(value: number, start: number | undefined, end: number | undefined): boolean {
  return (start === undefined || value >= start) && (end === undefined || value <= end);
}

/** GET/DELETE /api/v3/order's key: `orderId` or `origClientOrderId`, honouring the not-found fault. */
function lookUpOrder(context: RouteContext): OrderRecord {
  const market = marketParam(context);
  const orderId = optionalNumber(context.params, 'orderId', integerPattern);
  const clientOrderId = context.params['origClientOrderId'] || undefined;
  if (orderId === undefined && clientOrderId === undefined) {
    throw new EmulatorApiError(
      400,
      -1102,
      "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    );
  }
  const order = context.engine.findOrder(market, {
    ...(orderId === undefined ? {} : { orderId }),
    ...(clientOrderId === undefined ? {} : { clientOrderId }),
  });
  if (context.now - order.createdAt < context.faults.notFoundWindowMs()) throw orderDoesNotExist();
  return order;
}

function parseSide(params: RouteContext['params']): 'buy' | 'sell' {
  const side = required(params, 'side');
  if (side !== 'BUY' && side !== 'SELL') throw new EmulatorApiError(400, -1117, 'Invalid side.');
  return side === 'BUY' ? 'buy' : 'sell';
}

function parseOrderType(params: RouteContext['params']): BinanceOrderType {
  const type = required(params, 'type');
  if (type === 'MARKET' || type === 'LIMIT' || type === 'LIMIT_MAKER') return type;
  if (['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'].includes(type)) {
    throw new EmulatorApiError(400, -2010, 'Order type not supported for this symbol.');
  }
  throw new EmulatorApiError(400, -1116, 'Invalid orderType.');
}

function parseTimeInForce(params: RouteContext['params']): TimeInForce {
  const value = required(params, 'timeInForce');
  if (value !== 'GTC' && value !== 'IOC' && value !== 'FOK') {
    throw new EmulatorApiError(400, -1115, 'Invalid timeInForce.');
  }
  return value;
}

function notRequired(params: RouteContext['params'], name: string): void {
  if (params[name] !== undefined) {
    throw new EmulatorApiError(400, -1106, `Parameter '${name}' sent when not required.`);
  }
}

function placeOrder(context: RouteContext): unknown {
  const { params, engine, faults } = context;
  const market = marketParam(context);
  const side = parseSide(params);
  const type = parseOrderType(params);
  const clientOrderId = params['newClientOrderId'] || undefined;
  if (clientOrderId !== undefined && !clientOrderIdPattern.test(clientOrderId)) {
    throw illegalParameter('newClientOrderId', clientOrderIdPattern.source);
  }
  const responseType = params['newOrderRespType'] ?? 'FULL';
  if (responseType !== 'ACK' && responseType !== 'RESULT' && responseType !== 'FULL') {
    throw illegalParameter('newOrderRespType', 'ACK, RESULT, FULL');
  }
  const quantity = optionalNumber(params, 'quantity', decimalPattern);
  const common = { market, side, type, ...(clientOrderId === undefined ? {} : { clientOrderId }) };
  let request: NewOrder;
  let partialFill: ReturnType<FaultBook['peekPartialFill']>;
  if (type === 'MARKET') {
    notRequired(params, 'price');
    const quoteOrderQty = optionalNumber(params, 'quoteOrderQty', decimalPattern);
    if ((quantity === undefined) === (quoteOrderQty === undefined)) {
      throw new EmulatorApiError(
        400,
        -1102,
        "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
      );
    }
    partialFill = faults.peekPartialFill();
    request = {
      ...common,
      ...(quantity === undefined ? {} : { quantity }),
      ...(quoteOrderQty === undefined ? {} : { quoteOrderQty }),
      ...(partialFill === undefined ? {} : { partialFillRatio: partialFill.ratio }),
    };
  } else {
    const price = optionalNumber(params, 'price', decimalPattern);
    if (price === undefined) throw missingParameter('price');
    if (quantity === undefined) throw missingParameter('quantity');
    request = {
      ...common,
      quantity,
      price,
      ...(type === 'LIMIT' ? { timeInForce: parseTimeInForce(params) } : {}),
    };
  }
  const placement = engine.place(request);
  partialFill?.consume();
  return newOrderJson(placement.order, placement.fills, responseType);
}

function accountJson(context: RouteContext): unknown {
  const commission = formatAmount(feeRate);
  return {
    makerCommission: feeRate * 10_000,
    takerCommission: feeRate * 10_000,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: commission,
      taker: commission,
      buyer: formatAmount(0),
      seller: formatAmount(0),
    },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: context.now,
    accountType: 'SPOT',
    balances: Object.entries(context.engine.balances()).map(([asset, { free, locked }]) => ({
      asset,
      free: formatAmount(free),
      locked: formatAmount(locked),
    })),
    permissions: ['SPOT'],
    uid: 1,
  };
}

function klines(context: RouteContext): unknown {
  const { params, engine, now } = context;
  const market = marketParam(context);
  const interval = required(params, 'interval');
  const intervalMs = klineIntervals[interval];
  const startTime = optionalNumber(params, 'startTime', integerPattern);
  const endTime = optionalNumber(params, 'endTime', integerPattern);
  const limit = limitParam(params, 500, 1000);
  if (intervalMs === undefined) {
    throw new EmulatorApiError(
      400,
      -1120,
      `Invalid interval. The emulator serves ${Object.keys(klineIntervals).join(', ')}.`,
    );
  }
  const series = engine.series(market);
  if (series === undefined) return [];
  const candles = series.visible(intervalMs, now);
  if (candles === undefined) {
    throw new EmulatorApiError(
      400,
      -1120,
      `Invalid interval. The emulator has ${intervalName(series.intervalMs)} candles for ${market.id}: ask for ${intervalName(series.intervalMs)} or a multiple of it.`,
    );
  }
  const inRange = candles.filter((candle) => between(candle.time, startTime, endTime));
  return pick(inRange, limit, startTime !== undefined).map((candle) =>
    klineJson(candle, intervalMs),
  );
}

/** A market's quote: its price and book, or a `price` fault's absurd ones (levels 0.01 % apart). */
function quote(
  context: RouteContext,
  market: ResolvedMarket,
  levels: number,
): { price: number; bids: BookLevel[]; asks: BookLevel[] } {
  const { engine } = context;
  const book = engine.book(market, levels);
  const faulted = context.faults.takePrice(context.route, market.id);
  if (faulted === undefined) return { price: engine.price(market), ...book };
  const notionalUnit = market.minNotional > 0 ? market.minNotional : 1;
  const side = (direction: 1 | -1): BookLevel[] =>
    book.asks.map((_, index) => {
      const price = faulted * (1 + direction * 0.0001 * (index + 1));
      const steps = Math.floor((notionalUnit * 5_000 * (1 + index / 2)) / price / market.stepSize);
      return [price, Math.max(market.minQty, steps * market.stepSize)];
    });
  return { price: faulted, bids: side(-1), asks: side(1) };
}

function dayTicker(context: RouteContext, market: ResolvedMarket): unknown {
  const { now } = context;
  const { price, bids, asks } = quote(context, market, 1);
  return dayTickerJson({
    marketId: market.id,
    lastPrice: price,
    bid: bids[0] ?? [0, 0],
    ask: asks[0] ?? [0, 0],
    candles: context.engine.series(market)?.lastDay(now) ?? [],
    now,
  });
}

function bookTicker(context: RouteContext, market: ResolvedMarket): unknown {
  const { bids, asks } = quote(context, market, 1);
  const [bidPrice, bidQty] = bids[0] ?? [0, 0];
  const [askPrice, askQty] = asks[0] ?? [0, 0];
  return {
    symbol: market.id,
    bidPrice: formatPrice(bidPrice),
    bidQty: formatAmount(bidQty),
    askPrice: formatPrice(askPrice),
    askQty: formatAmount(askQty),
  };
}

/** Answers one market's object for `symbol`, an array otherwise (as Binance's ticker routes do). */
function perMarket(
  context: RouteContext,
  build: (context: RouteContext, market: ResolvedMarket) => unknown,
): unknown {
  const markets = marketsParam(context);
  return context.params['symbol'] === undefined
    ? markets.map((market) => build(context, market))
    : build(context, markets[0]!);
}

/** Every Binance endpoint the emulator serves. */
export const binanceRoutes: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['GET /api/v3/ping', { signed: false, handle: () => ({}) }],
  ['GET /api/v3/time', { signed: false, handle: ({ now }) => ({ serverTime: now }) }],
  [
    'GET /api/v3/exchangeInfo',
    {
      signed: false,
      handle: (context) => ({
        timezone: 'UTC',
        serverTime: context.now,
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
          { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200_000 },
          { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61_000 },
        ],
        exchangeFilters: [],
        symbols: marketsParam(context).map(exchangeInfoSymbol),
      }),
    },
  ],
  ['GET /api/v3/klines', { signed: false, handle: klines }],
  [
    'GET /api/v3/ticker/24hr',
    { signed: false, handle: (context) => perMarket(context, dayTicker) },
  ],
  [
    'GET /api/v3/ticker/price',
    {
      signed: false,
      handle: (context) =>
        perMarket(context, (_, market) => ({
          symbol: market.id,
          price: formatPrice(quote(context, market, 1).price),
        })),
    },
  ],
  [
    'GET /api/v3/ticker/bookTicker',
    { signed: false, handle: (context) => perMarket(context, bookTicker) },
  ],
  [
    'GET /api/v3/depth',
    {
      signed: false,
      handle: (context) => {
        const market = marketParam(context);
        const { bids, asks } = quote(context, market, limitParam(context.params, 100, 5000));
        const level = ([price, quantity]: readonly [number, number]): string[] => [
          formatPrice(price),
          formatAmount(quantity),
        ];
        return {
          lastUpdateId: context.engine.bookVersion(),
          bids: bids.map(level),
          asks: asks.map(level),
        };
      },
    },
  ],
  ['GET /api/v3/account', { signed: true, handle: accountJson }],
  [
    'GET /api/v3/myTrades',
    {
      signed: true,
      handle: (context) => {
        const market = marketParam(context);
        const { params } = context;
        const orderId = optionalNumber(params, 'orderId', integerPattern);
        const fromId = optionalNumber(params, 'fromId', integerPattern);
        const startTime = optionalNumber(params, 'startTime', integerPattern);
        const endTime = optionalNumber(params, 'endTime', integerPattern);
        const limit = limitParam(params, 500, 1000);
        const trades = context.engine
          .tradeList()
          .filter(
            (trade) =>
              trade.symbol === market.symbol &&
              (orderId === undefined || trade.orderId === orderId) &&
              (fromId === undefined || trade.id >= fromId) &&
              between(trade.time, startTime, endTime),
          );
        return pick(trades, limit, fromId !== undefined || startTime !== undefined).map((trade) =>
          myTradeJson(trade, market.id),
        );
      },
    },
  ],
  ['POST /api/v3/order', { signed: true, handle: placeOrder }],
  ['GET /api/v3/order', { signed: true, handle: (context) => orderJson(lookUpOrder(context)) }],
  [
    'DELETE /api/v3/order',
    {
      signed: true,
      handle: (context) => {
        const order = lookUpOrder(context);
        context.engine.cancel(order);
        const cancelId = context.params['newClientOrderId'] || `cancel-${order.orderId}`;
        return canceledOrderJson(order, cancelId, context.now);
      },
    },
  ],
  [
    'GET /api/v3/openOrders',
    {
      signed: true,
      handle: (context) => {
        const market = context.params['symbol'] === undefined ? undefined : marketParam(context);
        return context.engine
          .orderList({ open: true, ...(market === undefined ? {} : { market }) })
          .map(orderJson);
      },
    },
  ],
  [
    'GET /api/v3/allOrders',
    {
      signed: true,
      handle: (context) => {
        const market = marketParam(context);
        const { params } = context;
        const orderId = optionalNumber(params, 'orderId', integerPattern);
        const startTime = optionalNumber(params, 'startTime', integerPattern);
        const endTime = optionalNumber(params, 'endTime', integerPattern);
        const limit = limitParam(params, 500, 1000);
        const orders = context.engine
          .orderList({ market })
          .filter(
            (order) =>
              (orderId === undefined || order.orderId >= orderId) &&
              between(order.createdAt, startTime, endTime),
          );
        return pick(orders, limit, orderId !== undefined || startTime !== undefined).map(orderJson);
      },
    },
  ],
]);
