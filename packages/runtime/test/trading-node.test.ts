/**
 * The trading node over the real SQLite store and the bundled candles, replayed: a run that is
 * stopped and started again on the same database ends with exactly the trades and orders of an
 * uninterrupted run, and the node's own trades are those of the engine's backtest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ValidationError,
  silentLogger,
  systemClock,
  type AlertEvent,
  type Candle,
  type SymbolId,
} from '@lumenlink/core';
import { RecordingBroker } from '@lumenlink/core/testing';
import { loadBundledCandles, openStore, type LumenLinkStore } from '@lumenlink/data';
import { runBacktest } from '@lumenlink/engine';
import { ReplayFeed } from '@lumenlink/exchanges';
import { LiveBroker } from '@lumenlink/execution';
import { createStrategy } from '@lumenlink/strategies';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTradingNode,
  type TradingNode,
  type TradingNodePorts,
  type TradingNodeSettings,
} from '../src/index.js';

const settings: TradingNodeSettings = {
  mode: 'paper',
  allowLiveTrading: false,
  symbols: ['BTC-USDT', 'SOL-USDT'],
  interval: '1h',
  strategy: 'ema_crossover',
  exchange: 'binance (replay)',
  killSwitch: false,
  trading: { atrPeriod: 14, trailingStopAtrMult: 2, signalCooldownMs: 0, priceBandPct: 20 },
  paper: { feeBps: 10, slippageBps: 5, startingCash: 10_000 },
  risk: { maxPositionUsd: 3_000 },
  loops: { dataPollingMs: 1, strategyPollMs: 1, reconcileMs: 60_000, sentimentMs: 60_000 },
};
const candles = new Map<SymbolId, readonly Candle[]>(
  settings.symbols.map((symbol) => [symbol, loadBundledCandles(symbol, '1h').slice(0, 400)]),
);
const dir = mkdtempSync(join(tmpdir(), 'lumenlink-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(store: LumenLinkStore, alerts: AlertEvent[] = []): Promise<TradingNode> {
  return createTradingNode(
    {
      logger: silentLogger,
      notifier: { notify: (event) => alerts.push(event) },
      stores: store,
      strategy: () => createStrategy('ema_crossover', undefined, { interval: '1h' }),
      venue: { kind: 'paper' },
      marketData: {
        kind: 'replay',
        candles,
        feed: (resumeAfter) =>
          new ReplayFeed({ candles, symbols: settings.symbols, timeframe: '1h', resumeAfter }),
      },
    },
    settings,
  );
}

async function runToEnd(node: TradingNode): Promise<void> {
  node.start();
  await node.replay?.finished;
  await node.stop();
}

describe('createTradingNode (replay, SQLite)', () => {
  it('trades as the backtest does, and alerts its trades', async () => {
    const store = await openStore({ path: join(dir, 'once.db'), logger: silentLogger });
    const alerts: AlertEvent[] = [];
    const node = await open(store, alerts);
    expect(node.replay?.total).toBe(400);
    await runToEnd(node);
    const backtest = await runBacktest({
      candles,
      interval: '1h',
      strategy: () => createStrategy('ema_crossover', undefined, { interval: '1h' }),
      startingCash: 10_000,
      feeBps: 10,
      slippageBps: 5,
      risk: settings.risk,
      atrPeriod: 14,
      trailingStopAtrMultiple: 2,
      cooldownMs: 0,
    });
    expect(backtest.trades.length).toBeGreaterThan(2);
    expect(node.sessionTrades()).toEqual(backtest.trades);
    expect(alerts.filter((event) => event.type === 'trade_opened').length).toBeGreaterThan(0);
    const report = await node.report();
    expect(report.candlesProcessed).toBe(800);
    expect(report.orders).toBe(backtest.orders.length);
    await node.stop(); // idempotent
    await store.close();
  });

  it('resumes after a stop where it left off: the same orders and trades as one run', async () => {
    const path = join(dir, 'restart.db');
    let store = await openStore({ path, logger: silentLogger });
    const first = await open(store);
    first.start();
    for (let i = 0; i < 2_000 && (await first.report()).candlesProcessed < 300; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await first.stop();
    const before = (await first.report()).candlesProcessed;
    expect(before).toBeGreaterThanOrEqual(300);
    expect(before).toBeLessThan(800);
    await store.close();

    store = await openStore({ path, logger: silentLogger });
    const second = await open(store);
    await runToEnd(second);
    expect(before + (await second.report()).candlesProcessed).toBe(800);
    const resumed = await second.report();
    const resumedOrders = await store.orders.listOrders();
    await store.close();

    const fresh = await openStore({ path: join(dir, 'fresh.db'), logger: silentLogger });
    const once = await open(fresh);
    await runToEnd(once);
    const uninterrupted = await once.report();
    const ids = (orders: readonly { clientOrderId: string }[]) =>
      orders.map((order) => order.clientOrderId).sort();
    expect(ids(resumedOrders)).toEqual(ids(await fresh.orders.listOrders()));
    expect(resumed.trades).toEqual(uninterrupted.trades);
    expect(resumed.account.equity).toBeCloseTo(uninterrupted.account.equity, 9);
    await fresh.close();
  });
});

describe('createTradingNode status', () => {
  it("shows the strategy's key, label, source and parameters from the settings", async () => {
    const store = await openStore({ path: ':memory:', logger: silentLogger });
    const provenance = {
      spec: 'strategies/my-idea.ts',
      kind: 'file',
      key: 'my_idea',
      path: '/bots/strategies/my-idea.ts',
      sha256: 'd'.repeat(64),
    } as const;
    const node = await createTradingNode(
      {
        logger: silentLogger,
        notifier: { notify: () => undefined },
        stores: store,
        strategy: () => createStrategy('ema_crossover', undefined, { interval: '1h' }),
        venue: { kind: 'paper' },
        marketData: {
          kind: 'replay',
          candles,
          feed: (resumeAfter) =>
            new ReplayFeed({ candles, symbols: settings.symbols, timeframe: '1h', resumeAfter }),
        },
      },
      {
        ...settings,
        strategy: 'my_idea',
        strategyLabel: 'my_idea (strategies/my-idea.ts)',
        strategyProvenance: provenance,
        strategyParams: { fastPeriod: 8 },
      },
    );
    const { key: _key, ...source } = provenance;
    expect((await node.control.status()).strategy).toEqual({
      id: 'my_idea',
      label: 'my_idea (strategies/my-idea.ts)',
      source,
      params: { fastPeriod: 8 },
    });
    await node.stop();
    await store.close();
  });

  it('shows the key alone when the settings name no more', async () => {
    const store = await openStore({ path: ':memory:', logger: silentLogger });
    const node = await open(store);
    expect((await node.control.status()).strategy).toEqual({
      id: 'ema_crossover',
      label: 'ema_crossover',
    });
    await node.stop();
    await store.close();
  });
});

describe('createTradingNode refuses contradictory wiring, before anything runs', () => {
  /** A live venue over a real LiveBroker whose exchange records every call. */
  function liveVenue(exchange: RecordingBroker): TradingNodePorts['venue'] {
    return {
      kind: 'live',
      broker: new LiveBroker({ exchange }),
      balance: { USDT: { free: 10_000, used: 0, total: 10_000 } },
    };
  }

  it('a live venue under paper settings: no order, no store write, the field named', async () => {
    const store = await openStore({ path: ':memory:', logger: silentLogger });
    const exchange = new RecordingBroker({ clock: systemClock, balances: { USDT: 10_000 } });
    const ports = { ...portsOf(store), venue: liveVenue(exchange) };
    await expect(createTradingNode(ports, settings)).rejects.toSatisfy(
      (error: unknown) =>
        ValidationError.isInstance(error) &&
        /settings\.mode is "paper" but the venue is live/.test(error.message),
    );
    expect(exchange.calls).toEqual([]);
    expect(await store.orders.listOrders()).toEqual([]);
    expect(await store.runtime.getTradingState()).toBeNull();
    await store.close();
  });

  it('live settings over a paper venue, and a live venue on replayed candles', async () => {
    const store = await openStore({ path: ':memory:', logger: silentLogger });
    const live = { ...settings, mode: 'live' as const };
    await expect(createTradingNode(portsOf(store), live)).rejects.toThrow(
      /settings\.mode is "live" but the venue is paper/,
    );
    const exchange = new RecordingBroker({ clock: systemClock, balances: { USDT: 10_000 } });
    const replayLive = { ...portsOf(store), venue: liveVenue(exchange) };
    await expect(createTradingNode(replayLive, live)).rejects.toThrow(
      /marketData\.kind is "replay" with a live venue/,
    );
    expect(exchange.calls).toEqual([]);
    await store.close();
  });
});

/** The ports of {@link open}, for tests that change one of them. */
function portsOf(store: LumenLinkStore): TradingNodePorts {
  return {
    logger: silentLogger,
    notifier: { notify: () => undefined },
    stores: store,
    strategy: () => createStrategy('ema_crossover', undefined, { interval: '1h' }),
    venue: { kind: 'paper' },
    marketData: {
      kind: 'replay',
      candles,
      feed: (resumeAfter) =>
        new ReplayFeed({ candles, symbols: settings.symbols, timeframe: '1h', resumeAfter }),
    },
  };
}
