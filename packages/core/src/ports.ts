/**
 * The ports: interfaces the kernel needs from the outside world. Adapters live in other
 * packages (exchanges, data, execution, alerts); fakes of the non-store ports in
 * `@lumenlink/core/testing`.
 */
import type { AccountSnapshot } from './account.js';
import type { AlertEvent } from './alert.js';
import type { Candle } from './candle.js';
import type { Decision } from './decision.js';
import type { Fill } from './fill.js';
import type { Balance, MarketInfo, OrderBook, Ticker } from './market.js';
import type { Order, OrderSide, OrderStatus, OrderType } from './order.js';
import type { Position } from './position.js';
import type { SymbolId } from './symbol.js';
import type { Timeframe } from './timeframe.js';
import type { PositionAdjustment, SymbolPause, TradingStateRecord } from './trading-state.js';

/** Options of a candle request. */
export interface FetchCandlesOptions {
  /** Earliest open time to return (epoch ms). */
  readonly since?: number;
  readonly limit?: number;
}

/** Market data: markets with precision and limits, OHLCV, ticker, order book, 24h volume. */
export interface MarketDataSource {
  /** All markets of the venue, keyed by symbol. */
  loadMarkets(): Promise<ReadonlyMap<SymbolId, MarketInfo>>;
  /** Candles in ascending time; may include the forming candle (callers drop it). */
  fetchCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    options?: FetchCandlesOptions,
  ): Promise<Candle[]>;
  /** Latest price and 24h volume. */
  fetchTicker(symbol: SymbolId): Promise<Ticker>;
  fetchOrderBook(symbol: SymbolId, depth?: number): Promise<OrderBook>;
}

/** What the order manager asks a broker to place. */
export interface OrderRequest {
  readonly clientOrderId: string;
  readonly symbol: SymbolId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
}

