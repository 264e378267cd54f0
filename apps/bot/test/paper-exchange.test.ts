/**
 * `pnpm paper`: live market data (the Binance emulator through ccxt's real client) with paper
 * fills. The bot restores a position from the store, collects candles, and its tick check exits
 * at the trailing stop when the price falls between candles.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Candle, type SymbolId } from '@lumenlink/core';
import { loadConfig } from '@lumenlink/config';
import { loadBundledCandles, openStore } from '@lumenlink/data';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { clientOrderId } from '@lumenlink/execution';
import { startBot, type Bot } from '../src/bot.js';
import { bundledSymbols, request, storedTrading, tempDir, waitFor } from './helpers.js';

const hourMs = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The last `count` bundled candles of `symbol`, moved in time so the newest closed an hour ago at most. */
function recentCandles(symbol: SymbolId, count: number): Candle[] {
  const bundled = loadBundledCandles(symbol).slice(-count);
  const lastOpen = Math.floor(Date.now() / hourMs) * hourMs - hourMs;
  const shift = lastOpen - (bundled.at(-1)?.time ?? 0);
  return bundled.map((candle) => ({ ...candle, time: candle.time + shift }));
}

describe('paper trading with live market data', () => {
  it('restores a stored position and exits it at the trailing stop on a tick between candles', async () => {
    const candles = new Map(bundledSymbols.map((symbol) => [symbol, recentCandles(symbol, 400)]));
    const emulator: ExchangeEmulator = await startExchangeEmulator({
      candles: Object.fromEntries(
        [...candles].map(([symbol, list]) => [symbol.replace('-', '/'), list]),
      ),
    });
    cleanups.push(() => emulator.close());

    // A position a previous run opened: its entry order and fill, and its trailing stop.
    const dbPath = join(tempDir(), 'paper.db');
    const btc = candles.get('BTC-USDT') ?? [];
    const entryCandle = btc.at(-3);
    const lastCandle = btc.at(-1);
    if (entryCandle === undefined || lastCandle === undefined) throw new Error('no candles');
    const price = lastCandle.close;
    const quantity = 0.01;
    const id = clientOrderId({
      strategy: 'composite',
      symbol: 'BTC-USDT',
      candleTime: entryCandle.time,
      action: 'buy',
      role: 'entry',
      attempt: 0,
    });
    const store = await openStore({ path: dbPath });
    await store.orders.insertOrder({
      clientOrderId: id,
      exchangeOrderId: 'paper-order-1',
      exchange: 'paper',
      strategy: 'composite',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      role: 'entry',
      quantity,
      limitPrice: null,
      stopPrice: null,
      status: 'filled',
      filledQuantity: quantity,
      avgFillPrice: price,
      fee: quantity * price * 0.001,
      feeCurrency: 'USDT',
      reason: 'an earlier run',
      candleTime: entryCandle.time,
      attempt: 0,
      createdAt: entryCandle.time + hourMs,
      updatedAt: entryCandle.time + hourMs,
    });
    await store.orders.saveFill({
      tradeId: 'paper-1',
      clientOrderId: id,
      exchangeOrderId: 'paper-order-1',
      symbol: 'BTC-USDT',
      side: 'buy',
      quantity,
      price,
      fee: quantity * price * 0.001,
      feeCurrency: 'USDT',
      time: entryCandle.time + hourMs,
    });
    await store.runtime.saveTrailingStop({
      symbol: 'BTC-USDT',
      stopPrice: price * 0.97,
      highWater: price,
      atrMultiple: 2,
      updatedAt: entryCandle.time + hourMs,
    });
    for (const symbol of bundledSymbols) {
      const last = candles.get(symbol)?.at(-1)?.time ?? 0;
      await store.runtime.setLastProcessedCandle(symbol, '1h', last);
    }
    await store.close();

    const config = loadConfig({
      MODE: 'paper',
      DATA_SOURCE: 'exchange',
      EXCHANGE: 'binance',
      EXCHANGE_API_URL: emulator.url,
      SYMBOLS: bundledSymbols.join(','),
      STRATEGY: 'composite',
      DB_PATH: dbPath,
      HTTP_PORT: '0',
      DATA_POLLING_MS: '200',
      POLL_INTERVAL_MS: '200',
    });
    const bot: Bot = await startBot(config, { logger: silentLogger, sentiment: false });
    cleanups.push(() => bot.stop());
    expect(bot.replay).toBeNull();
    expect((await bot.control.positions()).map((position) => position.symbol)).toEqual([
      'BTC-USDT',
    ]);

    // The market-data loop stores the exchange's closed candles; the loops run healthy.
    await waitFor('candles collected and the strategy loop running', async () => {
      const health = await request(`${bot.url}/ready`);
      return health.status === 200 ? true : undefined;
    });
    // The price falls through the stop between candles: the tick check exits.
    emulator.setPrice('BTC/USDT', price * 0.95);
    await waitFor('the trailing stop exit', async () =>
      (await bot.control.positions()).length === 0 ? true : undefined,
    );
    await bot.stop();
    const { orders, fills } = await storedTrading(dbPath);
    const exit = orders.find((order) => order.role === 'trailing_stop');
    expect(exit).toMatchObject({ symbol: 'BTC-USDT', side: 'sell', status: 'filled' });
    // Sent between candles, after the last one closed: the tick check, not a candle, caught it.
    expect(exit?.candleTime).toBeGreaterThanOrEqual(lastCandle.time + hourMs);
    const after = await openStore({ path: dbPath });
    const collected = await after.candles.getCandles('BTC-USDT', '1h', 0, lastCandle.time);
    await after.close();
    expect(collected.length).toBeGreaterThanOrEqual(300);
    expect(collected.at(-1)?.close).toBe(lastCandle.close);
    const exitFill = fills.find((fill) => fill.clientOrderId === exit?.clientOrderId);
    expect(exitFill?.price).toBeLessThan(price * 0.97);
    expect(exitFill?.price).toBeGreaterThan(price * 0.9);
  });

  it('on a first start warms up on the collected candles and trades from the newest closed one', async () => {
    const candles = new Map(bundledSymbols.map((symbol) => [symbol, recentCandles(symbol, 400)]));
    const emulator = await startExchangeEmulator({
      candles: Object.fromEntries(
        [...candles].map(([symbol, list]) => [symbol.replace('-', '/'), list]),
      ),
    });
    cleanups.push(() => emulator.close());
    const config = loadConfig({
      MODE: 'paper',
      EXCHANGE: 'binance',
      EXCHANGE_API_URL: emulator.url,
      SYMBOLS: bundledSymbols.join(','),
      STRATEGY: 'composite',
      DB_PATH: join(tempDir(), 'paper.db'),
      HTTP_PORT: '0',
      DATA_POLLING_MS: '200',
      POLL_INTERVAL_MS: '200',
    });
    const bot = await startBot(config, { logger: silentLogger, sentiment: false });
    cleanups.push(() => bot.stop());
    const last = candles.get('BTC-USDT')?.at(-1)?.time;
    // Each symbol's newest closed candle went through the cycle (a hold included).
    await waitFor('every symbol processed up to the newest closed candle', async () => {
      for (const symbol of bundledSymbols) {
        const [latest] = await bot.control.why(symbol);
        if (latest?.candleTime !== last) return undefined;
      }
      return true;
    });
    const status = await bot.control.status();
    expect(status).toMatchObject({ mode: 'paper', exchange: 'binance', lastCandleAt: last });
    expect(bot.scheduler.loopHealth('sentiment').enabled).toBe(false);
    expect(bot.scheduler.loopHealth('reconcile').enabled).toBe(false);
  });
});
