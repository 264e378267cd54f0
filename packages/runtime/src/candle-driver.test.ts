import {
  hold,
  noopMetrics,
  silentLogger,
  type Candle,
  type Signal,
  type Strategy,
  type SymbolId,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore } from '@lumenlink/data';
import { TradeCycle, memoryStores } from '@lumenlink/engine';
import { PaperBroker, Portfolio, TrailingStopManager } from '@lumenlink/execution';
import { RiskEngine, TradingStateMachine } from '@lumenlink/risk';
import { describe, expect, it } from 'vitest';
import { NodeMetrics } from './node-metrics.js';
import { CandleDriver } from './candle-driver.js';
import { SerialLock } from './serial-lock.js';

const symbol: SymbolId = 'BTC-USDT';
const minuteMs = 60_000;
const now = Date.UTC(2026, 0, 5, 12, 0, 30);
const newestClosed = Date.UTC(2026, 0, 5, 11, 59);

/** Records the open time of every candle it is given (warm-up and traded alike). */
function recorder(warmup: number): Strategy & { readonly seen: number[] } {
  const seen: number[] = [];
  return {
    key: 'recorder',
    params: {},
    warmup,
    seen,
    onCandle(candle: Candle): Signal {
      seen.push(candle.time);
      return hold('recording');
    },
  };
}

function candleAt(time: number): Candle {
  return { time, open: 100, high: 101, low: 99, close: 100, volume: 1 };
}

describe('CandleDriver on a first start', () => {
  it('warms up on a full window even when the newest closed candle is not stored yet', async () => {
    const store = await openStore({ path: ':memory:' });
    const clock = new ManualClock(now);
    const warmup = 5;
    // Stored: ten candles, the newest closed one (11:59) not yet.
    const stored = Array.from({ length: 10 }, (_, index) =>
      candleAt(newestClosed - (index + 1) * minuteMs),
    ).reverse();
    await store.candles.saveCandles(symbol, '1m', stored);
    const strategy = recorder(warmup);
    const stores = memoryStores();
    const portfolio = new Portfolio({ clock, startingCash: 1_000, store: stores.portfolio });
    const paper = new PaperBroker({ clock, startingCash: 1_000, feeBps: 0, slippageBps: 0 });
    const cycle = new TradeCycle({
      clock,
      settings: {
        mode: 'paper',
        allowLiveTrading: false,
        intervalMs: minuteMs,
        atrPeriod: 2,
        trailingStopAtrMultiple: 0,
        cooldownMs: 0,
      },
      strategies: new Map([[symbol, strategy]]),
      risk: new RiskEngine(),
      tradingState: await TradingStateMachine.open({
        store: stores.runtime,
        clock,
        killSwitch: false,
      }),
      broker: paper,
      orders: stores.orders,
      decisions: stores.decisions,
      portfolio,
      trailingStops: new TrailingStopManager({ clock, store: stores.runtime }),
    });
    const driver = await CandleDriver.open({
      cycle,
      paperBroker: null,
      portfolio,
      candles: store.candles,
      runtime: stores.runtime,
      symbols: [symbol],
      timeframe: '1m',
      clock,
      manualClock: null,
      lock: new SerialLock(),
      metrics: new NodeMetrics(noopMetrics),
      notifier: { notify: () => undefined },
      logger: silentLogger,
      warmupCandles: warmup,
    });
    expect(await driver.processStored(now)).toBe(1);
    const traded = newestClosed - minuteMs;
    // Five candles of warm-up before the newest one stored, which is traded.
    expect(strategy.seen).toEqual([6, 5, 4, 3, 2, 1].map((back) => traded - (back - 1) * minuteMs));
    expect(driver.lastProcessed(symbol)).toBe(traded);
    // The newest closed candle arrives: traded next, after the one before it.
    await store.candles.saveCandles(symbol, '1m', [candleAt(newestClosed)]);
    expect(await driver.processStored(now)).toBe(1);
    expect(strategy.seen.at(-1)).toBe(newestClosed);
    await store.close();
  });
});
