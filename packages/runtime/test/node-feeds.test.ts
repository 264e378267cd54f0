/**
 * The node's optional feed and its trading mode: the sentiment feeds run only for a strategy that
 * reads the market context; failing (the real sentiment service against a local server that
 * answers 500), they leave the feed degraded and send one warning, never the loop-failure error;
 * and the node says its trading mode in its first log line and its first alert.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type AlertEvent, type MarketContext } from '@lumenlink/core';
import {
  recordingLogger,
  ScriptedMarketDataSource,
  type LoggedLine,
} from '@lumenlink/core/testing';
import { createSentimentService, openStore, type LumenLinkStore } from '@lumenlink/data';
import { createStrategy } from '@lumenlink/strategies';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTradingNode,
  type SentimentPort,
  type TradingNode,
  type TradingNodePorts,
  type TradingNodeSettings,
} from '../src/index.js';

const settings: TradingNodeSettings = {
  mode: 'paper',
  allowLiveTrading: false,
  symbols: ['BTC-USDT'],
  interval: '1h',
  strategy: 'ema_crossover',
  exchange: 'binance',
  killSwitch: false,
  trading: { atrPeriod: 14, trailingStopAtrMult: 2, signalCooldownMs: 0, priceBandPct: 20 },
  paper: { feeBps: 10, slippageBps: 5, startingCash: 10_000 },
  risk: { maxPositionUsd: 3_000 },
  loops: {
    dataPollingMs: 60_000,
    strategyPollMs: 60_000,
    reconcileMs: 60_000,
    sentimentMs: 60_000,
  },
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A local stand-in for every sentiment provider: answers `status` and counts requests. */
async function feedServer(status: number): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end('{"error":"upstream down"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests };
}

/** The real sentiment service, every provider at `url`, no retries. */
function sentimentAt(url: string): SentimentPort {
  return createSentimentService({
    clock: systemClock,
    retries: 0,
    baseUrls: { 'fear-greed': url, defillama: url, coingecko: url, cryptopanic: url },
  });
}

