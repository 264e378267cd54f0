import { ValidationError } from '@lumenlink/core';
import { loadConfig } from '@lumenlink/config';
import { describe, expect, it } from 'vitest';
import {
  defaultRiskLimits,
  optionalRiskChecks,
  resolveRiskLimits,
  riskConfigFromConfig,
} from './risk-options.js';

describe('riskConfigFromConfig', () => {
  it('takes the defaults of the config schema, which are the engine defaults', () => {
    const { disabledChecks, ...limits } = resolveRiskLimits(riskConfigFromConfig(loadConfig({})));
    const { disabledChecks: none, ...defaults } = defaultRiskLimits;
    expect(limits).toEqual({ ...defaults, allowLiveTrading: false });
    expect([...disabledChecks, ...none]).toEqual([]);
  });

  it('maps every RISK_*, GUARD_* key, the ATR multiple and ALLOW_LIVE_TRADING', () => {
    const config = loadConfig({
      RISK_MAX_DAILY_LOSS_USD: '80',
      RISK_MAX_POSITION_USD: '1000',
      RISK_MAX_OPEN_POSITIONS: '4',
      RISK_COOLDOWN_MINUTES: '30',
      RISK_SIZING: 'atr',
      RISK_PER_TRADE_PCT: '0.5',
      RISK_MAX_DRAWDOWN_PCT: '12',
      RISK_STOPLOSS_GUARD_COUNT: '3',
      RISK_STOPLOSS_GUARD_WINDOW_MINUTES: '120',
      RISK_PROTECTION_PAUSE_MINUTES: '90',
      GUARD_MAX_SPREAD_BPS: '15',
      GUARD_MAX_SLIPPAGE_BPS: '30',
      GUARD_MIN_VOLUME: '1000000',
      TRAILING_STOP_ATR_MULT: '3',
      ALLOW_LIVE_TRADING: 'true',
    });
    expect(riskConfigFromConfig(config)).toEqual({
      maxDailyLossUsd: 80,
      maxPositionUsd: 1000,
      maxOpenPositions: 4,
      cooldownMinutes: 30,
      sizing: 'atr',
      perTradePct: 0.5,
      atrMultiplier: 3,
      maxSpreadBps: 15,
      maxSlippageBps: 30,
      minVolume: 1_000_000,
      maxDrawdownPct: 12,
      stoplossGuardCount: 3,
      stoplossGuardWindowMinutes: 120,
      protectionPauseMinutes: 90,
      allowLiveTrading: true,
    });
    // Trailing stops off: ATR sizing keeps the default 2 x ATR stop distance.
    expect(riskConfigFromConfig(loadConfig({ TRAILING_STOP_ATR_MULT: '0' })).atrMultiplier).toBe(2);
  });
});

describe('resolveRiskLimits', () => {
  it('fills defaults and accepts any iterable of optional check names', () => {
    const limits = resolveRiskLimits({
      maxPositionUsd: 500,
      disabledChecks: new Set(['spread'] as const),
    });
    expect(limits.maxPositionUsd).toBe(500);
    expect(limits.maxDailyLossUsd).toBe(150);
    expect([...limits.disabledChecks]).toEqual(['spread']);
    expect(resolveRiskLimits({ disabledChecks: optionalRiskChecks }).disabledChecks.size).toBe(7);
  });

  it('names the option and what it accepts', () => {
    expect(() => resolveRiskLimits({ maxOpenPositions: 1.5 })).toThrow(
      'RiskEngine option maxOpenPositions must be an integer >= 1, got 1.5',
    );
    expect(() => resolveRiskLimits({ maxDrawdownPct: 150 })).toThrow(
      'RiskEngine option maxDrawdownPct must be a number > 0 and <= 100 or null (off), got 150',
    );
    expect(() => resolveRiskLimits({ cooldownMinutes: -1 })).toThrow(ValidationError);
    expect(() => resolveRiskLimits({ maxSpreadBps: Number.NaN })).toThrow(/maxSpreadBps/);
    expect(() => resolveRiskLimits({ sizing: 'kelly' as 'atr' })).toThrow(/sizing must be/);
  });
});
