/**
 * When the bot's books and the exchange disagree, the bot starts anyway, pauses the symbol
 * (entries blocked, exits allowed) and says why; an operator resumes it over HTTP, and what the
 * exchange no longer holds is written off, so the bot trades on what is really there.
 *
 * The live bot (`startBot`, MODE=live) against the Binance emulator through ccxt's real class, on
 * an account that holds BTC of its own. `smart_dca` on 1d candles buys on its first candle.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Candle } from '@lumenlink/core';
import { loadConfig, type Config } from '@lumenlink/config';
import { loadBundledCandles, openStore } from '@lumenlink/data';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { startBot, type Bot } from '../src/bot.js';
import { liveEnv, request, tempDir, waitFor } from './helpers.js';

const dayMs = 86_400_000;
const apiKey = 'holdings-api-key-0123456789';
const apiSecret = 'holdings-api-secret-0123456789';
const token = 'holdings-http-token-0123456789';
const ownBtc = 0.02;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** 60 daily candles of bundled BTC prices, the newest one closed yesterday (UTC). */
function dailyCandles(): Candle[] {
  const newest = Math.floor(Date.now() / dayMs) * dayMs - dayMs;
  return loadBundledCandles('BTC-USDT')
    .slice(-60)
    .map((candle, index, all) => ({ ...candle, time: newest - (all.length - 1 - index) * dayMs }));
}

async function emulatorWithOwnCoins(): Promise<ExchangeEmulator> {
  const emulator = await startExchangeEmulator({
    candles: { 'BTC/USDT': dailyCandles() },
    balances: { USDT: 10_000, BTC: ownBtc },
    apiKey,
    secret: apiSecret,
  });
  cleanups.push(() => emulator.close());
  return emulator;
}

function liveConfig(emulator: ExchangeEmulator, dbPath: string): Config {
  return loadConfig(
    liveEnv({ url: emulator.url, apiKey, secret: apiSecret }, dbPath, {
      INTERVAL: '1d',
      STRATEGY: 'smart_dca',
      HTTP_TOKEN: token,
      DATA_POLLING_MS: '200',
      POLL_INTERVAL_MS: '200',
      RECONCILE_INTERVAL_MS: '300',
    }),
  );
}

async function started(config: Config): Promise<Bot> {
  const bot = await startBot(config, { logger: silentLogger, sentiment: false });
  cleanups.push(() => bot.stop());
  return bot;
}

async function pausedSymbols(bot: Bot): Promise<readonly { symbol: string; reason: string }[]> {
  return (await bot.control.status()).pausedSymbols ?? [];
}

/** Waits for smart_dca's first buy to fill; the quantity the bot then holds. */
function firstBuy(bot: Bot): Promise<number> {
  return waitFor('the first buy to fill', async () => {
    const [position] = await bot.control.positions();
    return position === undefined ? undefined : position.quantity;
  });
}

/** A first run on an account with BTC of its own: the bot buys once and stops. */
async function afterFirstBuy(): Promise<{
  emulator: ExchangeEmulator;
  dbPath: string;
  config: Config;
  held: number;
}> {
  const emulator = await emulatorWithOwnCoins();
  const dbPath = join(tempDir('lumenlink-holdings-'), 'bot.db');
  const config = liveConfig(emulator, dbPath);
  const first = await started(config);
  const held = await firstBuy(first);
  await first.stop();
  return { emulator, dbPath, config, held };
}

function btcOnExchange(emulator: ExchangeEmulator): number {
  const btc = emulator.balances()['BTC'];
  return (btc?.free ?? 0) + (btc?.locked ?? 0);
}

