import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';
import type { LogFields, LogLevel, Logger } from '../logger.js';
import { createLogger } from './index.js';
import type { LoggerOptions } from './index.js';

/** A configured secret, as an exchange API secret. */
const secret = 'sk_live_9f8e7d6c5b4a3210';
/** A configured secret whose URL-encoded form differs from the raw one. */
const encodedSecret = 'pa+ss/wo=rd==Z9x8';
/** A value nobody configured, under secret-looking names. */
const unconfigured = 'unconfigured-value-7c1e';
/** A Telegram bot token nobody configured. */
const telegramToken = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
/** A request signature nobody configured. */
const signature = '5f2b4c0e9a1d7e3f8b6a4c2d0e9f8a7b';

const fixedTimeMs = Date.UTC(2024, 2, 9, 14, 5, 7, 42);
const fixedClock: Clock = {
  now: () => fixedTimeMs,
  sleep: () => Promise.resolve(),
  setTimeout: () => ({ id: 0 }),
  clearTimeout: () => undefined,
};

interface Capture {
  readonly stream: Writable;
  /** Everything written so far, after pending writes have flushed. */
  text(): Promise<string>;
  /** The written lines parsed as JSON. */
  records(): Promise<Record<string, unknown>[]>;
}

function capture(options: { isTTY?: boolean } = {}): Capture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  if (options.isTTY === true) Object.assign(stream, { isTTY: true });
  const text = async (): Promise<string> => {
    await new Promise((resolve) => setImmediate(resolve));
    return chunks.join('');
  };
  return {
    stream,
    text,
    records: async () =>
      (await text())
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function jsonLogger(output: Capture, options: LoggerOptions = {}): Logger {
  return createLogger({
    format: 'json',
    stream: output.stream,
    clock: fixedClock,
    secrets: [secret, encodedSecret],
    ...options,
  });
}

/** Asserts that no form of any sentinel secret appears anywhere in the output. */
function expectNoSecrets(text: string): void {
  const forbidden = [
    secret,
    encodedSecret,
    encodeURIComponent(encodedSecret),
    lowerPercentEscapes(encodeURIComponent(encodedSecret)),
    JSON.stringify(encodedSecret).slice(1, -1),
    unconfigured,
    telegramToken,
    telegramToken.split(':')[1] ?? telegramToken,
    signature,
  ];
  for (const value of forbidden) {
    expect(text, `output contains ${value}`).not.toContain(value);
  }
}

/** `%2B` to `%2b`: some encoders write lowercase hex. */
function lowerPercentEscapes(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

function errorWithStack(message: string, stack: string): Error {
  const error = new Error(message);
  error.stack = stack;
  return error;
}

/** Shaped like a ccxt error: a named subclass with extra own enumerable properties. */
class FakeExchangeError extends Error {
  readonly url: string;
  readonly responseBody: string;
  constructor(message: string, url: string, responseBody: string) {
    super(message);
    this.name = 'AuthenticationError';
    this.url = url;
    this.responseBody = responseBody;
  }
}

describe('createLogger redaction', () => {
  const scenarios: readonly [string, (logger: Logger) => void, string][] = [
    ['the message', (logger) => logger.info(`connecting with ${secret} now`), 'connecting with'],
    [
      'a top-level field',
      (logger) => logger.info('config loaded', { value: secret, other: `a${secret}b` }),
      'config loaded',
    ],
    [
      'a nested field, in arrays too',
      (logger) =>
        logger.info('request', {
          request: { headers: { note: [{ deep: { deeper: `x ${secret} y` } }] } },
        }),
      'deeper',
    ],
    [
      'fields named like secrets with unconfigured values',
      (logger) =>
        logger.warn('auth', {
          apiKey: unconfigured,
          password: unconfigured,
          token: unconfigured,
          nested: { api_key: unconfigured, privateKey: unconfigured, list: [{ secret: 7 }] },
          headers: { 'X-MBX-APIKEY': unconfigured, Authorization: `Bearer ${unconfigured}` },
        }),
      'apiKey',
    ],
    [
      'an Error message',
      (logger) => logger.error('order failed', { error: new Error(`auth failed for ${secret}`) }),
      'auth failed for',
    ],
    [
      'the cause of a cause',
      (logger) =>
        logger.error('order failed', {
          error: new Error('outer', {
            cause: new Error('middle', { cause: new Error(`inner ${secret}`) }),
          }),
        }),
      'inner [REDACTED]',
    ],
    [
      'a stack',
      (logger) =>
        logger.error('crash', {
          error: errorWithStack(
            'plain',
            `Error: plain\n    at handler (/srv/${secret}/bot.js:1:1)`,
          ),
        }),
      'at handler',
    ],
    [
      'an error with a signed URL',
      (logger) =>
        logger.error('exchange error', {
          error: new FakeExchangeError(
            `binance GET https://api.binance.com/api/v3/account?timestamp=1&apiKey=${unconfigured}&signature=${signature} 401`,
            `https://api.binance.com/api/v3/account?apiKey=${unconfigured}&signature=${signature}`,
            `{"code":-2015,"apiKey":"${unconfigured}"}`,
          ),
        }),
      'timestamp=1',
    ],
    [
      'a Telegram bot URL in an error message (grammy HttpError)',
      (logger) => {
        const inner = new Error(
          `request to https://api.telegram.org/bot${telegramToken}/sendMessage failed, reason: ECONNREFUSED`,
        );
        const httpError = Object.assign(new Error(`Network request for 'sendMessage' failed!`), {
          error: inner,
        });
        logger.error('telegram failed', { error: httpError });
      },
      '/bot[REDACTED]/sendMessage',
    ],
    [
      'the URL-encoded form of a secret containing + / =',
      (logger) =>
        logger.info(`GET https://x.test/v1?q=${encodeURIComponent(encodedSecret)}`, {
          lower: `q=${lowerPercentEscapes(encodeURIComponent(encodedSecret))}`,
          raw: `before ${encodedSecret} after`,
          json: JSON.stringify({ q: encodedSecret }),
        }),
      'https://x.test/v1?q=[REDACTED]',
    ],
    [
      'an AggregateError and a Map, Set and bound child fields',
      (logger) =>
        logger.child({ module: 'bot', token: unconfigured, note: secret }).error('many', {
          error: new AggregateError([new Error(`one ${secret}`)], 'several failed'),
          map: new Map([['apiSecret', unconfigured]]),
          set: new Set([secret]),
        }),
      'several failed',
    ],
  ];

  it.each(scenarios)('keeps secrets out of %s', async (_name, act, survivingText) => {
    const output = capture();
    act(jsonLogger(output));
    const text = await output.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).toContain(survivingText);
    expectNoSecrets(text);
  });

  it('keeps secrets out of every scenario at once, in JSON and pretty output', async () => {
    for (const format of ['json', 'pretty'] as const) {
      const output = capture({ isTTY: true });
      const logger = jsonLogger(output, { format, level: 'debug' });
      for (const [, act] of scenarios) act(logger);
      const text = await output.text();
      expect(text.split('\n').length).toBeGreaterThanOrEqual(scenarios.length);
      expectNoSecrets(text);
      expect(text).toContain('[REDACTED]');
    }
  });

  it('writes the redacted error as a plain object with its code, cause and own properties', async () => {
    const output = capture();
    const error = new FakeExchangeError(
      'denied',
      `https://api.binance.com/api/v3/order?signature=${signature}`,
      '{}',
    );
    Object.assign(error, { code: 'AUTH', isRetryable: false });
    jsonLogger(output).error('failed', { error: new Error('wrapped', { cause: error }) });
    const [record] = await output.records();
    const serialised = record?.['error'] as Record<string, unknown>;
    expect(serialised['name']).toBe('Error');
    expect(serialised['message']).toBe('wrapped');
    expect(typeof serialised['stack']).toBe('string');
    expect(serialised['cause']).toMatchObject({
      name: 'AuthenticationError',
      message: 'denied',
      code: 'AUTH',
      isRetryable: false,
      url: 'https://api.binance.com/api/v3/order?signature=[REDACTED]',
    });
  });
});

describe('createLogger output', () => {
  it('writes one JSON object per line with time, level, msg, module and fields', async () => {
    const output = capture();
    const logger = jsonLogger(output, { bindings: { service: 'bot' } });
    logger.child({ module: 'engine' }).info('order sent', { symbol: 'BTC-USD', quantity: 0.5 });
    logger.warn('plain');
    const text = await output.text();
    expect(text.endsWith('\n')).toBe(true);
    const records = await output.records();
    expect(records).toEqual([
      {
        time: '2024-03-09T14:05:07.042Z',
        level: 'info',
        msg: 'order sent',
        module: 'engine',
        service: 'bot',
        symbol: 'BTC-USD',
        quantity: 0.5,
      },
      { time: '2024-03-09T14:05:07.042Z', level: 'warn', msg: 'plain', service: 'bot' },
    ]);
    expect(Object.keys(records[0] ?? {}).slice(0, 4)).toEqual(['time', 'level', 'msg', 'module']);
  });

  it('keeps an error passed in place of the fields under `error`', async () => {
    const output = capture();
    jsonLogger(output).error('failed', new Error(`boom ${secret}`) as unknown as LogFields);
    const [record] = await output.records();
    expect(record).toMatchObject({ msg: 'failed', error: { message: 'boom [REDACTED]' } });
  });

  it('merges child bindings, with call fields winning', async () => {
    const output = capture();
    const engine = jsonLogger(output).child({ module: 'engine', symbol: 'ETH-USD' });
    const btc = engine.child({ symbol: 'BTC-USD', strategy: 'rsi' });
    btc.info('signal', { strategy: 'macd' });
    engine.info('tick');
    const [first, second] = await output.records();
    expect(first).toMatchObject({ module: 'engine', symbol: 'BTC-USD', strategy: 'macd' });
    expect(second).toMatchObject({ module: 'engine', symbol: 'ETH-USD' });
    expect(second).not.toHaveProperty('strategy');
  });

  it('keeps fields named time, level or msg without overwriting the line', async () => {
    const output = capture();
    jsonLogger(output).info('candle', { time: 1, level: 'x', msg: 'y' });
    const [record] = await output.records();
    expect(record).toMatchObject({
      level: 'info',
      msg: 'candle',
      _time: 1,
      _level: 'x',
      _msg: 'y',
    });
  });

  it.each<[LogLevel, string[]]>([
    ['error', ['error']],
    ['warn', ['error', 'warn']],
    ['info', ['error', 'warn', 'info']],
    ['debug', ['error', 'warn', 'info', 'debug']],
  ])('at level %s writes only %j', async (level, expected) => {
    const output = capture();
    const logger = jsonLogger(output, { level }).child({ module: 'm' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    const records = await output.records();
    expect(records.map((record) => record['level'])).toEqual([...expected].reverse());
  });

  it('defaults to level info', async () => {
    const output = capture();
    createLogger({ format: 'json', stream: output.stream }).debug('hidden');
    createLogger({ format: 'json', stream: output.stream }).info('shown');
    const records = await output.records();
    expect(records.map((record) => record['msg'])).toEqual(['shown']);
  });

  it('writes coloured pretty lines to a TTY when the format is auto', async () => {
    const output = capture({ isTTY: true });
    createLogger({ stream: output.stream, clock: fixedClock, secrets: [secret] })
      .child({ module: 'engine' })
      .info(`order sent ${secret}`, { symbol: 'BTC-USD', note: 'two words', apiKey: 'abc' });
    const text = await output.text();
    expect(text).toContain('\u001b[');
    // eslint-disable-next-line no-control-regex
    const plain = text.replace(/\u001b\[\d+m/g, '');
    expect(plain).toBe(
      '14:05:07.042 INFO  [engine] order sent [REDACTED] symbol=BTC-USD note="two words" apiKey=[REDACTED]\n',
    );
  });

  it('writes pretty lines without colours when the stream is not a TTY', async () => {
    const output = capture();
    const error = new Error('boom', { cause: new Error('root cause') });
    jsonLogger(output, { format: 'pretty' }).error('failed', { error, count: 2 });
    const text = await output.text();
    expect(text).not.toContain('\u001b[');
    const [first, ...rest] = text.split('\n');
    expect(first).toBe(
      '14:05:07.042 ERROR failed error={"name":"Error","message":"boom","cause":{"name":"Error","message":"root cause"}} count=2',
    );
    expect(rest.join('\n')).toContain('    Error: boom');
    expect(rest.join('\n')).toContain('    Caused by: Error: root cause');
  });

  it('writes JSON lines when the format is auto and the stream is not a TTY', async () => {
    const output = capture();
    createLogger({ stream: output.stream, clock: fixedClock }).info('hello');
    const [record] = await output.records();
    expect(record).toMatchObject({ level: 'info', msg: 'hello' });
  });

  it('logs circular objects, bigints, Maps, Sets, Buffers and non-finite numbers', async () => {
    const output = capture();
    const circular: Record<string, unknown> = { name: 'root' };
    circular['self'] = circular;
    circular['list'] = [circular];
    const error = new Error('loop');
    Object.assign(error, { cause: error });
    const logger = jsonLogger(output);
    expect(() =>
      logger.info('odd values', {
        circular,
        error,
        big: 12345678901234567890n,
        map: new Map<unknown, unknown>([
          ['a', 1],
          [{ k: 1 }, 2],
        ]),
        set: new Set([1, 2]),
        buffer: Buffer.from('secret bytes'),
        nan: Number.NaN,
        infinity: Number.POSITIVE_INFINITY,
        date: new Date(fixedTimeMs),
        missing: undefined,
        fn: function handler() {},
      }),
    ).not.toThrow();
    const [record] = await output.records();
    expect(record).toMatchObject({
      circular: { name: 'root', self: '[Circular]', list: ['[Circular]'] },
      error: { message: 'loop', cause: '[Circular]' },
      big: '12345678901234567890',
      map: [
        ['a', 1],
        [{ k: 1 }, 2],
      ],
      set: [1, 2],
      buffer: '[Buffer 12 bytes]',
      nan: 'NaN',
      infinity: 'Infinity',
      date: '2024-03-09T14:05:07.042Z',
      fn: '[Function handler]',
    });
    expect(record).not.toHaveProperty('missing');
  });

  it('never throws into the caller, even when fields, the clock or the stream fail', async () => {
    const output = capture();
    const hostile = {
      get broken(): string {
        throw new Error('getter failed');
      },
    };
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const badJson = {
      toJSON() {
        throw new Error('toJSON failed');
      },
    };
    const logger = jsonLogger(output);
    expect(() => logger.info('hostile', { hostile, trap, badJson })).not.toThrow();
    const [record] = await output.records();
    expect(record).toMatchObject({
      msg: 'hostile',
      hostile: { broken: '[Unreadable]' },
      trap: '[Unserializable]',
      badJson: '[Unserializable]',
    });

    const brokenClock: Clock = {
      ...fixedClock,
      now: () => {
        throw new Error('clock failed');
      },
    };
    const other = capture();
    expect(() => jsonLogger(other, { clock: brokenClock }).info('no time')).not.toThrow();
    const [timeless] = await other.records();
    expect(timeless).toMatchObject({ msg: 'no time', time: 'NaN' });

    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    const failingLogger = createLogger({ format: 'json', stream: failing });
    expect(() => {
      failingLogger.info('first');
      failingLogger.info('second');
    }).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('rejects an unknown level or format at creation', () => {
    expect(() => createLogger({ level: 'verbose' as LogLevel })).toThrow(ValidationError);
    expect(() => createLogger({ format: 'xml' as 'json' })).toThrow(/Unknown log format "xml"/);
  });
});
