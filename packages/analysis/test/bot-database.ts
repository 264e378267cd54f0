/**
 * Test fixtures of the parity report: a bot's SQLite database (real SQLite through
 * `@lumenlink/data`), built by trading the bundled candles through the engine's trade cycle.
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Candle, type Order, type SymbolId } from '@lumenlink/core';
import { loadConfig } from '@lumenlink/config';
import { loadBundledCandles, openStore, type LumenLinkStore } from '@lumenlink/data';
import { runBacktest, type BacktestResult } from '@lumenlink/engine';
import { riskConfigFromConfig } from '@lumenlink/risk';
import { createStrategy } from '@lumenlink/strategies';
import { runParity, type ParityReport } from '../src/parity/index.js';

export const hourMs = 3_600_000;
export const symbols: readonly SymbolId[] = ['BTC-USDT', 'ETH-USDT'];
export const candleCount = 600;

/** The bot's config: every model key away from its default, so a key the report drops shows. */
const botEnv = {
  SYMBOLS: 'BTC-USDT,ETH-USDT',
  INTERVAL: '1h',
  STRATEGY: 'ema_crossover',
  PAPER_STARTING_CASH: '5000',
  PAPER_FEE_BPS: '12',
  PAPER_SLIPPAGE_BPS: '7',
  TRAILING_STOP_ATR_MULT: '2.5',
  ATR_PERIOD: '10',
  STOP_LOSS_PCT: '1.5',
  RISK_MAX_POSITION_USD: '400',
} as const;

/** The first `candleCount` bundled 1h candles of each symbol. */
export function bundled(): Map<SymbolId, Candle[]> {
  return new Map(
    symbols.map((symbol) => [symbol, loadBundledCandles(symbol, '1h').slice(0, candleCount)]),
  );
}

export function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'lumenlink-parity-')), name);
}

/**
 * What the bot leaves behind after trading the stored candles in replay paper mode: the candles,
 * its orders, fills and decisions in SQLite (the same trade cycle over the same stores), and the
 * last processed candle per symbol. Options spelled out from `botEnv`, not derived by the code
 * under test. With `start` (a candle index), the bot started trading there, as it does on live
 * data: warmed up on the 22 candles before (ema_crossover's warm-up; more than ATR_PERIOD + 1).
 */
export async function botDatabase(path: string, start?: number): Promise<BacktestResult> {
  const store = await openStore({ path });
  try {
    const candles = bundled();
    for (const [symbol, list] of candles) await store.candles.saveCandles(symbol, '1h', list);
    const from = start === undefined ? undefined : candles.get('BTC-USDT')![start]!.time;
    const seen =
      start === undefined
        ? candles
        : new Map([...candles].map(([symbol, list]) => [symbol, list.slice(start - 22)]));
    const result = await runBacktest({
      candles: seen,
      interval: '1h',
      strategy: () => createStrategy('ema_crossover', undefined, { interval: '1h' }),
      startingCash: 5000,
      feeBps: 12,
      slippageBps: 7,
      risk: riskConfigFromConfig(loadConfig(botEnv)),
      atrPeriod: 10,
      trailingStopAtrMultiple: 2.5,
      stopLossPct: 1.5,
      cooldownMs: 300_000,
      ...(from === undefined ? {} : { from }),
      stores: store,
    });
    for (const [symbol, list] of candles) {
      await store.runtime.setLastProcessedCandle(symbol, '1h', list.at(-1)!.time);
    }
    return result;
  } finally {
    await store.close();
  }
}

/** A copy of the bot's database at `path` to alter. */
export function copy(path: string): string {
  const target = tempPath('copy.db');
  copyFileSync(path, target);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${target}-wal`);
  return target;
}

/** Opens the database at `path`, changes it, closes it. */
export async function alter(
  path: string,
  change: (store: LumenLinkStore) => Promise<void>,
): Promise<void> {
  const store = await openStore({ path });
  try {
    await change(store);
  } finally {
    await store.close();
  }
}

/** Deletes an order and its fills. */
export async function removeOrder(store: LumenLinkStore, order: Order): Promise<void> {
  await store.db.deleteFrom('fills').where('client_order_id', '=', order.clientOrderId).execute();
  await store.db.deleteFrom('orders').where('client_order_id', '=', order.clientOrderId).execute();
}

/** The parity report of the database at `path` under `botEnv` changed by `env`. */
export async function parity(
  path: string,
  env: Record<string, string> = {},
  period: { from?: number; to?: number } = {},
): Promise<ParityReport> {
  const config = loadConfig({ ...botEnv, ...env });
  const store = await openStore({ path });
  try {
    return await runParity({
      store,
      db: path,
      config,
      strategy: () => createStrategy(config.strategy, undefined, { interval: config.interval }),
      ...period,
    });
  } finally {
    await store.close();
  }
}
