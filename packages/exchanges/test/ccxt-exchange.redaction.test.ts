/**
 * The adapter's errors carry no secret: an exchange refusal or a gateway page that echoes the
 * request (API key header, signature) or the credentials themselves is redacted before anything
 * cuts it, in the error we throw and in the ccxt error kept as its cause. ccxt's real binance
 * class against the exchange emulator.
 */
import { inspect } from 'node:util';
import { ExchangeUnavailableError, OrderRejectedError, type OrderRequest } from '@lumenlink/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CcxtExchange } from '../src/index.js';
import { startExchangeEmulator, type ExchangeEmulator } from '../src/testing/index.js';

const apiKey = 'sntlKeyQ7x2Lm9Vb4Nc8Zr1Tw6Ys3Hd5Gf0';
const secret = 'sntlSecretHk4Pq7Wd8Ej2Rm5Uz0Xa3Bn6';
const password = 'sntlPassBv7Gy3Kq9Jt1Lc4Mw8';

let emulator: ExchangeEmulator;
let exchange: CcxtExchange;
let nextId = 0;

beforeAll(async () => {
  emulator = await startExchangeEmulator({ apiKey, secret });
  exchange = new CcxtExchange({
    exchange: 'binance',
    apiKey,
    secret,
    password,
    apiUrl: emulator.url,
    timeoutMs: 5_000,
    // The emulator enforces no rate limit: at binance's pace ccxt would space every request (200 ms after a myTrades).
    rateLimitMs: 1,
  });
  await exchange.loadMarkets();
});
afterEach(() => emulator.clearFaults());
afterAll(() => emulator.close());

const marketBuy = (): OrderRequest => ({
  clientOrderId: `ll-redaction-${++nextId}`,
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  quantity: 0.01,
});

/** Everything an error shows: message, stack, causes, own fields, as `util.inspect` prints it. */
function shown(error: Error): string {
  const cause = error.cause instanceof Error ? error.cause : undefined;
  return [
    error.message,
    error.stack ?? '',
    cause?.message ?? '',
    cause?.stack ?? '',
    inspect(error, { depth: 8, breakLength: Infinity }),
  ].join('\n');
}

/** The forms a secret may leak in, cut forms included (any 8+ character prefix or suffix). */
function leaks(text: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const value of secrets) {
    const forms = {
      raw: value,
      uri: encodeURIComponent(value),
      json: JSON.stringify(value).slice(1, -1),
      base64: Buffer.from(value).toString('base64'),
      prefix: value.slice(0, 8),
      suffix: value.slice(-8),
    };
    for (const [form, needle] of Object.entries(forms)) {
      if (text.includes(needle)) found.push(`${form} of ${value}`);
    }
  }
  return found;
}

/** The signatures of the signed requests the emulator received. */
function signatures(): string[] {
  return emulator
    .requests()
    .map((request) => request.query['signature'] ?? request.body['signature'])
    .filter((signature): signature is string => signature !== undefined);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('CcxtExchange errors carry no secret', () => {
  it('redacts a refusal that echoes the credentials and the request, before the message is cut', async () => {
    // ccxt's text is `binance {"code":-2010,"msg":"<msg> (request ...)"}`, cut at 400 characters:
    // the padding puts a credential across the cut at every offset tried.
    for (let padding = 330; padding < 400; padding += 7) {
      emulator.inject({
        kind: 'reject',
        code: -2010,
        msg: `Account has insufficient balance. ${'.'.repeat(padding)} ${apiKey} ${secret} ${password} ${apiKey}`,
        echoRequest: true,
        times: 1,
      });
      const error = await failure(exchange.createOrder(marketBuy()));
      expect(error).toBeInstanceOf(OrderRejectedError);
      const text = shown(error);
      expect(text).toContain('insufficient balance');
      const signature = signatures().at(-1);
      expect(signature).toMatch(/^[0-9a-f]{64}$/);
      expect(leaks(text, [apiKey, secret, password, signature!])).toEqual([]);
    }
  });

  it('redacts the echoed signature of the refused request while other signed calls run', async () => {
    emulator.inject({ kind: 'reject', code: -2010, msg: 'refused', echoRequest: true, times: 1 });
    const [refused] = await Promise.allSettled([
      exchange.createOrder(marketBuy()),
      exchange.fetchBalance(),
      exchange.fetchOpenOrders('BTC-USDT'),
      exchange.fetchBalance(),
    ]);
    expect(refused.status).toBe('rejected');
    const error = (refused as PromiseRejectedResult).reason as Error;
    const post = emulator
      .requests()
      .filter((request) => request.method === 'POST' && request.path === '/api/v3/order')
      .at(-1);
    const signature = post?.body['signature'] ?? post?.query['signature'];
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(shown(error)).toContain('signed [REDACTED]');
    expect(leaks(shown(error), [apiKey, signature!])).toEqual([]);
  });

  it('redacts a gateway page answered with 200 (not JSON) that quotes the key, across its cut', async () => {
    for (let padding = 100; padding < 200; padding += 9) {
      emulator.inject({
        kind: 'malformed',
        route: 'GET /api/v3/account',
        body: `<html>${'-'.repeat(padding)} ${apiKey} X-MBX-APIKEY: ${apiKey} ${secret}</html>`,
        times: 1,
      });
      const error = await failure(exchange.fetchBalance());
      expect(error).toBeInstanceOf(ExchangeUnavailableError);
      expect(error.message).toMatch(/not JSON/);
      expect(leaks(shown(error), [apiKey, secret, ...signatures().slice(-1)])).toEqual([]);
    }
  });

  it('keeps the echoing fault backwards compatible: without echoRequest, msg is answered as given', async () => {
    emulator.inject({ kind: 'reject', code: -1013, msg: 'Filter failure: LOT_SIZE', times: 1 });
    const error = await failure(exchange.createOrder(marketBuy()));
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect((error.cause as Error).message).toMatch(/"msg":"Filter failure: LOT_SIZE"}$/);
    expect(() =>
      emulator.inject({ kind: 'reject', code: -1, msg: 'x', echoRequest: 'yes' } as never),
    ).toThrow(/echoRequest/);
  });
});
