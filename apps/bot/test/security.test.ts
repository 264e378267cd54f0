/**
 * Security (issue #15 part 4; reliability plan rows 15, 16, 18): the running bot never lets a
 * secret out, its HTTP server is local and guards state changes with the token, and Telegram
 * serves its configured chats only. (The live gate is in security-live-gate.test.ts.)
 *
 * The secret scan runs the bot live (ALLOW_LIVE_TRADING=true) against the Binance emulator, a
 * local Telegram Bot API, a local Discord webhook and local stand-ins for the sentiment feeds,
 * with a recognisable sentinel in every secret key of core's config table. It trades, answers
 * chat commands and HTTP requests, and meets errors: exchange 500s on signed URLs, exchange
 * error pages that echo the request headers and every secret (as JSON, and as an HTML page that
 * is not JSON), order refusals whose message echoes the request (API key header, signature,
 * query) and every secret, a secret straddling the point where exchange texts are cut (400
 * characters of an exchange error, 200 of a page that is not JSON), an operator's reason holding
 * secrets, sentiment feeds answering 401/500 with the request URL (token included) echoed in the
 * body, Discord 500, Telegram 401 and Telegram refusing connections (grammy's HttpError carries
 * the request URL, bot token included). A second start with credentials the exchange refuses
 * (HTTP 401) fails, and `pnpm live` (runBot) fails to start on the echoing error page.
 * Then every output is scanned for every sentinel, raw and encoded (URL, form, JSON, base64) and
 * cut (any 8+ character prefix or suffix of its secret part), and for the signature of every
 * request the exchanges received: the log lines, HTTP bodies, what Telegram and Discord received,
 * the errors surfaced (thrown with their cause chains, returned, printed by `pnpm live`), console
 * and process output, and the database files' raw bytes (with their WAL, while running and after).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger, type Candle, type Logger } from '@lumenlink/core';
import {
  configKeyList,
  configKeys,
  configSecrets,
  loadConfig,
  type ConfigKey,
} from '@lumenlink/config';
import { createLogger } from '@lumenlink/core/logging';
import { loadBundledCandles } from '@lumenlink/data';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { startBot, type Bot } from '../src/bot.js';
import { runBot } from '../src/main.js';
import { loadConfigWithSecrets, secretKeys } from '../src/secrets.js';
import { replayConfig, request, seedDatabase, tempDir, waitFor } from './helpers.js';

const dayMs = 86_400_000;
const chatId = 4242;
const foreignChatId = 999_001;

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// ------------------------------------------------------------------------------------------
// Local stand-ins: Telegram Bot API, Discord webhook, sentiment feeds.
// ------------------------------------------------------------------------------------------

interface TelegramCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
}

interface FakeTelegram {
  readonly apiRoot: string;
  readonly calls: TelegramCall[];
  readonly updates: Record<string, unknown>[];
  /** Methods answered `401 Unauthorized` (as Telegram does for a revoked token). */
  readonly unauthorized: Set<string>;
  /** Closes the server: the bot's requests meet a refused connection. */
  down(): Promise<void>;
  close(): Promise<void>;
}

async function startFakeTelegram(): Promise<FakeTelegram> {
  const calls: TelegramCall[] = [];
  const updates: Record<string, unknown>[] = [];
  const unauthorized = new Set<string>();
  let messageId = 1;
  const server: Server = createServer((incoming, response) => {
    readBody(incoming, (text) => {
      const method = /^\/bot[^/]+\/(\w+)$/.exec(incoming.url ?? '')?.[1] ?? '';
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      calls.push({ method, body });
      const reply = (result: unknown): void => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: true, result }));
      };
      if (unauthorized.has(method)) {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
      } else if (method === 'getMe') {
        reply({ id: 1, is_bot: true, first_name: 'LumenLink', username: 'lumenlink_bot' });
      } else if (method === 'getUpdates') {
        const batch = updates.splice(0);
        setTimeout(() => reply(batch), batch.length === 0 ? 50 : 0);
      } else if (method === 'sendMessage') {
        reply({
          message_id: messageId++,
          date: 1,
          chat: { id: body['chat_id'], type: 'private' },
          text: body['text'],
        });
      } else {
        reply(true);
      }
    });
  });
  await listen(server);
  const { port } = server.address() as AddressInfo;
  let open = true;
  const close = async (): Promise<void> => {
    if (!open) return;
    open = false;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { apiRoot: `http://127.0.0.1:${port}`, calls, updates, unauthorized, down: close, close };
}

interface FakeDiscord {
  url: string;
  readonly posts: { readonly path: string; readonly body: string }[];
  /** The HTTP status answered: 204 (delivered) or 500. */
  status: number;
  close: () => Promise<void>;
}

async function startFakeDiscord(): Promise<FakeDiscord> {
  const fake: FakeDiscord = {
    url: '',
    posts: [],
    status: 204,
    close: () => Promise.resolve(),
  };
  const server = createServer((incoming, response) => {
    readBody(incoming, (text) => {
      fake.posts.push({ path: incoming.url ?? '', body: text });
      response.writeHead(fake.status, { 'content-type': 'text/plain' });
      response.end(fake.status === 204 ? undefined : 'internal error');
    });
  });
  await listen(server);
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => closeServer(server);
  return fake;
}

/**
 * The sentiment feeds' stand-in: CryptoPanic answers 401 and the others 500, each echoing the
 * request URL (with CryptoPanic's `auth_token`) in its body, as careless APIs do.
 */
