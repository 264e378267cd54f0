/**
 * Shared pieces of the bot's tests: temporary databases seeded with the bundled candles, replay
 * and live configs, the backtest those candles give, HTTP probes and patient waiting.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fill, type Order, type SymbolId } from '@lumenlink/core';
import { loadConfig, type Config } from '@lumenlink/config';
import { loadBundledCandles, openStore } from '@lumenlink/data';
import { runBacktest, type BacktestResult } from '@lumenlink/engine';
import { riskConfigFromConfig } from '@lumenlink/risk';
import { createStrategy } from '@lumenlink/strategies';

export const bundledSymbols: readonly SymbolId[] = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];

/** A fresh directory under the OS temp dir. */
export function tempDir(prefix = 'lumenlink-bot-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Stores the first `count` bundled 1h candles of each bundled symbol in a new database. */
export async function seedDatabase(path: string, count: number): Promise<void> {
  const store = await openStore({ path });
  try {
    for (const symbol of bundledSymbols) {
      await store.candles.saveCandles(symbol, '1h', loadBundledCandles(symbol).slice(0, count));
    }
  } finally {
    await store.close();
  }
}

/** The env of a paper replay of the candles stored in `dbPath`. */
export function replayEnv(
  dbPath: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    MODE: 'paper',
    DATA_SOURCE: 'replay',
    EXCHANGE: 'binance',
    SYMBOLS: bundledSymbols.join(','),
    INTERVAL: '1h',
    STRATEGY: 'composite',
    DB_PATH: dbPath,
    HTTP_PORT: '0',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/** A validated replay config over `dbPath`. */
export function replayConfig(dbPath: string, extra: Record<string, string> = {}): Config {
  return loadConfig(replayEnv(dbPath, extra));
}

/** What a live bot needs to reach an exchange emulator: its URL and the API keys it accepts. */
export interface LiveExchange {
  readonly url: string;
  readonly apiKey: string;
  readonly secret: string;
}

/** The env of a live bot trading BTC-USDT on `exchange`, its state in `dbPath`. */
export function liveEnv(
  exchange: LiveExchange,
  dbPath: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    MODE: 'live',
    ALLOW_LIVE_TRADING: 'true',
    EXCHANGE_API_KEY: exchange.apiKey,
    EXCHANGE_API_SECRET: exchange.secret,
    EXCHANGE: 'binance',
    EXCHANGE_API_URL: exchange.url,
    SYMBOLS: 'BTC-USDT',
    DB_PATH: dbPath,
    HTTP_PORT: '0',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/** The backtest of the candles stored in `dbPath` with the bot's settings from `config`. */
export async function backtestOf(config: Config, dbPath: string): Promise<BacktestResult> {
  const store = await openStore({ path: dbPath });
  try {
    const candles = new Map<SymbolId, Awaited<ReturnType<typeof store.candles.getCandles>>>();
    for (const symbol of config.symbols) {
      const last = await store.runtime.getLastProcessedCandle(symbol, config.interval);
      candles.set(
        symbol,
        await store.candles.getCandles(symbol, config.interval, 0, last ?? Number.MAX_SAFE_INTEGER),
      );
    }
    return await runBacktest({
      candles,
      interval: config.interval,
      strategy: () => createStrategy(config.strategy, undefined, { interval: config.interval }),
      startingCash: config.paper.startingCash,
      feeBps: config.paper.feeBps,
      slippageBps: config.paper.slippageBps,
      risk: riskConfigFromConfig(config),
      atrPeriod: config.trading.atrPeriod,
      trailingStopAtrMultiple: config.trading.trailingStopAtrMult,
      cooldownMs: config.trading.signalCooldownMs,
    });
  } finally {
    await store.close();
  }
}

/** The orders and fills stored in `dbPath`. */
export async function storedTrading(
  dbPath: string,
): Promise<{ orders: Order[]; fills: Fill[]; lastProcessed: (number | null)[] }> {
  const store = await openStore({ path: dbPath });
  try {
    return {
      orders: await store.orders.listOrders(),
      fills: await store.orders.listFills(),
      lastProcessed: await Promise.all(
        bundledSymbols.map((symbol) => store.runtime.getLastProcessedCandle(symbol, '1h')),
      ),
    };
  } finally {
    await store.close();
  }
}

/** A fill as a comparable line: order, quantity, price and time. */
export function fillKey(fill: Fill): string {
  return `${fill.clientOrderId} ${fill.side} ${fill.quantity.toPrecision(12)} @ ${fill.price.toPrecision(12)} t=${fill.time}`;
}

/** GET or POST `url`, with the JSON body parsed. */
export async function request(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = null;
  }
  return { status: response.status, body, text };
}

/** Polls `check` until it returns a value other than `undefined`, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
