import type { Candle, SymbolId, TradingStateRecord } from '@lumenlink/core';
import { RecordingNotifier } from '@lumenlink/core/testing';
import { loadBundledCandles } from '@lumenlink/data';
import { createStrategy } from '@lumenlink/strategies';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemoryDecisionStore } from '../src/index.js';
import { memoryStores, runBacktest } from '../src/index.js';
import { buy, candlesFromCloses, hourMs, scriptedStrategy, sell, start } from './helpers.js';

const btc = loadBundledCandles('BTC-USDT', '1h').slice(0, 2_000);
const eth = loadBundledCandles('ETH-USDT', '1h').slice(0, 2_000);

function twoSymbols(): Map<SymbolId, Candle[]> {
  return new Map([
    ['BTC-USDT', btc],
    ['ETH-USDT', eth],
  ]);
}

describe('runBacktest', () => {
  it('fills a market order at the next open with slippage, and charges the fee on both sides', async () => {
    const candles = candlesFromCloses([100, 100, 100, 110, 120, 120]);
    const result = await runBacktest({
      candles: new Map([['BTC-USD', candles]]),
      interval: '1h',
      strategy: () =>
        scriptedStrategy(
          new Map([
            [1, buy()],
            [3, sell()],
          ]),
        ),
      startingCash: 10_000,
      feeBps: 10,
      slippageBps: 50,
      trailingStopAtrMultiple: 0,
      risk: { maxPositionUsd: 1_000 },
    });
    expect(result.trades).toHaveLength(1);
    const [trade] = result.trades;
    // Bought on candle 1's close, filled at candle 2's open (100) + 0.5 %; sold on candle 3's
    // close, filled at candle 4's open (110) - 0.5 %.
    const entryPrice = 100 * 1.005;
    const exitPrice = 110 * 0.995;
    const quantity = trade!.quantity;
    expect(trade!.entryPrice).toBeCloseTo(entryPrice, 9);
    expect(trade!.exitPrice).toBeCloseTo(exitPrice, 9);
    expect(trade).toMatchObject({
      entrySignalTime: start + hourMs,
      entryTime: start + 2 * hourMs,
      exitSignalTime: start + 3 * hourMs,
      exitTime: start + 4 * hourMs,
      exitReason: 'signal',
    });
    const fees = quantity * (entryPrice + exitPrice) * 0.001;
    expect(trade!.fees).toBeCloseTo(fees, 9);
    expect(trade!.pnl).toBeCloseTo(quantity * (exitPrice - entryPrice) - fees, 9);
    expect(result.finalEquity).toBeCloseTo(10_000 + trade!.pnl, 6);
    expect(result.equity).toHaveLength(candles.length);
  });

  it('keeps the equity curve as columns: the points, and cash plus the position at each close', async () => {
    const candles = btc.slice(0, 600);
    const result = await runBacktest({
      candles: new Map([['BTC-USDT', candles]]),
      interval: '1h',
      strategy: () => createStrategy('ema_crossover'),
      startingCash: 10_000,
    });
    const curve = result.equityCurve;
    expect(curve.length).toBe(candles.length);
    expect(result.equity).toEqual(
      Array.from(curve.time, (time, i) => ({ time, equity: curve.equity[i], cash: curve.cash[i] })),
    );
    expect(result.fills.length).toBeGreaterThan(4);
    // A fill belongs to the candle it happened on: a market order's to the candle it opened,
    // a stop's (filled when placed, at the close of the candle that hit it) to that candle.
    const types = new Map(result.orders.map((order) => [order.clientOrderId, order.type]));
    const candleOf = (fill: (typeof result.fills)[number]) =>
      types.get(fill.clientOrderId) === 'stop_market' ? fill.time - hourMs : fill.time;
    let held = 0;
    let cursor = 0;
    candles.forEach((candle, i) => {
      for (
        ;
        cursor < result.fills.length && candleOf(result.fills[cursor]!) <= candle.time;
        cursor++
      ) {
        const fill = result.fills[cursor]!;
        held += fill.side === 'buy' ? fill.quantity : -fill.quantity;
      }
      expect(curve.time[i]).toBe(candle.time + hourMs);
      expect(curve.equity[i]).toBeCloseTo(curve.cash[i]! + held * candle.close, 6);
    });
    expect(curve.equity[curve.length - 1]).toBe(result.finalEquity);
  });

  it('fast client ids: the same run, only the ids differ (and are still unique)', async () => {
    const run = (clientOrderIdHash: 'sha256' | 'fast') =>
      runBacktest({
        candles: twoSymbols(),
        interval: '1h',
        strategy: () => createStrategy('rsi_mean_reversion'),
        startingCash: 10_000,
        clientOrderIdHash,
      });
    const [sha, fast] = [await run('sha256'), await run('fast')];
    // Orders of one time are listed by client id (as SQLite): compare them as sets.
    const withoutIds = <T extends { clientOrderId: string }>(list: readonly T[]) =>
      list.map(({ clientOrderId: _id, ...rest }) => JSON.stringify(rest)).sort();
    expect(fast.trades).toEqual(sha.trades);
    expect(fast.equityCurve).toEqual(sha.equityCurve);
    expect(withoutIds(fast.fills)).toEqual(withoutIds(sha.fills));
    expect(withoutIds(fast.orders)).toEqual(withoutIds(sha.orders));
    const ids = new Set(fast.orders.map((order) => order.clientOrderId));
    expect(ids.size).toBe(fast.orders.length);
    const shaIds = new Set(sha.orders.map((order) => order.clientOrderId));
    expect([...ids].some((id) => shaIds.has(id))).toBe(false);
  });

  it('records decisions and persists the portfolio and trailing stops to stores it is given, as the bot does', async () => {
    const stores = memoryStores();
    const options = {
      candles: new Map([['BTC-USDT' as const, btc.slice(0, 350)]]),
      interval: '1h' as const,
      strategy: () => createStrategy('ema_crossover'),
      startingCash: 10_000,
      closeAtEnd: false,
    };
    const given = await runBacktest({ ...options, stores });
    const own = await runBacktest(options);
    // Same run either way; only where its state went differs.
    expect(JSON.stringify(given.trades)).toBe(JSON.stringify(own.trades));
    expect(given.equityCurve).toEqual(own.equityCurve);
    expect(given.blocked).toEqual(own.blocked);
    const decisions = (stores.decisions as MemoryDecisionStore).all();
    // One submitted decision per order, naming it.
    expect(
      decisions.filter((decision) => decision.outcome === 'submitted').map((d) => d.clientOrderId),
    ).toEqual(given.orders.map((order) => order.clientOrderId));
    const snapshots = await stores.portfolio.equitySnapshots(0, Number.MAX_SAFE_INTEGER);
    expect(snapshots.length).toBeGreaterThanOrEqual(given.fills.length);
    expect(snapshots.at(-1)?.cash).toBeCloseTo(given.equityCurve.cash.at(-1)!, 9);
    const open = given.trades.filter((trade) => trade.exitTime === null);
    expect(open).toHaveLength(1);
    expect(await stores.portfolio.listPositions()).toHaveLength(open.length);
    expect(await stores.runtime.listTrailingStops()).toHaveLength(open.length);
  });

  it('validates every candle once, before the first is traded', async () => {
    const candles = candlesFromCloses([100, 100, 100, 100]);
    candles[2] = { ...candles[2]!, low: 101 };
    let seen = 0;
    const strategy = createStrategy('ema_crossover');
    await expect(
      runBacktest({
        candles: new Map([['BTC-USD', candles]]),
        interval: '1h',
        strategy: () => ({
          ...strategy,
          onCandle: (candle, context) => {
            seen += 1;
            return strategy.onCandle(candle, context);
          },
        }),
        startingCash: 10_000,
      }),
    ).rejects.toThrow(/BTC-USD candle at \d+: low 101 is above high 100/);
    expect(seen).toBe(0);
  });

  it('is deterministic: two runs over two symbols give identical results', async () => {
    const run = () =>
      runBacktest({
        candles: twoSymbols(),
        interval: '1h',
        strategy: () => createStrategy('rsi_mean_reversion'),
        startingCash: 10_000,
      });
    const [first, second] = [await run(), await run()];
    expect(first.trades.length).toBeGreaterThan(5);
    expect(new Set(first.trades.map((trade) => trade.symbol))).toEqual(
      new Set(['BTC-USDT', 'ETH-USDT']),
    );
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('never looks ahead: changing every candle after t changes no decision at or before t', async () => {
    const decisionsOf = async (candles: Map<SymbolId, Candle[]>) => {
      const stores = memoryStores();
      await runBacktest({
        candles,
        interval: '1h',
        strategy: () => createStrategy('ema_crossover'),
        startingCash: 10_000,
        stores,
      });
      return (stores.decisions as MemoryDecisionStore).all();
    };
    const original = await decisionsOf(twoSymbols());
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 200, max: 1_900 }),
        fc.double({ min: 0.5, max: 1.5, noNaN: true }),
        async (cut, factor) => {
          const t = btc[cut]!.time;
          const change = (list: Candle[]) =>
            list.map((candle) =>
              candle.time <= t
                ? candle
                : {
                    ...candle,
                    open: candle.open * factor,
                    high: candle.high * factor * 1.01,
                    low: candle.low * factor * 0.99,
                    close: candle.close * factor,
                  },
            );
          const changed = await decisionsOf(
            new Map([
              ['BTC-USDT', change(btc)],
              ['ETH-USDT', change(eth)],
            ]),
          );
          const upTo = (list: typeof original) => list.filter((d) => d.candleTime <= t);
          expect(upTo(changed)).toEqual(upTo(original));
        },
      ),
      { numRuns: 4, seed: 7 },
    );
  });

  it('halted: no order of any kind, every signal blocked by the trading state', async () => {
    const stores = memoryStores();
    const halted: TradingStateRecord = {
      state: 'halted',
      reason: 'operator',
      changedBy: 'test',
      changedAt: start,
      until: null,
    };
    await stores.runtime.setTradingState(halted);
    const result = await runBacktest({
      candles: new Map([['BTC-USDT', btc]]),
      interval: '1h',
      strategy: () => createStrategy('ema_crossover'),
      startingCash: 10_000,
      stores,
    });
    expect(result.orders).toEqual([]);
    expect(Object.keys(result.blocked)).toEqual(['trading_state']);
    expect(result.blocked.trading_state).toBeGreaterThan(10);
  });

  it('reducing until a time: no entry before it, entries after it once the pause ended', async () => {
    const stores = memoryStores();
    const until = btc[1_000]!.time;
    await stores.runtime.setTradingState({
      state: 'reducing',
      reason: 'test pause',
      changedBy: 'test',
      changedAt: start,
      until,
    });
    const result = await runBacktest({
      candles: new Map([['BTC-USDT', btc]]),
      interval: '1h',
      strategy: () => createStrategy('ema_crossover'),
      startingCash: 10_000,
      stores,
    });
    const entries = result.orders.filter((order) => order.role === 'entry');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((order) => order.candleTime >= until - hourMs)).toBe(true);
    expect(result.blocked.trading_state).toBeGreaterThan(0);
    expect((await stores.runtime.getTradingState())?.state).toBe('active');
  });

  it('daily loss protection: a loss beyond the limit stops entries until midnight UTC', async () => {
    // Buy at 100, the price falls to 80 by candle 6; buy signals every few candles after.
    const closes = [100, 100, 100, 95, 90, 85, 80, 80, 81, 82, 83, 84, 85, 86, 87, 88];
    const script = new Map([
      [1, buy()],
      [7, sell()],
      [9, buy()],
      [12, buy()],
    ]);
    const stores = memoryStores();
    const result = await runBacktest({
      candles: new Map([['BTC-USD', candlesFromCloses(closes)]]),
      interval: '1h',
      strategy: () => scriptedStrategy(script),
      startingCash: 10_000,
      trailingStopAtrMultiple: 0,
      risk: { maxPositionUsd: 2_000, maxDailyLossUsd: 100 },
      stores,
    });
    const state = await stores.runtime.getTradingState();
    expect(state).toMatchObject({ state: 'reducing', changedBy: 'protection:daily_loss' });
    expect(state?.until).toBe(Date.UTC(2024, 0, 2));
    expect(result.orders.filter((order) => order.role === 'entry')).toHaveLength(1);
    expect(result.orders.filter((order) => order.role === 'exit')).toHaveLength(1);
    expect(result.blocked.trading_state).toBe(2);
  });

  it('drawdown protection and the stop-loss guard switch trading to reducing', async () => {
    const falling = Array.from({ length: 40 }, (_, i) => 100 - i * 1.5);
    const drawdown = memoryStores();
    await runBacktest({
      candles: new Map([['BTC-USD', candlesFromCloses(falling)]]),
      interval: '1h',
      strategy: () => scriptedStrategy(new Map([[1, buy()]])),
      startingCash: 1_000,
      trailingStopAtrMultiple: 0,
      risk: { maxPositionUsd: 1_000, maxDrawdownPct: 10, maxDailyLossUsd: 10_000 },
      stores: drawdown,
    });
    expect(await drawdown.runtime.getTradingState()).toMatchObject({
      state: 'reducing',
      changedBy: 'protection:max_drawdown',
    });

    // Three entries, each stopped out by its stop-loss.
    const sawtooth = [100, 100, 100, 90, 100, 100, 90, 100, 100, 90, 100, 100, 100, 100];
    const guard = memoryStores();
    const result = await runBacktest({
      candles: new Map([['BTC-USD', candlesFromCloses(sawtooth)]]),
      interval: '1h',
      strategy: () =>
        scriptedStrategy(
          new Map([
            [1, buy()],
            [4, buy()],
            [7, buy()],
            [11, buy()],
          ]),
        ),
      startingCash: 10_000,
      trailingStopAtrMultiple: 0,
      stopLossPct: 5,
      risk: {
        maxPositionUsd: 1_000,
        stoplossGuardCount: 3,
        maxDailyLossUsd: 10_000,
        protectionPauseMinutes: 600,
      },
      stores: guard,
    });
    expect(result.trades.filter((trade) => trade.exitReason === 'stop')).toHaveLength(3);
    expect(await guard.runtime.getTradingState()).toMatchObject({
      state: 'reducing',
      changedBy: 'protection:stoploss_guard',
    });
    expect(result.blocked.trading_state).toBe(1);
  });

  it('a stop that the candle gapped through fills at the open', async () => {
    const candles = candlesFromCloses([100, 100, 100, 100, 100]);
    // Candle 3 opens at 80, far below the 5 % stop at about 95.
    candles[3] = { ...candles[3]!, open: 80, high: 82, low: 79, close: 81 };
    const result = await runBacktest({
      candles: new Map([['BTC-USD', candles]]),
      interval: '1h',
      strategy: () => scriptedStrategy(new Map([[1, buy()]])),
      startingCash: 10_000,
      slippageBps: 0,
      trailingStopAtrMultiple: 0,
      stopLossPct: 5,
      risk: { maxPositionUsd: 1_000 },
    });
    expect(result.trades[0]).toMatchObject({
      exitReason: 'stop',
      exitPrice: 80,
      exitSignalTime: start + 3 * hourMs,
      exitTime: start + 3 * hourMs,
    });
  });

  it('alerts every fill: the opening buy, an add-on, a partial sell and the closing sell', async () => {
    const notifier = new RecordingNotifier();
    const result = await runBacktest({
      candles: new Map([['BTC-USD', candlesFromCloses([100, 100, 100, 100, 110, 110, 120, 120])]]),
      interval: '1h',
      strategy: () =>
        scriptedStrategy(
          new Map([
            [1, buy('first half', { portion: 0.4 })],
            [2, buy('second half', { portion: 0.4 })],
            [4, { ...sell('take half off'), portion: 0.5 }],
            [6, sell('the rest')],
          ]),
        ),
      startingCash: 10_000,
      slippageBps: 0,
      feeBps: 0,
      trailingStopAtrMultiple: 0,
      risk: { maxPositionUsd: 1_000 },
      notifier,
    });
    expect(result.fills).toHaveLength(4);
    expect(notifier.events.map((event) => event.type)).toEqual([
      'trade_opened',
      'trade_resized',
      'trade_resized',
      'trade_closed',
    ]);
    const [added, sold] = notifier.ofType('trade_resized');
    expect(added).toMatchObject({ side: 'buy', quantity: 4, price: 100, held: 8, pnl: 0 });
    expect(added!.reason).toBe('second half');
    expect(sold).toMatchObject({ side: 'sell', quantity: 4, price: 110, held: 4 });
    expect(sold!.pnl).toBeCloseTo(40, 9);
    expect(sold!.reason).toBe('take half off');
    expect(notifier.ofType('trade_closed')[0]).toMatchObject({ quantity: 4, exitPrice: 120 });
  });

  it('close fill mode: the order fills at the close of the candle that decided it', async () => {
    const candles = candlesFromCloses([100, 100, 104, 108, 112]);
    const result = await runBacktest({
      candles: new Map([['BTC-USD', candles]]),
      interval: '1h',
      strategy: () =>
        scriptedStrategy(
          new Map([
            [2, buy()],
            [3, sell()],
          ]),
        ),
      startingCash: 10_000,
      slippageBps: 0,
      fillMode: 'close',
      trailingStopAtrMultiple: 0,
      risk: { maxPositionUsd: 1_000 },
    });
    expect(result.trades[0]).toMatchObject({
      entrySignalTime: start + 2 * hourMs,
      entryTime: start + 2 * hourMs,
      entryPrice: 104,
      exitTime: start + 3 * hourMs,
    });
    expect(result.trades[0]!.exitPrice).toBeCloseTo(108, 9);
  });
});
