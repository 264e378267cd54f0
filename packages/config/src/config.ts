/**
 * The typed configuration every LumenLink app runs on, and the fixed value sets of its keys.
 * `loadConfig` builds a {@link Config} from env; `configKeys` documents each key.
 */
import type { LogLevel } from '@lumenlink/core';
import type { SymbolId } from '@lumenlink/core';
import type { Timeframe } from '@lumenlink/core';

/** Trading modes: `paper` simulates fills locally, `live` talks to the exchange. */
export const tradingModes = ['paper', 'live'] as const;
/** One of {@link tradingModes}. */
export type TradingMode = (typeof tradingModes)[number];

/** Exchanges LumenLink trades on (through ccxt). */
export const exchangeIds = ['coinbase', 'binance', 'bybit'] as const;
/** One of {@link exchangeIds}. */
export type ExchangeId = (typeof exchangeIds)[number];

/** Where candles come from: the exchange, or replayed stored candles. */
export const dataSourceKinds = ['exchange', 'replay'] as const;
/** One of {@link dataSourceKinds}. */
export type DataSourceKind = (typeof dataSourceKinds)[number];

/** Where secrets come from: the environment alone, or also an AWS Secrets Manager secret. */
export const secretsSources = ['env', 'aws'] as const;
/** One of {@link secretsSources}. */
export type SecretsSource = (typeof secretsSources)[number];

/** Position sizing methods: by signal confidence, or by risk per ATR stop distance. */
export const riskSizingMethods = ['confidence', 'atr'] as const;
/** One of {@link riskSizingMethods}. */
export type RiskSizingMethod = (typeof riskSizingMethods)[number];

/**
 * The validated, typed configuration, grouped by concern. Deeply frozen. Optional fields are
 * absent (never `undefined`) when their key is unset. Money is in the quote currency (USD for
 * the default symbols) unless a name says otherwise.
 */