async function startFakeFeeds(): Promise<{
  url: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server = createServer((incoming, response) => {
    const url = incoming.url ?? '';
    requests.push(url);
    const status = url.includes('/posts/') ? 401 : 500;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'Incomplete', info: `rejected request ${url}` }));
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => closeServer(server),
  };
}

function readBody(incoming: IncomingMessage, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}

async function listen(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Sends requests for hosts other than 127.0.0.1 (the sentiment feeds) to `target` instead. */
function routeExternalFetch(target: string): void {
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return realFetch(input, init);
    return realFetch(`${target}/${url.hostname}${url.pathname}${url.search}`, init);
  });
  cleanups.push(() => {
    vi.unstubAllGlobals();
  });
}

// ------------------------------------------------------------------------------------------
// Sentinels and the scan.
// ------------------------------------------------------------------------------------------

/**
 * A recognisable value per secret key. Each holds a marker of lowercase letters and digits that
 * survives every encoding (URL, form, JSON), so finding the marker anywhere finds the secret in
 * any of them; several values also hold characters that encode differently (`+`, `/`, `=`,
 * space, `&`).
 */
function sentinels(discordUrl: string): Record<ConfigKey, string> {
  // Each ends with a random tail too, so a cut form from either end is recognisable.
  const shapes: Partial<Record<ConfigKey, (marker: string, tail: string) => string>> = {
    EXCHANGE_API_KEY: (marker, tail) => `${marker}ApiKey${tail}`,
    EXCHANGE_API_SECRET: (marker, tail) => `${marker}+Api/Secret=${tail}`,
    EXCHANGE_API_PASSPHRASE: (marker, tail) => `${marker} pass&phrase${tail}`,
    HTTP_TOKEN: (marker, tail) => `${marker}-http-bearer-token${tail}`,
    TELEGRAM_BOT_TOKEN: (marker, tail) => `7004242:AA${marker}_telegram-Token${tail}`,
    DISCORD_WEBHOOK_URL: (marker, tail) =>
      `${discordUrl}/api/webhooks/424242/${marker}-Discord.Webhook_token${tail}`,
    CRYPTOPANIC_TOKEN: (marker, tail) => `${marker}+cp/token${tail}`,
  };
  const values: Partial<Record<ConfigKey, string>> = {};
  for (const [index, key] of secretKeys.entries()) {
    const marker = `sntl${index}${randomBytes(6).toString('hex')}`;
    const tail = `Q${randomBytes(4).toString('hex')}q`;
    const shape = shapes[key] ?? ((text: string, end: string) => `${text}-secret-value${end}`);
    const value = shape(marker, tail);
    // Every sentinel is a valid value of its key.
    expect(configKeys[key].schema.safeParse(value).success, key).toBe(true);
    values[key] = value;
  }
  return values as Record<ConfigKey, string>;
}

function markerOf(value: string): string {
  const marker = /sntl\d+[0-9a-f]{12}/.exec(value)?.[0];
  if (marker === undefined) throw new Error(`no marker in ${value}`);
  return marker;
}

/**
 * The part of a secret that is secret: a Discord webhook's token (not the host and path before
 * it), a Telegram bot token's part after the bot id; the whole value otherwise.
 */
function secretPart(value: string): string {
  if (/^https?:\/\//.test(value)) return value.slice(value.lastIndexOf('/') + 1);
  return /^\d+:(.+)$/.exec(value)?.[1] ?? value;
}

/** Shortest cut form of a secret looked for: any longer prefix or suffix contains one. */
const cutFormLength = 8;

/**
 * The forms a secret may leak in: raw, URL-, form- and JSON-encoded, base64, its marker, and
 * its cut forms (what is left when a text is cut inside it): its secret part's first and last 8
 * characters, raw and URL-encoded.
 */
function leakForms(value: string): Record<string, string> {
  const part = secretPart(value);
  return {
    raw: value,
    uri: encodeURIComponent(value),
    form: new URLSearchParams({ v: value }).toString().slice(2),
    json: JSON.stringify(value).slice(1, -1),
    base64: Buffer.from(value, 'utf8').toString('base64'),
    base64url: Buffer.from(value, 'utf8').toString('base64url'),
    marker: markerOf(value),
    cutStart: part.slice(0, cutFormLength),
    cutEnd: part.slice(-cutFormLength),
    uriCutStart: encodeURIComponent(part).slice(0, cutFormLength),
    uriCutEnd: encodeURIComponent(part).slice(-cutFormLength),
  };
}

/** Characters of a request signature's start or end that count as a leak of it. */
const signatureCutLength = 16;

/**
 * Every signature (64 hex digits, HMAC of one signed request) found in any output, whole or cut
 * to its first or last 16 digits. Signatures are many, so hex runs are indexed once.
 */
function signatureLeaks(outputs: readonly Output[], signatures: readonly string[]): string[] {
  const needles = new Set<string>();
  for (const signature of signatures) {
    needles.add(signature.slice(0, signatureCutLength));
    needles.add(signature.slice(-signatureCutLength));
  }
  const found: string[] = [];
  for (const { where, text } of outputs) {
    for (const run of text.toLowerCase().matchAll(/[0-9a-f]{16,}/g)) {
      const hex = run[0];
      for (let at = 0; at + signatureCutLength <= hex.length; at++) {
        if (needles.has(hex.slice(at, at + signatureCutLength))) {
          found.push(
            `${where}: signature ...${text.slice(Math.max(0, run.index - 80), run.index + 80)}...`,
          );
          break;
        }
      }
    }
  }
  return found;
}

/** The signatures of the signed requests an exchange emulator received. */
function signaturesOf(exchange: ExchangeEmulator): string[] {
  return exchange
    .requests()
    .map((entry) => entry.query['signature'] ?? entry.body['signature'])
    .filter((signature): signature is string => signature !== undefined);
}

/** Where exchange error texts are cut: 400 characters of a ccxt error's message. */
const exchangeTextCut = 400;
/** ccxt's text of a Binance error answer starts `binance {"code":-2010,"msg":"` (29 characters). */
const binanceErrorPrefix = 'binance {"code":-2010,"msg":"'.length;

/**
 * A refusal's `msg` that echoes every secret (raw, URL-encoded, as `KEY=value` and in JSON) and
 * puts `straddler` across the cut: its first 10 characters before it, the rest after.
 */
function echoingMessage(
  opening: string,
  straddler: string,
  secrets: Readonly<Record<string, string>>,
  extra = '',
): string {
  const pad = exchangeTextCut - binanceErrorPrefix - opening.length - 10;
  expect(pad).toBeGreaterThan(0);
  const dump = Object.entries(secrets)
    .map(
      ([key, value]) =>
        `${key}=${value} ${encodeURIComponent(value)} ${JSON.stringify({ [key]: value })}`,
    )
    .join(' ');
  return `${opening}${'.'.repeat(pad)}${straddler} ${extra}config dump: ${dump} again: ${dump}`;
}

interface Output {
  readonly where: string;
  readonly text: string;
}

/** Every occurrence of a sentinel in any output, as `where: KEY (form) ...excerpt...`. */
function leaks(outputs: readonly Output[], secrets: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const { where, text } of outputs) {
    const lower = text.toLowerCase();
    for (const [key, value] of Object.entries(secrets)) {
      for (const [form, needle] of Object.entries(leakForms(value))) {
        const index = form === 'marker' ? lower.indexOf(needle) : text.indexOf(needle);
        if (index >= 0) {
          found.push(
            `${where}: ${key} (${form}) ...${text.slice(Math.max(0, index - 80), index + 80)}...`,
          );
        }
      }
    }
  }
  return found;
}

