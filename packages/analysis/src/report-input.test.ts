import type { Candle, SymbolId } from '@lumenlink/core';
import type { BacktestResult, Trade } from '@lumenlink/engine';
import { dataProvenanceOf } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import { computeMetrics } from './metrics.js';
import { reportInputOf } from './report-input.js';

const hour = 3_600_000;
const t0 = Date.UTC(2024, 0, 1);

function candle(index: number): Candle {
  return {
    time: t0 + index * hour,
    open: 100 + index,
    high: 102 + index,
    low: 99 + index,
    close: 101 + index,
    volume: 5,
  };
}

const trade: Trade = {
  symbol: 'BTC-USD',
  side: 'long',
  entrySignalTime: t0 + 2 * hour,
  entryTime: t0 + 3 * hour,
  entryPrice: 103,
  exitSignalTime: t0 + 5 * hour,
  exitTime: t0 + 5 * hour,
  exitPrice: 106,
  quantity: 1,
  fees: 0.2,
  pnl: 2.8,
  exitReason: 'force_exit',
};

const equity = [2, 3, 4, 5].map((index) => ({ time: t0 + index * hour, equity: 1000, cash: 1000 }));
const result: BacktestResult = {
  trades: [trade],
  equity,
  equityCurve: {
    length: equity.length,
    time: Float64Array.from(equity, (point) => point.time),
    equity: Float64Array.from(equity, (point) => point.equity),
    cash: Float64Array.from(equity, (point) => point.cash),
  },
  blocked: { cooldown: 2 },
  orders: [],
  fills: [],
  startingCash: 997.2,
  finalEquity: 1000,
  candles: 6,
  from: t0 + 2 * hour,
  to: t0 + 5 * hour,
};

describe('reportInputOf', () => {
  const candles = new Map<SymbolId, readonly Candle[]>([
    ['BTC-USD', Array.from({ length: 6 }, (_, index) => candle(index))],
  ]);
  const input = reportInputOf(result, {
    strategy: 'ema_crossover',
    params: { fastPeriod: 9 },
    interval: '1h',
    candles,
    feeBps: 10,
    slippageBps: 5,
    fillMode: 'close',
  });

  it("takes the result's period, cash, equity and blocked signals, and the run's settings", () => {
    expect(input).toMatchObject({
      title: 'ema_crossover on BTC-USD 1h',
      strategy: 'ema_crossover',
      params: { fastPeriod: 9 },
      from: result.from,
      to: result.to,
      startingCash: 997.2,
      feeBps: 10,
      slippageBps: 5,
      fillMode: 'close',
      blocked: { cooldown: 2 },
    });
    expect(input.equity).toBe(result.equity);
    expect(computeMetrics(input).finalEquity).toBe(1000);
  });

  it('keeps the OHLCV of the candles in the traded period only (warm-up cut)', () => {
    expect(input.candles['BTC-USD']?.map((row) => row.time)).toEqual([
      t0 + 2 * hour,
      t0 + 3 * hour,
      t0 + 4 * hour,
      t0 + 5 * hour,
    ]);
    expect(input.candles['BTC-USD']?.[0]).toEqual({
      time: t0 + 2 * hour,
      open: 102,
      high: 104,
      low: 101,
      close: 103,
      volume: 5,
    });
  });

  it("shows a closeAtEnd exit as the run's end, and leaves the other fields alone", () => {
    expect(input.trades).toEqual([{ ...trade, exitReason: 'end' }]);
    const titled = reportInputOf(
      { ...result, trades: [{ ...trade, exitReason: 'stop' }] },
      {
        strategy: 's',
        params: {},
        interval: '1h',
        candles,
        feeBps: 0,
        slippageBps: 0,
        fillMode: 'next-open',
        title: 'my run',
      },
    );
    expect(titled.title).toBe('my run');
    expect(titled.trades[0]?.exitReason).toBe('stop');
  });

  it('carries the run provenance when given, and has none otherwise', () => {
    expect('provenance' in input).toBe(false);
    const provenance = {
      strategy: { spec: 'ema_crossover', kind: 'builtin' as const, key: 'ema_crossover' },
      params: { fastPeriod: 9 },
      settings: { feeBps: 10 },
      data: dataProvenanceOf({
        description: 'test candles',
        candles,
        symbols: ['BTC-USD'],
        interval: '1h',
      }),
    };
    const recorded = reportInputOf(result, {
      strategy: 'ema_crossover',
      params: { fastPeriod: 9 },
      interval: '1h',
      candles,
      feeBps: 10,
      slippageBps: 5,
      fillMode: 'close',
      provenance,
    });
    expect(recorded.provenance).toBe(provenance);
    // The data covers the warm-up: all six candles, not the four of the traded period.
    expect(recorded.provenance?.data).toMatchObject({ first: t0, last: t0 + 5 * hour, candles: 6 });
  });
});
