/**
 * The one table of env keys: for each key its zod schema (raw string or `undefined` to typed
 * value), default, accepted values in words, description, secret flag and group. `envSchema`,
 * `loadConfig`, `describeConfig` and the README's config reference are all built from it.
 */
import { z } from 'zod';
import { logLevels } from '@lumenlink/core';
import {
  dataSourceKinds,
  exchangeIds,
  riskSizingMethods,
  secretsSources,
  tradingModes,
} from './config.js';
import {
  booleanParser,
  enumParser,
  hostListParser,
  integerListParser,
  numberParser,
  strategyParamsParser,
  strategySpecParser,
  symbolListParser,
  textParser,
  timeframeListParser,
  timeframeParser,
  urlParser,
} from './value-parsers.js';
import type { ValueParser } from './value-parsers.js';

/** The concern a key belongs to; the config reference lists keys group by group. */
export type ConfigGroup =
  | 'trading'
  | 'risk'
  | 'guards'
  | 'safety'
  | 'loops'
  | 'data'
  | 'exchange'
  | 'http'
  | 'alerts'
  | 'sentiment'
  | 'secrets'
  | 'logging'
  | 'paper'
  | 'model'
  | 'history'
  | 'demo';

/** The description of one env key. `T` is the typed value (`undefined` when optional and unset). */
export interface ConfigKeySpec<T = unknown> {
  /** The env key, e.g. `RISK_MAX_POSITION_USD`. */
  readonly key: string;
  /**
   * Parses the raw env string (`undefined` when unset) to the typed value. Issue messages are
   * predicates about the value ("is not a number") and never contain it.
   */
  readonly schema: z.ZodType<T, string | undefined>;
  /** The value used when the key is unset (`undefined` for optional keys). */
  readonly defaultValue: T;
  /** What the key accepts, in words, with its default, e.g. `a number > 0 (default 250)`. */
  readonly accepted: string;
  /** One line for the README's config reference. */
  readonly description: string;
  /** Whether the value is a secret: never printed, logged or quoted in errors. */
  readonly secret: boolean;
  /** The concern the key belongs to. */
  readonly group: ConfigGroup;
}

/** A spec before its key is attached by {@link defineConfigKeys}. */
type ConfigKeyDefinition<T> = Omit<ConfigKeySpec<T>, 'key'>;

/** What every key states besides its parser and default. */
interface KeyInfo {
  readonly group: ConfigGroup;
  readonly description: string;
  readonly secret?: boolean;
}

/** The problem reported for a key that is set to blank text but has a default. */
const blankProblem = 'is empty (unset the key to use its default)';

/**
 * Formats a typed config value the way it is written in env: lists comma-joined, booleans and
 * numbers as text, `undefined` as the empty string.
 */
export function formatConfigValue(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => formatConfigValue(item)).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Builds the zod schema of one key: unset gives `unset`, blank text gives `unset` or an issue. */
function valueSchema<T, U>(
  parser: ValueParser<T>,
  unset: U,
  blankIsUnset: boolean,
): z.ZodType<T | U, string | undefined> {
  return z
    .string()
    .optional()
    .transform((raw, context): T | U => {
      if (raw === undefined) return unset;
      const text = raw.trim();
      if (text === '') {
        if (blankIsUnset) return unset;
        context.addIssue({ code: 'custom', message: blankProblem });
        return z.NEVER;
      }
      const parsed = parser.parse(text);
      if (parsed.ok) return parsed.value;
      context.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    });
}

/** A key with a default: unset gives the default, blank text is an error. */
function withDefault<T>(
  parser: ValueParser<T>,
  defaultValue: T,
  info: KeyInfo,
): ConfigKeyDefinition<T> {
  const frozen = Array.isArray(defaultValue)
    ? (Object.freeze([...defaultValue]) as T)
    : defaultValue;
  return {
    schema: valueSchema(parser, frozen, false),
    defaultValue: frozen,
    accepted: `${parser.accepted} (default ${formatConfigValue(frozen)})`,
    description: info.description,
    secret: info.secret ?? false,
    group: info.group,
  };
}

/**
 * An optional key: unset or blank gives `undefined`. `note` ends the accepted text, saying what
 * unset means or when the key is required, e.g. `unset: no stop loss` (default `optional`).
 */
