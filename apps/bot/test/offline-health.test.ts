/**
 * Offline health: the sentiment feeds are optional. A bot whose strategy does not read the market
 * context never calls them; one whose strategy does, with every feed failing (a local server on
 * 127.0.0.1 answering 500, as an offline machine's proxy would), stays ready over real HTTP,
 * shows the feed degraded with its last error in /status, and alerts one warning, not an error
 * per failed run. Market data comes from the Binance emulator through ccxt's real client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type AlertEvent } from '@lumenlink/core';
import type { AlertChannel } from '@lumenlink/alerts';
import { loadConfig } from '@lumenlink/config';
import { startExchangeEmulator } from '@lumenlink/exchanges/testing';
import { startBot, type Bot } from '../src/bot.js';
import { request, tempDir, waitFor } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every sentiment provider's stand-in: answers 500 and records each request. */
async function failingFeeds(): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((incoming, response) => {
    requests.push(incoming.url ?? '');
    response.writeHead(500, { 'content-type': 'text/plain' });
    response.end('upstream unreachable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A paper bot on the emulator's market data, the sentiment feeds at `feedsUrl`. */
async function paperBot(
  strategy: string,
  feedsUrl: string,
): Promise<{ bot: Bot; alerts: AlertEvent[] }> {
  const emulator = await startExchangeEmulator();
  cleanups.push(() => emulator.close());
  const config = loadConfig({
    MODE: 'paper',
    DATA_SOURCE: 'exchange',
    EXCHANGE: 'binance',
    EXCHANGE_API_URL: emulator.url,
    SYMBOLS: 'BTC-USDT',
    STRATEGY: strategy,
    DB_PATH: join(tempDir('lumenlink-offline-'), 'bot.db'),
    HTTP_PORT: '0',
    DATA_POLLING_MS: '200',
    POLL_INTERVAL_MS: '200',
    SENTIMENT_INTERVAL_MS: '100',
  });
  const alerts: AlertEvent[] = [];
  const recorder: AlertChannel = {
    name: 'recorder',
    send: (event) => {
      alerts.push(event);
      return Promise.resolve();
    },
  };
  const url = feedsUrl;
  const bot = await startBot(config, {
    logger: silentLogger,
    alertChannels: [recorder],
    sentimentFeeds: {
      baseUrls: { 'fear-greed': url, cryptopanic: url, defillama: url, coingecko: url },
      retries: 0,
    },
  });
  cleanups.push(() => bot.stop());
  return { bot, alerts };
}

async function ready(bot: Bot): Promise<Record<string, unknown>> {
  return waitFor('GET /ready answering 200', async () => {
    const response = await request(`${bot.url}/ready`);
    return response.status === 200 ? (response.body as Record<string, unknown>) : undefined;
  });
}

describe('offline health: the sentiment feeds are optional', () => {
  it('never calls the sentiment feeds for a strategy that does not read the market context', async () => {
    const feeds = await failingFeeds();
    const { bot } = await paperBot('ema_crossover', feeds.url);
    await ready(bot);
    // Several strategy runs later, still not one request.
    const runs = bot.scheduler.loopHealth('strategy').runs;
    await waitFor('three more strategy runs', () =>
      bot.scheduler.loopHealth('strategy').runs >= runs + 3 ? true : undefined,
    );
    expect(feeds.requests).toEqual([]);
    const status = (await request(`${bot.url}/status`)).body as Record<string, unknown>;
    expect(status['feeds']).toEqual([
      expect.objectContaining({
        name: 'sentiment',
        status: 'off',
        why: 'ema_crossover does not read the market context',
      }),
    ]);
    const health = (await request(`${bot.url}/health`)).body as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', feeds: [{ name: 'sentiment', status: 'off' }] });
  });

  it('stays ready with every feed failing for a strategy that reads them: the feed is degraded, one warning', async () => {
    const feeds = await failingFeeds();
    const { bot, alerts } = await paperBot('advanced_composite', feeds.url);
    await waitFor('the sentiment loop failing three times in a row', () =>
      bot.scheduler.loopHealth('sentiment').consecutiveFailures >= 3 ? true : undefined,
    );
    // Ready (200) over real HTTP, its body ok, the feed degraded.
    const body = await ready(bot);
    expect(body).toMatchObject({
      status: 'ok',
      feeds: [{ name: 'sentiment', status: 'degraded' }],
    });
    expect((body['loops'] as { name: string }[]).map((loop) => loop.name)).toEqual([
      'market-data',
      'strategy',
    ]);
    expect(feeds.requests.length).toBeGreaterThanOrEqual(9);
    const status = (await request(`${bot.url}/status`)).body as {
      feeds: { status: string; why: string; lastError: string; consecutiveFailures: number }[];
    };
    const [feed] = status.feeds;
    expect(feed).toMatchObject({
      status: 'degraded',
      why: 'advanced_composite weighs sentiment (weights.sentiment = 1)',
    });
    expect(feed?.consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(feed?.lastError).toMatch(
      /^Fear & Greed: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/fng\/; /,
    );
    // The alert channel got one warning about it, and no error.
    await bot.stop();
    const warnings = alerts.filter(
      (event) => event.type === 'error' && event.code === 'SENTIMENT_FEED_DEGRADED',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: 'warning' });
    const errors = alerts.filter(
      (event) => event.type === 'error' && (event.severity ?? 'error') === 'error',
    );
    expect(errors).toEqual([]);
  });
});
