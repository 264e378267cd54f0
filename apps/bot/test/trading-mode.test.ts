/**
 * The bot says what mode it is in: paper, a live dry run (MODE=live without ALLOW_LIVE_TRADING)
 * or live trading, in three places each: its start log, `/status` over HTTP, and the first alert
 * (captured through an alert channel; for the dry run also the first Telegram message a local Bot
 * API server received). Market data and the account come from the Binance emulator through
 * ccxt's real client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@lumenlink/core';
import { recordingLogger, type LoggedLine } from '@lumenlink/core/testing';
import type { AlertChannel } from '@lumenlink/alerts';
import { loadConfig } from '@lumenlink/config';
import { startExchangeEmulator } from '@lumenlink/exchanges/testing';
import { startBot } from '../src/bot.js';
import { liveEnv, request, tempDir, waitFor } from './helpers.js';

const apiKey = 'trading-mode-api-key-0123456789';
const secret = 'trading-mode-api-secret-0123456789';
const telegramToken = '123456789:AAtradingModeTestTokenForLocalApi0';
const chatId = 4242;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A local Telegram Bot API: records each `sendMessage` text, answers the rest ok. */
async function localBotApi(): Promise<{ apiRoot: string; messages: string[] }> {
  const messages: string[] = [];
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const method = /\/(\w+)$/.exec(incoming.url ?? '')?.[1] ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      let result: unknown = true;
      if (method === 'sendMessage') {
        messages.push(String(body['text']));
        result = { message_id: messages.length, date: 1, chat: { id: chatId, type: 'private' } };
      } else if (method === 'getMe') {
        result = { id: 1, is_bot: true, first_name: 'LumenLink', username: 'lumenlink_bot' };
      } else if (method === 'getUpdates') {
        result = [];
      }
      const reply = (): void => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: true, result }));
      };
      if (method === 'getUpdates') setTimeout(reply, 50);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, messages };
}

const modes = [
  {
    kind: 'paper',
    env: { MODE: 'paper' },
    text: 'paper trading: simulated fills, no order reaches the exchange',
  },
  {
    kind: 'live-dry-run',
    env: { MODE: 'live', ALLOW_LIVE_TRADING: 'false' },
    text: 'live dry run: no order will be sent to binance (ALLOW_LIVE_TRADING is not true: every order is blocked and each decision says so; set it to true to trade)',
  },
  {
    kind: 'live',
    env: { MODE: 'live', ALLOW_LIVE_TRADING: 'true' },
    text: 'LIVE trading: real orders on binance',
  },
] as const;

describe('the bot says what mode it is in', () => {
  it.each(modes)('$kind: in its start log, in /status and in its first alert', async (mode) => {
    const emulator = await startExchangeEmulator({ apiKey, secret });
    cleanups.push(() => emulator.close());
    const telegram = await localBotApi();
    const config = loadConfig(
      liveEnv({ url: emulator.url, apiKey, secret }, join(tempDir('lumenlink-mode-'), 'bot.db'), {
        STRATEGY: 'ema_crossover',
        TELEGRAM_BOT_TOKEN: telegramToken,
        TELEGRAM_CHAT_IDS: String(chatId),
        TELEGRAM_API_ROOT: telegram.apiRoot,
        ...mode.env,
      }),
    );
    const lines: LoggedLine[] = [];
    const alerts: AlertEvent[] = [];
    const recorder: AlertChannel = {
      name: 'recorder',
      send: (event) => {
        alerts.push(event);
        return Promise.resolve();
      },
    };
    const bot = await startBot(config, {
      logger: recordingLogger(lines),
      alertChannels: [recorder],
      sentiment: false,
    });
    cleanups.push(() => bot.stop());

    // 1. The start log: the mode's own line, then `bot started` naming it.
    const modeLine = lines.find((line) => line.message === mode.text);
    expect(modeLine).toMatchObject({ level: 'info', fields: { tradingMode: mode.kind } });
    const started = lines.find((line) => line.message === 'bot started');
    expect(started?.fields['tradingMode']).toBe(mode.kind);
    expect(lines.indexOf(modeLine!)).toBeLessThan(lines.indexOf(started!));

    // 2. /status over HTTP.
    const status = (await request(`${bot.url}/status`)).body as Record<string, unknown>;
    expect(status).toMatchObject({
      mode: config.mode,
      tradingMode: mode.kind,
      tradingModeText: mode.text,
    });

    // 3. The first alert, and the first Telegram message.
    const first = await waitFor('the first alert', () => alerts[0]);
    expect(first).toMatchObject({
      type: 'error',
      severity: 'info',
      code: 'BOT_STARTING',
      message: `${mode.text}. Strategy ema_crossover on BTC-USDT (1h).`,
    });
    const message = await waitFor('the first Telegram message', () => telegram.messages[0]);
    expect(message).toBe(
      `<b>Notice: BOT_STARTING</b>\nMessage: ${mode.text.replaceAll('&', '&amp;')}. Strategy ema_crossover on BTC-USDT (1h).`,
    );
  });
});
