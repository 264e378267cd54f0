import {
  DataIntegrityError,
  ValidationError,
  isFinalOrderStatus,
  parseSymbol,
  silentLogger,
  systemClock,
  toCcxtSymbol,
  type Balance,
  type Broker,
  type BrokerOrder,
  type Candle,
  type Clock,
  type FetchCandlesOptions,
  type Fill,
  type LumenLinkError,
  type Logger,
  type MarketDataSource,
  type MarketInfo,
  type OrderBook,
  type OrderRequest,
  type SymbolId,
  type Ticker,
  type Timeframe,
  createRedactor,
  isSecretFieldName,
  type Redactor,
} from '@lumenlink/core';
import { exchangeIds, type Config, type ExchangeId } from '@lumenlink/config';
import { parseApiBaseUrl, rewriteApiUrls } from './api-url.js';
import { mapCcxtError, retryAfterMs, type CcxtCallKind } from './ccxt-errors.js';
import {
  acknowledgedOrderFromCcxt,
  type AskedMarket,
  balanceFromCcxt,
  brokerOrderFromCcxt,
  candlesFromCcxt,
  fillFromCcxt,
  marketInfoFromCcxt,
  orderBookFromCcxt,
  tickerFromCcxt,
} from './ccxt-payloads.js';
import { createExchangeProfile, type ExchangeProfile } from './exchange-profiles.js';

/** Options of {@link CcxtExchange}. */
export interface CcxtExchangeOptions {
  /** The exchange: `binance`, `bybit` or `coinbase` (spot markets only). */
  readonly exchange: ExchangeId;
  /** API key (`EXCHANGE_API_KEY`); only public market data works without one. */
  readonly apiKey?: string;
  /** API secret (`EXCHANGE_API_SECRET`). */
  readonly secret?: string;
  /** API passphrase (`EXCHANGE_API_PASSPHRASE`), for exchanges whose keys have one. */
  readonly password?: string;
  /**
   * Base URL override (`EXCHANGE_API_URL`): a sandbox, a proxy or the local emulator. The scheme
   * and host of every ccxt API URL are replaced by it, paths are kept.
   */
  readonly apiUrl?: string;
  /** Per-request timeout in ms, default 10 000. */
  readonly timeoutMs?: number;
  /**
   * The spacing ccxt's rate limiter keeps between requests, in ms per unit of ccxt's request
   * cost; default the exchange's own (50 ms on Binance, where a `myTrades` costs 4: the next
   * request waits 200 ms). Lower it only for a server without the exchange's limits, such as the
   * local emulator.
   */
  readonly rateLimitMs?: number;
  /** Time for stamps of payloads that carry none and for `Retry-After` dates. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** Options of {@link ccxtExchangeFromConfig} beyond what the config holds. */
export type CcxtExchangeFromConfigOptions = Pick<
  CcxtExchangeOptions,
  'timeoutMs' | 'clock' | 'logger'
>;

/** Client order ids: letters, digits, `-` and `_` (what all three exchanges accept). */
const clientOrderIdPattern = /^[A-Za-z0-9_-]+$/;

/** Most exchange order ids remembered with their client id (to name the order of a fill). */
const maxRememberedOrders = 10_000;

/**
 * Exchanges whose raw answers (tickers, orders, trades) name the exchange's market id in
 * `info.symbol`: binance's do. ccxt files an answer about a market id it does not list under the
 * market asked, so there the raw id is checked too.
 */
const rawSymbolExchanges: ReadonlySet<ExchangeId> = new Set<ExchangeId>(['binance']);

/**
 * LumenLink's exchange adapter: core's {@link MarketDataSource} and {@link Broker} on ccxt, for
 * the spot markets of binance, bybit and coinbase. The only module of LumenLink that talks to
 * ccxt. It validates every request before ccxt sees it and every payload ccxt returns (no NaN
 * and no missing price gets through), maps every ccxt error through one table into core's error
 * classes, and retries nothing: ccxt's rate limiter is on, its retries are off, and the
 * execution package decides what is tried again.
 *
 * Placement is never blind: an order goes out with our client order id under the exchange's own
 * parameter, and any failure that leaves the outcome open throws
 * `OrderOutcomeUnknownError`; {@link CcxtExchange.fetchOrderByClientId} then finds the order
 * (or answers `null`).
 *
 * @example
 * ```ts
 * const exchange = ccxtExchangeFromConfig(loadConfig(process.env), { logger });
 * const markets = await exchange.loadMarkets();
 * const candles = await exchange.fetchCandles('BTC-USDT', '1h', { limit: 200 });
 * try {
 *   await exchange.createOrder({ clientOrderId: 'll0abc', symbol: 'BTC-USDT', side: 'buy', type: 'market', quantity: 0.01 });
 * } catch (error) {
 *   if (OrderOutcomeUnknownError.isInstance(error)) await exchange.fetchOrderByClientId('BTC-USDT', 'll0abc');
 * }
 * ```
 */
export class CcxtExchange implements MarketDataSource, Broker {
  /** The exchange id. */
  readonly name: ExchangeId;
  readonly #profile: ExchangeProfile;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** The last `loadMarkets` failed: ccxt keeps the failed promise, so reload explicitly. */
  #marketsFailed = false;
  /** ccxt's markets object the cached conversion below was made from. */
  #ccxtMarkets: unknown = undefined;
  #markets: ReadonlyMap<SymbolId, MarketInfo> = new Map();
  /** Spot markets whose rules did not validate, with the reason. */
  #unusable: ReadonlyMap<SymbolId, string> = new Map();
  /** Exchange order id to client order id, for fills (ccxt trades carry no client id). */
  readonly #clientOrderIds = new Map<string, string>();
  /** The credentials, cut out of every error's text. */
  readonly #credentials: readonly string[];
  /** Secret values of the latest requests (signatures), cut out of every error's text too. */
  readonly #requestSecrets: string[] = [];