/** The raw bytes of the database files (with the WAL and shared memory) in `dir`. */
function databaseFiles(dir: string, moment: string): Output[] {
  return readdirSync(dir).map((file) => ({
    where: `database file ${file} (${moment})`,
    text: readFileSync(join(dir, file)).toString('latin1'),
  }));
}

/** An error with its cause chain, own fields and stack, as `util.inspect` shows it all. */
function errorText(error: unknown): string {
  return inspect(error, { depth: 12, showHidden: false, breakLength: Infinity });
}

// ------------------------------------------------------------------------------------------
// Capture: log lines (core's logger with redaction, as the bot makes it), raw log calls,
// console and process output.
// ------------------------------------------------------------------------------------------

function memoryStream(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
}

/** A logger that hands every call to `inner` and keeps the raw fields (before redaction). */
function teeLogger(inner: Logger, raw: unknown[]): Logger {
  const wrap = (logger: Logger): Logger => ({
    error: (message, fields) => (raw.push(fields), logger.error(message, fields)),
    warn: (message, fields) => (raw.push(fields), logger.warn(message, fields)),
    info: (message, fields) => (raw.push(fields), logger.info(message, fields)),
    debug: (message, fields) => (raw.push(fields), logger.debug(message, fields)),
    child: (bindings) => wrap(logger.child(bindings)),
  });
  return wrap(inner);
}

/** Console calls and process.stdout/stderr writes made while the test runs (still printed). */
function captureProcessOutput(): () => string[] {
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((name) => vi.spyOn(console, name)),
  ];
  const writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
  cleanups.push(() => {
    for (const spy of [...spies, ...writes]) spy.mockRestore();
  });
  return () => [
    ...spies.flatMap((spy) => spy.mock.calls.map((args) => format(...(args as unknown[])))),
    ...writes.flatMap((spy) => spy.mock.calls.map((args) => String(args[0]))),
  ];
}

// ------------------------------------------------------------------------------------------
// Exchange data and Telegram updates.
// ------------------------------------------------------------------------------------------

/** 60 daily candles of bundled BTC prices, the newest one closed yesterday (UTC). */
function dailyCandles(): { candles: Candle[]; newest: number } {
  const newest = Math.floor(Date.now() / dayMs) * dayMs - dayMs;
  const candles = loadBundledCandles('BTC-USDT')
    .slice(-60)
    .map((candle, index, all) => ({ ...candle, time: newest - (all.length - 1 - index) * dayMs }));
  return { candles, newest };
}

let nextUpdateId = 1;

function commandUpdate(
  text: string,
  chat: { id: number; type: string } = { id: chatId, type: 'private' },
  from = chat.id,
  kind: 'message' | 'edited_message' | 'channel_post' = 'message',
): Record<string, unknown> {
  const id = nextUpdateId++;
  return {
    update_id: id,
    [kind]: {
      message_id: id,
      date: 1,
      chat,
      ...(kind === 'channel_post'
        ? {}
        : { from: { id: from, is_bot: false, first_name: 'Someone' } }),
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 0 }],
      ...(kind === 'edited_message' ? { edit_date: 2 } : {}),
    },
  };
}

