/**
 * The bot's HTTP server on 127.0.0.1, probed with real requests: routes, readiness, token
 * checks, limits, and a scan of every response for secrets.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StorageError,
  ValidationError,
  silentLogger,
  type Decision,
  type Logger,
  type Order,
  type TradingState,
  type TradingStateRecord,
} from '@lumenlink/core';
import { configSecrets, loadConfig } from '@lumenlink/config';
import { createMetricsRegistry } from '@lumenlink/core/metrics';
import { ManualClock } from '@lumenlink/core/testing';
import {
  startHttpServer,
  type HttpBotControl,
  type HttpServerHandle,
  type HttpServerOptions,
} from '../src/http-server.js';
import { Scheduler } from '../src/scheduler.js';
import { tradingModeOf } from '../src/trading-mode.js';

const token = 'sentinel-http-token-5a6b7c8d9e';
const startAt = 1_700_000_000_000;

const handles: HttpServerHandle[] = [];

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close();
});

function decision(symbol: 'BTC-USD' | 'ETH-USD', decidedAt: number, note: string): Decision {
  return {
    symbol,
    strategy: 'ema_crossover',
    candleTime: decidedAt - 3_600_000,
    decidedAt,
    signal: { action: 'buy', confidence: 0.7, reason: 'EMA 9 crossed above EMA 21' },
    verdict: {
      allowed: false,
      quantity: 0,
      side: 'buy',
      reason: 'daily loss 160 > 150',
      checks: [
        {
          name: 'daily_loss',
          outcome: 'fail',
          value: -160,
          limit: -150,
          reason: 'daily loss 160 > 150',
        },
      ],
    },
    outcome: 'blocked',
    clientOrderId: null,
    note,
  };
}

const openOrder: Order = {
  clientOrderId: 'llabcdef0123456789',
  exchangeOrderId: null,
  exchange: 'coinbase',
  strategy: 'ema_crossover',
  symbol: 'BTC-USD',
  side: 'buy',
  type: 'limit',
  role: 'entry',
  quantity: 0.01,
  limitPrice: 60_000,
  stopPrice: null,
  status: 'open',
  filledQuantity: 0,
  avgFillPrice: null,
  fee: 0,
  feeCurrency: null,
  reason: 'resting limit',
  candleTime: startAt,
  attempt: 0,
  createdAt: startAt,
  updatedAt: startAt,
};

/** An in-memory bot: records state changes; refuses `active` while the config kill switch is on. */
function fakeControl(options: { killSwitch?: boolean; extraNote?: string } = {}) {
  let record: TradingStateRecord = {
    state: options.killSwitch === true ? 'halted' : 'active',
    reason: options.killSwitch === true ? 'KILL_SWITCH=true' : 'start',
    changedBy: 'config',
    changedAt: startAt,
    until: null,
  };
  const changes: { state: TradingState; reason: string; changedBy: string }[] = [];
  const paused = new Set<string>(['SOL-USD']);
  const control: HttpBotControl = {
    resumeSymbol: (symbol, reason, resumedBy) => {
      if (!paused.delete(symbol)) {
        return Promise.reject(new ValidationError(`${symbol} is not paused; nothing to resume`));
      }
      changes.push({ state: 'active', reason: `${symbol}: ${reason}`, changedBy: resumedBy });
      return Promise.resolve({
        symbol,
        reason: 'fills disagree',
        pausedBy: 'restore',
        pausedAt: 1,
        writtenOff: null,
      });
    },
    status: () =>
      Promise.resolve({
        mode: 'paper',
        exchange: 'coinbase',
        symbols: ['BTC-USD', 'ETH-USD'],
        tradingState: record,
        circuitOpen: false,
        lastCandleAt: startAt,
        startedAt: startAt - 60_000,
        strategy: {
          id: 'my_idea',
          label: 'my_idea (strategies/my-idea.ts)',
          source: {
            spec: 'strategies/my-idea.ts',
            kind: 'file',
            path: '/bots/strategies/my-idea.ts',
            exportName: 'default',
            sha256: 'c'.repeat(64),
          },
          params: { period: 12, threshold: 0.4 },
        },
      }),
    positions: () =>
      Promise.resolve([
        {
          symbol: 'BTC-USD',
          state: 'managing',
          quantity: 0.02,
          avgEntryPrice: 61_000,
          realizedPnl: 0,
          fees: 1.22,
          openedAt: startAt - 7_200_000,
          updatedAt: startAt,
        },
      ]),
    balance: () => Promise.resolve({ USD: { free: 8_780, used: 0, total: 8_780 } }),
    pnl: () =>
      Promise.resolve({
        equity: 10_020,
        realizedPnl: 0,
        unrealizedPnl: 20,
        dailyPnl: 20,
        peakEquity: 10_050,
      }),
    openOrders: () => Promise.resolve([openOrder]),
    why: (symbol) =>
      Promise.resolve(
        symbol === 'BTC-USD'
          ? [
              decision('BTC-USD', startAt, options.extraNote ?? 'newest BTC'),
              decision('BTC-USD', startAt - 3_600_000, 'older BTC'),
              decision('BTC-USD', startAt - 7_200_000, 'oldest BTC'),
            ]
          : [decision('ETH-USD', startAt - 1_800_000, 'ETH')],
      ),
    setTradingState: (state, reason, changedBy) => {
      if (state === 'active' && options.killSwitch === true) {
        return Promise.reject(
          new Error('KILL_SWITCH=true in the config: set KILL_SWITCH=false and restart to resume'),
        );
      }
      changes.push({ state, reason, changedBy });
      record = { state, reason, changedBy, changedAt: startAt + 1, until: null };
      return Promise.resolve(record);
    },
  };
  return { control, changes };
}