export interface Config {
  /** `MODE`: paper or live trading. */
  readonly mode: TradingMode;
  /** `KILL_SWITCH`: start halted (no orders at all, exits included). */
  readonly killSwitch: boolean;
  /** `ALLOW_LIVE_TRADING`: live orders are sent only when true; otherwise a live dry run. */
  readonly allowLiveTrading: boolean;
  /** The exchange and its credentials. */
  readonly exchange: {
    /** `EXCHANGE`. */
    readonly id: ExchangeId;
    /** `EXCHANGE_API_KEY` (secret). */
    readonly apiKey?: string;
    /** `EXCHANGE_API_SECRET` (secret). */
    readonly apiSecret?: string;
    /** `EXCHANGE_API_PASSPHRASE` (secret). */
    readonly apiPassphrase?: string;
    /** `EXCHANGE_API_URL`: base URL override (a sandbox or the local emulator). */
    readonly apiUrl?: string;
  };
  /** `SYMBOLS`: the pairs traded, in processing order, without duplicates. */
  readonly symbols: readonly SymbolId[];
  /** `INTERVAL`: the strategy's base timeframe. */
  readonly interval: Timeframe;
  /**
   * `STRATEGY`: the strategy to run as written: a built-in key, a module file path or a package
   * name (`@lumenlink/strategy-loader`'s `loadStrategy` loads it).
   */
  readonly strategy: string;
  /**
   * `STRATEGY_PARAMS`: the strategy's parameters as written, inline JSON or a JSON file's path
   * (`resolveStrategyParams` of `@lumenlink/strategy-loader` reads and validates them). Absent:
   * the strategy's defaults.
   */
  readonly strategyParams?: string;
  /** Market data and storage. */
  readonly data: {
    /** `DATA_SOURCE`. */
    readonly source: DataSourceKind;
    /** `REPLAY_DATA`: a CSV path or `bundled`. */
    readonly replayData?: string;
    /** `DB_PATH`: the SQLite file. */
    readonly dbPath: string;
  };
  /** Scheduler loop intervals, in milliseconds. */
  readonly loops: {
    /** `DATA_POLLING_MS`: the market-data loop. */
    readonly dataPollingMs: number;
    /** `POLL_INTERVAL_MS`: the strategy loop. */
    readonly strategyPollMs: number;
    /** `RECONCILE_INTERVAL_MS`: the reconcile loop (live only). */
    readonly reconcileMs: number;
    /** `SENTIMENT_INTERVAL_MS`: the sentiment loop. */
    readonly sentimentMs: number;
  };
  /** Risk limits, sizing and protections. */
  readonly risk: {
    /** `RISK_MAX_DAILY_LOSS_USD`. */
    readonly maxDailyLossUsd: number;
    /** `RISK_MAX_POSITION_USD`. */
    readonly maxPositionUsd: number;
    /** `RISK_MAX_OPEN_POSITIONS`. */
    readonly maxOpenPositions: number;
    /** `RISK_COOLDOWN_MINUTES`: wait after a stop-out. */
    readonly cooldownMinutes: number;
    /** `RISK_SIZING`. */
    readonly sizing: RiskSizingMethod;
    /** `RISK_PER_TRADE_PCT`: percent of equity risked per trade (ATR sizing). */
    readonly perTradePct: number;
    /** `RISK_MAX_DRAWDOWN_PCT`; absent: no drawdown protection. */
    readonly maxDrawdownPct?: number;
    /** `RISK_STOPLOSS_GUARD_COUNT`; absent: no stop-loss guard. */
    readonly stoplossGuardCount?: number;
    /** `RISK_STOPLOSS_GUARD_WINDOW_MINUTES`. */
    readonly stoplossGuardWindowMinutes: number;
    /** `RISK_PROTECTION_PAUSE_MINUTES`: how long a tripped protection keeps trading reducing. */
    readonly protectionPauseMinutes: number;
  };
  /** Market-condition guards. */
  readonly guards: {
    /** `GUARD_MAX_SPREAD_BPS`. */
    readonly maxSpreadBps: number;
    /** `GUARD_MAX_SLIPPAGE_BPS`. */
    readonly maxSlippageBps: number;
    /** `GUARD_MIN_VOLUME`: smallest 24h volume; 0 turns the check off. */
    readonly minVolume: number;
  };
  /** Trade management. */
  readonly trading: {
    /** `SIGNAL_COOLDOWN_MS`. */
    readonly signalCooldownMs: number;
    /** `ATR_PERIOD`, in candles. */
    readonly atrPeriod: number;
    /** `TRAILING_STOP_ATR_MULT`; 0: no trailing stops. */
    readonly trailingStopAtrMult: number;
    /** `STOP_LOSS_PCT`; absent: no fixed stop loss. */
    readonly stopLossPct?: number;
    /** `TAKE_PROFIT_PCT`; absent: no fixed take profit. */
    readonly takeProfitPct?: number;
    /** `PRICE_BAND_PCT`: live prices further than this from the last close are refused. */
    readonly priceBandPct: number;
  };
  /** The paper broker's fill model. */
  readonly paper: {
    /** `PAPER_STARTING_CASH`, in the quote currency. */
    readonly startingCash: number;
    /** `PAPER_FEE_BPS`. */
    readonly feeBps: number;
    /** `PAPER_SLIPPAGE_BPS`. */
    readonly slippageBps: number;
  };
  /** The bot's HTTP server. */
  readonly http: {
    /** `HTTP_HOST`. */
    readonly host: string;
    /** `HTTP_PORT`. */
    readonly port: number;
    /** `HTTP_TOKEN` (secret); absent: state-changing endpoints are disabled. */
    readonly token?: string;
    /**
     * `HTTP_ALLOWED_HOSTS`: `Host` headers answered besides the loopback names and `host`
     * itself, lower-cased, each a host with an optional `:port`; empty when unset.
     */
    readonly allowedHosts: readonly string[];
  };
  /** Telegram alerts and chat commands. */
  readonly telegram: {
    /** `TELEGRAM_BOT_TOKEN` (secret). */
    readonly botToken?: string;
    /** `TELEGRAM_CHAT_IDS`; empty when unset. */
    readonly chatIds: readonly number[];
    /** `TELEGRAM_API_ROOT`: Bot API base URL override. */
    readonly apiRoot?: string;
  };
  /** Discord alerts. */
  readonly discord: {
    /** `DISCORD_WEBHOOK_URL` (secret: it embeds a token). */
    readonly webhookUrl?: string;
  };
  /** Sentiment feeds. */
  readonly sentiment: {
    /** `CRYPTOPANIC_TOKEN` (secret). */
    readonly cryptoPanicToken?: string;
  };
  /** Where secrets are resolved from. */
  readonly secrets: {
    /** `SECRETS_SOURCE`. */
    readonly source: SecretsSource;
    /** `AWS_SECRET_ID`. */
    readonly awsSecretId?: string;
    /** `AWS_REGION`. */
    readonly awsRegion?: string;
    /** `AWS_ENDPOINT_URL`. */
    readonly awsEndpointUrl?: string;
  };
  /** Logging. */
  readonly log: {
    /** `LOG_LEVEL`. */
    readonly level: LogLevel;
  };
  /** What `fetch-history` backfills. */
  readonly history: {
    /** `TIMEFRAMES`. */
    readonly timeframes: readonly Timeframe[];
    /** `MONTHS`. */
    readonly months: number;
  };
  /** The demo. */
  readonly demo: {
    /** `DEMO_SPEED`: candles per second; 0 = as fast as possible. */
    readonly speed: number;
  };
}
