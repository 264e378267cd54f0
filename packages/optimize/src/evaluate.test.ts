import type { Candle, SymbolId } from '@lumenlink/core';
import { loadBundledCandles } from '@lumenlink/data';
import { computeMetrics, reportInputOf } from '@lumenlink/analysis';
import { runBacktest } from '@lumenlink/engine';
import { createStrategy } from '@lumenlink/strategies';
import { describe, expect, it } from 'vitest';
import {
  backtestOptionsOf,
  candlesUpTo,
  evaluate,
  type BacktestSettings,
  type EvaluationContext,
} from './evaluate.js';
import { createLocalEvaluator } from './evaluator.js';

const btc = loadBundledCandles('BTC-USDT').slice(0, 1_500);
const settings: BacktestSettings = {
  startingCash: 10_000,
  feeBps: 10,
  slippageBps: 5,
  fillMode: 'next-open',
  risk: { maxPositionUsd: 5_000 },
  protections: true,
  atrPeriod: 14,
  trailingStopAtrMultiple: 2,
  closeAtEnd: false,
};
const context = (candles: readonly Candle[]): EvaluationContext => ({
  strategy: 'ema_crossover',
  candles: new Map<SymbolId, readonly Candle[]>([['BTC-USDT', candles]]),
  interval: '1h',
  settings,
});
const params = { fastPeriod: 5, slowPeriod: 20, confidence: 1 };
const from = btc[600]!.time;
const to = btc[1_099]!.time;

describe('candlesUpTo', () => {
  it('keeps every candle up to to, and nothing after it', () => {
    const cut = candlesUpTo(context(btc).candles, to).get('BTC-USDT')!;
    expect(cut[0]).toBe(btc[0]);
    expect(cut.at(-1)!.time).toBe(to);
    expect(cut).toHaveLength(1_100);
    expect(candlesUpTo(context(btc).candles, to - 1).get('BTC-USDT')).toHaveLength(1_099);
    expect(candlesUpTo(context(btc).candles, undefined).get('BTC-USDT')).toHaveLength(1_500);
  });
});

describe('evaluate', () => {
  it('is the engine backtest of the window (warmed up as pnpm backtest), with the report layer metrics', async () => {
    const evaluation = await evaluate(context(btc), { params, from, to, equity: true });
    const direct = await runBacktest({
      candles: new Map([['BTC-USDT', btc.slice(0, 1_100)]]),
      interval: '1h',
      strategy: () => createStrategy('ema_crossover', params, { interval: '1h' }),
      startingCash: 10_000,
      risk: { maxPositionUsd: 5_000 },
      from,
      to,
    });
    expect(evaluation.from).toBe(from);
    expect(evaluation.to).toBe(to);
    expect(direct.trades.length).toBeGreaterThan(5);
    expect(evaluation.metrics.trades.total).toBe(direct.trades.length);
    expect(evaluation.metrics.finalEquity).toBeCloseTo(direct.finalEquity, 9);
    expect(evaluation.equity).toHaveLength(500);
    expect(evaluation.equity?.at(-1)?.equity).toBeCloseTo(direct.finalEquity, 9);
  });

  it('has the metrics of the report layer on a copy of the period, whichever windows ran before', async () => {
    const shared = context(btc);
    const windows = [{ from, to }, { from: btc[200]!.time, to: btc[699]!.time }, { from, to }, {}];
    for (const window of windows) {
      const evaluation = await evaluate(shared, { params, ...window });
      const candles = candlesUpTo(shared.candles, window.to);
      const direct = await runBacktest({
        candles,
        interval: '1h',
        strategy: () => createStrategy('ema_crossover', params, { interval: '1h' }),
        ...backtestOptionsOf(settings),
        ...window,
      });
      const metrics = computeMetrics(
        reportInputOf(direct, {
          strategy: 'ema_crossover',
          params,
          interval: '1h',
          candles,
          feeBps: settings.feeBps,
          slippageBps: settings.slippageBps,
          fillMode: settings.fillMode,
        }),
      );
      expect(metrics.trades.total).toBeGreaterThan(0);
      expect(evaluation.metrics).toEqual(metrics);
    }
  });

  it('cannot see candles after the end of its window', async () => {
    const job = { params, from, to };
    const before = await evaluate(context(btc), job);
    // The future after `to` changes completely: prices double, then crash.
    const future = btc.map((candle, index) =>
      index < 1_100
        ? candle
        : {
            ...candle,
            open: candle.open * 2,
            high: candle.high * 2,
            low: candle.low * 0.5,
            close: candle.close * (index % 2 === 0 ? 2 : 0.5),
          },
    );
    const after = await evaluate(context(future), job);
    expect(after).toEqual(before);
  });

  it('gives each trade its return on the equity before it, compounding to the final equity', async () => {
    const evaluation = await evaluate(context(btc), { params, from, to });
    expect(evaluation.tradeReturns).toHaveLength(evaluation.metrics.trades.total);
    const compounded = evaluation.tradeReturns.reduce((equity, value) => equity * (1 + value), 1);
    expect(compounded).toBeCloseTo(evaluation.metrics.finalEquity / settings.startingCash, 9);
    expect(evaluation.equity).toBeUndefined();
  });

  it('fails a job the strategy refuses; the local evaluator reports it and goes on', async () => {
    const evaluator = createLocalEvaluator(context(btc));
    const settled: number[] = [];
    const outcomes = await evaluator.evaluate(
      [
        { params: { fastPeriod: 30, slowPeriod: 20 }, from, to },
        { params, from, to },
      ],
      (index) => settled.push(index),
    );
    expect(outcomes[0]).toMatchObject({ ok: false, crashed: false });
    expect(outcomes[0]?.ok === false && outcomes[0].error).toContain(
      'slowPeriod: must be above fastPeriod',
    );
    expect(outcomes[1]?.ok).toBe(true);
    expect(settled).toEqual([0, 1]);
  });
});