/** A scheduler on manual time with two enabled loops (5 s) and a disabled one. */
function loops(clock: ManualClock) {
  const scheduler = new Scheduler({ clock, logger: silentLogger, jitter: false });
  let strategyFails = false;
  scheduler.addLoop({ name: 'market-data', intervalMs: 5_000, run: () => Promise.resolve() });
  scheduler.addLoop({
    name: 'strategy',
    intervalMs: 5_000,
    run: () => (strategyFails ? Promise.reject(new Error('strategy down')) : Promise.resolve()),
  });
  scheduler.addLoop({
    name: 'reconcile',
    intervalMs: 10_000,
    enabled: false,
    run: () => Promise.resolve(),
  });
  return {
    scheduler,
    failStrategy: (fail: boolean) => {
      strategyFails = fail;
    },
  };
}

async function start(
  overrides: Partial<HttpServerOptions> = {},
): Promise<HttpServerHandle & { clock: ManualClock; scheduler: Scheduler }> {
  const clock = new ManualClock(startAt);
  const { scheduler } = loops(clock);
  const handle = await startHttpServer({
    port: 0,
    control: fakeControl().control,
    health: () => scheduler.health(),
    metrics: () => Promise.resolve('# HELP up 1\n'),
    logger: silentLogger,
    clock,
    ...overrides,
  });
  handles.push(handle);
  return Object.assign(handle, { clock, scheduler });
}

