import { describe, expect, it } from 'vitest';
import { ConfigError } from '@lumenlink/core';
import { checkLiveReadiness, isLiveDryRun } from './live-readiness.js';
import { loadConfig } from './load-config.js';

describe('checkLiveReadiness', () => {
  it('always passes in paper mode, keys or not', () => {
    expect(() => checkLiveReadiness(loadConfig({}))).not.toThrow();
    expect(() =>
      checkLiveReadiness(loadConfig({ MODE: 'paper', ALLOW_LIVE_TRADING: 'true' })),
    ).not.toThrow();
  });

  it('lists every missing credential for live mode, with how to fix it', () => {
    const config = loadConfig({ MODE: 'live' });
    expect(() => checkLiveReadiness(config)).toThrow(ConfigError);
    let error: unknown;
    try {
      checkLiveReadiness(config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.issues.map((issue) => issue.key)).toEqual([
      'EXCHANGE_API_KEY',
      'EXCHANGE_API_SECRET',
    ]);
    expect(configError.message).toMatch(/^Not ready for live trading/);
    expect(configError.message).toContain('AWS secret');
    expect(configError.message).toContain('SECRETS_SOURCE=aws');
  });

  it('names only the credential that is missing', () => {
    const config = loadConfig({ MODE: 'live', EXCHANGE_API_KEY: 'key-abc' });
    expect(() => checkLiveReadiness(config)).toThrow(/EXCHANGE_API_SECRET/);
    try {
      checkLiveReadiness(config);
    } catch (error) {
      expect((error as ConfigError).issues).toHaveLength(1);
      expect((error as ConfigError).message).not.toContain('key-abc');
    }
  });

  it('passes in live mode with key and secret, dry run or not', () => {
    const env = { MODE: 'live', EXCHANGE_API_KEY: 'key-abc', EXCHANGE_API_SECRET: 'secret-def' };
    expect(() => checkLiveReadiness(loadConfig(env))).not.toThrow();
    expect(() =>
      checkLiveReadiness(loadConfig({ ...env, ALLOW_LIVE_TRADING: 'true' })),
    ).not.toThrow();
  });
});

describe('isLiveDryRun', () => {
  it('is true only for MODE=live with ALLOW_LIVE_TRADING=false', () => {
    expect(isLiveDryRun(loadConfig({ MODE: 'live' }))).toBe(true);
    expect(isLiveDryRun(loadConfig({ MODE: 'live', ALLOW_LIVE_TRADING: 'yes' }))).toBe(false);
    expect(isLiveDryRun(loadConfig({ MODE: 'paper' }))).toBe(false);
    expect(isLiveDryRun(loadConfig({ MODE: 'paper', ALLOW_LIVE_TRADING: 'true' }))).toBe(false);
  });
});
