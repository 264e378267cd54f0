import { describe, expect, it } from 'vitest';
import { configKeyList, configKeys, formatConfigValue, isConfigKey } from './config-keys.js';
import { envSchema } from './env-schema.js';

/**
 * Every key of the configuration reference (`README-config.md`, the root README's
 * Configuration section): the original keys and those added since (`HTTP_ALLOWED_HOSTS`,
 * `PRICE_BAND_PCT`).
 */
const designKeys = [
  'MODE',
  'EXCHANGE',
  'SYMBOLS',
  'INTERVAL',
  'STRATEGY',
  'STRATEGY_PARAMS',
  'RISK_MAX_DAILY_LOSS_USD',
  'RISK_MAX_POSITION_USD',
  'RISK_MAX_OPEN_POSITIONS',
  'RISK_COOLDOWN_MINUTES',
  'GUARD_MAX_SPREAD_BPS',
  'GUARD_MAX_SLIPPAGE_BPS',
  'GUARD_MIN_VOLUME',
  'KILL_SWITCH',
  'ALLOW_LIVE_TRADING',
  'DATA_POLLING_MS',
  'POLL_INTERVAL_MS',
  'RECONCILE_INTERVAL_MS',
  'SENTIMENT_INTERVAL_MS',
  'DATA_SOURCE',
  'REPLAY_DATA',
  'EXCHANGE_API_KEY',
  'EXCHANGE_API_SECRET',
  'EXCHANGE_API_PASSPHRASE',
  'EXCHANGE_API_URL',
  'DB_PATH',
  'HTTP_HOST',
  'HTTP_PORT',
  'HTTP_TOKEN',
  'HTTP_ALLOWED_HOSTS',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_CHAT_IDS',
  'TELEGRAM_API_ROOT',
  'DISCORD_WEBHOOK_URL',
  'CRYPTOPANIC_TOKEN',
  'SECRETS_SOURCE',
  'AWS_SECRET_ID',
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'LOG_LEVEL',
  'PAPER_STARTING_CASH',
  'PAPER_FEE_BPS',
  'PAPER_SLIPPAGE_BPS',
  'SIGNAL_COOLDOWN_MS',
  'ATR_PERIOD',
  'TRAILING_STOP_ATR_MULT',
  'STOP_LOSS_PCT',
  'TAKE_PROFIT_PCT',
  'PRICE_BAND_PCT',
  'RISK_SIZING',
  'RISK_PER_TRADE_PCT',
  'RISK_MAX_DRAWDOWN_PCT',
  'RISK_STOPLOSS_GUARD_COUNT',
  'RISK_STOPLOSS_GUARD_WINDOW_MINUTES',
  'RISK_PROTECTION_PAUSE_MINUTES',
  'TIMEFRAMES',
  'MONTHS',
  'DEMO_SPEED',
];

describe('configKeys', () => {
  it('covers exactly the keys of the configuration reference', () => {
    expect(configKeyList.map((spec) => spec.key).sort()).toEqual([...designKeys].sort());
  });

  it('names each spec after its table key and documents it', () => {
    for (const [key, spec] of Object.entries(configKeys)) {
      expect(spec.key).toBe(key);
      expect(spec.description).toMatch(/^[A-Z].*\.$/);
      expect(spec.accepted.length).toBeGreaterThan(0);
      expect(isConfigKey(key)).toBe(true);
    }
    expect(isConfigKey('toString')).toBe(false);
    expect(isConfigKey('RISK_MAX_POSITON_USD')).toBe(false);
  });

  it('states the default in the accepted text of every key with one', () => {
    expect(configKeys.RISK_MAX_POSITION_USD.accepted).toBe(
      'a number > 0 and <= 1e12 (default 250)',
    );
    for (const spec of configKeyList) {
      if (spec.defaultValue !== undefined) {
        expect(spec.accepted).toContain(`(default ${formatConfigValue(spec.defaultValue)})`);
      }
    }
  });

  it('flags exactly the credentials and tokens as secret', () => {
    expect(
      configKeyList
        .filter((spec) => spec.secret)
        .map((spec) => spec.key)
        .sort(),
    ).toEqual([
      'CRYPTOPANIC_TOKEN',
      'DISCORD_WEBHOOK_URL',
      'EXCHANGE_API_KEY',
      'EXCHANGE_API_PASSPHRASE',
      'EXCHANGE_API_SECRET',
      'HTTP_TOKEN',
      'TELEGRAM_BOT_TOKEN',
    ]);
  });

  it('gives each schema its default when unset, and validates set values', () => {
    expect(configKeys.HTTP_PORT.schema.parse(undefined)).toBe(8787);
    expect(configKeys.HTTP_PORT.schema.parse(' 9000 ')).toBe(9000);
    expect(configKeys.HTTP_PORT.schema.safeParse('http').success).toBe(false);
    expect(configKeys.STOP_LOSS_PCT.schema.parse(undefined)).toBeUndefined();
    expect(configKeys.STOP_LOSS_PCT.schema.parse('')).toBeUndefined();
  });

  it('rejects an empty value for a key with a default', () => {
    const result = configKeys.RISK_MAX_POSITION_USD.schema.safeParse('');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('is empty (unset the key to use its default)');
  });

  it('freezes the table and list defaults', () => {
    expect(Object.isFrozen(configKeys)).toBe(true);
    expect(Object.isFrozen(configKeys.MODE)).toBe(true);
    expect(Object.isFrozen(configKeys.SYMBOLS.defaultValue)).toBe(true);
  });
});