async function get(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function post(url: string, body?: string, authorization?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (authorization !== undefined) headers['Authorization'] = authorization;
  return get(url, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
}

describe('http server: binding', () => {
  it('listens on 127.0.0.1 by default, on an ephemeral port', async () => {
    const server = await start();
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.address.port}`);
    expect((await get(`${server.url}/health`)).status).toBe(200);
  });

  it('fails to start on a port already taken', async () => {
    const first = await start();
    await expect(start({ port: first.address.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('listens on a free port instead with portFallback', async () => {
    const first = await start();
    const second = await start({ port: first.address.port, portFallback: true });
    expect(second.address.port).not.toBe(first.address.port);
    expect((await get(`${second.url}/health`)).status).toBe(200);
  });
});

describe('http server: health and readiness', () => {
  it('is live and ready while every enabled loop succeeded within its max age', async () => {
    const server = await start();
    server.scheduler.start();
    await server.clock.advance(0);
    const health = await get(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(health.text)).toEqual({
      status: 'ok',
      loops: [
        { name: 'market-data', ageMs: 0, maxAgeMs: 25_000, healthy: true },
        { name: 'strategy', ageMs: 0, maxAgeMs: 25_000, healthy: true },
      ],
      feeds: [],
    });
    expect((await get(`${server.url}/ready`)).status).toBe(200);
    expect((await get(`${server.url}/health?ready=1`)).status).toBe(200);
    await server.scheduler.stop();
  });

  it('turns degraded, and not ready (503), when a loop last succeeded longer ago than its max age', async () => {
    const clock = new ManualClock(startAt);
    const { scheduler, failStrategy } = loops(clock);
    const server = await start({ clock, health: () => scheduler.health() });
    scheduler.start();
    await clock.advance(0);
    failStrategy(true);
    await clock.advance(30_000);
    const health = await get(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({
      status: 'degraded',
      loops: [
        { name: 'market-data', ageMs: 0, maxAgeMs: 25_000, healthy: true },
        { name: 'strategy', ageMs: 30_000, maxAgeMs: 25_000, healthy: false },
      ],
      feeds: [],
    });
    const ready = await get(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ status: 'degraded' });
    expect((await get(`${server.url}/health?ready=1`)).status).toBe(503);
    expect((await get(`${server.url}/health?ready=0`)).status).toBe(200);
    failStrategy(false);
    await scheduler.runNow('strategy');
    expect((await get(`${server.url}/ready`)).status).toBe(200);
    await scheduler.stop();
  });

  it('uses a configured max age per loop', async () => {
    const clock = new ManualClock(startAt);
    const { scheduler } = loops(clock);
    const server = await start({
      clock,
      health: () => scheduler.health(),
      maxAgeMs: { strategy: 60_000 },
    });
    await scheduler.runNow('market-data');
    await scheduler.runNow('strategy');
    await clock.advance(40_000);
    const body = JSON.parse((await get(`${server.url}/ready`)).text) as { loops: unknown[] };
    expect(body.loops).toEqual([
      { name: 'market-data', ageMs: 40_000, maxAgeMs: 25_000, healthy: false },
      { name: 'strategy', ageMs: 40_000, maxAgeMs: 60_000, healthy: true },
    ]);
  });

  it('stays ok and ready (200) while an optional loop fails: the feed is degraded under feeds', async () => {
    const clock = new ManualClock(startAt);
    const { scheduler } = loops(clock);
    let sentimentFails = true;
    scheduler.addLoop({
      name: 'sentiment',
      intervalMs: 1_000,
      optional: true,
      run: () =>
        sentimentFails ? Promise.reject(new Error('fear-greed: HTTP 500')) : Promise.resolve(),
    });
    const server = await start({ clock, health: () => scheduler.health() });
    await scheduler.runNow('market-data');
    await scheduler.runNow('strategy');
    await scheduler.runNow('sentiment');
    await scheduler.runNow('sentiment');
    const ready = await get(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'ok',
      loops: [
        { name: 'market-data', ageMs: 0, maxAgeMs: 25_000, healthy: true },
        { name: 'strategy', ageMs: 0, maxAgeMs: 25_000, healthy: true },
      ],
      feeds: [{ name: 'sentiment', status: 'degraded', parts: [] }],
    });
    const status = JSON.parse((await get(`${server.url}/status`)).text) as Record<string, unknown>;
    expect(status['feeds']).toEqual([
      {
        name: 'sentiment',
        status: 'degraded',
        why: 'an optional loop',
        lastSuccessAt: null,
        lastErrorAt: startAt,
        lastError: 'fear-greed: HTTP 500',
        consecutiveFailures: 2,
        parts: [],
      },
    ]);
    sentimentFails = false;
    await scheduler.runNow('sentiment');
    expect(JSON.parse((await get(`${server.url}/health`)).text)).toMatchObject({
      status: 'ok',
      feeds: [{ name: 'sentiment', status: 'ok' }],
    });
  });

  it("shows the node's feeds: by name and status in /health, in full with the last error in /status", async () => {
    const degraded = {
      name: 'sentiment',
      status: 'degraded',
      why: 'smart_dca sizes its buys by Fear & Greed',
      lastSuccessAt: null,
      lastErrorAt: startAt,
      lastError: 'fear-greed: HTTP 500 from http://127.0.0.1:9/fng/',
      consecutiveFailures: 3,
      parts: [
        {
          name: 'fearGreed',
          feed: 'fear-greed',
          status: 'degraded',
          lastError: 'FEED_HTTP_ERROR: HTTP 500 from http://127.0.0.1:9/fng/',
          ageMs: null,
        },
      ],
    } as const;
    const server = await start({ feeds: () => [degraded] });
    const health = JSON.parse((await get(`${server.url}/health`)).text) as Record<string, unknown>;
    expect(health['feeds']).toEqual([
      { name: 'sentiment', status: 'degraded', parts: [{ name: 'fearGreed', status: 'degraded' }] },
    ]);
    // /health answers any Host: no error text in it.
    expect(JSON.stringify(health)).not.toContain('HTTP 500');
    const status = JSON.parse((await get(`${server.url}/status`)).text) as Record<string, unknown>;
    expect(status['feeds']).toEqual([degraded]);
  });

  it('is not ready before every enabled loop has succeeded once', async () => {
    const server = await start();
    const ready = await get(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({
      loops: [
        { name: 'market-data', ageMs: null, healthy: false },
        { name: 'strategy', ageMs: null, healthy: false },
      ],
    });
  });
});

describe('http server: status and metrics', () => {
  it('shows mode, trading state, the strategy, positions, P&L, open orders, latest decisions and loops, without balances', async () => {
    const server = await start({
      token,
      decisionsPerSymbol: 2,
      tradingMode: tradingModeOf({ mode: 'paper', allowLiveTrading: false, exchange: 'coinbase' }),
    });
    const response = await get(`${server.url}/status`);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text) as Record<string, unknown>;
    expect(body).toMatchObject({
      mode: 'paper',
      tradingMode: 'paper',
      tradingModeText: 'paper trading: simulated fills, no order reaches the exchange',
      exchange: 'coinbase',
      symbols: ['BTC-USD', 'ETH-USD'],
      tradingState: { state: 'active', changedBy: 'config' },
      circuitOpen: false,
      strategy: {
        id: 'my_idea',
        label: 'my_idea (strategies/my-idea.ts)',
        source: { kind: 'file', path: '/bots/strategies/my-idea.ts', sha256: 'c'.repeat(64) },
        params: { period: 12, threshold: 0.4 },
      },
      positions: [{ symbol: 'BTC-USD', quantity: 0.02 }],
      pnl: { equity: 10_020, dailyPnl: 20 },
      openOrders: [{ clientOrderId: 'llabcdef0123456789', status: 'open' }],
      balance: null,
    });
    const decisions = body['decisions'] as Decision[];
    expect(decisions.map((entry) => entry.note)).toEqual(['newest BTC', 'ETH', 'older BTC']);
    expect(decisions[0]?.verdict?.reason).toBe('daily loss 160 > 150');
    expect((body['loops'] as { name: string }[]).map((loop) => loop.name)).toEqual([
      'market-data',
      'strategy',
      'reconcile',
    ]);
  });

  it('adds balances for a request carrying the token', async () => {
    const server = await start({ token });
    const authorised = await get(`${server.url}/status`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(JSON.parse(authorised.text)).toMatchObject({
      balance: { USD: { free: 8_780, total: 8_780 } },
    });
    const wrong = await get(`${server.url}/status`, { headers: { Authorization: 'Bearer nope' } });
    expect(JSON.parse(wrong.text)).toMatchObject({ balance: null });
  });

  it('answers 500 with a redacted message when the bot cannot say', async () => {
    const { control } = fakeControl();
    const server = await start({
      secrets: ['sentinel-provider-secret-77'],
      control: {
        ...control,
        pnl: () => Promise.reject(new Error('store locked: sentinel-provider-secret-77')),
      },
    });
    const response = await get(`${server.url}/status`);
    expect(response.status).toBe(500);
    expect(JSON.parse(response.text)).toEqual({ error: 'store locked: [REDACTED]' });
  });

  it('serves the Prometheus text format', async () => {
    const registry = createMetricsRegistry({ prefix: 'lumenlink_' });
    registry
      .counter({ name: 'orders_total', help: 'Orders sent', labelNames: ['side'] })
      .inc({ side: 'buy' });
    // A token that starts like our metric names cuts nothing out of them.
    const server = await start({
      metrics: () => registry.exposition(),
      token: 'lumenlink-operator-token-0123456789',
    });
    const response = await get(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.text).toContain('# TYPE lumenlink_orders_total counter');
    expect(response.text).toContain('lumenlink_orders_total{side="buy"} 1');
  });
});

describe('http server: trading state changes', () => {
  it('answers 403 on every state route when no token is configured', async () => {
    const { control, changes } = fakeControl();
    const server = await start({ control });
    for (const path of ['/halt', '/reduce', '/resume']) {
      const response = await post(`${server.url}${path}`, '{}', `Bearer ${token}`);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.text)).toEqual({
        error: 'state changes over HTTP are disabled: set HTTP_TOKEN to enable',
      });
    }
    expect(changes).toEqual([]);
  });

  it('answers 401 to a missing, malformed or wrong token of any length', async () => {
    const { control, changes } = fakeControl();
    const server = await start({ control, token });
    for (const authorization of [
      undefined,
      token,
      `Basic ${token}`,
      'Bearer x',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token.toUpperCase()}`,
    ]) {
      const response = await post(`${server.url}/halt`, '{}', authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="lumenlink"');
    }
    expect(changes).toEqual([]);
  });

  it('halts, reduces and resumes through setTradingState with the reason, changed by http', async () => {
    const { control, changes } = fakeControl();
    const server = await start({ control, token });
    const auth = `Bearer ${token}`;
    const halt = await post(
      `${server.url}/halt`,
      JSON.stringify({ reason: 'exchange incident' }),
      auth,
    );
    expect(halt.status).toBe(200);
    expect(JSON.parse(halt.text)).toMatchObject({
      tradingState: { state: 'halted', reason: 'exchange incident', changedBy: 'http' },
    });
    expect((await post(`${server.url}/reduce`, undefined, auth)).status).toBe(200);
    expect((await post(`${server.url}/resume`, '{"reason": "  "}', auth)).status).toBe(200);
    expect(changes).toEqual([
      { state: 'halted', reason: 'exchange incident', changedBy: 'http' },
      { state: 'reducing', reason: 'reduce over HTTP', changedBy: 'http' },
      { state: 'active', reason: 'resume over HTTP', changedBy: 'http' },
    ]);
    const status = JSON.parse((await get(`${server.url}/status`)).text) as {
      tradingState: TradingStateRecord;
    };
    expect(status.tradingState.state).toBe('active');
  });

  it('answers 409 with the message when the bot refuses (config kill switch)', async () => {
    const { control, changes } = fakeControl({ killSwitch: true });
    const server = await start({ control, token });
    const response = await post(`${server.url}/resume`, '{}', `Bearer ${token}`);
    expect(response.status).toBe(409);
    expect(JSON.parse(response.text)).toEqual({
      error: 'KILL_SWITCH=true in the config: set KILL_SWITCH=false and restart to resume',
    });
    expect(changes).toEqual([]);
  });

  it('answers 503 when the state cannot be stored right now', async () => {
    const { control } = fakeControl();
    const server = await start({
      token,
      control: {
        ...control,
        setTradingState: () => Promise.reject(new StorageError('database is locked')),
      },
    });
    const response = await post(`${server.url}/halt`, '{}', `Bearer ${token}`);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toEqual({ error: 'database is locked' });
  });

  it('rejects bodies over the cap with 413 and bad bodies with 400', async () => {
    const { control, changes } = fakeControl();
    const server = await start({ control, token });
    const auth = `Bearer ${token}`;
    const big = JSON.stringify({ reason: 'x'.repeat(17 * 1024) });
    expect((await post(`${server.url}/halt`, big, auth)).status).toBe(413);
    // Streamed without a Content-Length, the cap still holds.
    const chunked = await fetch(`${server.url}/halt`, {
      method: 'POST',
      headers: { Authorization: auth },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    for (const body of [
      'not json',
      '[1]',
      '{"reason": 5}',
      JSON.stringify({ reason: 'y'.repeat(501) }),
    ]) {
      expect((await post(`${server.url}/halt`, body, auth)).status).toBe(400);
    }
    expect(changes).toEqual([]);
  });
});

describe('http server: a paused symbol', () => {
  it('resumes one symbol with POST /resume {"symbol"}, behind the token, and nothing else', async () => {
    const { control, changes } = fakeControl();
    const server = await start({ control, token });
    const auth = `Bearer ${token}`;
    const body = JSON.stringify({ symbol: 'SOL-USD', reason: 'checked the manual sale' });
    expect((await post(`${server.url}/resume`, body, undefined)).status).toBe(401);
    const resumed = await post(`${server.url}/resume`, body, auth);
    expect(resumed.status).toBe(200);
    expect(JSON.parse(resumed.text)).toMatchObject({ resumed: { symbol: 'SOL-USD' } });
    expect(changes).toEqual([
      { state: 'active', reason: 'SOL-USD: checked the manual sale', changedBy: 'http' },
    ]);
    // Not paused any more: a clear 400; a symbol on /halt or a malformed one: 400 too.
    const again = await post(`${server.url}/resume`, body, auth);
    expect(again.status).toBe(400);
    expect(JSON.parse(again.text)).toEqual({ error: 'SOL-USD is not paused; nothing to resume' });
    expect((await post(`${server.url}/halt`, body, auth)).status).toBe(400);
    // A misspelt field never resumes the whole bot.
    const misspelt = await post(`${server.url}/resume`, '{"Symbol": "SOL-USD"}', auth);
    expect(misspelt.status).toBe(400);
    expect(JSON.parse(misspelt.text)).toEqual({
      error: 'unknown field "Symbol": the body takes "reason" and, on /resume, "symbol"',
    });
    const bad = await post(`${server.url}/resume`, '{"symbol": "sol/usd"}', auth);
    expect(JSON.parse(bad.text)).toEqual({
      error: 'symbol must be a traded symbol such as "BTC-USDT"',
    });
    expect(changes).toHaveLength(1);
  });
});

describe('http server: methods and paths', () => {
  it('answers 405 with Allow for the wrong method and 404 for unknown paths', async () => {
    const server = await start({ token });
    const getHalt = await get(`${server.url}/halt`);
    expect(getHalt.status).toBe(405);
    expect(getHalt.headers.get('allow')).toBe('POST');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await get(`${server.url}/status`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
    }
    for (const path of ['/', '/admin', '/status/', '/health/x', '/metrics.json']) {
      expect((await get(`${server.url}${path}`)).status).toBe(404);
    }
  });
});

describe('http server: secrets', () => {
  it('never sends a secret from the config or the bot in any response', async () => {
    const env = {
      EXCHANGE_API_KEY: 'sentinel-exchange-key-0a1b2c3d',
      EXCHANGE_API_SECRET: 'sentinel-exchange-secret-4e5f6a7b',
      EXCHANGE_API_PASSPHRASE: 'sentinel-passphrase-8c9d',
      TELEGRAM_BOT_TOKEN: '987654321:AAsentinelTelegramBotToken0000000000000',
      TELEGRAM_CHAT_IDS: '111',
      DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/123/sentinelDiscordWebhookToken',
      CRYPTOPANIC_TOKEN: 'sentinel-cryptopanic-1f2e3d',
      HTTP_TOKEN: token,
    };
    const config = loadConfig(env);
    const sentinels = configSecrets(config);
    expect(sentinels).toHaveLength(7);
    // The bot's own data carries secrets where a bug might put them: a decision note, an order
    // reason, a loop error, a refusal message and a metric label.
    const { control } = fakeControl({
      extraNote: `signed request failed: apiKey=${env.EXCHANGE_API_KEY}`,
    });
    const leakyControl: HttpBotControl = {
      ...control,
      openOrders: () =>
        Promise.resolve([{ ...openOrder, reason: `secret ${env.EXCHANGE_API_SECRET}` }]),
      setTradingState: (state) =>
        state === 'active'
          ? Promise.reject(new Error(`refused; passphrase ${env.EXCHANGE_API_PASSPHRASE}`))
          : control.setTradingState(state, 'r', 'http'),
    };
    const clock = new ManualClock(startAt);
    const scheduler = new Scheduler({ clock, logger: silentLogger, jitter: false });
    scheduler.addLoop({
      name: 'sentiment',
      intervalMs: 1_000,
      run: () =>
        Promise.reject(
          new Error(`GET https://cryptopanic.com/api?auth_token=${env.CRYPTOPANIC_TOKEN} failed`),
        ),
    });
    await scheduler.runNow('sentiment');
    const registry = createMetricsRegistry();
    registry
      .gauge({ name: 'webhook_up', help: 'Webhook up', labelNames: ['url'] })
      .set(1, { url: env.DISCORD_WEBHOOK_URL });
    const server = await start({
      token: config.http.token,
      secrets: sentinels,
      control: leakyControl,
      clock,
      health: () => scheduler.health(),
      metrics: () => registry.exposition(),
    });

    const auth = `Bearer ${token}`;
    const responses = [
      await get(`${server.url}/health`),
      await get(`${server.url}/ready`),
      await get(`${server.url}/status`),
      await get(`${server.url}/status`, { headers: { Authorization: auth } }),
      await get(`${server.url}/metrics`),
      await post(`${server.url}/halt`, '{}', auth),
      await post(`${server.url}/resume`, '{}', auth),
      await post(
        `${server.url}/halt`,
        JSON.stringify({ reason: `by ${env.TELEGRAM_BOT_TOKEN}` }),
        auth,
      ),
      await post(`${server.url}/reduce`, '{}', `Bearer ${env.EXCHANGE_API_KEY}`),
      await post(`${server.url}/reduce`, 'x'.repeat(20_000), auth),
      await get(`${server.url}/nope?token=${token}`),
      await get(`${server.url}/halt`),
    ];
    expect(responses.map((response) => response.status)).toEqual([
      200, 503, 200, 200, 200, 200, 409, 200, 401, 413, 404, 405,
    ]);
    // The leaks were really there to be caught: the redactor replaced them.
    const all = responses
      .map((response) => `${JSON.stringify([...response.headers])}\n${response.text}`)
      .join('\n');
    expect(all).toContain('[REDACTED]');
    for (const secret of sentinels) expect(all).not.toContain(secret);
    expect(all).not.toContain('sentinelDiscordWebhookToken');
  });
});

/**
 * A real HTTP/1.1 request with any Host header (fetch may not forge one), or none at all.
 */
function raw(
  url: string,
  options: {
    readonly host?: string | null;
    readonly method?: string;
    readonly authorization?: string;
    readonly body?: string;
  } = {},
): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const headers: Record<string, string> = {};
  if (options.host !== undefined && options.host !== null) headers['Host'] = options.host;
  if (options.authorization !== undefined) headers['Authorization'] = options.authorization;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers,
        setHost: options.host !== null && options.host === undefined,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(options.body);
  });
}