describe('the exchange holds less than the bot', () => {
  it('after a manual sale: paused at the restart, resumed by an operator, the rest written off', async () => {
    const { emulator, config, held } = await afterFirstBuy();

    // The user sells their own BTC and half of the bot's on the exchange.
    const sold = Number((ownBtc + held / 2).toFixed(5));
    emulator.placeOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'market',
      quantity: sold,
      clientOrderId: 'web_manual_sale',
    });
    const onExchange = btcOnExchange(emulator);
    expect(onExchange).toBeLessThan(held);

    // The restart: trading goes on, BTC-USDT is paused and says why.
    const second = await started(config);
    const [pause] = await waitFor('BTC-USDT paused', async () => {
      const pauses = await pausedSymbols(second);
      return pauses.length > 0 ? pauses : undefined;
    });
    expect(pause).toMatchObject({ symbol: 'BTC-USDT' });
    expect(pause?.reason).toMatch(/the exchange holds .* BTC, less than the bot's position/);
    const status = await request(`${second.url}/status`);
    expect(JSON.stringify(status.body)).toContain('the exchange holds');

    // The operator resumes it: the missing coins are written off, and it stays resumed.
    const resumed = await request(`${second.url}/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'BTC-USDT', reason: 'I sold them by hand' }),
    });
    expect(resumed.status).toBe(200);
    const writtenOff = (resumed.body as { resumed: { writtenOff: { quantity: number } } }).resumed
      .writtenOff;
    expect(writtenOff.quantity).toBeCloseTo(held - onExchange, 8);
    const [position] = await second.control.positions();
    expect(position?.quantity).toBeCloseTo(onExchange, 8);
    // Reconciliations come and go: nothing is missing any more, so no new pause.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await pausedSymbols(second)).toEqual([]);
    await second.stop();

    // A third start replays the write-off with the fills: the same position, not paused.
    const third = await started(config);
    await waitFor('the first reconciliation', () => (third.reconciled === null ? undefined : true));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const [again] = await third.control.positions();
    expect(again?.quantity).toBeCloseTo(onExchange, 8);
    expect(await pausedSymbols(third)).toEqual([]);
    const [trade] = await third.control.trades(5);
    expect(trade).toMatchObject({ quantity: held });
  });

  it('an exit filled while its fills cannot be read pauses nothing, and sells once', async () => {
    const emulator = await emulatorWithOwnCoins();
    const dbPath = join(tempDir('lumenlink-holdings-'), 'bot.db');
    const bot = await started(liveConfig(emulator, dbPath));
    await firstBuy(bot);
    // The exit fills on the exchange, but its trades cannot be read: for a while the bot's
    // position is larger than what the exchange holds of its coins.
    emulator.inject({ kind: 'status', status: 503, route: 'GET /api/v3/myTrades', times: 10_000 });
    // The exit's fills cannot be stored: the force exit answers with the exchange's error.
    await bot.control.forceExit('BTC-USDT').catch(() => undefined);
    expect(emulator.orders().filter((order) => order.side === 'sell')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // No pause: the sell in flight explains the difference.
    expect(await pausedSymbols(bot)).toEqual([]);
    expect((await bot.control.positions()).length).toBe(1);
    emulator.clearFaults();
    await waitFor('the exit fills stored', async () =>
      (await bot.control.positions()).length === 0 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await pausedSymbols(bot)).toEqual([]);
    expect(emulator.orders().filter((order) => order.side === 'sell')).toHaveLength(1);
  });

  it('an over-sell on record never stops the start: the bot runs, the symbol is paused', async () => {
    const { emulator, dbPath, config, held } = await afterFirstBuy();

    // An earlier version of the bot stored an exit filled twice: more sold than was held.
    const store = await openStore({ path: dbPath });
    const [entry] = await store.orders.listOrders();
    const [entryFill] = await store.orders.listFills();
    if (entry === undefined || entryFill === undefined) throw new Error('no entry stored');
    for (const [index, id] of [
      'lla2345672345672345672345672345a',
      'llb2345672345672345672345672345b',
    ].entries()) {
      await store.orders.insertOrder({
        ...entry,
        clientOrderId: id,
        exchangeOrderId: `old-${index}`,
        side: 'sell',
        role: 'trailing_stop',
        quantity: held,
        status: 'filled',
        filledQuantity: held,
        createdAt: entryFill.time + 1_000 * (index + 1),
        updatedAt: entryFill.time + 1_000 * (index + 1),
      });
      await store.orders.saveFill({
        ...entryFill,
        tradeId: `old-trade-${index}`,
        clientOrderId: id,
        exchangeOrderId: `old-${index}`,
        side: 'sell',
        quantity: held,
        fee: 0,
        feeCurrency: 'USDT',
        time: entryFill.time + 1_000 * (index + 1),
      });
    }
    await store.close();

    const second = await started(config);
    const [pause] = await waitFor('BTC-USDT paused', async () => {
      const pauses = await pausedSymbols(second);
      return pauses.length > 0 ? pauses : undefined;
    });
    expect(pause?.reason).toMatch(/while the position held nothing: they were not the bot's/);
    expect(pause).toMatchObject({ symbol: 'BTC-USDT', pausedBy: 'restore' });
    // The books count only what the bot held: flat, and no order was sent.
    expect(await second.control.positions()).toEqual([]);
    expect(emulator.orders()).toHaveLength(1);
  });
});