function callbackUpdate(data: string, chat: number, from = chat): Record<string, unknown> {
  const id = nextUpdateId++;
  return {
    update_id: id,
    callback_query: {
      id: `cb${id}`,
      from: { id: from, is_bot: false, first_name: 'Someone' },
      chat_instance: 'ci',
      data,
      message: { message_id: 900 + id, date: 1, chat: { id: chat, type: 'private' }, text: 'q' },
    },
  };
}

/** The callback data of the Confirm button in the latest confirmation question to `chat`. */
function confirmData(telegram: FakeTelegram, chat: number): string | undefined {
  for (const call of [...telegram.calls].reverse()) {
    if (call.method !== 'sendMessage' || call.body['chat_id'] !== chat) continue;
    const markup = call.body['reply_markup'] as
      { inline_keyboard?: { callback_data?: string }[][] } | undefined;
    const data = markup?.inline_keyboard?.[0]?.[0]?.callback_data;
    if (data !== undefined) return data;
  }
  return undefined;
}

/** Waits until Telegram received nothing but polls for half a second. */
async function quiet(telegram: FakeTelegram): Promise<void> {
  const sent = (): number => telegram.calls.filter((call) => call.method !== 'getUpdates').length;
  let seen = sent();
  let since = Date.now();
  await waitFor('the alerts to Telegram to finish', () => {
    if (sent() !== seen) {
      seen = sent();
      since = Date.now();
    }
    return Date.now() - since >= 500 ? true : undefined;
  });
}

function sentTexts(telegram: FakeTelegram, from = 0): string[] {
  return telegram.calls
    .slice(from)
    .filter((call) => call.method === 'sendMessage' || call.method === 'editMessageText')
    .map((call) => String(call.body['text']));
}

// ------------------------------------------------------------------------------------------