/** A logger that keeps its warnings. */
function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger = {
    error: () => undefined,
    warn: (message) => void warnings.push(message),
    info: () => undefined,
    debug: () => undefined,
    child: () => logger,
  };
  return { logger, warnings };
}

describe('http server: Host header check (DNS rebinding)', () => {
  it('answers the loopback names on the bound port', async () => {
    const server = await start({ token });
    const port = server.address.port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST.:${port}`,
      `[::1]:${port}`,
    ]) {
      expect((await raw(`${server.url}/status`, { host })).status, host).toBe(200);
    }
  });

  it('refuses forged Host headers with 403 on /status, /metrics and unknown paths, reading nothing', async () => {
    let reads = 0;
    const { control } = fakeControl();
    const server = await start({
      token,
      control: { ...control, positions: () => ((reads += 1), control.positions()) },
      metrics: () => ((reads += 1), Promise.resolve('# HELP up 1\n')),
    });
    const port = server.address.port;
    const forged = [
      `evil.example:${port}`,
      'evil.example',
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `localhost:${port + 1}`,
      '127.0.0.1',
      `[::1]:${port + 1}`,
      `0.0.0.0:${port}`,
      `user@localhost:${port}`,
      '',
    ];
    for (const host of forged) {
      for (const path of ['/status', '/metrics', '/nope']) {
        const response = await raw(`${server.url}${path}`, { host });
        expect(response.status, `${host} ${path}`).toBe(403);
        expect(JSON.parse(response.text), host).toEqual({
          error: expect.stringContaining(
            'is not a name of this server: it answers localhost, 127.0.0.1, [::1] on port',
          ) as string,
        });
      }
    }
    expect(reads).toBe(0);
    const refused = JSON.parse(
      (await raw(`${server.url}/status`, { host: 'evil.example:80' })).text,
    ) as {
      error: string;
    };
    expect(refused.error).toBe(
      `Host "evil.example:80" is not a name of this server: it answers localhost, 127.0.0.1, [::1] on port ${port} (HTTP_ALLOWED_HOSTS adds more). Add the name clients use to HTTP_ALLOWED_HOSTS.`,
    );
  });

  it('refuses a state change under a forged Host even with the right token: nothing changes', async () => {
    const { control, changes } = fakeControl();
    const server = await start({ control, token });
    const response = await raw(`${server.url}/halt`, {
      method: 'POST',
      host: `attacker.example:${server.address.port}`,
      authorization: `Bearer ${token}`,
      body: '{"reason":"rebinding"}',
    });
    expect(response.status).toBe(403);
    expect(changes).toEqual([]);
  });

  it('answers /health and /ready whatever the Host, for container probes by address', async () => {
    const server = await start();
    expect((await raw(`${server.url}/health`, { host: '10.1.2.3:8787' })).status).toBe(200);
    expect((await raw(`${server.url}/ready`, { host: '10.1.2.3:8787' })).status).toBe(503);
  });

  it('a request without a Host header is refused by HTTP/1.1 itself (400), reading nothing', async () => {
    let reads = 0;
    const { control } = fakeControl();
    const server = await start({
      control: { ...control, pnl: () => ((reads += 1), control.pnl()) },
    });
    expect((await raw(`${server.url}/status`, { host: null })).status).toBe(400);
    expect(reads).toBe(0);
  });

  it('answers the hosts of HTTP_ALLOWED_HOSTS: with their port, or any port when they name none', async () => {
    const server = await start({
      allowedHosts: loadConfig({ HTTP_ALLOWED_HOSTS: 'Bot.LAN,10.0.0.5:8787,[fd00::2]' }).http
        .allowedHosts,
    });
    for (const host of [
      'bot.lan',
      'bot.lan:443',
      'BOT.LAN.:8787',
      '10.0.0.5:8787',
      '[fd00::2]:9',
    ]) {
      expect((await raw(`${server.url}/status`, { host })).status, host).toBe(200);
    }
    for (const host of ['10.0.0.5:8788', '10.0.0.5', 'bot.lan.evil.example', 'evil-bot.lan']) {
      expect((await raw(`${server.url}/status`, { host })).status, host).toBe(403);
    }
  });

  it('answers its own listen address when it is not a wildcard', async () => {
    const server = await start({ host: '127.0.0.2' });
    expect(server.address.host).toBe('127.0.0.2');
    const port = server.address.port;
    expect((await raw(`${server.url}/status`, { host: `127.0.0.2:${port}` })).status).toBe(200);
    expect((await raw(`${server.url}/status`, { host: `127.0.0.3:${port}` })).status).toBe(403);
  });
});

describe('http server: listening beyond loopback', () => {
  it('warns that the control API is reachable from the network when HTTP_HOST=0.0.0.0', async () => {
    const { logger, warnings } = recordingLogger();
    const server = await start({ host: '0.0.0.0', logger, token });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'HTTP_HOST=0.0.0.0 is not a loopback address: the control API is reachable from the network, and HTTP_TOKEN is what protects it',
    );
    expect(warnings[0]).toContain('Keep HTTP_HOST=127.0.0.1 unless a firewall or a reverse proxy');
    expect(warnings[0]).not.toContain(token);
    // Still reachable locally by a loopback name; a rebinding name still is not.
    const port = server.address.port;
    expect((await raw(`http://127.0.0.1:${port}/status`)).status).toBe(200);
    expect(
      (await raw(`http://127.0.0.1:${port}/status`, { host: `evil.example:${port}` })).status,
    ).toBe(403);
  });

  it('says the status is open to anyone when no token is set', async () => {
    const { logger, warnings } = recordingLogger();
    await start({ host: '0.0.0.0', logger });
    expect(warnings[0]).toContain('/status and /metrics are open to anyone who reaches the port');
  });

  it('does not warn on loopback addresses', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const { logger, warnings } = recordingLogger();
      await start({ host, logger }).catch((error: unknown) => {
        // A machine without IPv6 cannot bind ::1; the others must work.
        if (host !== '::1') throw error;
      });
      expect(warnings, host).toEqual([]);
    }
  });
});