async function store(): Promise<LumenLinkStore> {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-feeds-'));
  const opened = await openStore({ path: join(dir, 'node.db') });
  cleanups.push(async () => {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return opened;
}

async function node(
  options: {
    readonly strategy?: string;
    readonly params?: Readonly<Record<string, unknown>>;
    readonly sentiment?: SentimentPort;
  } = {},
): Promise<{ node: TradingNode; alerts: AlertEvent[]; lines: LoggedLine[] }> {
  const alerts: AlertEvent[] = [];
  const lines: LoggedLine[] = [];
  const key = options.strategy ?? 'ema_crossover';
  const ports: TradingNodePorts = {
    logger: recordingLogger(lines),
    notifier: { notify: (event) => alerts.push(event) },
    stores: await store(),
    strategy: () => createStrategy(key, options.params, { interval: '1h' }),
    venue: { kind: 'paper' },
    marketData: {
      kind: 'live',
      poll: () => Promise.resolve({ symbols: [] }),
      quotes: new ScriptedMarketDataSource(),
    },
    ...(options.sentiment === undefined ? {} : { sentiment: options.sentiment }),
  };
  const created = await createTradingNode(ports, {
    ...settings,
    strategy: key,
    ...(options.params === undefined ? {} : { strategyParams: options.params }),
  });
  cleanups.push(() => created.stop());
  return { node: created, alerts, lines };
}

describe('the sentiment feed of a node', () => {
  it('never calls the sentiment source for a strategy that does not read the market context', async () => {
    const feeds = await feedServer(200);
    const { node: bot, lines } = await node({ sentiment: sentimentAt(feeds.url) });
    bot.start();
    await bot.scheduler.runNow('market-data');
    await bot.scheduler.runNow('strategy');
    await bot.stop();
    expect(feeds.requests).toEqual([]);
    expect(bot.scheduler.loopHealth('sentiment').enabled).toBe(false);
    expect(bot.feeds()).toEqual([
      expect.objectContaining({
        name: 'sentiment',
        status: 'off',
        why: 'ema_crossover does not read the market context',
      }),
    ]);
    expect(lines.find((line) => line.message === 'sentiment feed off')?.fields['why']).toBe(
      'ema_crossover does not read the market context',
    );
    // advanced_composite with no weight on sentiment reads it no more.
    const unweighted = await node({
      strategy: 'advanced_composite',
      params: { weights: { sentiment: 0 } },
      sentiment: sentimentAt(feeds.url),
    });
    expect(unweighted.node.feeds()[0]).toMatchObject({
      status: 'off',
      why: 'advanced_composite has weights.sentiment = 0',
    });
  });

  it('for a strategy that reads it: a failing source leaves the feed degraded with one warning, not an error per run', async () => {
    const feeds = await feedServer(500);
    const { node: bot, alerts } = await node({
      strategy: 'smart_dca',
      sentiment: sentimentAt(feeds.url),
    });
    for (let run = 0; run < 4; run++) {
      const health = await bot.scheduler.runNow('sentiment');
      expect(health.consecutiveFailures).toBe(run + 1);
    }
    expect(feeds.requests.length).toBeGreaterThanOrEqual(12);
    const [feed] = bot.feeds();
    expect(feed).toMatchObject({
      name: 'sentiment',
      status: 'degraded',
      why: 'smart_dca sizes its buys by Fear & Greed',
      consecutiveFailures: 4,
    });
    expect(feed?.lastError).toMatch(
      /^Fear & Greed: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/fng\/; /,
    );
    expect(feed?.parts.map((part) => [part.feed, part.status])).toEqual([
      ['fear-greed', 'degraded'],
      ['defillama', 'degraded'],
      ['coingecko', 'degraded'],
    ]);
    const errors = alerts.filter((event) => event.type === 'error');
    expect(errors.map((event) => [event.severity, event.code])).toEqual([
      ['info', 'BOT_STARTING'],
      ['warning', 'SENTIMENT_FEED_DEGRADED'],
    ]);
  });

  it('recovers: a notice when the source answers again, and the market context reaches the node', async () => {
    let failing = true;
    const fearGreed = { value: 20, classification: 'Fear', updatedAt: Date.now() };
    const port: SentimentPort = {
      refresh: () => Promise.resolve({ failed: failing ? ['fearGreed'] : [] }),
      snapshot: (): Promise<MarketContext> => Promise.resolve(failing ? {} : { fearGreed }),
      status: () => [
        {
          part: 'fearGreed',
          feed: 'fear-greed',
          enabled: true,
          ageMs: failing ? null : 0,
          lastAttemptAt: Date.now(),
          lastError: failing
            ? { code: 'FEED_UNAVAILABLE', message: 'Fear & Greed: HTTP 503' }
            : null,
        },
      ],
    };
    const { node: bot, alerts } = await node({ strategy: 'smart_dca', sentiment: port });
    await bot.scheduler.runNow('sentiment');
    expect(bot.feeds()[0]).toMatchObject({
      status: 'degraded',
      lastError: 'Fear & Greed: HTTP 503',
      parts: [
        {
          name: 'fearGreed',
          status: 'degraded',
          lastError: 'FEED_UNAVAILABLE: Fear & Greed: HTTP 503',
        },
      ],
    });
    failing = false;
    await bot.scheduler.runNow('sentiment');
    expect(bot.feeds()[0]).toMatchObject({ status: 'ok', consecutiveFailures: 0 });
    expect(
      alerts.flatMap((event) => (event.type === 'error' ? [[event.severity, event.code]] : [])),
    ).toEqual([
      ['info', 'BOT_STARTING'],
      ['warning', 'SENTIMENT_FEED_DEGRADED'],
      ['info', 'SENTIMENT_FEED_RECOVERED'],
    ]);
  });
});

describe('the trading mode of a node', () => {
  it('is logged and alerted first, once, when the node is created', async () => {
    const { node: bot, alerts, lines } = await node();
    expect(bot.tradingMode.kind).toBe('paper');
    expect(alerts[0]).toMatchObject({
      type: 'error',
      severity: 'info',
      code: 'BOT_STARTING',
      message:
        'paper trading: simulated fills, no order reaches the exchange. Strategy ema_crossover on BTC-USDT (1h).',
    });
    const logged = lines.filter((line) => line.message === bot.tradingMode.text);
    expect(logged.map((line) => [line.level, line.fields['tradingMode']])).toEqual([
      ['info', 'paper'],
    ]);
    expect(bot.tradingMode.text).toBe(
      'paper trading: simulated fills, no order reaches the exchange',
    );
  });
});