  /**
   * @throws {ValidationError} for an unknown exchange, a bad `apiUrl`, `timeoutMs` or `rateLimitMs`.
   */
  constructor(options: CcxtExchangeOptions) {
    if (!(exchangeIds as readonly string[]).includes(options.exchange)) {
      throw new ValidationError(
        `Unknown exchange "${String(options.exchange)}": expected one of ${exchangeIds.join(', ')} (EXCHANGE)`,
      );
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new ValidationError(
        `timeoutMs must be a positive whole number of milliseconds, got ${timeoutMs}`,
      );
    }
    const { rateLimitMs } = options;
    if (rateLimitMs !== undefined && !(Number.isFinite(rateLimitMs) && rateLimitMs > 0)) {
      throw new ValidationError(
        `rateLimitMs must be a number of milliseconds above 0, got ${rateLimitMs}`,
      );
    }
    this.name = options.exchange;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({
      module: 'exchanges',
      exchange: this.name,
    });
    this.#credentials = [options.apiKey, options.secret, options.password].filter(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    this.#profile = createExchangeProfile(options.exchange, {
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.secret === undefined ? {} : { secret: options.secret }),
      ...(options.password === undefined ? {} : { password: options.password }),
      timeoutMs,
      ...(rateLimitMs === undefined ? {} : { rateLimitMs }),
    });
    rememberRequestSecrets(this.#profile.exchange, this.#requestSecrets);
    if (options.apiUrl !== undefined) {
      const baseUrl = parseApiBaseUrl(options.apiUrl);
      const urls = this.#profile.exchange.urls;
      urls.api = rewriteApiUrls(urls.api, baseUrl) as typeof urls.api;
    }
  }

  /**
   * The exchange's spot markets with their precision and minimums, keyed by symbol. Loaded
   * once and cached; after a failed load the next call of any method reloads. Markets whose
   * rules do not validate are left out (logged); asking for one names the problem.
   *
   * @param options.reload load again even when cached.
   * @throws {ExchangeUnavailableError} (and the other classes of the error table) when loading fails.
   */
  async loadMarkets(
    options: { readonly reload?: boolean } = {},
  ): Promise<ReadonlyMap<SymbolId, MarketInfo>> {
    await this.#ensureMarkets('loadMarkets', options.reload === true);
    return this.#markets;
  }

  /**
   * Candles in ascending time, each checked by core's candle rules; the last may be forming.
   *
   * @throws {ValidationError} for an unknown symbol, a timeframe the exchange does not offer or bad options.
   * @throws {DataIntegrityError} when a candle is invalid (NaN, high below low, out of order...).
   */
  async fetchCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    options: FetchCandlesOptions = {},
  ): Promise<Candle[]> {
    const operation = `fetchCandles(${symbol}, ${timeframe})`;
    const { timeframes } = this.#profile.exchange;
    if (timeframes[timeframe] === undefined) {
      throw new ValidationError(
        `${operation}: ${this.name} offers no ${timeframe} candles; it offers ${Object.keys(timeframes).join(', ')}`,
      );
    }
    if (options.since !== undefined) checkWhole(options.since, `${operation}: since`, 0);
    if (options.limit !== undefined) checkWhole(options.limit, `${operation}: limit`, 1);
    // ccxt's candles are bare rows: nothing in them names a market to check against the one asked.
    return await this.#read(operation, symbol, async (ccxtSymbol) => {
      const rows = await this.#profile.exchange.fetchOHLCV(
        ccxtSymbol,
        timeframe,
        options.since,
        options.limit,
      );
      return candlesFromCcxt(rows, `${this.name} ${symbol} ${timeframe} candles`);
    });
  }

  /**
   * The latest price, best bid and ask, and 24h volumes.
   *
   * @throws {DataIntegrityError} for a bad ticker: one of another symbol than asked, a price
   *   that is not finite and positive or below the market's price step, bid above ask.
   */
  fetchTicker(symbol: SymbolId): Promise<Ticker> {
    return this.#read(`fetchTicker(${symbol})`, symbol, async (ccxtSymbol, asked) => {
      const ticker = await this.#profile.exchange.fetchTicker(ccxtSymbol);
      return tickerFromCcxt(ticker, asked, this.#clock.now(), `${this.name} ${symbol} ticker`);
    });
  }

  /**
   * The order book, best levels first, `depth` levels per side when given (the exchange may
   * only take certain depths, such as binance's 5, 10, 20, 50, 100...).
   *
   * @throws {DataIntegrityError} for a bad book (of another symbol than asked, crossed, unsorted,
   *   non-positive levels, a price below the market's price step).
   */
  async fetchOrderBook(symbol: SymbolId, depth?: number): Promise<OrderBook> {
    const operation = `fetchOrderBook(${symbol})`;
    if (depth !== undefined) checkWhole(depth, `${operation}: depth`, 1);
    return await this.#read(operation, symbol, async (ccxtSymbol, asked) => {
      const book = await this.#profile.exchange.fetchOrderBook(ccxtSymbol, depth);
      return orderBookFromCcxt(book, asked, this.#clock.now(), `${this.name} ${symbol} order book`);
    });
  }

  /**
   * Places an order under our client order id. The request is checked first (a bad one throws
   * `ValidationError` and nothing is sent).
   *
   * @throws {OrderOutcomeUnknownError} when the order may or may not exist (timeout, reset, 5xx,
   *   rate limit, clock skew, an unreadable answer, anything unexpected): look it up with
   *   {@link CcxtExchange.fetchOrderByClientId}, never send it again.
   * @throws {OrderRejectedError} when the exchange refused it (`insufficient_funds`,
   *   `invalid_order`, `duplicate_client_id`, `market_closed`, `rejected`).
   * @throws {ExchangeAuthError} when the credentials or permissions were refused.
   * @throws {ValidationError} for a bad request; nothing was sent.
   */
  async createOrder(request: OrderRequest): Promise<BrokerOrder> {
    const symbol = this.#checkOrderRequest(request);
    const operation = `createOrder(${symbol}, ${request.clientOrderId})`;
    const { ccxtSymbol, market, asked } = await this.#market(operation, symbol);
    checkAgainstMarket(request, market, `${operation} on ${this.name}`);
    const price = await this.#guard(operation, 'read', () =>
      this.#profile.prepareOrder(request, ccxtSymbol),
    );
    const isLimit = request.type === 'limit' || request.type === 'stop_limit';
    const params = {
      [this.#profile.clientOrderIdParam]: request.clientOrderId,
      ...(request.stopPrice === undefined ? {} : { triggerPrice: request.stopPrice }),
    };
    const receivedAt = (): number => this.#clock.now();
    const order = await this.#guard(
      operation,
      'place',
      async () => {
        const reply = await this.#profile.exchange.createOrder(
          ccxtSymbol,
          isLimit ? 'limit' : 'market',
          request.side,
          request.quantity,
          isLimit ? request.limitPrice : price,
          params,
        );
        const source = `${this.name} createOrder ${request.clientOrderId} reply`;
        const placed = this.#profile.createReplyIsAck
          ? acknowledgedOrderFromCcxt(reply, { ...request, symbol }, receivedAt(), source)
          : brokerOrderFromCcxt(reply, source, asked);
        if (placed.clientOrderId !== request.clientOrderId) {
          throw new DataIntegrityError(
            `${source}: client order id ${String(placed.clientOrderId)} is not ${request.clientOrderId}`,
          );
        }
        return placed;
      },
      request.clientOrderId,
    );
    this.#remember(order);
    return order;
  }

  /**
   * Cancels an order and returns its state after the cancel.
   *
   * @throws {OrderNotFoundError} when the exchange does not know the order (or it is no longer open).
   */
  async cancelOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    const operation = `cancelOrder(${symbol}, ${exchangeOrderId})`;
    checkId(exchangeOrderId, `${operation}: exchangeOrderId`);
    return await this.#read(operation, symbol, async (ccxtSymbol, asked) => {
      const reply = await this.#profile.exchange.cancelOrder(exchangeOrderId, ccxtSymbol);
      const raw = this.#profile.cancelReplyIsAck
        ? await this.#profile.fetchById(ccxtSymbol, exchangeOrderId)
        : reply;
      return this.#order(raw, `${this.name} ${operation}`, asked);
    });
  }

  /** One order by the exchange's id. @throws {OrderNotFoundError} when the exchange does not know it. */
  async fetchOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    const operation = `fetchOrder(${symbol}, ${exchangeOrderId})`;
    checkId(exchangeOrderId, `${operation}: exchangeOrderId`);
    return await this.#read(operation, symbol, async (ccxtSymbol, asked) => {
      const raw = await this.#profile.fetchById(ccxtSymbol, exchangeOrderId);
      return this.#order(raw, `${this.name} ${operation}`, asked);
    });
  }

  /**
   * The order with our client id, or `null` when the exchange does not know it, which for a
   * fresh order may not be final yet (exchanges briefly miss new orders). binance asks by client
   * id, bybit filters open and past orders by it, coinbase lists open and recent orders and
   * matches.
   */
  async fetchOrderByClientId(symbol: SymbolId, clientOrderId: string): Promise<BrokerOrder | null> {
    const operation = `fetchOrderByClientId(${symbol}, ${clientOrderId})`;
    checkId(clientOrderId, `${operation}: clientOrderId`);
    return await this.#read(operation, symbol, async (ccxtSymbol, asked) => {
      const raw = await this.#profile.findByClientId(ccxtSymbol, clientOrderId);
      if (raw === null) {
        this.#logger.debug('order not found by client id', { symbol, clientOrderId });
        return null;
      }
      const order = this.#order(raw, `${this.name} ${operation}`, asked);
      if (order.clientOrderId !== clientOrderId) {
        throw new DataIntegrityError(
          `${this.name} ${operation}: the exchange answered with order ${order.exchangeOrderId} of client id ${String(order.clientOrderId)}`,
        );
      }
      return order;
    });
  }

  /** Open orders, of one symbol or of all spot markets. */
  fetchOpenOrders(symbol?: SymbolId): Promise<BrokerOrder[]> {
    const operation = `fetchOpenOrders(${symbol ?? 'all symbols'})`;
    const list = async (
      ccxtSymbol: string | undefined,
      asked?: AskedMarket,
    ): Promise<BrokerOrder[]> => {
      const raw = await this.#profile.exchange.fetchOpenOrders(ccxtSymbol);
      return raw.map((order) => this.#order(order, `${this.name} ${operation}`, asked));
    };
    return symbol === undefined
      ? this.#readAll(operation, () => list(undefined))
      : this.#read(operation, symbol, list);
  }

  /** Final orders (filled, canceled, rejected, expired) since a time, most recent last. */
  async fetchClosedOrders(symbol: SymbolId, since?: number): Promise<BrokerOrder[]> {
    const operation = `fetchClosedOrders(${symbol})`;
    if (since !== undefined) checkWhole(since, `${operation}: since`, 0);
    return await this.#read(operation, symbol, async (ccxtSymbol, asked) => {
      const raw = await this.#profile.fetchHistory(ccxtSymbol, since);
      return raw
        .map((order) => this.#order(order, `${this.name} ${operation}`, asked))
        .filter((order) => isFinalOrderStatus(order.status))
        .sort((a, b) => a.updatedAt - b.updatedAt || a.createdAt - b.createdAt);
    });
  }

  /**
   * Our fills since a time, oldest first, one per exchange trade. A fill's client order id is
   * its order's (looked up by order id when the trade does not say); trades of orders without a
   * client id are not ours and are left out.
   */
  async fetchFills(symbol: SymbolId, since?: number): Promise<Fill[]> {
    const operation = `fetchFills(${symbol})`;
    if (since !== undefined) checkWhole(since, `${operation}: since`, 0);
    return await this.#read(operation, symbol, async (ccxtSymbol, asked) => {
      const trades: unknown[] = await this.#profile.exchange.fetchMyTrades(ccxtSymbol, since);
      const fills: Fill[] = [];
      const source = `${this.name} ${operation} trade`;
      for (const trade of trades) {
        // Checked before its order is looked up: a trade of another market names no order of ours.
        const fill = fillFromCcxt(trade, '', source, asked);
        const clientOrderId = await this.#clientOrderIdOf(trade, ccxtSymbol, asked, source);
        if (clientOrderId === null) {
          this.#logger.debug('trade of an order without client id left out', { symbol });
          continue;
        }
        fills.push({ ...fill, clientOrderId });
      }
      return fills.sort((a, b) => a.time - b.time);
    });
  }

  /** Free, used and total per currency. @throws {ExchangeAuthError} without valid credentials. */
  fetchBalance(): Promise<Balance> {
    return this.#readAll('fetchBalance()', async () =>
      balanceFromCcxt(await this.#profile.exchange.fetchBalance(), `${this.name} balance`),
    );
  }

  /**
   * Loads markets (reloading after a failure), then runs a read about `symbol`, errors mapped.
   * `work` gets ccxt's name of the market and what its answers are checked against.
   */
  async #read<T>(
    operation: string,
    symbol: SymbolId,
    work: (ccxtSymbol: string, asked: AskedMarket) => Promise<T>,
  ): Promise<T> {
    const { ccxtSymbol, asked } = await this.#market(operation, symbol);
    return this.#guard(operation, 'read', () => work(ccxtSymbol, asked));
  }

  /** Loads markets (reloading after a failure), then runs a read of the whole account. */
  async #readAll<T>(operation: string, work: () => Promise<T>): Promise<T> {
    await this.#ensureMarkets(operation, false);
    return this.#guard(operation, 'read', work);
  }

  /** Runs `work`, mapping anything it throws through the error table. */
  async #guard<T>(
    operation: string,
    kind: CcxtCallKind,
    work: () => Promise<T>,
    clientOrderId?: string,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.#mapError(error, operation, kind, clientOrderId);
    }
  }

  #mapError(
    error: unknown,
    operation: string,
    kind: CcxtCallKind,
    clientOrderId?: string,
  ): LumenLinkError {
    // Before anything reads or cuts the text: an answer may echo the request (key, signature).
    const redact = this.#errorRedactor();
    redactErrorInPlace(error, redact);
    const mapped = mapCcxtError(error, {
      exchange: this.name,
      operation,
      kind,
      ...(clientOrderId === undefined ? {} : { clientOrderId }),
      retryAfterMs: retryAfterMs(this.#profile.exchange.last_response_headers, this.#clock.now()),
      redact,
    });
    const fields = { operation, code: mapped.code, error: mapped.message };
    if (kind === 'place') this.#logger.warn('order placement failed', fields);
    else this.#logger.debug('exchange call failed', fields);
    return mapped;
  }

  /**
   * A redactor for an error's text: the API key, secret and passphrase, the secret-named values
   * of the latest requests ccxt sent (their signatures), and well-known secret shapes.
   */
  #errorRedactor(): Redactor {
    return createRedactor([...this.#credentials, ...this.#requestSecrets]);
  }

  /** Loads the markets once; after a failed load, forces ccxt to reload (it caches failures). */
  async #ensureMarkets(operation: string, reload: boolean): Promise<void> {
    const force = reload || this.#marketsFailed;
    if (this.#marketsFailed)
      this.#logger.info('reloading markets after a failed load', { operation });
    let ccxtMarkets: unknown;
    try {
      ccxtMarkets = await this.#profile.exchange.loadMarkets(force);
    } catch (error) {
      this.#marketsFailed = true;
      throw this.#mapError(error, `${operation}: loadMarkets`, 'read');
    }
    this.#marketsFailed = false;
    if (ccxtMarkets !== this.#ccxtMarkets) this.#convertMarkets(ccxtMarkets);
  }

  #convertMarkets(ccxtMarkets: unknown): void {
    const markets = new Map<SymbolId, MarketInfo>();
    const unusable = new Map<SymbolId, string>();
    const all =
      typeof ccxtMarkets === 'object' && ccxtMarkets !== null ? Object.values(ccxtMarkets) : [];
    for (const market of all as unknown[]) {
      const { symbol, spot } = market as { symbol?: unknown; spot?: unknown };
      if (spot !== true || typeof symbol !== 'string' || symbol.includes(':')) continue;
      let id: SymbolId;
      try {
        id = parseSymbol(symbol);
      } catch {
        this.#logger.debug('market with a symbol LumenLink cannot name left out', { symbol });
        continue;
      }
      try {
        markets.set(id, marketInfoFromCcxt(market, `${this.name} market ${symbol}`));
      } catch (error) {
        if (!DataIntegrityError.isInstance(error)) throw error;
        unusable.set(id, error.message);
      }
    }
    if (unusable.size > 0) {
      this.#logger.warn('markets with invalid rules left out', {
        count: unusable.size,
        markets: [...unusable.values()].slice(0, 10),
      });
    }
    this.#ccxtMarkets = ccxtMarkets;
    this.#markets = markets;
    this.#unusable = unusable;
  }

  /**
   * The market of `symbol`, ccxt's name for it and what answers about it must match, loading
   * markets first.
   */
  async #market(
    operation: string,
    symbol: SymbolId,
  ): Promise<{ ccxtSymbol: string; market: MarketInfo; asked: AskedMarket }> {
    const id = parseSymbol(symbol);
    await this.#ensureMarkets(operation, false);
    const market = this.#markets.get(id);
    if (market !== undefined) {
      const ccxtSymbol = toCcxtSymbol(id);
      const exchangeId = rawSymbolExchanges.has(this.name)
        ? (this.#profile.exchange.markets as Record<string, { id?: unknown }> | undefined)?.[
            ccxtSymbol
          ]?.id
        : undefined;
      const asked: AskedMarket = {
        symbol: id,
        priceStep: market.priceStep,
        ...(typeof exchangeId === 'string' ? { exchangeId } : {}),
      };
      return { ccxtSymbol, market, asked };
    }
    const problem = this.#unusable.get(id);
    if (problem !== undefined) {
      throw new DataIntegrityError(`${operation}: ${id} cannot be traded: ${problem}`);
    }
    throw new ValidationError(
      `${operation}: ${this.name} has no spot market ${id}; check SYMBOLS (${this.#markets.size} markets, e.g. ${[
        ...this.#markets.keys(),
      ]
        .slice(0, 5)
        .join(', ')})`,
    );
  }

  #order(raw: unknown, source: string, asked?: AskedMarket): BrokerOrder {
    const order = brokerOrderFromCcxt(raw, source, asked);
    this.#remember(order);
    return order;
  }

  #remember(order: BrokerOrder): void {
    if (order.clientOrderId === null) return;
    this.#clientOrderIds.delete(order.exchangeOrderId);
    this.#clientOrderIds.set(order.exchangeOrderId, order.clientOrderId);
    if (this.#clientOrderIds.size > maxRememberedOrders) {
      const oldest = this.#clientOrderIds.keys().next();
      if (oldest.done !== true) this.#clientOrderIds.delete(oldest.value);
    }
  }

  /** The client id of a trade's order: from the trade, from memory, or from the order. */
  async #clientOrderIdOf(
    trade: unknown,
    ccxtSymbol: string,
    asked: AskedMarket,
    source: string,
  ): Promise<string | null> {
    const named = this.#profile.clientOrderIdOfTrade(trade);
    if (named !== undefined) return named;
    const orderId = (trade as { order?: unknown } | null)?.order;
    if (typeof orderId !== 'string' || orderId === '') {
      throw new DataIntegrityError(`${source}: order id is ${String(orderId)}, expected a string`);
    }
    const known = this.#clientOrderIds.get(orderId);
    if (known !== undefined) return known;
    const order = this.#order(
      await this.#profile.fetchById(ccxtSymbol, orderId),
      `${this.name} order ${orderId} of a fill`,
      asked,
    );
    return order.clientOrderId;
  }

  /** Checks an order request; returns its canonical symbol. */
  #checkOrderRequest(request: OrderRequest): SymbolId {
    const where = `${this.name} createOrder`;
    const { clientOrderId } = request;
    const max = this.#profile.maxClientOrderIdLength;
    if (
      typeof clientOrderId !== 'string' ||
      !clientOrderIdPattern.test(clientOrderId) ||
      clientOrderId.length > max
    ) {
      throw new ValidationError(
        `${where}: clientOrderId ${JSON.stringify(clientOrderId)} must be 1 to ${max} letters, digits, - or _`,
      );
    }
    const symbol = parseSymbol(request.symbol);
    if (request.side !== 'buy' && request.side !== 'sell') {
      throw new ValidationError(`${where}: side ${String(request.side)} must be buy or sell`);
    }
    checkPositive(request.quantity, `${where}: quantity`);
    const isLimit = request.type === 'limit' || request.type === 'stop_limit';
    const isStop = request.type === 'stop_market' || request.type === 'stop_limit';
    if (!isLimit && !isStop && request.type !== 'market') {
      throw new ValidationError(
        `${where}: type ${String(request.type)} must be market, limit, stop_market or stop_limit`,
      );
    }
    if (isLimit)
      checkPositive(request.limitPrice, `${where}: limitPrice (required for ${request.type})`);
    else if (request.limitPrice !== undefined) {
      throw new ValidationError(
        `${where}: limitPrice is set on a ${request.type} order; use a limit type or drop it`,
      );
    }
    if (isStop)
      checkPositive(request.stopPrice, `${where}: stopPrice (required for ${request.type})`);
    else if (request.stopPrice !== undefined) {
      throw new ValidationError(
        `${where}: stopPrice is set on a ${request.type} order; use a stop type or drop it`,
      );
    }
    return symbol;
  }
}