describe('http server: reasons are one line of text', () => {
  it.each([
    ['a line feed', 'incident\nFAKE: resumed by admin', '000A', 9],
    ['a carriage return', 'incident\r', '000D', 9],
    ['a tab', '\tincident', '0009', 1],
    ['an ANSI escape', 'incident \u001b[2J', '001B', 10],
    ['NUL', 'in\u0000cident', '0000', 3],
    ['a C1 control', 'incident\u009b', '009B', 9],
    ['a line separator', 'incident\u2028x', '2028', 9],
    ['a bidi override', '\u202eincident', '202E', 1],
  ])(
    'refuses a reason with %s: 400 naming the field, nothing changes',
    async (_, reason, code, at) => {
      const { control, changes } = fakeControl();
      const server = await start({ control, token });
      for (const path of ['/halt', '/reduce', '/resume']) {
        const response = await post(
          `${server.url}${path}`,
          JSON.stringify({ reason }),
          `Bearer ${token}`,
        );
        expect(response.status).toBe(400);
        expect(JSON.parse(response.text)).toEqual({
          error: `reason holds a control character (U+${code}) at position ${at}; a reason is one line of text: remove it`,
        });
      }
      expect(changes).toEqual([]);
    },
  );

  it('caps a reason at 200 characters', async () => {
    const { control, changes } = fakeControl();
    const server = await start({ control, token });
    const auth = `Bearer ${token}`;
    const long = await post(
      `${server.url}/halt`,
      JSON.stringify({ reason: 'x'.repeat(201) }),
      auth,
    );
    expect(long.status).toBe(400);
    expect(JSON.parse(long.text)).toEqual({
      error: 'reason is 201 characters long; at most 200 are allowed: shorten it',
    });
    const fits = await post(
      `${server.url}/halt`,
      JSON.stringify({ reason: '🚨'.repeat(200) }),
      auth,
    );
    expect(fits.status).toBe(200);
    expect(changes).toEqual([{ state: 'halted', reason: '🚨'.repeat(200), changedBy: 'http' }]);
  });

  it("answers 400 when the bot refuses the reason itself (the state machine's ValidationError)", async () => {
    const { control } = fakeControl();
    const server = await start({
      token,
      control: {
        ...control,
        setTradingState: () =>
          Promise.reject(
            new ValidationError('TradingStateMachine.resume: reason must be a non-empty string'),
          ),
      },
    });
    const response = await post(`${server.url}/resume`, '{}', `Bearer ${token}`);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({
      error: 'TradingStateMachine.resume: reason must be a non-empty string',
    });
  });
});
