import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAlertDispatcher,
  createConsoleNotifier,
  createDiscordChannel,
  createTelegramChannel,
} from '../src/index.js';
import type { AlertDispatcher } from '../src/index.js';
import { startFakeBotApi } from './fake-bot-api.js';
import type { FakeBotApi } from './fake-bot-api.js';
import { startFakeWebhook } from './fake-webhook.js';
import type { FakeWebhook } from './fake-webhook.js';
import { botToken, fastClock, recordingLogger, sampleEvents } from './helpers.js';

/**
 * Hands one alert to notify() and checks that it only queued it: notify returns nothing to await
 * (so a caller cannot be held up by a channel), and every channel has the alert pending.
 */
function handOver(alerts: AlertDispatcher, event: Parameters<AlertDispatcher['notify']>[0]): void {
  const before = alerts.pending();
  const result: unknown = alerts.notify(event);
  expect(result).toBeUndefined();
  const after = alerts.pending();
  for (const [channel, count] of Object.entries(after)) {
    if (channel === 'console') continue;
    expect(count, channel).toBeGreaterThan(before[channel] ?? 0);
  }
}

describe('Telegram and Discord channels against local servers', () => {
  let telegram: FakeBotApi;
  let discord: FakeWebhook;

  beforeEach(async () => {
    telegram = await startFakeBotApi();
    discord = await startFakeWebhook();
  });

  afterEach(async () => {
    await telegram.close();
    await discord.close();
  });

  function setup(options: { timeoutSeconds?: number } = {}) {
    const { logger, lines } = recordingLogger([botToken, discord.url]);
    const clock = fastClock();
    const alerts = createAlertDispatcher({
      channels: [
        createConsoleNotifier(logger),
        createTelegramChannel({
          token: botToken,
          chatIds: [111, 222],
          apiRoot: telegram.apiRoot,
          timeoutSeconds: options.timeoutSeconds ?? 5,
        }),
        createDiscordChannel({ webhookUrl: discord.url, timeoutMs: 1_000 }),
      ],
      clock,
      logger,
      baseDelayMs: 10,
      maxAttempts: 3,
    });
    const noSecrets = (): void => {
      const text = lines.join('\n');
      expect(text).not.toContain(botToken);
      expect(text).not.toContain(botToken.split(':')[1]);
      expect(text).not.toContain(discord.token);
    };
    return { alerts, lines, clock, noSecrets };
  }

  it('delivers an alert to every Telegram chat (HTML, via grammy) and as a Discord embed', async () => {
    const { alerts, lines, noSecrets } = setup();
    alerts.notify(sampleEvents.opened);
    await alerts.flush();
    const sends = telegram.callsOf('sendMessage');
    expect(sends.map((call) => call.body['chat_id'])).toEqual([111, 222]);
    expect(sends[0]?.token).toBe(botToken);
    expect(sends[0]?.body['parse_mode']).toBe('HTML');
    expect(sends[0]?.body['text']).toContain('<b>Trade opened: BUY BTC-USD</b>');
    expect(discord.posts).toHaveLength(1);
    expect(discord.posts[0]).toMatchObject({
      username: 'LumenLink',
      embeds: [{ title: 'Trade opened: BUY BTC-USD', fields: expect.any(Array) as unknown }],
    });
    expect(lines.some((line) => line.includes('alert: trade_opened'))).toBe(true);
    noSecrets();
  });

  it('honours Telegram 429 retry_after and Discord 429 retry_after and Retry-After', async () => {
    const { alerts, clock, noSecrets } = setup();
    telegram.faults.push({ kind: 'rate_limit', retryAfter: 3 });
    discord.faults.push(
      { kind: 'rate_limit', retryAfter: 2.5, via: 'body' },
      { kind: 'rate_limit', retryAfter: 4, via: 'header' },
    );
    alerts.notify(sampleEvents.closed);
    await alerts.flush();
    expect(clock.sleeps).toContain(3_000);
    expect(clock.sleeps).toContain(2_500);
    expect(clock.sleeps).toContain(4_000);
    expect(
      telegram.callsOf('sendMessage').filter((call) => call.body['chat_id'] === 111),
    ).toHaveLength(2);
    expect(discord.posts).toHaveLength(1);
    noSecrets();
  });

  it('a retry after a partial Telegram failure resends only to the chats that missed it', async () => {
    const { alerts, noSecrets } = setup();
    telegram.faults.push({ kind: 'ok' }, { kind: 'server_error' });
    alerts.notify(sampleEvents.daily);
    await alerts.flush();
    const chats = telegram.callsOf('sendMessage').map((call) => call.body['chat_id']);
    expect(chats).toEqual([111, 222, 222]);
    noSecrets();
  });

  it('a 429 storm or outage of both channels neither throws nor delays notify', async () => {
    const { alerts, lines, noSecrets } = setup();
    telegram.persistentFault = { kind: 'rate_limit', retryAfter: 1 };
    discord.persistentFault = { kind: 'server_error' };
    for (const event of Object.values(sampleEvents)) {
      expect(() => handOver(alerts, event)).not.toThrow();
    }
    await alerts.flush();
    expect(telegram.callsOf('sendMessage').length).toBeGreaterThan(0);
    expect(discord.posts).toHaveLength(0);
    expect(lines.filter((line) => line.includes('alert dropped')).length).toBeGreaterThanOrEqual(
      16,
    );
    // The console channel still logged every alert.
    expect(lines.filter((line) => line.includes('"alert: ')).length).toBe(8);
    noSecrets();
  });

  it('a hanging server does not block notify or the other channels', async () => {
    const { alerts, noSecrets } = setup({ timeoutSeconds: 30 });
    telegram.persistentFault = { kind: 'hang' };
    handOver(alerts, sampleEvents.stop);
    handOver(alerts, sampleEvents.daily);
    for (let i = 0; i < 500 && discord.posts.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(discord.posts).toHaveLength(2);
    expect(telegram.callsOf('sendMessage')).toHaveLength(1);
    // Shutdown with a timeout aborts the hung request instead of waiting for it.
    const closing = performance.now();
    await alerts.close({ timeoutMs: 300 });
    // Far below the 30 s request timeout: close() did not wait for the hung request.
    expect(performance.now() - closing).toBeLessThan(10_000);
    noSecrets();
  });

  it('a hung webhook request times out and the retry delivers', async () => {
    const { alerts, noSecrets } = setup();
    discord.faults.push({ kind: 'hang' });
    alerts.notify(sampleEvents.stop);
    await alerts.flush();
    expect(discord.posts).toHaveLength(1);
    noSecrets();
  });

  it('a refused connection (grammy HttpError with the token in its URL) leaks no token', async () => {
    const { alerts, lines, noSecrets } = setup();
    await telegram.close();
    await discord.close();
    alerts.notify(sampleEvents.error);
    await alerts.flush();
    expect(lines.some((line) => line.includes('telegram: network failure'))).toBe(true);
    expect(lines.some((line) => line.includes('discord: network failure'))).toBe(true);
    noSecrets();
    telegram = await startFakeBotApi();
    discord = await startFakeWebhook();
  });
});