/**
 * A {@link CcxtExchange} for the configured exchange: `EXCHANGE`, `EXCHANGE_API_KEY`,
 * `EXCHANGE_API_SECRET`, `EXCHANGE_API_PASSPHRASE` and `EXCHANGE_API_URL`.
 *
 * @example
 * ```ts
 * const exchange = ccxtExchangeFromConfig(loadConfig(process.env), { logger, timeoutMs: 5_000 });
 * ```
 * @throws {ValidationError} for a bad `EXCHANGE_API_URL`.
 */
export function ccxtExchangeFromConfig(
  config: Config,
  options: CcxtExchangeFromConfigOptions = {},
): CcxtExchange {
  const { id, apiKey, apiSecret, apiPassphrase, apiUrl } = config.exchange;
  return new CcxtExchange({
    ...options,
    exchange: id,
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(apiSecret === undefined ? {} : { secret: apiSecret }),
    ...(apiPassphrase === undefined ? {} : { password: apiPassphrase }),
    ...(apiUrl === undefined ? {} : { apiUrl }),
  });
}

/**
 * Checks an order against the market's rules: ccxt would otherwise truncate a quantity or round
 * a price off the exchange's grid without a word.
 */
function checkAgainstMarket(request: OrderRequest, market: MarketInfo, where: string): void {
  const { quantity } = request;
  if (quantity < market.minAmount || (market.maxAmount !== null && quantity > market.maxAmount)) {
    throw new ValidationError(
      `${where}: quantity ${quantity} is outside ${market.symbol}'s limits ${market.minAmount}..${market.maxAmount ?? 'no maximum'}; size orders with the market rules (loadMarkets)`,
    );
  }
  const grid: [string, number | undefined, number][] = [
    ['quantity', quantity, market.amountStep],
    ['limitPrice', request.limitPrice, market.priceStep],
    ['stopPrice', request.stopPrice, market.priceStep],
  ];
  for (const [field, value, step] of grid) {
    if (value !== undefined && !isOnStep(value, step)) {
      throw new ValidationError(
        `${where}: ${field} ${value} is not a multiple of ${market.symbol}'s step ${step}; round it with the market rules (loadMarkets)`,
      );
    }
  }
}

