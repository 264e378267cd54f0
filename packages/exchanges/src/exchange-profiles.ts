import { DataIntegrityError, OrderNotFoundError, type OrderRequest } from '@lumenlink/core';
import { type ExchangeId } from '@lumenlink/config';
import {
  BadResponse,
  binance,
  bybit,
  coinbase,
  OrderNotFound,
  type Exchange,
  type Order,
} from 'ccxt';

/** Settings common to every ccxt exchange the adapter builds. */
export interface CcxtSettings {
  readonly apiKey?: string;
  readonly secret?: string;
  readonly password?: string;
  readonly timeoutMs: number;
  /** ccxt's `rateLimit`: ms between requests per unit of weight (unset: the exchange's). */
  readonly rateLimitMs?: number;
}

/**
 * What differs between exchanges behind the same port: ccxt's startup options, the parameter
 * that carries our client order id, and how an order is found again. Every function returns
 * ccxt's raw values; the adapter validates them.
 */
export interface ExchangeProfile {
  readonly exchange: Exchange;
  /** The createOrder param ccxt reads our client order id from. */
  readonly clientOrderIdParam: 'clientOrderId' | 'client_order_id';
  /** Longest client order id the exchange takes. */
  readonly maxClientOrderIdLength: number;
  /** createOrder answers with ids only (the order is then open, nothing known filled yet). */
  readonly createReplyIsAck: boolean;
  /** cancelOrder answers with ids only: the adapter fetches the order afterwards. */
  readonly cancelReplyIsAck: boolean;
  /**
   * Reads a placement needs before anything is sent; returns the price to hand ccxt for a
   * market order, if the exchange needs one.
   */
  prepareOrder(request: OrderRequest, ccxtSymbol: string): Promise<number | undefined>;
  /** The raw order with our client id, or `null` when the exchange does not know it. */
  findByClientId(ccxtSymbol: string, clientOrderId: string): Promise<unknown>;
  /** The raw order by exchange id; throws (ccxt's or our) OrderNotFound when unknown. */
  fetchById(ccxtSymbol: string, exchangeOrderId: string): Promise<unknown>;
  /** Recent orders of a symbol, any status, since a time. */
  fetchHistory(ccxtSymbol: string, since: number | undefined): Promise<unknown[]>;
  /** The client order id a raw trade names, when the exchange tells it with the trade. */
  clientOrderIdOfTrade(trade: unknown): string | undefined;
}

/** How many recent orders coinbase lists (one page) to find one by client id. */
const coinbaseLookupLimit = 250;

/** Builds the ccxt exchange for `id`, with startup trimmed to spot, and its profile. */
export function createExchangeProfile(id: ExchangeId, settings: CcxtSettings): ExchangeProfile {
  const config = {
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    ...(settings.secret === undefined ? {} : { secret: settings.secret }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    timeout: settings.timeoutMs,
    ...(settings.rateLimitMs === undefined ? {} : { rateLimit: settings.rateLimitMs }),
    // ccxt's leaky-bucket limiter, on; and no `maxRetriesOnFailure`: ccxt retries nothing, the
    // execution package decides what is retried.
    enableRateLimit: true,
  };
  const profile = createProfile(id, config);
  rejectNonJsonAnswers(profile.exchange);
  return profile;
}

function createProfile(id: ExchangeId, config: Record<string, unknown>): ExchangeProfile {
  switch (id) {
    case 'binance':
      return binanceProfile(
        new binance({
          ...config,
          options: {
            defaultType: 'spot',
            // loadMarkets makes one request, GET /api/v3/exchangeInfo.
            fetchMarkets: { types: ['spot'] },
            fetchCurrencies: false,
            fetchMargins: false,
            warnOnFetchOpenOrdersWithoutSymbol: false,
          },
        }),
      );
    case 'bybit':
      return bybitProfile(
        new bybit({
          ...config,
          options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] } },
        }),
      );
    case 'coinbase':
      return coinbaseProfile(new coinbase(config));
  }
}

/**
 * Makes a successful answer whose body is not JSON a ccxt `BadResponse`. ccxt would hand the
 * text to its parsers, which then throw TypeErrors or build empty structures; as BadResponse it
 * maps like any unreadable answer (exchange unavailable for a read, outcome unknown for a
 * placement). Error statuses are classified by ccxt before this check, so they keep their classes.
 */
function rejectNonJsonAnswers(exchange: Exchange): void {
  const handle = exchange.handleRestResponse.bind(exchange);
  exchange.handleRestResponse = async (
    response: unknown,
    url: unknown,
    method = 'GET',
    ...rest: unknown[]
  ): Promise<unknown> => {
    const result: unknown = await handle(response, url, method, ...rest);
    if (typeof result === 'string' && result.trim() !== '') {
      throw new BadResponse(
        `${exchange.id} ${method} ${String(url)} answered with a body that is not JSON: ${result.slice(0, 200)}`,
      );
    }
    return result;
  };
}

