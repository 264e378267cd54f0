import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '@lumenlink/core';
import { sampleEvents } from '../test/helpers.js';
import { formatAlertLine } from './alert-line.js';

const at = Date.UTC(2024, 0, 27, 6);
const reason =
  'confluence score 0.396 >= buy threshold 0.3 over 14 factors; bullish: ema_trend, macd, adx, squeeze_breakout, vwap, volume, obv, timeframes; bearish: stochastic, cci, williams_r';
const opened: AlertEvent = {
  type: 'trade_opened',
  symbol: 'SOL-USDT',
  side: 'buy',
  quantity: 0.9474,
  price: 88.00123,
  reason,
  at,
};

describe('formatAlertLine', () => {
  it('gives every fill a line: time, side, symbol, quantity, price, effect and the full reason', () => {
    expect(formatAlertLine(opened)).toBe(
      `2024-01-27 06:00  BUY   SOL-USDT       0.9474 @    88.0012  open   ${reason}`,
    );
    const added: AlertEvent = {
      type: 'trade_resized',
      symbol: 'SOL-USDT',
      side: 'buy',
      quantity: 1.06825,
      price: 89.12,
      held: 2.01565,
      pnl: 0,
      reason: 'score 0.41',
      at,
    };
    expect(formatAlertLine(added)).toBe(
      '2024-01-27 06:00  BUY   SOL-USDT      1.06825 @      89.12  add    holds 2.01565 · score 0.41',
    );
    const part = { ...added, side: 'sell', quantity: 1, held: 1.01565, pnl: 3.1 } as const;
    expect(formatAlertLine(part)).toBe(
      '2024-01-27 06:00  SELL  SOL-USDT            1 @      89.12  part   P&L +3.10, holds 1.01565 · score 0.41',
    );
    const closed: AlertEvent = {
      type: 'trade_closed',
      symbol: 'BTC-USDT',
      quantity: 0.00235033,
      entryPrice: 39_907.94,
      exitPrice: 39_892.54,
      pnl: -1_234.5,
      pnlPct: -0.24,
      reason: 'trailing stop hit at 39892.54',
      at,
    };
    expect(formatAlertLine(closed)).toBe(
      '2024-01-27 06:00  SELL  BTC-USDT   0.00235033 @  39,892.54  close  P&L -1,234.50 (-0.24%) · trailing stop hit at 39892.54',
    );
  });

  it('wraps a long reason under its first column, every word kept', () => {
    const lines = formatAlertLine(opened, { width: 120 }).split('\n');
    const column = lines[0]!.indexOf('confluence');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
    for (const line of lines.slice(1)) expect(line.slice(0, column).trim()).toBe('');
    expect(lines.map((line, index) => line.slice(index === 0 ? column : 0).trim()).join(' ')).toBe(
      reason,
    );
  });

  it('on a narrow terminal puts the text below the columns, indented 4, a long word cut', () => {
    const event = { ...opened, reason: `${'x'.repeat(70)} end` };
    expect(formatAlertLine(event, { width: 60 }).split('\n')).toEqual([
      '2024-01-27 06:00  BUY   SOL-USDT       0.9474 @    88.0012  open',
      `    ${'x'.repeat(56)}`,
      `    ${'x'.repeat(14)} end`,
    ]);
    // A short line is never wrapped.
    expect(formatAlertLine({ ...opened, reason: 'go' }, { width: 200 })).not.toContain('\n');
  });

  it('labels the other alerts and gives their text in full', () => {
    const state: AlertEvent = {
      type: 'trading_state_changed',
      from: 'active',
      to: 'halted',
      reason: 'kill switch',
      changedBy: 'http',
      at,
    };
    expect(formatAlertLine(state)).toBe(
      '2024-01-27 06:00  trading active -> halted by http: kill switch (open positions are unprotected)',
    );
    const error: AlertEvent = { type: 'error', code: 'FILL_INCONSISTENT', message: 'm', at };
    expect(formatAlertLine(error)).toBe('2024-01-27 06:00  error FILL_INCONSISTENT: m');
    const stop: AlertEvent = { ...sampleEvents.stop, at };
    expect(formatAlertLine(stop)).toBe('2024-01-27 06:00  STOP  ETH-USD 3,000.00 -> 3,050.25');
    const blocked: AlertEvent = { ...sampleEvents.blocked, at };
    expect(formatAlertLine(blocked)).toBe(
      '2024-01-27 06:00  BLOCK BUY SOL-USD daily_loss: daily loss 260 > 250',
    );
    const daily: AlertEvent = {
      type: 'daily_summary',
      day: '2024-01-26',
      pnl: 42.5,
      equity: 10_042.5,
      trades: 3,
      at,
    };
    expect(formatAlertLine(daily)).toBe(
      '2024-01-27 06:00  daily 2024-01-26: P&L +42.50, equity 10,042.50, 3 trades',
    );
  });
});