/** Whether `value` is a whole number of `step`s, allowing for binary floating point noise. */
function isOnStep(value: number, step: number): boolean {
  const steps = value / step;
  return Math.abs(steps - Math.round(steps)) <= 1e-9 + 1e-12 * Math.abs(steps);
}

function checkPositive(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`${what} must be a finite number > 0, got ${String(value)}`);
  }
}

function checkWhole(value: number, what: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(`${what} must be a whole number >= ${min}, got ${value}`);
  }
}

/** Secret values of this many latest requests are kept, so concurrent calls are covered. */
const rememberedRequestSecrets = 64;

/**
 * Makes ccxt's `fetch` keep the secret-named values of each request it sends in `into` (the
 * latest {@link rememberedRequestSecrets}): query and form parameters (binance's `signature`)
 * and headers (`X-MBX-APIKEY`, bybit's `X-BAPI-SIGN`, coinbase's bearer token). An answer that
 * echoes the request may quote them bare; named forms (`signature=...`) are redacted by pattern
 * in any case.
 */
function rememberRequestSecrets(
  exchange: {
    fetch: (url: unknown, method?: string, headers?: unknown, body?: unknown) => unknown;
  },
  into: string[],
): void {
  const fetch = exchange.fetch.bind(exchange);
  exchange.fetch = (url, method, headers, body) => {
    const secrets = requestSecrets(url, body, headers);
    if (secrets.length > 0) {
      into.push(...secrets);
      into.splice(0, Math.max(0, into.length - rememberedRequestSecrets));
    }
    return fetch(url, method, headers, body);
  };
}

/** The secret-named values of one request: query and form parameters, and headers. */
function requestSecrets(url: unknown, body: unknown, headers: unknown): string[] {
  const secrets: string[] = [];
  for (const text of [url, body]) {
    if (typeof text !== 'string') continue;
    const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : text;
    for (const [name, value] of new URLSearchParams(query)) {
      if (isSecretFieldName(name) && value !== '') secrets.push(value);
    }
  }
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string' || value === '' || !isSecretFieldName(name)) continue;
      secrets.push(value, value.replace(/^(?:bearer|basic)\s+/i, ''));
    }
  }
  return [...new Set(secrets)];
}

/**
 * Cuts secrets out of a thrown error's message and stack (and its causes'), in place: it stays
 * the `cause` of the error the adapter throws, and is logged and shown from there.
 */
function redactErrorInPlace(error: unknown, redact: Redactor, depth = 0): void {
  if (!(error instanceof Error) || depth > 5) return;
  try {
    error.message = redact(error.message);
    if (typeof error.stack === 'string') error.stack = redact(error.stack);
  } catch {
    // A frozen error keeps its text; the logger, the alerts and the store redact it again.
  }
  redactErrorInPlace(error.cause, redact, depth + 1);
}

function checkId(value: string, what: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}
