/**
 * Start-up reads (the markets, the balance) ride out a transient exchange error: one 429, 418 or
 * 5xx no longer ends the start (open finding 3 of the first chaos run). A ban asking for longer
 * than the start-up backoff still ends it, with one line naming the cause.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@lumenlink/core';
import { loadConfig, type Config } from '@lumenlink/config';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { startBot, type Bot } from '../src/bot.js';
import { liveEnv, tempDir } from './helpers.js';

const apiKey = 'startup-api-key-0123456789';
const apiSecret = 'startup-api-secret-0123456789';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(): Promise<ExchangeEmulator> {
  const started = await startExchangeEmulator({ apiKey, secret: apiSecret });
  cleanups.push(() => started.close());
  return started;
}

function liveConfig(exchange: ExchangeEmulator): Config {
  return loadConfig(
    liveEnv(
      { url: exchange.url, apiKey, secret: apiSecret },
      join(tempDir('lumenlink-startup-'), 'bot.db'),
      { INTERVAL: '1h', STRATEGY: 'ema_crossover' },
    ),
  );
}

describe('start-up reads', () => {
  it('a 503 on exchangeInfo and a 429 on the account are retried: the bot starts', async () => {
    const exchange = await emulator();
    exchange.inject({ kind: 'status', status: 503, route: 'GET /api/v3/exchangeInfo', times: 2 });
    exchange.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      route: 'GET /api/v3/account',
      times: 1,
    });
    const bot: Bot = await startBot(liveConfig(exchange), {
      logger: silentLogger,
      sentiment: false,
    });
    cleanups.push(() => bot.stop());
    const infoRequests = exchange
      .requests()
      .filter((request) => request.path === '/api/v3/exchangeInfo').length;
    expect(infoRequests).toBeGreaterThanOrEqual(3);
    expect((await bot.control.status()).mode).toBe('live');
  });

  it('a ban longer than the start-up backoff ends the start with its cause', async () => {
    const exchange = await emulator();
    exchange.inject({
      kind: 'status',
      status: 418,
      retryAfterSeconds: 600,
      route: 'GET /api/v3/exchangeInfo',
      times: 5,
    });
    await expect(
      startBot(liveConfig(exchange), { logger: silentLogger, sentiment: false }),
    ).rejects.toThrow(/418|ban|rate/i);
  });
});
