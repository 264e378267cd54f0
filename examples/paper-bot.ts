/**
 * A paper bot composed from the LumenLink packages: a trading node over the bundled Binance 1h
 * candles, replayed one candle time per loop run, with a paper broker and an in-memory SQLite
 * store. Run it with `node examples/paper-bot.ts` (Node 24) after `pnpm build`.
 */
import { pathToFileURL } from 'node:url';
import { silentLogger, type Candle, type SymbolId } from '@lumenlink/core';
import { loadBundledCandles, openStore } from '@lumenlink/data';
import type { Trade } from '@lumenlink/engine';
import { ReplayFeed } from '@lumenlink/exchanges';
import { createTradingNode, type TradingNodeSettings } from '@lumenlink/runtime';
import { createStrategy } from '@lumenlink/strategies';

/** The bot's settings; the backtest of the test runs with the same ones. */
export const settings: TradingNodeSettings = {
  mode: 'paper',
  allowLiveTrading: false,
  symbols: ['BTC-USDT', 'ETH-USDT'],
  interval: '1h',
  strategy: 'ema_crossover',
  exchange: 'binance (replay)',
  killSwitch: false,
  trading: { atrPeriod: 14, trailingStopAtrMult: 2, signalCooldownMs: 0, priceBandPct: 20 },
  paper: { feeBps: 10, slippageBps: 5, startingCash: 10_000 },
  risk: { maxPositionUsd: 2_000, maxOpenPositions: 2 },
  loops: { dataPollingMs: 1, strategyPollMs: 1, reconcileMs: 60_000, sentimentMs: 60_000 },
};

/** The first `count` bundled candles of each symbol. */
export function bundledCandles(count: number): ReadonlyMap<SymbolId, readonly Candle[]> {
  return new Map(settings.symbols.map((s) => [s, loadBundledCandles(s, '1h').slice(0, count)]));
}

/** Replays `candles` through a paper trading node; resolves with its trades. */
export async function runPaperBot(
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
): Promise<readonly Trade[]> {
  const store = await openStore({ path: ':memory:', logger: silentLogger });
  const node = await createTradingNode(
    {
      logger: silentLogger,
      notifier: { notify: () => undefined },
      stores: store,
      strategy: () => createStrategy(settings.strategy, undefined, { interval: settings.interval }),
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
  node.start();
  await node.replay?.finished;
  await node.stop();
  await store.close();
  return node.sessionTrades();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const trades = await runPaperBot(bundledCandles(1_000));
  for (const trade of trades) {
    const at = new Date(trade.entryTime).toISOString();
    console.log(`${trade.symbol} ${at} ${trade.exitReason ?? 'open'} pnl ${trade.pnl.toFixed(2)}`);
  }
  console.log(`${trades.length} trades`);
}