function optional<T>(
  parser: ValueParser<T>,
  note: string | undefined,
  info: KeyInfo,
): ConfigKeyDefinition<T | undefined> {
  return {
    schema: valueSchema(parser, undefined, true),
    defaultValue: undefined,
    accepted: `${parser.accepted} (${note ?? 'optional'})`,
    description: info.description,
    secret: info.secret ?? false,
    group: info.group,
  };
}

/** Attaches each key's name to its spec and freezes the table. */
function defineConfigKeys<T extends Record<string, ConfigKeyDefinition<unknown>>>(
  definitions: T,
): { readonly [K in keyof T & string]: T[K] & { readonly key: K } } {
  const entries = Object.entries(definitions).map(([key, definition]) => [
    key,
    Object.freeze({ key, ...definition }),
  ]);
  return Object.freeze(Object.fromEntries(entries)) as {
    readonly [K in keyof T & string]: T[K] & { readonly key: K };
  };
}

/*
 * Bounds: every number has a ceiling no real trader reaches, so a slip of the keyboard (an extra
 * zero, `1e300`) is refused instead of trading on it. Money (in the quote currency) up to 1e12;
 * durations in minutes up to 30 days; loop intervals from 100 ms to 1 day; counts up to 1,000;
 * percentages within (0, 100) where the value is a share of something.
 */
/** Largest amount of money any key accepts, in the quote currency. */
const maxMoney = 1e12;
/** 30 days in minutes: the longest pause, window or cooldown. */
const maxMinutes = 43_200;
/** One day in ms: the longest loop interval. */
const dayMs = 86_400_000;
/** The most positions, stop-outs or candles a count key accepts. */
const maxCount = 1000;

const money = numberParser({ greaterThan: 0, atMost: maxMoney });
const minutes = numberParser({ atLeast: 0, atMost: maxMinutes, note: 'up to 30 days' });
const positiveMinutes = numberParser({
  greaterThan: 0,
  atMost: maxMinutes,
  note: 'up to 30 days',
});
const loopMs = numberParser({
  integer: true,
  atLeast: 100,
  atMost: dayMs,
  note: '100 ms to 1 day',
});
const bps = numberParser({ atLeast: 0, atMost: 10_000 });
const feeBps = numberParser({ atLeast: 0, atMost: 1000, note: 'up to 10 %' });
const percentBelow100 = numberParser({ greaterThan: 0, lessThan: 100 });
const count = numberParser({ integer: true, atLeast: 1, atMost: maxCount });

/**
 * Every env key LumenLink reads, in README order, keyed by name. The single source of keys,
 * defaults, validation and documentation.
 *
 * @example
 * ```ts
 * configKeys.RISK_MAX_POSITION_USD.accepted; // 'a number > 0 (default 250)'
 * configKeys.HTTP_PORT.schema.parse('8080'); // 8080
 * ```
 */
