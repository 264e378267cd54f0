/**
 * Telegram control of the running bot: grammy's real client against a local Bot API server. The
 * bot answers commands from its configured chat through its `BotControl`, sends trade alerts
 * there, and stops polling when it stops.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@lumenlink/core';
import { startBot, type Bot } from '../src/bot.js';
import { replayConfig, seedDatabase, tempDir, waitFor } from './helpers.js';

const token = '123456789:AAbotTestTokenForTheLocalBotApi01';
const chatId = 4242;

interface Call {
  readonly method: string;
  readonly body: Record<string, unknown>;
}

interface LocalBotApi {
  readonly apiRoot: string;
  readonly calls: Call[];
  readonly updates: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A local Bot API: records calls, hands out queued updates, answers everything else ok. */
async function startLocalBotApi(): Promise<LocalBotApi> {
  const calls: Call[] = [];
  const updates: Record<string, unknown>[] = [];
  let messageId = 1;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = /^\/bot[^/]+\/(\w+)$/.exec(request.url ?? '')?.[1] ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      calls.push({ method, body });
      const reply = (result: unknown): void => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: true, result }));
      };
      if (method === 'getMe') {
        reply({ id: 1, is_bot: true, first_name: 'LumenLink', username: 'lumenlink_bot' });
      } else if (method === 'getUpdates') {
        const batch = updates.splice(0);
        setTimeout(() => reply(batch), batch.length === 0 ? 50 : 0);
      } else if (method === 'sendMessage') {
        reply({ message_id: messageId++, date: 1, chat: { id: body['chat_id'], type: 'private' } });
      } else {
        reply(true);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    updates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function command(updateId: number, text: string): Record<string, unknown> {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 1,
      chat: { id: chatId, type: 'private' },
      from: { id: chatId, is_bot: false, first_name: 'Operator' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 0 }],
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Telegram', () => {
  it('answers commands through the bot, sends trade alerts, and stops polling on stop', async () => {
    const api = await startLocalBotApi();
    cleanups.push(() => api.close());
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 200);
    const bot: Bot = await startBot(
      replayConfig(dbPath, {
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_CHAT_IDS: String(chatId),
        TELEGRAM_API_ROOT: api.apiRoot,
      }),
      { logger: silentLogger, replaySpeed: 0 },
    );
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await bot.stop();
    });
    await bot.replay?.finished;

    const sent = (): string[] =>
      api.calls
        .filter((call) => call.method === 'sendMessage' && call.body['chat_id'] === chatId)
        .map((call) => String(call.body['text']));
    // Trade alerts reach the chat.
    await waitFor('a trade alert in the chat', () =>
      sent().some((text) => /BTC-USDT|ETH-USDT|SOL-USDT/.test(text)) ? true : undefined,
    );

    api.updates.push(command(1, '/status'), command(2, '/why SOL-USDT'));
    const status = await waitFor('the answer to /status', () =>
      sent().find((text) => text.startsWith('<b>LumenLink</b>')),
    );
    expect(status).toContain('<b>LumenLink</b> paper on binance (replay)');
    expect(status).toContain(
      'Mode: <b>paper trading: simulated fills, no order reaches the exchange</b>',
    );
    expect(status).toContain('Symbols: BTC-USDT, ETH-USDT, SOL-USDT');
    expect(status).toContain('Last candle: 2024-01-09T07:00:00Z');
    const why = await waitFor('the answer to /why', () =>
      sent().find((text) => text.startsWith('<b>Why SOL-USDT</b>')),
    );
    expect(why).toContain('<b>2024-01-09T07:00:00Z</b>');

    await bot.stop();
    stopped = true;
    const polls = api.calls.filter((call) => call.method === 'getUpdates').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.calls.filter((call) => call.method === 'getUpdates').length).toBe(polls);
  });
});
