import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { runSettings } from './run-settings.js';

describe('runSettings', () => {
  it('holds the settings that change results, as plain JSON without secrets', () => {
    const config = loadConfig({
      EXCHANGE: 'binance',
      SYMBOLS: 'BTC-USDT',
      STOP_LOSS_PCT: '3',
      PAPER_FEE_BPS: '7.5',
      RISK_SIZING: 'atr',
      EXCHANGE_API_KEY: 'key-not-recorded',
      DATA_SOURCE: 'replay',
      REPLAY_DATA: 'bundled',
    });
    const settings = runSettings(config);
    expect(settings).toMatchObject({
      exchange: 'binance',
      symbols: ['BTC-USDT'],
      interval: '1h',
      risk: { sizing: 'atr', maxPositionUsd: 250 },
      trading: { stopLossPct: 3, atrPeriod: 14 },
      paper: { feeBps: 7.5, slippageBps: 5, startingCash: 10_000 },
      data: { source: 'replay', replayData: 'bundled' },
    });
    expect(JSON.parse(JSON.stringify(settings))).toEqual(settings);
    expect(JSON.stringify(settings)).not.toContain('key-not-recorded');
  });

  it('differs when a setting that changes results differs', () => {
    const base = runSettings(loadConfig({}));
    expect(runSettings(loadConfig({ PAPER_SLIPPAGE_BPS: '9' }))).not.toEqual(base);
    expect(runSettings(loadConfig({ HTTP_PORT: '9999' }))).toEqual(base);
  });
});