export const configKeys = defineConfigKeys({
  // Trading
  MODE: withDefault(enumParser(tradingModes, 'mode'), 'paper', {
    group: 'trading',
    description:
      'Trading mode: paper simulates fills locally; live trades on the exchange (needs API keys).',
  }),
  EXCHANGE: withDefault(enumParser(exchangeIds, 'exchange'), 'coinbase', {
    group: 'trading',
    description: 'The exchange traded on, through ccxt.',
  }),
  SYMBOLS: withDefault(symbolListParser, ['BTC-USD', 'ETH-USD'], {
    group: 'trading',
    description: 'Pairs traded, processed in this order at each candle.',
  }),
  INTERVAL: withDefault(timeframeParser, '1h', {
    group: 'trading',
    description:
      'Candle timeframe the strategy runs on; with exchange data, one the exchange serves (checked at start).',
  }),
  STRATEGY: withDefault(strategySpecParser, 'advanced_composite', {
    group: 'trading',
    description:
      'The strategy to run: a built-in key, a strategy module file (TypeScript runs as is) or a package; loaded and checked at start.',
  }),
  STRATEGY_PARAMS: optional(strategyParamsParser, "unset: the strategy's defaults", {
    group: 'trading',
    description:
      "Strategy parameters, inline JSON or a JSON file (what pnpm optimize writes); checked by the strategy's schema at start.",
  }),

  // Risk controls
  RISK_MAX_DAILY_LOSS_USD: withDefault(money, 150, {
    group: 'risk',
    description: 'Loss in USD within a day at which new entries stop (trading turns reducing).',
  }),
  RISK_MAX_POSITION_USD: withDefault(money, 250, {
    group: 'risk',
    description: 'Largest single position, in USD.',
  }),
  RISK_MAX_OPEN_POSITIONS: withDefault(count, 2, {
    group: 'risk',
    description: 'Most positions open at once, across all symbols.',
  }),
  RISK_COOLDOWN_MINUTES: withDefault(minutes, 15, {
    group: 'risk',
    description: 'Minutes a symbol waits after a stop-out before a new entry; 0 = no wait.',
  }),
  RISK_SIZING: withDefault(enumParser(riskSizingMethods, 'sizing method'), 'confidence', {
    group: 'risk',
    description:
      'Position sizing: confidence (signal confidence x RISK_MAX_POSITION_USD) or atr (RISK_PER_TRADE_PCT of equity per ATR stop).',
  }),
  RISK_PER_TRADE_PCT: withDefault(percentBelow100, 1, {
    group: 'risk',
    description: 'Percent of equity risked per trade with RISK_SIZING=atr.',
  }),
  RISK_MAX_DRAWDOWN_PCT: optional(percentBelow100, 'unset: no drawdown protection', {
    group: 'risk',
    description:
      'Drawdown from peak equity, in percent, that turns trading reducing for RISK_PROTECTION_PAUSE_MINUTES.',
  }),
  RISK_STOPLOSS_GUARD_COUNT: optional(count, 'unset: no stop-loss guard', {
    group: 'risk',
    description:
      'Stop-outs within RISK_STOPLOSS_GUARD_WINDOW_MINUTES that turn trading reducing for RISK_PROTECTION_PAUSE_MINUTES.',
  }),
  RISK_STOPLOSS_GUARD_WINDOW_MINUTES: withDefault(positiveMinutes, 1440, {
    group: 'risk',
    description: 'Window, in minutes, in which the stop-loss guard counts stop-outs.',
  }),
  RISK_PROTECTION_PAUSE_MINUTES: withDefault(positiveMinutes, 60, {
    group: 'risk',
    description: 'Minutes trading stays reducing (exits only) after a protection trips.',
  }),

  // Guards
  GUARD_MAX_SPREAD_BPS: withDefault(bps, 25, {
    group: 'guards',
    description: 'Widest bid-ask spread, in basis points, at which an order may be placed.',
  }),
  GUARD_MAX_SLIPPAGE_BPS: withDefault(bps, 20, {
    group: 'guards',
    description: 'Largest slippage, in basis points, estimated from the order book.',
  }),
  GUARD_MIN_VOLUME: withDefault(numberParser({ atLeast: 0, atMost: maxMoney }), 0, {
    group: 'guards',
    description:
      'Smallest 24h volume, in the quote currency, a symbol needs for new entries; 0 turns the check off.',
  }),

  // Safety
  KILL_SWITCH: withDefault(booleanParser, false, {
    group: 'safety',
    description:
      'Start halted: no orders at all, exits included; chat and HTTP cannot lift it while true.',
  }),
  ALLOW_LIVE_TRADING: withDefault(booleanParser, false, {
    group: 'safety',
    description:
      'Must be true for MODE=live to send orders; false makes a live dry run that blocks every order.',
  }),

  // Scheduler loops
  DATA_POLLING_MS: withDefault(loopMs, 5000, {
    group: 'loops',
    description: 'Market-data loop interval, in milliseconds.',
  }),
  POLL_INTERVAL_MS: withDefault(loopMs, 5000, {
    group: 'loops',
    description: 'Strategy loop interval, in milliseconds.',
  }),
  RECONCILE_INTERVAL_MS: withDefault(loopMs, 10_000, {
    group: 'loops',
    description: 'Reconcile loop interval (live only), in milliseconds.',
  }),
  SENTIMENT_INTERVAL_MS: withDefault(loopMs, 900_000, {
    group: 'loops',
    description: 'Sentiment loop interval (Fear & Greed, news), in milliseconds.',
  }),

  // Data
  DATA_SOURCE: withDefault(enumParser(dataSourceKinds, 'data source'), 'exchange', {
    group: 'data',
    description: 'Where candles come from: the exchange, or replayed stored candles (not live).',
  }),
  REPLAY_DATA: optional(
    textParser({ accepted: 'a CSV file path, or bundled for the bundled sample data' }),
    undefined,
    {
      group: 'data',
      description: 'Candles replayed when DATA_SOURCE=replay.',
    },
  ),
  DB_PATH: withDefault(textParser({ accepted: 'a file path' }), './data/lumenlink.db', {
    group: 'data',
    description: 'The SQLite database file.',
  }),

  // Exchange credentials
  EXCHANGE_API_KEY: optional(
    textParser({ accepted: 'your exchange API key' }),
    'required when MODE=live',
    {
      group: 'exchange',
      secret: true,
      description: 'Exchange API key, from env or the AWS secret.',
    },
  ),
  EXCHANGE_API_SECRET: optional(
    textParser({ accepted: 'your exchange API secret' }),
    'required when MODE=live',
    {
      group: 'exchange',
      secret: true,
      description: 'Exchange API secret, from env or the AWS secret.',
    },
  ),
  EXCHANGE_API_PASSPHRASE: optional(
    textParser({ accepted: 'your exchange API passphrase' }),
    undefined,
    {
      group: 'exchange',
      secret: true,
      description: 'Exchange API passphrase, for exchanges that issue one.',
    },
  ),
  EXCHANGE_API_URL: optional(urlParser(), "unset: the exchange's own API", {
    group: 'exchange',
    description: 'Exchange API base URL override: a sandbox or the local exchange emulator.',
  }),

  // HTTP server
  HTTP_HOST: withDefault(
    textParser({
      accepted: 'a host name or IP address',
      pattern: /^\S+$/,
      mismatch: 'contains whitespace',
    }),
    '127.0.0.1',
    {
      group: 'http',
      description: 'Address the HTTP server listens on; 127.0.0.1 keeps it local.',
    },
  ),
  HTTP_PORT: withDefault(numberParser({ integer: true, atLeast: 0, atMost: 65_535 }), 8787, {
    group: 'http',
    description: 'Port the HTTP server listens on; 0 picks a free port.',
  }),
  HTTP_TOKEN: optional(
    textParser({ accepted: 'a token of at least 16 characters', minLength: 16 }),
    'unset: state-changing endpoints are disabled',
    {
      group: 'http',
      secret: true,
      description: 'Bearer token required by the HTTP endpoints that change trading state.',
    },
  ),
  HTTP_ALLOWED_HOSTS: optional(hostListParser, 'unset: those only', {
    group: 'http',
    description:
      'Host headers answered besides localhost, 127.0.0.1, [::1] and HTTP_HOST; any other gets 403 (DNS rebinding).',
  }),

  // Alerts
  TELEGRAM_BOT_TOKEN: optional(
    textParser({ accepted: 'a bot token from @BotFather' }),
    'unset: no Telegram',
    {
      group: 'alerts',
      secret: true,
      description: 'Telegram bot token, for alerts and chat commands.',
    },
  ),
  TELEGRAM_CHAT_IDS: optional(integerListParser, 'required when TELEGRAM_BOT_TOKEN is set', {
    group: 'alerts',
    description: 'Telegram chats that receive alerts and may send commands.',
  }),
  TELEGRAM_API_ROOT: optional(urlParser(), 'unset: https://api.telegram.org', {
    group: 'alerts',
    description: 'Telegram Bot API base URL override, e.g. a local Bot API server.',
  }),
  DISCORD_WEBHOOK_URL: optional(urlParser('a Discord webhook URL'), 'unset: no Discord', {
    group: 'alerts',
    secret: true,
    description: 'Discord webhook for alerts (the URL embeds a token).',
  }),

  // Sentiment
  CRYPTOPANIC_TOKEN: optional(
    textParser({ accepted: 'a CryptoPanic API token' }),
    'unset: no news sentiment',
    {
      group: 'sentiment',
      secret: true,
      description: 'CryptoPanic API token, for news sentiment.',
    },
  ),

  // Secrets
  SECRETS_SOURCE: withDefault(enumParser(secretsSources, 'secrets source'), 'env', {
    group: 'secrets',
    description: 'Where secrets come from: env alone, or also an AWS Secrets Manager secret.',
  }),
  AWS_SECRET_ID: optional(
    textParser({ accepted: 'a secret name or ARN' }),
    'required when SECRETS_SOURCE=aws',
    {
      group: 'secrets',
      description: 'Name or ARN of the AWS Secrets Manager secret holding the secrets above.',
    },
  ),
  AWS_REGION: optional(
    textParser({
      accepted: 'an AWS region such as us-east-1',
      pattern: /^[a-z]{2}(?:-[a-z0-9]+)+$/,
      mismatch: 'is not an AWS region',
    }),
    'required when SECRETS_SOURCE=aws',
    {
      group: 'secrets',
      description: 'AWS region of the secret.',
    },
  ),
  AWS_ENDPOINT_URL: optional(urlParser(), "unset: AWS's own endpoint", {
    group: 'secrets',
    description: 'AWS endpoint override, e.g. LocalStack in tests.',
  }),

  // Logging
  LOG_LEVEL: withDefault(enumParser(logLevels, 'log level'), 'info', {
    group: 'logging',
    description: 'Least severe log level written.',
  }),

  // Paper broker
  PAPER_STARTING_CASH: withDefault(money, 10_000, {
    group: 'paper',
    description: 'Paper account starting cash, in the quote currency.',
  }),
  PAPER_FEE_BPS: withDefault(feeBps, 10, {
    group: 'paper',
    description: 'Fee charged on each paper fill, in basis points of its value.',
  }),
  PAPER_SLIPPAGE_BPS: withDefault(feeBps, 5, {
    group: 'paper',
    description: 'Slippage applied against each paper fill, in basis points.',
  }),

  // Trade model
  SIGNAL_COOLDOWN_MS: withDefault(
    numberParser({ integer: true, atLeast: 0, atMost: 30 * dayMs, note: 'up to 30 days' }),
    300_000,
    {
      group: 'model',
      description: 'Milliseconds before the same signal on the same pair is acted on again.',
    },
  ),
  ATR_PERIOD: withDefault(count, 14, {
    group: 'model',
    description: 'ATR length in candles, for ATR sizing and trailing stops.',
  }),
  TRAILING_STOP_ATR_MULT: withDefault(numberParser({ atLeast: 0, atMost: 100 }), 2, {
    group: 'model',
    description: 'Trailing stop distance in ATRs; 0 turns trailing stops off.',
  }),
  STOP_LOSS_PCT: optional(percentBelow100, 'unset: no fixed stop loss', {
    group: 'model',
    description: 'Fixed stop loss, in percent below the entry price.',
  }),
  TAKE_PROFIT_PCT: optional(
    numberParser({ greaterThan: 0, atMost: 10_000 }),
    'unset: no fixed take profit',
    {
      group: 'model',
      description: 'Fixed take profit, in percent above the entry price.',
    },
  ),
  PRICE_BAND_PCT: withDefault(percentBelow100, 20, {
    group: 'model',
    description:
      'A live price (tick, ticker, book) further than this from the last close, in percent, is refused as absurd: counted, alerted, never traded on.',
  }),

  // History backfill
  TIMEFRAMES: withDefault(timeframeListParser, ['1h', '4h', '1d'], {
    group: 'history',
    description: 'Timeframes fetch-history backfills.',
  }),
  MONTHS: withDefault(numberParser({ integer: true, atLeast: 1, atMost: 120 }), 6, {
    group: 'history',
    description: 'Months of history fetch-history backfills.',
  }),

  // Demo
  DEMO_SPEED: withDefault(numberParser({ atLeast: 0, atMost: 1_000_000 }), 0, {
    group: 'demo',
    description: 'Candles per second the demo replays; 0 = as fast as possible.',
  }),
});

/** The name of an env key LumenLink reads. */
export type ConfigKey = keyof typeof configKeys;

/** The typed value of every key, as parsed from env (see `envSchema`). */
export type ConfigValues = {
  readonly [K in ConfigKey]: z.output<(typeof configKeys)[K]['schema']>;
};

/** Every key's spec, in table order. */
export const configKeyList: readonly ConfigKeySpec[] = Object.freeze(Object.values(configKeys));

/** Whether `key` is one of {@link configKeys}. */
export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(configKeys, key);
}