function binanceProfile(exchange: binance): ExchangeProfile {
  return {
    exchange,
    clientOrderIdParam: 'clientOrderId',
    maxClientOrderIdLength: 36,
    createReplyIsAck: false,
    cancelReplyIsAck: false,
    prepareOrder: () => Promise.resolve(undefined),
    // GET /api/v3/order?origClientOrderId=...; -2013 "Order does not exist." is OrderNotFound.
    async findByClientId(ccxtSymbol, clientOrderId) {
      try {
        return await exchange.fetchOrder('', ccxtSymbol, { clientOrderId });
      } catch (error) {
        if (error instanceof OrderNotFound) return null;
        throw error;
      }
    },
    fetchById: (ccxtSymbol, exchangeOrderId) => exchange.fetchOrder(exchangeOrderId, ccxtSymbol),
    fetchHistory: (ccxtSymbol, since) => exchange.fetchOrders(ccxtSymbol, since),
    clientOrderIdOfTrade: () => undefined,
  };
}

function bybitProfile(exchange: bybit): ExchangeProfile {
  /** /v5/order/realtime, then /v5/order/history, filtered by the exchange's own field. */
  async function find(ccxtSymbol: string, filter: Record<string, string>): Promise<Order[]> {
    const open = await exchange.fetchOpenOrders(ccxtSymbol, undefined, undefined, filter);
    if (open.length > 0) return open;
    return exchange.fetchCanceledAndClosedOrders(ccxtSymbol, undefined, undefined, filter);
  }
  return {
    exchange,
    clientOrderIdParam: 'clientOrderId',
    maxClientOrderIdLength: 36,
    createReplyIsAck: true,
    cancelReplyIsAck: true,
    // createOrder first asks which account type this is (two GETs, cached by ccxt); asked here,
    // as a read, so a failure of it is never taken for an order of unknown outcome.
    async prepareOrder() {
      await exchange.isUnifiedEnabled();
      return undefined;
    },
    async findByClientId(ccxtSymbol, clientOrderId) {
      const orders = await find(ccxtSymbol, { orderLinkId: clientOrderId });
      return orders.find((order) => order.clientOrderId === clientOrderId) ?? null;
    },
    async fetchById(ccxtSymbol, exchangeOrderId) {
      const orders = await find(ccxtSymbol, { orderId: exchangeOrderId });
      const order = orders.find((candidate) => candidate.id === exchangeOrderId);
      if (order === undefined) {
        throw new OrderNotFoundError(`bybit has no order ${exchangeOrderId} on ${ccxtSymbol}`);
      }
      return order;
    },
    fetchHistory: (ccxtSymbol, since) => exchange.fetchCanceledAndClosedOrders(ccxtSymbol, since),
    // Bybit's executions carry the order's orderLinkId.
    clientOrderIdOfTrade(trade) {
      const info = (trade as { info?: { orderLinkId?: unknown } }).info;
      return typeof info?.orderLinkId === 'string' && info.orderLinkId !== ''
        ? info.orderLinkId
        : undefined;
    },
  };
}

function coinbaseProfile(exchange: coinbase): ExchangeProfile {
  return {
    exchange,
    // ccxt's coinbase ignores `clientOrderId` (it sends its own `ccxt-<uuid>`).
    clientOrderIdParam: 'client_order_id',
    maxClientOrderIdLength: 128,
    createReplyIsAck: true,
    cancelReplyIsAck: true,
    // Coinbase sizes market buys in the quote currency: ccxt needs a price to turn our base
    // quantity into one, so the best ask is read first.
    async prepareOrder(request, ccxtSymbol) {
      if (request.type !== 'market' || request.side !== 'buy') return undefined;
      const ticker = await exchange.fetchTicker(ccxtSymbol);
      const ask = ticker.ask ?? ticker.last;
      if (typeof ask !== 'number' || !Number.isFinite(ask) || ask <= 0) {
        throw new DataIntegrityError(
          `coinbase ticker ${ccxtSymbol} has no ask or last price to size a market buy by; got ${String(ask)}`,
        );
      }
      return ask;
    },
    // Coinbase fetches by order id only: list open orders, then recent ones, and match.
    async findByClientId(ccxtSymbol, clientOrderId) {
      const open = await exchange.fetchOpenOrders(ccxtSymbol);
      const match = open.find((order) => order.clientOrderId === clientOrderId);
      if (match !== undefined) return match;
      const recent = await exchange.fetchOrders(ccxtSymbol, undefined, coinbaseLookupLimit);
      return recent.find((order) => order.clientOrderId === clientOrderId) ?? null;
    },
    fetchById: (ccxtSymbol, exchangeOrderId) => exchange.fetchOrder(exchangeOrderId, ccxtSymbol),
    fetchHistory: (ccxtSymbol, since) =>
      exchange.fetchOrders(ccxtSymbol, since, coinbaseLookupLimit),
    clientOrderIdOfTrade: () => undefined,
  };
}
