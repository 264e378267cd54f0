/**
 * What a trading node is built from: the ports (clock, stores, venue, market data, notifier,
 * strategies, logger, metrics) and the settings. Adapters come from other packages or the app:
 * `@lumenlink/data` has SQLite stores, the market-data poller and the sentiment service;
 * `@lumenlink/exchanges` the ccxt exchange and the replay feed; `@lumenlink/execution` the live
 * broker; `@lumenlink/alerts` notifiers.
 */
import type {
  Balance,
  Candle,
  CandleStore,
  Clock,
  DecisionStore,
  Logger,
  MarketContext,
  MarketDataSource,
  MarketInfo,
  Metrics,
  Notifier,
  OrderStore,
  StrategyProvenance,
  PortfolioStore,
  RuntimeStateStore,
  Strategy,
  SymbolId,
  Timeframe,
} from '@lumenlink/core';
import type { LiveBroker } from '@lumenlink/execution';
import type { RiskEngineOptions } from '@lumenlink/risk';
import type { LoopIntervals } from './scheduler.js';

/** The stores a node reads at start-up and writes while trading (`openStore` of `@lumenlink/data`). */
export interface NodeStores {
  readonly candles: CandleStore;
  readonly orders: OrderStore;
  readonly decisions: DecisionStore;
  readonly portfolio: PortfolioStore;
  readonly runtime: RuntimeStateStore;
}

/** Paper trading: the node runs a paper broker that fills on candles, restored from the store. */
export interface PaperVenue {
  readonly kind: 'paper';
}

/** Live trading through a `LiveBroker`; the starting cash comes from `balance`. */
export interface LiveVenue {
  readonly kind: 'live';
  readonly broker: LiveBroker;
  /** The account balance read at start-up (the bot reads it with retries). */
  readonly balance: Balance;
}

/** One symbol's candle-poll outcome, as `MarketDataService.poll` of `@lumenlink/data` reports it. */
export interface SymbolPollOutcome {
  readonly symbol: SymbolId;
  readonly status: string;
  readonly error?: { readonly message: string } | null | undefined;
}

/**
 * Live market data: `poll` (the market-data loop) stores newly closed candles in
 * `stores.candles`, the strategy loop reads them from there; `quotes` serves tickers (tick
 * checks, force exits) and the ticker and book guards.
 */
export interface LiveMarketData {
  readonly kind: 'live';
  readonly poll: () => Promise<{ readonly symbols: readonly SymbolPollOutcome[] }>;
  readonly quotes: MarketDataSource;
}

/** One candle time of a replay: the candle of each symbol that has one then. */
export interface ReplayBatch {
  readonly time: number;
  readonly candles: ReadonlyMap<SymbolId, Candle>;
}

/**
 * The replay's market-data side (`ReplayFeed` of `@lumenlink/exchanges`): `poll` closes the next
 * candle time, `take` hands it over once.
 */
export interface CandleFeed {
  readonly total: number;
  readonly finished: boolean;
  poll(): Promise<void>;
  take(): ReplayBatch | null;
}

/**
 * Replayed candles: the engine runs on a manual clock moved to each candle's close, one candle
 * time per strategy-loop run, and a restart resumes after the last candle processed.
 */
export interface ReplayMarketData {
  readonly kind: 'replay';
  /** Every replayed candle per symbol, ascending (strategies re-warm on them after a restart). */
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  /** The feed, resuming after open time `resumeAfter` (`null`: from the first candle). */
  readonly feed: (resumeAfter: number | null) => CandleFeed;
  /** Candles per second; 0 (default) as fast as the loops run. */
  readonly speed?: number;
}

/** One sentiment feed's state (`SentimentService.status()` of `@lumenlink/data`). */
export interface SentimentPartState {
  /** The market-context part it fills, e.g. `fearGreed`. */
  readonly part: string;
  /** Its provider, e.g. `fear-greed`. */
  readonly feed: string;
  readonly enabled: boolean;
  /** Age of the value held, in ms; `null` when none is held. */
  readonly ageMs: number | null;
  readonly lastAttemptAt: number | null;
  /** Code and message of its last failure, `null` after a success. */
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

/**
 * The sentiment feeds (`createSentimentService` of `@lumenlink/data`). The node refreshes them
 * only when the strategy reads the market context (see `marketContextUse`).
 */
export interface SentimentPort {
  refresh(): Promise<{ readonly failed: readonly string[] }>;
  snapshot(): Promise<MarketContext>;
  status(): readonly SentimentPartState[];
}

/** The ports of {@link createTradingNode}. */
export interface TradingNodePorts {
  /** The wall clock: loop timing, alert times (default `systemClock`). */
  readonly clock?: Clock;
  readonly logger: Logger;
  /** Where the node's counters go (default `noopMetrics`). */
  readonly metrics?: Metrics;
  /** Alerts: fills, failed loops, paused symbols, reconciliation findings. */
  readonly notifier: Notifier;
  readonly stores: NodeStores;
  /** The strategy of each symbol (a fresh instance per call). */
  readonly strategy: (symbol: SymbolId) => Strategy;
  readonly venue: PaperVenue | LiveVenue;
  readonly marketData: LiveMarketData | ReplayMarketData;
  /**
   * Sentiment for the strategies' market context (live market data only), refreshed only when
   * the strategy reads it: an optional feed, whose failure never makes the node unready.
   */
  readonly sentiment?: SentimentPort;
  /** Market rules of the traded symbols (live market data); none in replay. */
  readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
}

/** The trade-cycle settings of a node (the config's `trading`). */
export interface NodeTradingSettings {
  readonly atrPeriod: number;
  readonly trailingStopAtrMult: number;
  readonly stopLossPct?: number | undefined;
  readonly takeProfitPct?: number | undefined;
  readonly signalCooldownMs: number;
  readonly priceBandPct: number;
}

/** The paper broker's settings (the config's `paper`). */
export interface NodePaperSettings {
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly startingCash: number;
}

/** The settings of {@link createTradingNode}; the bot maps its validated config onto them. */
export interface TradingNodeSettings {
  readonly mode: 'paper' | 'live';
  /** Without it, live orders are blocked (a live dry run). */
  readonly allowLiveTrading: boolean;
  readonly symbols: readonly SymbolId[];
  readonly interval: Timeframe;
  /** The strategy's key (as orders and decisions record it), for the status. */
  readonly strategy: string;
  /** The strategy in messages, e.g. `my_idea (strategies/my-idea.ts)` (default the key). */
  readonly strategyLabel?: string;
  /** Where the strategy came from (a file's path and SHA-256), shown by `/status`. */
  readonly strategyProvenance?: StrategyProvenance;
  /** The parameters the strategy runs with, shown by `/status`. */
  readonly strategyParams?: Readonly<Record<string, unknown>>;
  /** The venue's name, for the status (e.g. `binance (replay)`). */
  readonly exchange: string;
  /** The `KILL_SWITCH`: starts halted. */
  readonly killSwitch: boolean;
  readonly trading: NodeTradingSettings;
  /** The paper broker's fees and starting cash (also sizes the cash reserve live). */
  readonly paper: NodePaperSettings;
  readonly risk: RiskEngineOptions;
  readonly loops: LoopIntervals;
  /**
   * Alert the trading mode when the node is created, before any other alert (default true; the
   * start log line names it either way).
   */
  readonly startupAlert?: boolean;
}
