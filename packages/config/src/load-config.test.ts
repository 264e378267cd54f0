import { describe, expect, it } from 'vitest';
import { ConfigError } from '@lumenlink/core';
import type { Config } from './config.js';
import { configKeys, formatConfigValue } from './config-keys.js';
import { valuesFromConfig } from './config-values.js';
import { loadConfig } from './load-config.js';
import { exampleEnv } from './example-env.js';

/**
 * The documented defaults (the configuration reference, `README-config.md`).
 * `exampleEnv` sets the same values for the keys it has, except KILL_SWITCH.
 */
const documentedDefaults: Config = {
  mode: 'paper',
  killSwitch: false,
  allowLiveTrading: false,
  exchange: { id: 'coinbase' },
  symbols: ['BTC-USD', 'ETH-USD'],
  interval: '1h',
  strategy: 'advanced_composite',
  data: { source: 'exchange', dbPath: './data/lumenlink.db' },
  loops: { dataPollingMs: 5000, strategyPollMs: 5000, reconcileMs: 10_000, sentimentMs: 900_000 },
  risk: {
    maxDailyLossUsd: 150,
    maxPositionUsd: 250,
    maxOpenPositions: 2,
    cooldownMinutes: 15,
    sizing: 'confidence',
    perTradePct: 1,
    stoplossGuardWindowMinutes: 1440,
    protectionPauseMinutes: 60,
  },
  guards: { maxSpreadBps: 25, maxSlippageBps: 20, minVolume: 0 },
  trading: { signalCooldownMs: 300_000, atrPeriod: 14, trailingStopAtrMult: 2, priceBandPct: 20 },
  paper: { startingCash: 10_000, feeBps: 10, slippageBps: 5 },
  http: { host: '127.0.0.1', port: 8787, allowedHosts: [] },
  telegram: { chatIds: [] },
  discord: {},
  sentiment: {},
  secrets: { source: 'env' },
  log: { level: 'info' },
  history: { timeframes: ['1h', '4h', '1d'], months: 6 },
  demo: { speed: 0 },
};

/** An env that sets every key to a valid non-default value. */
const fullEnv = {
  MODE: 'live',
  EXCHANGE: 'binance',
  SYMBOLS: 'BTC-USDT,ETH-USDT,SOL-USDT',
  INTERVAL: '15m',
  STRATEGY: 'rsi_mean_reversion',
  STRATEGY_PARAMS: '{"rsiPeriod":10}',
  RISK_MAX_DAILY_LOSS_USD: '75.5',
  RISK_MAX_POSITION_USD: '100',
  RISK_MAX_OPEN_POSITIONS: '3',
  RISK_COOLDOWN_MINUTES: '0',
  RISK_SIZING: 'atr',
  RISK_PER_TRADE_PCT: '0.5',
  RISK_MAX_DRAWDOWN_PCT: '12',
  RISK_STOPLOSS_GUARD_COUNT: '3',
  RISK_STOPLOSS_GUARD_WINDOW_MINUTES: '720',
  RISK_PROTECTION_PAUSE_MINUTES: '30',
  GUARD_MAX_SPREAD_BPS: '15',
  GUARD_MAX_SLIPPAGE_BPS: '10',
  GUARD_MIN_VOLUME: '1000000',
  KILL_SWITCH: 'true',
  ALLOW_LIVE_TRADING: 'true',
  DATA_POLLING_MS: '2000',
  POLL_INTERVAL_MS: '3000',
  RECONCILE_INTERVAL_MS: '20000',
  SENTIMENT_INTERVAL_MS: '600000',
  DATA_SOURCE: 'exchange',
  REPLAY_DATA: 'bundled',
  EXCHANGE_API_KEY: 'key-live-1234',
  EXCHANGE_API_SECRET: 'secret-live-5678',
  EXCHANGE_API_PASSPHRASE: 'pass-live-9012',
  EXCHANGE_API_URL: 'http://127.0.0.1:9999',
  DB_PATH: '/var/lib/lumenlink/bot.db',
  HTTP_HOST: '0.0.0.0',
  HTTP_PORT: '9090',
  HTTP_TOKEN: 'http-token-0123456789',
  HTTP_ALLOWED_HOSTS: 'Bot.Example.com,192.168.1.20:9090,[fd00::2]',
  TELEGRAM_BOT_TOKEN: '123456:telegram-token-abc',
  TELEGRAM_CHAT_IDS: '42,-1001234567890',
  TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
  DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/discord-token-xyz',
  CRYPTOPANIC_TOKEN: 'cryptopanic-token-def',
  SECRETS_SOURCE: 'aws',
  AWS_SECRET_ID: 'lumenlink/prod',
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL: 'http://localhost:4566',
  LOG_LEVEL: 'debug',
  PAPER_STARTING_CASH: '2500',
  PAPER_FEE_BPS: '7.5',
  PAPER_SLIPPAGE_BPS: '0',
  SIGNAL_COOLDOWN_MS: '60000',
  ATR_PERIOD: '21',
  TRAILING_STOP_ATR_MULT: '0',
  STOP_LOSS_PCT: '3',
  TAKE_PROFIT_PCT: '150',
  PRICE_BAND_PCT: '15',
  TIMEFRAMES: '5m,1h',
  MONTHS: '24',
  DEMO_SPEED: '50',
} as const;

