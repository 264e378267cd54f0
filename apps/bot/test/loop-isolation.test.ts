/**
 * Loop isolation: a market-data loop that throws does not stop the strategy loop or the HTTP
 * server, and a failed read loses no candle.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type MarketDataSource } from '@lumenlink/core';
import { startBot, type Bot } from '../src/bot.js';
import {
  backtestOf,
  fillKey,
  replayConfig,
  request,
  seedDatabase,
  storedTrading,
  tempDir,
  waitFor,
} from './helpers.js';

const running: Bot[] = [];

afterEach(async () => {
  for (const bot of running.splice(0)) await bot.stop();
});

/** The replay source, with `fetchCandles` failing on the calls `fails` picks. */
function failing(source: MarketDataSource, fails: (call: number) => boolean): MarketDataSource {
  let calls = 0;
  return {
    loadMarkets: () => source.loadMarkets(),
    fetchCandles: (symbol, timeframe, options) => {
      calls += 1;
      if (fails(calls)) return Promise.reject(new Error(`feed down (call ${calls})`));
      return source.fetchCandles(symbol, timeframe, options);
    },
    fetchTicker: (symbol) => source.fetchTicker(symbol),
    fetchOrderBook: (symbol, depth) => source.fetchOrderBook(symbol, depth),
  };
}

interface HealthBody {
  status: string;
  loops: { name: string; healthy: boolean }[];
}

describe('loop isolation', () => {
  it('keeps trading through market-data failures, reports them, and loses no candle', async () => {
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 300);
    const config = replayConfig(dbPath);
    const bot = await startBot(config, {
      logger: silentLogger,
      replaySpeed: 0,
      wrapMarketData: (source) => failing(source, (call) => call % 4 === 0),
    });
    running.push(bot);

    await waitFor('a failed market-data run', () =>
      bot.scheduler.loopHealth('market-data').lastError === null ? undefined : true,
    );
    const health = await request(`${bot.url}/health`);
    expect(health.status).toBe(200);
    const status = await request(`${bot.url}/status`);
    const loops = (status.body as { loops: { name: string; lastError: string | null }[] }).loops;
    expect(loops.find((loop) => loop.name === 'market-data')?.lastError).toMatch(/^feed down/);

    await bot.replay?.finished;
    const strategy = bot.scheduler.loopHealth('strategy');
    expect(strategy.lastError).toBeNull();
    expect(bot.scheduler.loopHealth('market-data').runs).toBeGreaterThan(
      bot.scheduler.loopHealth('market-data').consecutiveFailures,
    );
    await bot.stop();

    // Every candle was processed once: the same orders and fills as the backtest of the data.
    const stored = await storedTrading(dbPath);
    const backtest = await backtestOf(config, dbPath);
    expect(stored.orders.length).toBeGreaterThan(0);
    expect(stored.orders.map((order) => order.clientOrderId).sort()).toEqual(
      backtest.orders.map((order) => order.clientOrderId).sort(),
    );
    expect(stored.fills.map(fillKey).sort()).toEqual(backtest.fills.map(fillKey).sort());
  });

  it('keeps the strategy loop and the HTTP server up while market data stays down, and says which loop is failing', async () => {
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 300);
    const delivered = 50;
    const bot = await startBot(replayConfig(dbPath), {
      logger: silentLogger,
      replaySpeed: 0,
      // Three symbols per candle time: after `delivered` candle times the feed is down for good.
      wrapMarketData: (source) => failing(source, (call) => call > delivered * 3),
      loopMaxAgeMs: { 'market-data': 300 },
    });
    running.push(bot);

    await waitFor('market data failing for a while', () =>
      bot.scheduler.loopHealth('market-data').consecutiveFailures >= 3 ? true : undefined,
    );
    const runs = bot.scheduler.loopHealth('strategy').runs;
    await waitFor('the strategy loop running on', () =>
      bot.scheduler.loopHealth('strategy').runs >= runs + 5 ? true : undefined,
    );
    expect(bot.scheduler.loopHealth('strategy').lastError).toBeNull();

    const health = await waitFor('/health reporting market-data unhealthy', async () => {
      const answer = await request(`${bot.url}/health`);
      const body = answer.body as HealthBody;
      return body.loops.find((loop) => loop.name === 'market-data')?.healthy === false
        ? answer
        : undefined;
    });
    expect(health.status).toBe(200);
    const body = health.body as HealthBody;
    expect(body.status).toBe('degraded');
    expect(body.loops.find((loop) => loop.name === 'strategy')?.healthy).toBe(true);
    expect((await request(`${bot.url}/ready`)).status).toBe(503);

    const status = await request(`${bot.url}/status`);
    expect((status.body as { lastCandleAt: number }).lastCandleAt).toBe(
      Date.UTC(2024, 0, 1) + (delivered - 1) * 3_600_000,
    );
    expect(bot.replay?.done).toBe(false);
  });
});