describe('numeric bounds', () => {
  const numeric = configKeyList.filter((spec) => /^(a number|an integer)\b/.test(spec.accepted));

  it('gives every numeric key a ceiling, stated in its accepted text', () => {
    expect(numeric.length).toBeGreaterThan(25);
    for (const spec of numeric) {
      expect(spec.accepted, spec.key).toMatch(/ to \S+|<=? \S+/);
    }
  });

  it.each(['1e300', '1e20', '99999999999999'])(
    'refuses %s for every numeric key, naming the bound',
    (value) => {
      for (const spec of numeric) {
        const result = spec.schema.safeParse(value);
        expect(result.success, `${spec.key}=${value}`).toBe(false);
        expect(result.error?.issues[0]?.message, spec.key).toMatch(
          /(above the maximum|not below|too large) \S+|is too large \(use \S+ or less\)/,
        );
      }
    },
  );

  it('keeps every default inside its bounds', () => {
    for (const spec of numeric) {
      expect(spec.schema.safeParse(undefined).success, spec.key).toBe(true);
      if (spec.defaultValue !== undefined) {
        expect(spec.schema.safeParse(formatConfigValue(spec.defaultValue)).success, spec.key).toBe(
          true,
        );
      }
    }
  });
});

describe('formatConfigValue', () => {
  it('writes values as env text', () => {
    expect(formatConfigValue(['BTC-USD', 'ETH-USD'])).toBe('BTC-USD,ETH-USD');
    expect(formatConfigValue(true)).toBe('true');
    expect(formatConfigValue(0.5)).toBe('0.5');
    expect(formatConfigValue(undefined)).toBe('');
  });
});

describe('envSchema', () => {
  it('has one property per key of the table', () => {
    expect(Object.keys(envSchema.shape)).toEqual(configKeyList.map((spec) => spec.key));
  });

  it('parses a whole env into typed values', () => {
    const values = envSchema.parse({ HTTP_PORT: '9000', SYMBOLS: 'sol-usdt', KILL_SWITCH: 'on' });
    expect(values.HTTP_PORT).toBe(9000);
    expect(values.SYMBOLS).toEqual(['SOL-USDT']);
    expect(values.KILL_SWITCH).toBe(true);
    expect(values.MODE).toBe('paper');
  });

  it('reports every bad key by path, with messages that never contain the value', () => {
    const result = envSchema.safeParse({ HTTP_PORT: 'http', HTTP_TOKEN: 'tiny-secret-abc' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toEqual(['HTTP_PORT', 'HTTP_TOKEN']);
    expect(JSON.stringify(result.error?.issues)).not.toContain('tiny-secret-abc');
  });

  it('applies the cross-field rules', () => {
    const result = envSchema.safeParse({ MODE: 'live', DATA_SOURCE: 'replay' });
    expect(result.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [['DATA_SOURCE'], '"replay" cannot be used with MODE=live'],
    ]);
  });
});