/** Runs `loadConfig` and returns the ConfigError it throws. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults on an empty env', () => {
    expect(loadConfig({})).toEqual(documentedDefaults);
  });

  it('leaves optional fields absent, not undefined', () => {
    const config = loadConfig({});
    expect('apiKey' in config.exchange).toBe(false);
    expect('maxDrawdownPct' in config.risk).toBe(false);
    expect('stopLossPct' in config.trading).toBe(false);
    expect('token' in config.http).toBe(false);
  });

  it('treats an empty or blank optional key as unset', () => {
    const config = loadConfig({ STOP_LOSS_PCT: '', HTTP_TOKEN: '  ', TELEGRAM_CHAT_IDS: '' });
    expect(config).toEqual(documentedDefaults);
  });

  it('loads the example env, which starts halted', () => {
    const config = loadConfig(exampleEnv);
    expect(config.killSwitch).toBe(true);
    expect(config).toEqual({ ...documentedDefaults, killSwitch: true });
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.risk)).toBe(true);
    expect(Object.isFrozen(config.symbols)).toBe(true);
    expect(Object.isFrozen(config.telegram.chatIds)).toBe(true);
  });
});

describe('loadConfig with every key set', () => {
  const config = loadConfig(fullEnv);

  it('maps every key into the nested config', () => {
    expect(config).toEqual({
      mode: 'live',
      killSwitch: true,
      allowLiveTrading: true,
      exchange: {
        id: 'binance',
        apiKey: 'key-live-1234',
        apiSecret: 'secret-live-5678',
        apiPassphrase: 'pass-live-9012',
        apiUrl: 'http://127.0.0.1:9999',
      },
      symbols: ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'],
      interval: '15m',
      strategy: 'rsi_mean_reversion',
      strategyParams: '{"rsiPeriod":10}',
      data: { source: 'exchange', replayData: 'bundled', dbPath: '/var/lib/lumenlink/bot.db' },
      loops: {
        dataPollingMs: 2000,
        strategyPollMs: 3000,
        reconcileMs: 20_000,
        sentimentMs: 600_000,
      },
      risk: {
        maxDailyLossUsd: 75.5,
        maxPositionUsd: 100,
        maxOpenPositions: 3,
        cooldownMinutes: 0,
        sizing: 'atr',
        perTradePct: 0.5,
        maxDrawdownPct: 12,
        stoplossGuardCount: 3,
        stoplossGuardWindowMinutes: 720,
        protectionPauseMinutes: 30,
      },
      guards: { maxSpreadBps: 15, maxSlippageBps: 10, minVolume: 1_000_000 },
      trading: {
        signalCooldownMs: 60_000,
        atrPeriod: 21,
        trailingStopAtrMult: 0,
        stopLossPct: 3,
        takeProfitPct: 150,
        priceBandPct: 15,
      },
      paper: { startingCash: 2500, feeBps: 7.5, slippageBps: 0 },
      http: {
        host: '0.0.0.0',
        port: 9090,
        token: 'http-token-0123456789',
        allowedHosts: ['bot.example.com', '192.168.1.20:9090', '[fd00::2]'],
      },
      telegram: {
        botToken: '123456:telegram-token-abc',
        chatIds: [42, -1_001_234_567_890],
        apiRoot: 'http://127.0.0.1:8081',
      },
      discord: { webhookUrl: 'https://discord.com/api/webhooks/1/discord-token-xyz' },
      sentiment: { cryptoPanicToken: 'cryptopanic-token-def' },
      secrets: {
        source: 'aws',
        awsSecretId: 'lumenlink/prod',
        awsRegion: 'eu-west-1',
        awsEndpointUrl: 'http://localhost:4566',
      },
      log: { level: 'debug' },
      history: { timeframes: ['5m', '1h'], months: 24 },
      demo: { speed: 50 },
    });
  });

  it('round-trips: the config written back as env loads to the same config', () => {
    const values = valuesFromConfig(config);
    const env = Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, formatConfigValue(value)]),
    );
    expect(loadConfig(env)).toEqual(config);
    expect(Object.keys(values)).toEqual(Object.keys(configKeys));
  });
});

describe('loadConfig errors', () => {
  const badEnv = {
    RISK_MAX_POSITION_USD: '10usd',
    RISK_MAX_OPEN_POSITIONS: '1.5',
    KILL_SWITCH: 'maybe',
    SYMBOLS: 'BTC-USD,ETH-USD,btc/usd',
    INTERVAL: '1mo',
    HTTP_PORT: '70000',
    EXCHANGE: 'kraken',
    DATA_POLLING_MS: '',
    TELEGRAM_API_ROOT: 'ftp://example.com',
    HTTP_TOKEN: 'tiny-secret-xyz',
  };

  it('throws one ConfigError naming every bad key, with its accepted text', () => {
    const error = configError(badEnv);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((issue) => issue.key)).toEqual([
      'EXCHANGE',
      'SYMBOLS',
      'INTERVAL',
      'RISK_MAX_POSITION_USD',
      'RISK_MAX_OPEN_POSITIONS',
      'KILL_SWITCH',
      'DATA_POLLING_MS',
      'HTTP_PORT',
      'HTTP_TOKEN',
      'TELEGRAM_API_ROOT',
    ]);
    expect(error.message).toMatch(/^Invalid configuration \(10 problems\):/);
    for (const key of Object.keys(badEnv) as (keyof typeof badEnv)[]) {
      expect(error.message).toContain(`  - ${key}: `);
      expect(error.message).toContain(`Accepted: ${configKeys[key].accepted}`);
    }
  });

  it('quotes the received value and says what is wrong', () => {
    const problems = Object.fromEntries(
      configError(badEnv).issues.map((issue) => [issue.key, issue.problem]),
    );
    expect(problems).toEqual({
      RISK_MAX_POSITION_USD: '"10usd" is not a number',
      RISK_MAX_OPEN_POSITIONS: '"1.5" is not a whole number (use an integer)',
      KILL_SWITCH: '"maybe" is not a boolean',
      SYMBOLS: '"BTC-USD,ETH-USD,btc/usd" lists the symbol BTC-USD twice',
      INTERVAL: '"1mo" is not a timeframe',
      HTTP_PORT: '"70000" is above the maximum 65535 (use 65535 or less)',
      EXCHANGE: '"kraken" is not a known exchange',
      DATA_POLLING_MS: '"" is empty (unset the key to use its default)',
      TELEGRAM_API_ROOT: '"ftp://example.com" is not an http(s) URL',
      HTTP_TOKEN: 'the value given is shorter than 16 characters',
    });
  });

  it('never puts a secret value in the error', () => {
    const secretEnv = {
      HTTP_TOKEN: 'tiny-secret-xyz',
      DISCORD_WEBHOOK_URL: 'discord-secret-not-a-url',
      EXCHANGE_API_SECRT: 'misspelt-secret-value',
    };
    const error = configError(secretEnv);
    expect(error.issues.map((issue) => issue.key)).toEqual([
      'HTTP_TOKEN',
      'DISCORD_WEBHOOK_URL',
      'EXCHANGE_API_SECRT',
    ]);
    const everything = `${error.message}\n${JSON.stringify(error.issues)}\n${String(error.stack)}`;
    for (const secret of Object.values(secretEnv)) expect(everything).not.toContain(secret);
    expect(error.message).toContain('DISCORD_WEBHOOK_URL: the value given is not an http(s) URL');
  });

  it('cuts very long values when quoting them', () => {
    const error = configError({ DB_PATH: ' ', STRATEGY: `X${'a'.repeat(200)}` });
    expect(error.issues.map((issue) => issue.problem)).toEqual([
      `"X${'a'.repeat(59)}..." is not a strategy key, a strategy file path or a package name`,
      '" " is empty (unset the key to use its default)',
    ]);
  });
});

describe('loadConfig STRATEGY and STRATEGY_PARAMS', () => {
  it('keeps a strategy file and inline or file parameters as written', () => {
    expect(loadConfig({ STRATEGY: 'strategies/my-idea.ts' }).strategy).toBe(
      'strategies/my-idea.ts',
    );
    const inline = loadConfig({ STRATEGY_PARAMS: ' {"fastPeriod": 8} ' });
    expect(inline.strategyParams).toBe('{"fastPeriod": 8}');
    expect(loadConfig({ STRATEGY_PARAMS: 'reports/x.params.json' }).strategyParams).toBe(
      'reports/x.params.json',
    );
    expect('strategyParams' in loadConfig({ STRATEGY_PARAMS: '' })).toBe(false);
  });

  it('refuses STRATEGY_PARAMS that is not a JSON object, naming the key and what to write', () => {
    const error = configError({ STRATEGY_PARAMS: '{fastPeriod: 8}' });
    expect(error.issues).toEqual([
      {
        key: 'STRATEGY_PARAMS',
        problem:
          '"{fastPeriod: 8}" is not valid JSON (write an object such as {"fastPeriod":12}, keys quoted)',
        accepted: configKeys.STRATEGY_PARAMS.accepted,
      },
    ]);
    expect(error.message).toContain('STRATEGY_PARAMS');
  });
});

describe('loadConfig absurd magnitudes', () => {
  it('refuses RISK_MAX_POSITION_USD=1e300 naming the key, the bound and the fix', () => {
    const error = configError({ RISK_MAX_POSITION_USD: '1e300' });
    expect(error.issues).toEqual([
      {
        key: 'RISK_MAX_POSITION_USD',
        problem: '"1e300" is above the maximum 1e12 (use 1e12 or less)',
        accepted: 'a number > 0 and <= 1e12 (default 250)',
      },
    ]);
    expect(error.message).toContain(
      '  - RISK_MAX_POSITION_USD: "1e300" is above the maximum 1e12 (use 1e12 or less). Accepted: a number > 0 and <= 1e12',
    );
  });

  it.each([
    ['RISK_MAX_DAILY_LOSS_USD', '5e12', 'maximum 1e12'],
    ['PAPER_STARTING_CASH', '1e15', 'maximum 1e12'],
    ['GUARD_MIN_VOLUME', '1e13', 'maximum 1e12'],
    ['RISK_MAX_OPEN_POSITIONS', '5000', 'maximum 1000'],
    ['RISK_STOPLOSS_GUARD_COUNT', '1001', 'maximum 1000'],
    ['ATR_PERIOD', '100000', 'maximum 1000'],
    ['RISK_COOLDOWN_MINUTES', '100000', 'maximum 43200'],
    ['RISK_PROTECTION_PAUSE_MINUTES', '1e9', 'maximum 43200'],
    ['DATA_POLLING_MS', '86400001', 'maximum 86400000'],
    ['RECONCILE_INTERVAL_MS', '50', 'minimum 100'],
    ['SIGNAL_COOLDOWN_MS', '1e10', 'maximum 2592000000'],
    ['PAPER_FEE_BPS', '5000', 'maximum 1000'],
    ['TRAILING_STOP_ATR_MULT', '1000', 'maximum 100'],
    ['TAKE_PROFIT_PCT', '1e6', 'maximum 10000'],
    ['STOP_LOSS_PCT', '100', 'not below 100'],
    ['RISK_PER_TRADE_PCT', '100', 'not below 100'],
  ])('refuses %s=%s (%s)', (key, value, bound) => {
    const error = configError({ [key]: value });
    expect(error.issues.map((issue) => issue.key)).toEqual([key]);
    expect(error.issues[0]?.problem).toContain(bound);
  });

  it('accepts large but real values', () => {
    const config = loadConfig({
      RISK_MAX_POSITION_USD: '5000000',
      PAPER_STARTING_CASH: '1e9',
      RISK_COOLDOWN_MINUTES: '10080',
      SENTIMENT_INTERVAL_MS: '86400000',
      TAKE_PROFIT_PCT: '900',
    });
    expect(config.risk.maxPositionUsd).toBe(5_000_000);
    expect(config.paper.startingCash).toBe(1e9);
    expect(config.trading.takeProfitPct).toBe(900);
  });
});

describe('loadConfig cross-field rules', () => {
  it('requires AWS_SECRET_ID and AWS_REGION with SECRETS_SOURCE=aws', () => {
    const error = configError({ SECRETS_SOURCE: 'aws' });
    expect(error.issues).toEqual([
      {
        key: 'AWS_SECRET_ID',
        problem: 'is not set, but SECRETS_SOURCE=aws needs it',
        accepted: configKeys.AWS_SECRET_ID.accepted,
      },
      {
        key: 'AWS_REGION',
        problem: 'is not set, but SECRETS_SOURCE=aws needs it',
        accepted: configKeys.AWS_REGION.accepted,
      },
    ]);
    const config = loadConfig({
      SECRETS_SOURCE: 'aws',
      AWS_SECRET_ID: 'lumenlink',
      AWS_REGION: 'us-east-1',
    });
    expect(config.secrets).toEqual({
      source: 'aws',
      awsSecretId: 'lumenlink',
      awsRegion: 'us-east-1',
    });
  });

  it('rejects MODE=live with DATA_SOURCE=replay', () => {
    const error = configError({ MODE: 'live', DATA_SOURCE: 'replay' });
    expect(error.issues).toEqual([
      expect.objectContaining({
        key: 'DATA_SOURCE',
        problem: '"replay" cannot be used with MODE=live',
      }),
    ]);
    expect(loadConfig({ MODE: 'paper', DATA_SOURCE: 'replay' }).data.source).toBe('replay');
  });

  it('requires TELEGRAM_CHAT_IDS when TELEGRAM_BOT_TOKEN is set', () => {
    const error = configError({ TELEGRAM_BOT_TOKEN: '123:telegram-token-ghi' });
    expect(error.issues.map((issue) => issue.key)).toEqual(['TELEGRAM_CHAT_IDS']);
    expect(error.message).not.toContain('telegram-token-ghi');
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: '123:token', TELEGRAM_CHAT_IDS: '7' }).telegram.chatIds,
    ).toEqual([7]);
  });

  it('reports cross-field problems together with per-key problems', () => {
    const error = configError({ MODE: 'live', DATA_SOURCE: 'replay', HTTP_PORT: 'x' });
    expect(error.issues.map((issue) => issue.key)).toEqual(['HTTP_PORT', 'DATA_SOURCE']);
  });

  it('skips a rule when a key it reads is itself invalid', () => {
    const error = configError({ MODE: 'live', DATA_SOURCE: 'csv' });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.problem).toBe('"csv" is not a known data source');
  });
});

describe('loadConfig typo detection', () => {
  it('rejects a misspelt key of ours and suggests the right one', () => {
    const error = configError({ RISK_MAX_POSITON_USD: '50' });
    expect(error.issues).toEqual([
      {
        key: 'RISK_MAX_POSITON_USD',
        problem: 'is not a known key, so it would be ignored (did you mean RISK_MAX_POSITION_USD?)',
      },
    ]);
    expect(error.message).toContain('did you mean RISK_MAX_POSITION_USD?');
  });

  it('lists the family when nothing is close', () => {
    const error = configError({ GUARD_SOMETHING_ELSE_ENTIRELY: '1' });
    expect(error.issues[0]?.accepted).toBe(
      'one of the GUARD_* keys: GUARD_MAX_SPREAD_BPS, GUARD_MAX_SLIPPAGE_BPS, GUARD_MIN_VOLUME',
    );
  });

  it('rejects a known key in the wrong case', () => {
    const error = configError({ kill_switch: 'true' });
    expect(error.issues[0]?.problem).toContain('did you mean KILL_SWITCH?');
  });

  it('ignores keys outside our families, well-known foreign keys, and blank values', () => {
    const config = loadConfig({
      PATH: '/usr/bin',
      HOME: '/root',
      NODE_ENV: 'production',
      AWS_PROFILE: 'default',
      HTTP_PROXY: 'http://proxy:3128',
      http_proxy: 'http://proxy:3128',
      RISK_OLD_SETTING: '',
    });
    expect(config).toEqual(documentedDefaults);
  });
});
