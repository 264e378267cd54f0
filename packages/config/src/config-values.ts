/**
 * The two directions between the flat, per-key {@link ConfigValues} and the nested
 * {@link Config}. They are exact inverses: `valuesFromConfig(configFromValues(values))` equals `values`.
 */
import type { ConfigValues } from './config-keys.js';
import type { Config } from './config.js';

/** `{ [key]: value }` when the value is defined, else `{}` (optional fields stay absent). */
function present<K extends string, V>(key: K, value: V | undefined): { readonly [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { readonly [P in K]?: V };
}

/** Freezes an object and everything reachable from it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Builds the nested, deeply frozen {@link Config} from parsed env values. */
export function configFromValues(values: ConfigValues): Config {
  return deepFreeze<Config>({
    mode: values.MODE,
    killSwitch: values.KILL_SWITCH,
    allowLiveTrading: values.ALLOW_LIVE_TRADING,
    exchange: {
      id: values.EXCHANGE,
      ...present('apiKey', values.EXCHANGE_API_KEY),
      ...present('apiSecret', values.EXCHANGE_API_SECRET),
      ...present('apiPassphrase', values.EXCHANGE_API_PASSPHRASE),
      ...present('apiUrl', values.EXCHANGE_API_URL),
    },
    symbols: values.SYMBOLS,
    interval: values.INTERVAL,
    strategy: values.STRATEGY,
    ...present('strategyParams', values.STRATEGY_PARAMS),
    data: {
      source: values.DATA_SOURCE,
      ...present('replayData', values.REPLAY_DATA),
      dbPath: values.DB_PATH,
    },
    loops: {
      dataPollingMs: values.DATA_POLLING_MS,
      strategyPollMs: values.POLL_INTERVAL_MS,
      reconcileMs: values.RECONCILE_INTERVAL_MS,
      sentimentMs: values.SENTIMENT_INTERVAL_MS,
    },
    risk: {
      maxDailyLossUsd: values.RISK_MAX_DAILY_LOSS_USD,
      maxPositionUsd: values.RISK_MAX_POSITION_USD,
      maxOpenPositions: values.RISK_MAX_OPEN_POSITIONS,
      cooldownMinutes: values.RISK_COOLDOWN_MINUTES,
      sizing: values.RISK_SIZING,
      perTradePct: values.RISK_PER_TRADE_PCT,
      ...present('maxDrawdownPct', values.RISK_MAX_DRAWDOWN_PCT),
      ...present('stoplossGuardCount', values.RISK_STOPLOSS_GUARD_COUNT),
      stoplossGuardWindowMinutes: values.RISK_STOPLOSS_GUARD_WINDOW_MINUTES,
      protectionPauseMinutes: values.RISK_PROTECTION_PAUSE_MINUTES,
    },
    guards: {
      maxSpreadBps: values.GUARD_MAX_SPREAD_BPS,
      maxSlippageBps: values.GUARD_MAX_SLIPPAGE_BPS,
      minVolume: values.GUARD_MIN_VOLUME,
    },
    trading: {
      signalCooldownMs: values.SIGNAL_COOLDOWN_MS,
      atrPeriod: values.ATR_PERIOD,
      trailingStopAtrMult: values.TRAILING_STOP_ATR_MULT,
      ...present('stopLossPct', values.STOP_LOSS_PCT),
      ...present('takeProfitPct', values.TAKE_PROFIT_PCT),
      priceBandPct: values.PRICE_BAND_PCT,
    },
    paper: {
      startingCash: values.PAPER_STARTING_CASH,
      feeBps: values.PAPER_FEE_BPS,
      slippageBps: values.PAPER_SLIPPAGE_BPS,
    },
    http: {
      host: values.HTTP_HOST,
      port: values.HTTP_PORT,
      ...present('token', values.HTTP_TOKEN),
      allowedHosts: values.HTTP_ALLOWED_HOSTS ?? [],
    },
    telegram: {
      ...present('botToken', values.TELEGRAM_BOT_TOKEN),
      chatIds: values.TELEGRAM_CHAT_IDS ?? [],
      ...present('apiRoot', values.TELEGRAM_API_ROOT),
    },
    discord: { ...present('webhookUrl', values.DISCORD_WEBHOOK_URL) },
    sentiment: { ...present('cryptoPanicToken', values.CRYPTOPANIC_TOKEN) },
    secrets: {
      source: values.SECRETS_SOURCE,
      ...present('awsSecretId', values.AWS_SECRET_ID),
      ...present('awsRegion', values.AWS_REGION),
      ...present('awsEndpointUrl', values.AWS_ENDPOINT_URL),
    },
    log: { level: values.LOG_LEVEL },
    history: { timeframes: values.TIMEFRAMES, months: values.MONTHS },
    demo: { speed: values.DEMO_SPEED },
  });
}

/** The typed value of every key in a {@link Config}: the inverse of {@link configFromValues}. */
export function valuesFromConfig(config: Config): ConfigValues {
  return {
    MODE: config.mode,
    EXCHANGE: config.exchange.id,
    SYMBOLS: config.symbols,
    INTERVAL: config.interval,
    STRATEGY: config.strategy,
    STRATEGY_PARAMS: config.strategyParams,
    RISK_MAX_DAILY_LOSS_USD: config.risk.maxDailyLossUsd,
    RISK_MAX_POSITION_USD: config.risk.maxPositionUsd,
    RISK_MAX_OPEN_POSITIONS: config.risk.maxOpenPositions,
    RISK_COOLDOWN_MINUTES: config.risk.cooldownMinutes,
    RISK_SIZING: config.risk.sizing,
    RISK_PER_TRADE_PCT: config.risk.perTradePct,
    RISK_MAX_DRAWDOWN_PCT: config.risk.maxDrawdownPct,
    RISK_STOPLOSS_GUARD_COUNT: config.risk.stoplossGuardCount,
    RISK_STOPLOSS_GUARD_WINDOW_MINUTES: config.risk.stoplossGuardWindowMinutes,
    RISK_PROTECTION_PAUSE_MINUTES: config.risk.protectionPauseMinutes,
    GUARD_MAX_SPREAD_BPS: config.guards.maxSpreadBps,
    GUARD_MAX_SLIPPAGE_BPS: config.guards.maxSlippageBps,
    GUARD_MIN_VOLUME: config.guards.minVolume,
    KILL_SWITCH: config.killSwitch,
    ALLOW_LIVE_TRADING: config.allowLiveTrading,
    DATA_POLLING_MS: config.loops.dataPollingMs,
    POLL_INTERVAL_MS: config.loops.strategyPollMs,
    RECONCILE_INTERVAL_MS: config.loops.reconcileMs,
    SENTIMENT_INTERVAL_MS: config.loops.sentimentMs,
    DATA_SOURCE: config.data.source,
    REPLAY_DATA: config.data.replayData,
    DB_PATH: config.data.dbPath,
    EXCHANGE_API_KEY: config.exchange.apiKey,
    EXCHANGE_API_SECRET: config.exchange.apiSecret,
    EXCHANGE_API_PASSPHRASE: config.exchange.apiPassphrase,
    EXCHANGE_API_URL: config.exchange.apiUrl,
    HTTP_HOST: config.http.host,
    HTTP_PORT: config.http.port,
    HTTP_TOKEN: config.http.token,
    HTTP_ALLOWED_HOSTS:
      config.http.allowedHosts.length === 0 ? undefined : config.http.allowedHosts,
    TELEGRAM_BOT_TOKEN: config.telegram.botToken,
    TELEGRAM_CHAT_IDS: config.telegram.chatIds.length === 0 ? undefined : config.telegram.chatIds,
    TELEGRAM_API_ROOT: config.telegram.apiRoot,
    DISCORD_WEBHOOK_URL: config.discord.webhookUrl,
    CRYPTOPANIC_TOKEN: config.sentiment.cryptoPanicToken,
    SECRETS_SOURCE: config.secrets.source,
    AWS_SECRET_ID: config.secrets.awsSecretId,
    AWS_REGION: config.secrets.awsRegion,
    AWS_ENDPOINT_URL: config.secrets.awsEndpointUrl,
    LOG_LEVEL: config.log.level,
    PAPER_STARTING_CASH: config.paper.startingCash,
    PAPER_FEE_BPS: config.paper.feeBps,
    PAPER_SLIPPAGE_BPS: config.paper.slippageBps,
    SIGNAL_COOLDOWN_MS: config.trading.signalCooldownMs,
    ATR_PERIOD: config.trading.atrPeriod,
    TRAILING_STOP_ATR_MULT: config.trading.trailingStopAtrMult,
    STOP_LOSS_PCT: config.trading.stopLossPct,
    TAKE_PROFIT_PCT: config.trading.takeProfitPct,
    PRICE_BAND_PCT: config.trading.priceBandPct,
    TIMEFRAMES: config.history.timeframes,
    MONTHS: config.history.months,
    DEMO_SPEED: config.demo.speed,
  };
}
