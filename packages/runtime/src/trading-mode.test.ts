import { describe, expect, it } from 'vitest';
import { tradingModeOf } from './trading-mode.js';

describe('tradingModeOf', () => {
  it('names paper, a live dry run and live trading, and whether orders reach the exchange', () => {
    expect(tradingModeOf({ mode: 'paper', allowLiveTrading: true, exchange: 'binance' })).toEqual({
      kind: 'paper',
      text: 'paper trading: simulated fills, no order reaches the exchange',
      ordersReachExchange: false,
    });
    const dryRun = tradingModeOf({ mode: 'live', allowLiveTrading: false, exchange: 'binance' });
    expect(dryRun).toMatchObject({ kind: 'live-dry-run', ordersReachExchange: false });
    expect(dryRun.text).toMatch(
      /^live dry run: no order will be sent to binance \(ALLOW_LIVE_TRADING is not true/,
    );
    expect(tradingModeOf({ mode: 'live', allowLiveTrading: true, exchange: 'kraken' })).toEqual({
      kind: 'live',
      text: 'LIVE trading: real orders on kraken',
      ordersReachExchange: true,
    });
  });
});