describe('security', () => {
  it('lets no secret out, whole, encoded or cut: logs, HTTP, alerts, chat replies, errors and their causes, console, the database and its WAL', async () => {
    const telegram = await startFakeTelegram();
    cleanups.push(() => telegram.close());
    const discord = await startFakeDiscord();
    cleanups.push(() => discord.close());
    const feeds = await startFakeFeeds();
    cleanups.push(() => feeds.close());
    routeExternalFetch(feeds.url);
    const processOutput = captureProcessOutput();

    const secrets = sentinels(discord.url);
    // Every secret key of core's config table has its sentinel.
    expect(Object.keys(secrets).sort()).toEqual(
      configKeyList
        .filter((spec) => spec.secret)
        .map((spec) => spec.key)
        .sort(),
    );
    const { candles, newest } = dailyCandles();
    const emulator: ExchangeEmulator = await startExchangeEmulator({
      candles: { 'BTC/USDT': candles },
      apiKey: secrets.EXCHANGE_API_KEY,
      secret: secrets.EXCHANGE_API_SECRET,
    });
    cleanups.push(() => emulator.close());

    const dbPath = join(tempDir('lumenlink-security-'), 'bot.db');
    const env: Record<string, string> = {
      ...secrets,
      MODE: 'live',
      ALLOW_LIVE_TRADING: 'true',
      DATA_SOURCE: 'exchange',
      EXCHANGE: 'binance',
      EXCHANGE_API_URL: emulator.url,
      SYMBOLS: 'BTC-USDT',
      INTERVAL: '1d',
      STRATEGY: 'smart_dca',
      DB_PATH: dbPath,
      HTTP_PORT: '0',
      DATA_POLLING_MS: '200',
      POLL_INTERVAL_MS: '200',
      RECONCILE_INTERVAL_MS: '300',
      SENTIMENT_INTERVAL_MS: '500',
      TELEGRAM_CHAT_IDS: String(chatId),
      TELEGRAM_API_ROOT: telegram.apiRoot,
      LOG_LEVEL: 'debug',
    };

    // Logging as `pnpm live` sets it up: a boot logger for secret resolution, then the bot's,
    // both core's winston logger with redaction, here writing JSON lines to memory.
    const lines: string[] = [];
    const raw: unknown[] = [];
    const stream = memoryStream(lines);
    const boot = createLogger({ level: 'debug', format: 'json', stream });
    const { config } = await loadConfigWithSecrets(env, { logger: boot });
    const logger = teeLogger(
      createLogger({ level: 'debug', format: 'json', stream, secrets: configSecrets(config) }),
      raw,
    );
    // 7, started now and checked at the end: `pnpm live` failing to start on an error page that
    // echoes the API key. Its start-up reads are retried for about 20 s (backoff from 0.5 s to
    // 15 s), so it runs while steps 1 to 6 do.
    const echoing = await startExchangeEmulator({
      candles: { 'BTC/USDT': candles },
      apiKey: secrets.EXCHANGE_API_KEY,
      secret: secrets.EXCHANGE_API_SECRET,
    });
    cleanups.push(() => echoing.close());
    echoing.inject({
      kind: 'malformed',
      route: 'GET /api/v3/account',
      body: JSON.stringify({
        code: -1000,
        msg: `upstream error; request headers: X-MBX-APIKEY: ${secrets.EXCHANGE_API_KEY}, X-Api-Key ${secrets.EXCHANGE_API_KEY}`,
      }),
    });
    const printed: string[] = [];
    const echoingDbPath = join(tempDir('lumenlink-security-'), 'bot.db');
    const failingStart = runBot({
      argv: ['--mode', 'live'],
      processEnv: { ...env, EXCHANGE_API_URL: echoing.url, DB_PATH: echoingDbPath },
      envFile: join(tempDir('lumenlink-security-'), '.env'),
      err: memoryStream(printed),
      signal: new AbortController().signal,
      logger,
    });
    cleanups.push(() => failingStart.then(() => undefined));
    const bot: Bot = await startBot(config, { logger });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await bot.stop();
    });
    const outputs: Output[] = [];
    const surfaced: unknown[] = [];
    const http = async (
      path: string,
      init: RequestInit & { headers?: Record<string, string> } = {},
    ): Promise<{ status: number; text: string }> => {
      const response = await request(`${bot.url}${path}`, init);
      outputs.push({
        where: `HTTP ${init.method ?? 'GET'} ${path} (${response.status})`,
        text: response.text,
      });
      return response;
    };
    const auth = { Authorization: `Bearer ${secrets.HTTP_TOKEN}` };

    // 1. It trades: smart_dca buys on the newest closed day, on the exchange, and says so.
    await waitFor('the buy filled on the exchange', () =>
      emulator.orders().some((order) => order.side === 'buy' && order.status === 'FILLED')
        ? true
        : undefined,
    );
    await waitFor('the trade alert on Discord and Telegram', () =>
      // The trade's alert, not the startup notice (which names the symbols too).
      discord.posts.some((post) => post.body.includes('Trade opened: BUY BTC-USDT')) &&
      sentTexts(telegram).some((text) => text.includes('Trade opened: BUY BTC-USDT'))
        ? true
        : undefined,
    );
    expect((await bot.control.why('BTC-USDT'))[0]?.candleTime).toBe(newest);

    // 2. Chat commands from the configured chat.
    for (const text of [
      '/status',
      '/balance',
      '/positions',
      '/pnl',
      '/daily',
      '/trades',
      '/why BTC-USDT',
      '/help',
    ]) {
      telegram.updates.push(commandUpdate(text));
    }
    await waitFor('the answer to /help', () =>
      sentTexts(telegram).some((text) => text.includes('/forceexit')) ? true : undefined,
    );

    // 3. Every HTTP endpoint, with and without the token, and refused requests.
    await http('/health');
    await http('/ready');
    await http('/health?ready=1');
    await http('/metrics');
    await http('/status');
    expect((await http('/status', { headers: auth })).status).toBe(200);
    await http('/nothing-here');
    expect((await http('/halt', { method: 'POST' })).status).toBe(401);
    expect(
      (
        await http('/halt', {
          method: 'POST',
          headers: { Authorization: 'Bearer wrong-token-0123456789' },
        })
      ).status,
    ).toBe(401);
    await http('/status', { method: 'PUT' });

    // 4a. The exchange answers 500 (an HTML page) on its signed routes: balances for an
    // authorised /status, and the reconcile loop's open orders.
    emulator.inject({ kind: 'status', status: 500, route: 'GET /api/v3/account' });
    emulator.inject({ kind: 'status', status: 500, route: 'GET /api/v3/openOrders' });
    const balanceFailure = await http('/status', { headers: auth });
    expect(balanceFailure.status).toBe(500);
    expect(balanceFailure.text).toMatch(/signature=/);
    await waitFor('the reconcile loop failing on the exchange 500', () =>
      bot.scheduler.loopHealth('reconcile').lastError?.includes('500') === true ? true : undefined,
    );
    await waitFor('the reconcile failure alert on Discord', () =>
      discord.posts.some((post) => post.body.includes('reconcile')) ? true : undefined,
    );
    // Then an error page that echoes the request's headers, API key included (as some proxies
    // and gateways do). The alert is a repeat: its summary goes out when the bot stops.
    // Every secret is echoed, the HTTP token (which the exchange adapter does not know) across
    // the point where the adapter cuts exchange texts.
    emulator.clearFaults();
    emulator.inject({
      kind: 'malformed',
      route: 'GET /api/v3/openOrders',
      body: JSON.stringify({
        code: -1000,
        msg: echoingMessage(
          'upstream error; ',
          secrets.HTTP_TOKEN,
          secrets,
          `request headers: X-MBX-APIKEY: ${secrets.EXCHANGE_API_KEY}, X-Api-Key ${secrets.EXCHANGE_API_KEY}; `,
        ),
      }),
    });
    await waitFor('the reconcile loop failing on the echoing error page', () =>
      bot.scheduler.loopHealth('reconcile').lastError?.includes('upstream error') === true
        ? true
        : undefined,
    );
    // A gateway page that is not JSON: its body is cut at 200 characters before the adapter sees
    // it, with the API secret across that cut.
    emulator.clearFaults();
    const page = '<html><body>gateway error: ';
    emulator.inject({
      kind: 'malformed',
      route: 'GET /api/v3/openOrders',
      body: `${page}${'-'.repeat(200 - page.length - 10)}${secrets.EXCHANGE_API_SECRET} ${Object.values(secrets).join(' ')}</body></html>`,
    });
    await waitFor('the reconcile loop failing on the page that is not JSON', () =>
      bot.scheduler.loopHealth('reconcile').lastError?.includes('not JSON') === true
        ? true
        : undefined,
    );
    expect((await http('/status', { headers: auth })).text).toContain('not JSON');
    emulator.clearFaults();

    // 4b. The exchange refuses a force exit from the chat (-2010) with a message that echoes the
    // request (API key header, signature, query) and every secret, the API key across the point
    // where exchange texts are cut.
    emulator.inject({
      kind: 'reject',
      code: -2010,
      msg: echoingMessage('Order refused by the gateway; ', secrets.EXCHANGE_API_KEY, secrets),
      echoRequest: true,
      times: 1,
    });
    const beforeExit = telegram.calls.length;
    telegram.updates.push(commandUpdate('/forceexit BTC-USDT'));
    const confirm = await waitFor('the force-exit question', () => {
      const data = confirmData(telegram, chatId);
      return telegram.calls.length > beforeExit && data !== undefined ? data : undefined;
    });
    telegram.updates.push(callbackUpdate(confirm, chatId));
    await waitFor('the answer to the refused force exit', () =>
      telegram.calls
        .slice(beforeExit)
        .some(
          (call) =>
            call.method === 'editMessageText' &&
            /refused by the gateway/.test(String(call.body['text'])),
        )
        ? true
        : undefined,
    );
    // Refused again, asked directly: the CryptoPanic token (unknown to the exchange adapter)
    // across the cut. The answer quotes the stored decision.
    emulator.inject({
      kind: 'reject',
      code: -2010,
      msg: echoingMessage('Order refused by the gateway; ', secrets.CRYPTOPANIC_TOKEN, secrets),
      echoRequest: true,
      times: 1,
    });
    const refusedAgain = await bot.control.forceExit('BTC-USDT');
    expect(refusedAgain).toMatchObject({ submitted: false });
    expect(refusedAgain.message).toContain('refused by the gateway');
    surfaced.push(refusedAgain);
    expect(
      emulator.orders().filter((order) => order.side === 'sell' && order.status === 'FILLED'),
    ).toEqual([]);
    // Then it goes through: the position is sold on the exchange.
    const secondExit = telegram.calls.length;
    telegram.updates.push(commandUpdate('/forceexit BTC-USDT'));
    const confirmAgain = await waitFor('the second force-exit question', () => {
      const data = confirmData(telegram, chatId);
      return telegram.calls.length > secondExit && data !== undefined && data !== confirm
        ? data
        : undefined;
    });
    telegram.updates.push(callbackUpdate(confirmAgain, chatId));
    await waitFor('the sell filled on the exchange', () =>
      emulator.orders().some((order) => order.side === 'sell' && order.status === 'FILLED')
        ? true
        : undefined,
    );
    try {
      // A force exit with nothing left to sell: its answer is returned, not thrown.
      surfaced.push(await bot.control.forceExit('BTC-USDT'));
    } catch (error) {
      surfaced.push(error);
    }

    // 4c. The sentiment feeds have failed all along (401/500 with the URL echoed).
    await waitFor('the sentiment loop failing', () =>
      bot.scheduler.loopHealth('sentiment').lastError === null ? undefined : true,
    );
    expect(feeds.requests.some((url) => url.includes('auth_token='))).toBe(true);

    // 5. Alert channels fail: Discord 500 and Telegram 401, then Telegram refuses connections.
    discord.status = 500;
    telegram.unauthorized.add('sendMessage');
    // An operator's reason that holds secrets (pasted by mistake): stored, alerted and shown.
    const reason = `rotating keys ${secrets.CRYPTOPANIC_TOKEN} ${secrets.TELEGRAM_BOT_TOKEN}`;
    expect(reason.length).toBeLessThanOrEqual(200);
    expect(
      (await http('/reduce', { method: 'POST', headers: auth, body: JSON.stringify({ reason }) }))
        .status,
    ).toBe(200);
    expect((await http('/status', { headers: auth })).text).toContain('rotating keys');
    await waitFor('the Discord 500 and the Telegram 401 logged', () =>
      lines.some((line) => line.includes('"channel":"discord"') && line.includes('HTTP 500')) &&
      lines.some((line) => line.includes('"channel":"telegram"') && line.includes('401'))
        ? true
        : undefined,
    );
    discord.status = 204;
    await telegram.down();
    expect((await http('/resume', { method: 'POST', headers: auth })).status).toBe(200);
    await waitFor('the refused Telegram connection logged', () =>
      lines.some(
        (line) => line.includes('"channel":"telegram"') && line.includes('network failure'),
      )
        ? true
        : undefined,
    );

    // The loops' last errors (the echoing error page among them) as the HTTP server shows them.
    expect((await http('/status', { headers: auth })).text).toContain('not JSON');
    await http('/status');
    await http('/health');
    outputs.push({ where: 'bot.report()', text: JSON.stringify(await bot.report()) });
    // The database while the bot runs: the recent writes are in the WAL.
    outputs.push(...databaseFiles(dirname(dbPath), 'running'));
    expect(outputs.some((output) => output.where.endsWith('bot.db-wal (running)'))).toBe(true);
    // Stopping with Telegram down: grammy's last getUpdates fails with an HttpError whose inner
    // error holds the request URL, bot token included; the bot logs it.
    await bot.stop();
    stopped = true;
    expect(lines.some((line) => line.includes('Telegram commands did not stop cleanly'))).toBe(
      true,
    );
    // The echoing errors were alerted: the loop's (a repeat, summarised when the bot stopped) and
    // the refused exit's.
    expect(discord.posts.some((post) => post.body.includes('not JSON'))).toBe(true);
    expect(discord.posts.some((post) => post.body.includes('refused by the gateway'))).toBe(true);

    // 6. A start with credentials the exchange refuses (HTTP 401, -2015) fails.
    const refusing = await startExchangeEmulator({
      candles: { 'BTC/USDT': candles },
      apiKey: 'another-key',
      secret: 'another-secret',
    });
    cleanups.push(() => refusing.close());
    const refusedDbPath = join(tempDir('lumenlink-security-'), 'bot.db');
    const { config: refusedConfig } = await loadConfigWithSecrets(
      { ...env, EXCHANGE_API_URL: refusing.url, DB_PATH: refusedDbPath },
      { logger: boot },
    );
    const failedStart = await startBot(refusedConfig, { logger, sentiment: false }).then(
      async (started) => {
        await started.stop();
        throw new Error('the bot started with refused credentials');
      },
      (error: unknown) => error,
    );
    expect(errorText(failedStart)).toMatch(/-2015|Invalid API-key/);
    surfaced.push(failedStart);

    // 7. `pnpm live` failing to start on an error page that echoes the API key: what it prints
    // (started at the beginning, see above).
    const code = await failingStart;
    expect(code).toBe(1);
    expect(printed.join('\n')).toMatch(/The bot could not start: .*upstream error/);
    outputs.push(...printed.map((text) => ({ where: 'pnpm live stderr', text })));

    // What the attempts were made of: the hazards were really there, in the raw errors.
    const rawText = raw.map((fields) => errorText(fields)).join('\n');
    expect(rawText).toContain(secrets.TELEGRAM_BOT_TOKEN);
    expect(lines.some((line) => line.includes('bot[REDACTED]'))).toBe(true);
    expect(emulator.requests().some((entry) => entry.path === '/api/v3/order')).toBe(true);
    // The cut really fell inside a secret the adapter does not know: its first 10 characters
    // were left by the cut, before the logger, the store and the alerts redacted them.
    expect(rawText).toContain(`${secrets.CRYPTOPANIC_TOKEN.slice(0, 10)}...`);
    expect(rawText).toContain(`${secrets.HTTP_TOKEN.slice(0, 10)}...`);

    // The scan.
    outputs.push(...lines.map((line, index) => ({ where: `log line ${index}`, text: line })));
    for (const call of telegram.calls) {
      outputs.push({ where: `Telegram ${call.method}`, text: JSON.stringify(call.body) });
    }
    for (const post of discord.posts) outputs.push({ where: 'Discord post body', text: post.body });
    for (const [index, error] of surfaced.entries()) {
      outputs.push({ where: `surfaced ${index}`, text: errorText(error) });
    }
    outputs.push(...processOutput().map((text) => ({ where: 'console/process output', text })));
    for (const path of [dbPath, refusedDbPath, echoingDbPath]) {
      outputs.push(...databaseFiles(dirname(path), 'stopped'));
    }
    expect(lines.length).toBeGreaterThan(100);
    expect(leaks(outputs, secrets)).toEqual([]);
    // No request signature either, whole or cut (the refusals echoed them bare).
    const signatures = [emulator, refusing, echoing].flatMap(signaturesOf);
    expect(signatures.length).toBeGreaterThan(20);
    expect(signatureLeaks(outputs, signatures)).toEqual([]);
  }, 120_000);

  it('rejects malformed secret values without quoting them', () => {
    const secrets = sentinels('http://127.0.0.1:9');
    // Too short for HTTP_TOKEN (16 characters at least), and not a URL.
    const malformed = {
      HTTP_TOKEN: markerOf(secrets.HTTP_TOKEN).slice(0, 15),
      DISCORD_WEBHOOK_URL: `not a url ${markerOf(secrets.DISCORD_WEBHOOK_URL)}`,
    };
    let message = '';
    try {
      loadConfig(malformed);
    } catch (error) {
      message = errorText(error);
    }
    expect(message).toMatch(/HTTP_TOKEN: .*at least 16/);
    expect(message).toMatch(/DISCORD_WEBHOOK_URL: the value given is not an http\(s\) URL/);
    expect(message).not.toContain(malformed.HTTP_TOKEN);
    expect(leaks([{ where: 'ConfigError', text: message }], secrets)).toEqual([]);
  });
});

