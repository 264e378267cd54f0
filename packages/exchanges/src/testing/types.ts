/**
 * The public types of the exchange emulator (`@lumenlink/exchanges/testing`).
 */
import type { Candle } from '@lumenlink/core';

/** One spot market the emulator lists, with Binance's filters. */
export interface EmulatorMarket {
  /** ccxt style, `BASE/QUOTE`, e.g. `BTC/USDT`; Binance's id is `BTCUSDT`. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** PRICE_FILTER tick size (also the minimum price), in the quote currency. */
  readonly tickSize: number;
  /** LOT_SIZE step size, in the base currency. */
  readonly stepSize: number;
  /** LOT_SIZE minimum quantity, in the base currency (a multiple of `stepSize`). */
  readonly minQty: number;
  /** NOTIONAL minimum order value (price x quantity), in the quote currency. */
  readonly minNotional: number;
  /** Initial mid price, in the quote currency (markets with candles follow their candles). */
  readonly price: number;
}

/** Parameters of the seeded random walk that serves candles for markets without candles. */
export interface EmulatorRandomWalk {
  /** Seed of the pseudo-random generator: the same seed gives the same candles. */
  readonly seed: number;
  /** Candle interval in ms; one of Binance's intervals (1s, 1m, 3m, ... 1w). */
  readonly intervalMs: number;
  /** Number of candles. */
  readonly count: number;
  /** Open time (epoch ms) of the first candle, a multiple of `intervalMs`. */
  readonly start: number;
}

/** Options of {@link startExchangeEmulator}. Every field is validated. */
export interface EmulatorOptions {
  /** Listed markets; default BTC/USDT (~60000), ETH/USDT (~3000), SOL/USDT (~150) with Binance's filters. */
  readonly markets?: readonly EmulatorMarket[];
  /** Free balances per asset; default `{ USDT: 100_000 }`. */
  readonly balances?: Readonly<Record<string, number>>;
  /** Candles per ccxt symbol, ascending, served by `/api/v3/klines` (interval inferred from their spacing). */
  readonly candles?: Readonly<Record<string, readonly Candle[]>>;
  /** Per ccxt symbol, the path of a `time,open,high,low,close,volume` CSV file (`.gz` allowed). */
  readonly candlesCsv?: Readonly<Record<string, string>>;
  /** A seeded random walk for every market that has neither `candles` nor `candlesCsv`. */
  readonly randomWalk?: EmulatorRandomWalk;
  /** The emulator's clock in epoch ms; default the wall clock. */
  readonly now?: () => number;
  /**
   * When both are set, signed endpoints check the `X-MBX-APIKEY` header (-2014/-2015) and the
   * HMAC-SHA256 signature (-1022).
   */
  readonly apiKey?: string;
  /** The HMAC-SHA256 secret that goes with `apiKey`. */
  readonly secret?: string;
  /** Order book levels on each side, default 20. */
  readonly depthLevels?: number;
  /** TCP port on 127.0.0.1; default 0 (an ephemeral port). */
  readonly port?: number;
}

/**
 * A fault the emulator injects until cleared, or for `times` matching requests. `route` is
 * `'METHOD /path'`, e.g. `'GET /api/v3/klines'` or `'POST /api/v3/order'`; absent means every
 * route (never the `/__emulator` control routes).
 */