/** A broker's view of one order. */
export interface BrokerOrder {
  readonly exchangeOrderId: string;
  readonly clientOrderId: string | null;
  readonly symbol: SymbolId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly status: Exclude<OrderStatus, 'pending' | 'unknown' | 'failed'>;
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly avgFillPrice: number | null;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly fee: number;
  readonly feeCurrency: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * Places and looks up orders: the paper broker (simulated fills) or the live broker (an
 * exchange). `createOrder` may throw with an unknown outcome; callers then look the order up by
 * client id and never resend blindly.
 */
export interface Broker {
  /** `paper` or the exchange id. */
  readonly name: string;
  createOrder(request: OrderRequest): Promise<BrokerOrder>;
  cancelOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder>;
  fetchOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder>;
  /** The order with our client id, or `null` when the venue answers "not found". */
  fetchOrderByClientId(symbol: SymbolId, clientOrderId: string): Promise<BrokerOrder | null>;
  fetchOpenOrders(symbol?: SymbolId): Promise<BrokerOrder[]>;
  /** Closed orders since a time (epoch ms), most recent last. */
  fetchClosedOrders(symbol: SymbolId, since?: number): Promise<BrokerOrder[]>;
  /** Our fills since a time (epoch ms). */
  fetchFills(symbol: SymbolId, since?: number): Promise<Fill[]>;
  fetchBalance(): Promise<Balance>;
  /**
   * The simulated-venue capability: present on a broker that fills orders itself on each closed
   * candle, in this process (a paper broker). The trade cycle hands it every candle before
   * deciding, places protective stops on it as stop-market orders, and trusts its "not found"
   * at once; without it the broker is a real venue. Returns the fills the candle caused.
   */
  processCandle?(symbol: SymbolId, candle: Candle): readonly Fill[];
}

/** A broker with the simulated-venue capability ({@link Broker.processCandle}). */
export type CandleFillingBroker = Broker & Required<Pick<Broker, 'processCandle'>>;

/**
 * Whether `broker` fills orders on candles in this process (a paper broker), asked of the port
 * instead of its class, so a copy of the class from a second install is recognised too.
 */
export function fillsOnCandles(broker: Broker): broker is CandleFillingBroker {
  return typeof broker.processCandle === 'function';
}

/** Receives alerts. Fire-and-forget: implementations never throw into the caller. */
export interface Notifier {
  notify(event: AlertEvent): void;
}

/** A missing run of candles: open times from `from` to `to` inclusive. */
export interface CandleGap {
  readonly from: number;
  readonly to: number;
  /** Number of missing candles. */
  readonly missing: number;
}

/** Stored candles. */
export interface CandleStore {
  /** Upserts candles in one transaction; returns how many were written. */
  saveCandles(symbol: SymbolId, timeframe: Timeframe, candles: readonly Candle[]): Promise<number>;
  /** The latest `limit` candles, ascending. */
  getRecentCandles(symbol: SymbolId, timeframe: Timeframe, limit: number): Promise<Candle[]>;
  /** Candles with open time in [from, to], ascending. */
  getCandles(symbol: SymbolId, timeframe: Timeframe, from: number, to: number): Promise<Candle[]>;
  /** Missing candles between `from` and `to` (open times, inclusive). */
  findGaps(symbol: SymbolId, timeframe: Timeframe, from: number, to: number): Promise<CandleGap[]>;
  latestCandleTime(symbol: SymbolId, timeframe: Timeframe): Promise<number | null>;
}

/** A change to a stored order. */
export type OrderUpdate = Partial<
  Pick<
    Order,
    | 'exchangeOrderId'
    | 'status'
    | 'filledQuantity'
    | 'avgFillPrice'
    | 'fee'
    | 'feeCurrency'
    | 'reason'
  >
> & { readonly updatedAt: number };

/** Orders and fills. */
export interface OrderStore {
  /** Stores a new order. Throws when the client order id exists: duplicates are impossible. */
  insertOrder(order: Order): Promise<void>;
  /** Applies an update; the store enforces the order state machine. Returns the new order. */
  updateOrder(clientOrderId: string, update: OrderUpdate): Promise<Order>;
  getOrder(clientOrderId: string): Promise<Order | null>;
  getOrderByExchangeId(exchangeOrderId: string): Promise<Order | null>;
  /** Every order not in a final status, oldest first (reconciled on start). */
  listNonFinalOrders(): Promise<Order[]>;
  listOrders(options?: {
    readonly symbol?: SymbolId;
    readonly since?: number;
    readonly limit?: number;
  }): Promise<Order[]>;
  /** Stores a fill once per trade id; `false` when it was already stored. */
  saveFill(fill: Fill): Promise<boolean>;
  listFills(options?: {
    readonly symbol?: SymbolId;
    readonly clientOrderId?: string;
    readonly since?: number;
  }): Promise<Fill[]>;
}

/** Decisions: signals with their risk verdicts. */
export interface DecisionStore {
  recordDecision(decision: Decision): Promise<void>;
  /** Most recent decisions for a symbol, newest first. */
  recentDecisions(symbol: SymbolId, limit: number): Promise<Decision[]>;
}

/** Positions and equity history. */
export interface PortfolioStore {
  savePosition(position: Position): Promise<void>;
  deletePosition(symbol: SymbolId): Promise<void>;
  listPositions(): Promise<Position[]>;
  saveEquitySnapshot(snapshot: AccountSnapshot): Promise<void>;
  equitySnapshots(from: number, to: number): Promise<AccountSnapshot[]>;
}

/** A trailing stop being managed. Prices in the quote currency. */
export interface TrailingStopState {
  readonly symbol: SymbolId;
  readonly stopPrice: number;
  /** Highest price since entry. */
  readonly highWater: number;
  readonly atrMultiple: number;
  readonly updatedAt: number;
}

/** State that must survive restarts. */
export interface RuntimeStateStore {
  getTradingState(): Promise<TradingStateRecord | null>;
  setTradingState(record: TradingStateRecord): Promise<void>;
  listTrailingStops(): Promise<TrailingStopState[]>;
  saveTrailingStop(stop: TrailingStopState): Promise<void>;
  deleteTrailingStop(symbol: SymbolId): Promise<void>;
  /** Open time of the last candle the engine processed for a symbol. */
  getLastProcessedCandle(symbol: SymbolId, timeframe: Timeframe): Promise<number | null>;
  setLastProcessedCandle(symbol: SymbolId, timeframe: Timeframe, time: number): Promise<void>;
  /** Every symbol paused alone, by symbol. */
  listSymbolPauses(): Promise<SymbolPause[]>;
  /** Pauses a symbol (replacing its previous pause). */
  setSymbolPause(pause: SymbolPause): Promise<void>;
  /** Lifts a symbol's pause; lifting none is not an error. */
  deleteSymbolPause(symbol: SymbolId): Promise<void>;
  /** Every position write-off, oldest first (replayed with the fills at a restart). */
  listPositionAdjustments(): Promise<PositionAdjustment[]>;
  /** Stores a position write-off (by its id; storing the same id again replaces it). */
  savePositionAdjustment(adjustment: PositionAdjustment): Promise<void>;
}