describe('the HTTP server', () => {
  it('binds 127.0.0.1 by default and is not reachable on other addresses', async () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 60);
    const bot = await startBot(replayConfig(dbPath), { logger: silentLogger, replaySpeed: 0 });
    cleanups.push(() => bot.stop());
    const url = new URL(bot.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect((await request(`${bot.url}/health`)).status).toBe(200);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry !== undefined && !entry.internal && entry.family === 'IPv4');
    for (const entry of others) {
      const outcome = await new Promise<string>((resolve) => {
        const probe = httpRequest(
          { host: entry?.address, port: Number(url.port), path: '/health', timeout: 2_000 },
          (response) => {
            response.resume();
            resolve(`answered ${response.statusCode}`);
          },
        );
        probe.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        probe.on('timeout', () => probe.destroy(new Error('timeout')));
        probe.end();
      });
      expect(outcome, entry?.address).not.toMatch(/^answered/);
    }
  }, 60_000);

  it('refuses state changes with a missing or wrong token (401) and without HTTP_TOKEN (403), changing nothing', async () => {
    const token = 'security-test-http-token-0123';
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 60);
    const guarded = await startBot(replayConfig(dbPath, { HTTP_TOKEN: token }), {
      logger: silentLogger,
      replaySpeed: 0,
    });
    cleanups.push(() => guarded.stop());
    await guarded.replay?.finished;
    const before = (await guarded.control.status()).tradingState;
    const wrong: (Record<string, string> | undefined)[] = [
      undefined,
      { Authorization: '' },
      { Authorization: 'Bearer' },
      { Authorization: 'Bearer wrong-token-0123456789' },
      { Authorization: `Bearer ${token.slice(0, -1)}` },
      { Authorization: `Bearer ${token}x` },
      { Authorization: `Bearer ${token} ${token}` },
      { Authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}` },
      { Authorization: token },
      { 'X-Http-Token': token },
    ];
    const hint = await request(`${guarded.url}/halt`, { method: 'POST' });
    expect(hint.status).toBe(401);
    expect(hint.body).toEqual({
      error:
        'send HTTP_TOKEN as a bearer token in the Authorization header to change the trading state',
    });
    for (const path of ['/halt', '/reduce', '/resume']) {
      for (const headers of wrong) {
        const refused = await request(`${guarded.url}${path}`, {
          method: 'POST',
          ...(headers === undefined ? {} : { headers }),
          body: JSON.stringify({ reason: 'not allowed' }),
        });
        expect(refused.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      }
      expect(
        (await request(`${guarded.url}${path}?token=${token}`, { method: 'POST' })).status,
      ).toBe(401);
      expect(
        (await request(`${guarded.url}${path}`, { headers: { Authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(405);
    }
    expect((await guarded.control.status()).tradingState).toEqual(before);
    const halted = await request(`${guarded.url}/halt`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(halted.status).toBe(200);
    expect((await guarded.control.status()).tradingState.state).toBe('halted');

    const otherDb = join(tempDir(), 'bot.db');
    await seedDatabase(otherDb, 60);
    const open = await startBot(replayConfig(otherDb), { logger: silentLogger, replaySpeed: 0 });
    cleanups.push(() => open.stop());
    const openBefore = (await open.control.status()).tradingState;
    for (const path of ['/halt', '/reduce', '/resume']) {
      for (const headers of [undefined, { Authorization: `Bearer ${token}` }]) {
        const refused = await request(`${open.url}${path}`, {
          method: 'POST',
          ...(headers === undefined ? {} : { headers }),
        });
        expect(refused.status).toBe(403);
      }
    }
    expect((await open.control.status()).tradingState).toEqual(openBefore);
  }, 60_000);
});

describe('Telegram commands from chats not configured', () => {
  it('get no reply and change nothing; the configured chat still works', async () => {
    const telegram = await startFakeTelegram();
    cleanups.push(() => telegram.close());
    const lines: string[] = [];
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 200);
    const bot = await startBot(
      replayConfig(dbPath, {
        TELEGRAM_BOT_TOKEN: '123456789:AAsecurityTestTokenForTheLocalApi01',
        TELEGRAM_CHAT_IDS: String(chatId),
        TELEGRAM_API_ROOT: telegram.apiRoot,
      }),
      {
        logger: createLogger({ level: 'debug', format: 'json', stream: memoryStream(lines) }),
        replaySpeed: 0,
      },
    );
    cleanups.push(() => bot.stop());
    await bot.replay?.finished;
    const before = {
      state: (await bot.control.status()).tradingState,
      positions: await bot.control.positions(),
      orders: (await bot.report()).orders,
    };
    expect(before.positions.length).toBeGreaterThan(0);

    // The configured chat asks to halt: a confirmation question with a fresh nonce.
    telegram.updates.push(commandUpdate('/halt'));
    const nonce = await waitFor('the halt question', () => confirmData(telegram, chatId));
    // The replay's trade alerts are still going out: let them finish first.
    await quiet(telegram);
    const start = telegram.calls.length;

    const group = { id: -100_777, type: 'supergroup' };
    const foreign: Record<string, unknown>[] = [
      ...[
        '/halt',
        '/resume',
        '/reduce',
        '/forceexit BTC-USDT',
        '/status',
        '/balance',
        '/help',
        '/why BTC-USDT',
      ].map((text) => commandUpdate(text, { id: foreignChatId, type: 'private' })),
      // The operator's own user id, but in a group that is not configured.
      commandUpdate('/halt', group, chatId),
      commandUpdate(
        '/status',
        { id: foreignChatId, type: 'private' },
        foreignChatId,
        'edited_message',
      ),
      commandUpdate('/halt', { id: -100_888, type: 'channel' }, 0, 'channel_post'),
      // Pressing the configured chat's Confirm button from elsewhere, and guessing nonces.
      callbackUpdate(nonce, foreignChatId),
      callbackUpdate(nonce, foreignChatId, chatId),
      callbackUpdate('ll:ok:1', foreignChatId),
    ];
    telegram.updates.push(...foreign);
    // A barrier: updates are handled in order, so once /status is answered the rest were seen.
    telegram.updates.push(commandUpdate('/status'));
    await waitFor('the answer to /status in the configured chat', () =>
      sentTexts(telegram, start).some((text) => text.startsWith('<b>LumenLink</b>'))
        ? true
        : undefined,
    );

    const calls = telegram.calls.slice(start).filter((call) => call.method !== 'getUpdates');
    expect(calls.map((call) => [call.method, call.body['chat_id']])).toEqual([
      ['sendMessage', chatId],
    ]);
    expect((await bot.control.status()).tradingState).toEqual(before.state);
    expect(await bot.control.positions()).toEqual(before.positions);
    expect((await bot.report()).orders).toBe(before.orders);
    const dropped = lines.filter((line) =>
      line.includes('telegram update from unauthorised chat dropped'),
    );
    expect(dropped).toHaveLength(foreign.length);

    // The configured chat's question is still open: it confirms, and the bot halts.
    telegram.updates.push(callbackUpdate(nonce, chatId));
    await waitFor('the halt confirmed', async () =>
      (await bot.control.status()).tradingState.state === 'halted' ? true : undefined,
    );
    expect((await bot.control.status()).tradingState.changedBy).toBe(`telegram:${chatId}`);
  }, 60_000);
});