export type EmulatorFault =
  /** Delays the answer by `ms`. */
  | {
      readonly kind: 'latency';
      readonly ms: number;
      readonly route?: string;
      readonly times?: number;
    }
  /**
   * Handles the request at once (an order is placed), then holds the answer for `ms`: the
   * window in which a client that crashes has sent an order without learning its outcome.
   */
  | {
      readonly kind: 'delay-reply';
      readonly ms: number;
      readonly route?: string;
      readonly times?: number;
    }
  /** Answers this HTTP status: 429/418 with Binance's -1003 body, 500 as HTML, 503 as text. */
  | {
      readonly kind: 'status';
      readonly status: 429 | 418 | 500 | 503;
      readonly retryAfterSeconds?: number;
      readonly route?: string;
      readonly times?: number;
    }
  /** Never answers: the socket stays open until `close()`. */
  | { readonly kind: 'hang'; readonly route?: string; readonly times?: number }
  /** POST /api/v3/order: the order is accepted and stored, then the socket is destroyed unanswered. */
  | { readonly kind: 'lose-response'; readonly times?: number }
  /** POST /api/v3/order: nothing is placed and the socket is destroyed unanswered. */
  | { readonly kind: 'drop-order'; readonly times?: number }
  /** Lookups (GET and DELETE /api/v3/order) of an order created less than `forMs` ago answer -2013. */
  | { readonly kind: 'not-found'; readonly forMs: number }
  /** The next market order(s) fill only `ratio` (0..1) of their quantity; the rest stays open. */
  | { readonly kind: 'partial-fill'; readonly ratio: number; readonly times?: number }
  /**
   * The next POST /api/v3/order answers HTTP 400 `{ code, msg }`. With `echoRequest`, `msg` is
   * followed by the request as a careless gateway quotes it: its query and body (the signature
   * among them), then its `X-MBX-APIKEY` header and its signature again, bare.
   */
  | {
      readonly kind: 'reject';
      readonly code: number;
      readonly msg: string;
      readonly echoRequest?: boolean;
      readonly times?: number;
    }
  /** Signed requests answer 400 -1021 (timestamp outside of the recvWindow). */
  | { readonly kind: 'clock-skew'; readonly times?: number }
  /** Answers HTTP 200 with this raw body. */
  | {
      readonly kind: 'malformed';
      readonly route?: string;
      readonly body: string;
      readonly times?: number;
    }
  /**
   * Answers a request about one market (it has a `symbol` parameter) with another market:
   * - `symbol`: the market answered for, `'ETH/USDT'` or `'ETHUSDT'`; default the first listed
   *   market other than the one asked. A fault naming the market asked leaves its requests alone.
   * - `route`: without it, the market data routes (`GET /api/v3/ticker/24hr`, `ticker/price`,
   *   `ticker/bookTicker`, `depth`, `klines`); with it, also `GET /api/v3/myTrades`,
   *   `openOrders`, `allOrders`, and `GET`, `DELETE` and `POST /api/v3/order`.
   *
   * A listed market's data is served as that market's (its ticker, book, candles, trades, open or
   * past orders, under its own id); the order routes answer the order asked labelled with the
   * other id (an order is never moved to another market: a POST still places it on the market
   * asked). A `symbol` that is not listed labels every answer with that id. Binance's depth and
   * klines answers name no market: there the other market's numbers are all that changes.
   */
  | {
      readonly kind: 'wrong-symbol';
      readonly symbol?: string;
      readonly route?: string;
      readonly times?: number;
    }
  /**
   * The quotes of listed market `symbol` (`'BTC/USDT'` or `'BTCUSDT'`) are built around `price`
   * instead of the market price: the tickers' last price, bid and ask and the depth's levels
   * (0.01 % apart), a consistent but absurd quote such as 1e-8. Orders still trade at the market
   * price, and `price()` reports it. `route`: one of the tickers or `GET /api/v3/depth`, default
   * all of them; `times` counts answers that quoted the market.
   */
  | {
      readonly kind: 'price';
      readonly symbol: string;
      readonly price: number;
      readonly route?: string;
      readonly times?: number;
    };

/** Binance's order statuses, as the emulator uses them. */
export type EmulatorOrderStatus =
  'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

/** An order the emulator accepted. */
export interface EmulatorOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  /** ccxt style, e.g. `BTC/USDT`. */
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  /** Limit price in the quote currency; `null` for a market order. */
  readonly price: number | null;
  /** Ordered quantity in the base currency. */
  readonly quantity: number;
  /** Filled quantity in the base currency. */
  readonly filled: number;
  /** Filled value in the quote currency (sum of price x quantity of the fills). */
  readonly quoteFilled: number;
  readonly status: EmulatorOrderStatus;
  /** Epoch ms, on the emulator's clock. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One fill of one order. */
export interface EmulatorTrade {
  readonly id: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  /** ccxt style, e.g. `BTC/USDT`. */
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** Price in the quote currency. */
  readonly price: number;
  /** Quantity in the base currency. */
  readonly quantity: number;
  /** Fee (0.1%), charged in the received asset: the base for a buy, the quote for a sell. */
  readonly fee: number;
  readonly feeAsset: string;
  /** Whether the order rested on the book (a resting limit), rather than taking liquidity. */
  readonly isMaker: boolean;
  readonly time: number;
}

/** One request the emulator received (control routes excluded). */
export interface EmulatorRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** The form-encoded body, parsed. */
  readonly body: Record<string, string>;
  /** Arrival time on the emulator's clock. */
  readonly time: number;
}

/** What {@link ExchangeEmulator.placeOrder} takes. */
export interface EmulatorOrderInput {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  readonly quantity: number;
  /** Required for a limit order. */
  readonly price?: number;
  readonly clientOrderId: string;
}

/** A running exchange emulator. */
export interface ExchangeEmulator {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Adds a fault; see {@link EmulatorFault}. @throws {ValidationError} for a malformed fault. */
  inject(fault: EmulatorFault): void;
  /** Removes every fault. */
  clearFaults(): void;
  /**
   * Moves a market's mid price and re-centres its book. Resting buy limits at or above the new
   * price, and sell limits at or below it, fill at their limit; the rest of a partially filled
   * market order fills against the new book. On a market with candles the price holds until the
   * next candle opens.
   *
   * @throws {ValidationError} for an unknown symbol or a price that is not positive.
   */
  setPrice(symbol: string, price: number): void;
  /** The current mid price of a market (additive). @throws {ValidationError} for an unknown symbol. */
  price(symbol: string): number;
  /** Every order ever accepted, oldest first. */
  orders(): EmulatorOrder[];
  /** Every fill, oldest first. */
  trades(): EmulatorTrade[];
  /** Balances per asset. */
  balances(): Record<string, { free: number; locked: number }>;
  /** Every request received, oldest first (without control routes). */
  requests(): EmulatorRequest[];
  /**
   * Places an order directly, without HTTP and without faults: one "we" sent before a crash, or a
   * foreign one. It follows the same rules as POST /api/v3/order.
   *
   * @throws {EmulatorApiError} when Binance would reject the order (filters, balance, duplicate).
   */
  placeOrder(order: EmulatorOrderInput): EmulatorOrder;
  /** Closes the server and every open or hanging socket. */
  close(): Promise<void>;
}
