import { describe, expect, it } from 'vitest';
import { configKeyList } from './config-keys.js';
import { configSecrets, describeConfig, redactedConfigValue } from './describe-config.js';
import { loadConfig } from './load-config.js';

const env = {
  MODE: 'live',
  SYMBOLS: 'sol-usd,BTC-USD',
  HTTP_PORT: '9000',
  STOP_LOSS_PCT: '',
  EXCHANGE_API_KEY: 'exchange-key-111',
  EXCHANGE_API_SECRET: 'exchange-secret-222',
  HTTP_TOKEN: 'http-token-3333333333',
  TELEGRAM_BOT_TOKEN: '123:telegram-token-444',
  TELEGRAM_CHAT_IDS: '1,-2',
  DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/5/discord-token-555',
  CRYPTOPANIC_TOKEN: 'cryptopanic-666',
};

describe('configSecrets', () => {
  it('returns every secret value present', () => {
    expect(configSecrets(loadConfig(env)).sort()).toEqual(
      [
        '123:telegram-token-444',
        'cryptopanic-666',
        'exchange-key-111',
        'exchange-secret-222',
        'http-token-3333333333',
        'https://discord.com/api/webhooks/5/discord-token-555',
      ].sort(),
    );
  });

  it('is empty when no secret is set', () => {
    expect(configSecrets(loadConfig({}))).toEqual([]);
  });
});

describe('describeConfig', () => {
  const rows = describeConfig(loadConfig(env), env);
  const row = (key: string) => rows.find((candidate) => candidate.key === key);

  it('has one row per key, in table order', () => {
    expect(rows.map((candidate) => candidate.key)).toEqual(configKeyList.map((spec) => spec.key));
  });

  it('shows effective values as env text, and where each came from', () => {
    expect(row('MODE')).toEqual({
      key: 'MODE',
      value: 'live',
      source: 'env',
      secret: false,
      group: 'trading',
    });
    expect(row('SYMBOLS')).toMatchObject({ value: 'SOL-USD,BTC-USD', source: 'env' });
    expect(row('HTTP_PORT')).toMatchObject({ value: '9000', source: 'env' });
    expect(row('TELEGRAM_CHAT_IDS')).toMatchObject({ value: '1,-2', source: 'env' });
    expect(row('RISK_MAX_POSITION_USD')).toMatchObject({ value: '250', source: 'default' });
    expect(row('KILL_SWITCH')).toMatchObject({ value: 'false', source: 'default' });
    expect(row('STOP_LOSS_PCT')).toMatchObject({ value: '', source: 'default' });
  });

  it('redacts every secret that is set and shows unset secrets as empty', () => {
    for (const key of [
      'EXCHANGE_API_KEY',
      'EXCHANGE_API_SECRET',
      'HTTP_TOKEN',
      'TELEGRAM_BOT_TOKEN',
      'DISCORD_WEBHOOK_URL',
      'CRYPTOPANIC_TOKEN',
    ]) {
      expect(row(key)).toMatchObject({ value: redactedConfigValue, secret: true, source: 'env' });
    }
    expect(row('EXCHANGE_API_PASSPHRASE')).toMatchObject({ value: '', secret: true });
    const printed = JSON.stringify(rows);
    for (const secret of configSecrets(loadConfig(env))) expect(printed).not.toContain(secret);
    expect(redactedConfigValue).toBe('[REDACTED]');
  });
});
