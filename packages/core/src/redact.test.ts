import { describe, expect, it } from 'vitest';
import { ConfigError, StorageError } from './errors.js';
import {
  createRedactor,
  isSecretFieldName,
  redactSecretPatterns,
  redactedPlaceholder,
} from './redact.js';

describe('isSecretFieldName', () => {
  it.each([
    'key',
    'apiKey',
    'api_key',
    'API-KEY',
    'privateKey',
    'secretKey',
    'X-MBX-APIKEY',
    'apiKeys',
    'secret',
    'apiSecret',
    'client_secret',
    'token',
    'accessToken',
    'access_token',
    'refresh-token',
    'password',
    'dbPassword',
    'passwd',
    'passphrase',
    'EXCHANGE_API_PASSPHRASE',
    'authorization',
    'Proxy-Authorization',
    'cookie',
    'Set-Cookie',
    'signature',
    'X-Amz-Signature',
    'credentials',
    'X-Amz-Credential',
    'sign',
    'CB-ACCESS-SIGN',
    'auth',
    'pwd',
  ])('%s is secret', (name) => {
    expect(isSecretFieldName(name)).toBe(true);
  });

  it.each([
    'symbol',
    'price',
    'module',
    'clientOrderId',
    'keyword',
    'monkeying',
    'signal',
    'design',
    'url',
    'message',
  ])('%s is not secret', (name) => {
    expect(isSecretFieldName(name)).toBe(false);
  });
});

describe('redactSecretPatterns', () => {
  it.each([
    [
      'https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage',
      'https://api.telegram.org/bot[REDACTED]/sendMessage',
    ],
    ['token is 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw.', 'token is [REDACTED].'],
    [
      'GET https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=abcdef0123&apiKey=k1',
      'GET https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=[REDACTED]&apiKey=[REDACTED]',
    ],
    [
      'https://x.test/cb?code=1&access_token=abc.def&api%5Fkey=zz#id_token=eyJ',
      'https://x.test/cb?code=1&access_token=[REDACTED]&api%5Fkey=[REDACTED]#id_token=[REDACTED]',
    ],
    ['postgres://trader:hunter2@db:5432/x', 'postgres://trader:[REDACTED]@db:5432/x'],
    ['redis://:hunter2@cache', 'redis://:[REDACTED]@cache'],
    [
      'https://discord.com/api/webhooks/112233/AbC-dEf_123.xyz failed',
      'https://discord.com/api/webhooks/112233/[REDACTED] failed',
    ],
    [
      'body {"code":-2015,"apiKey": "abc", "secret":"d\\"e", "n": 12, "msg":"ok"}',
      'body {"code":-2015,"apiKey": "[REDACTED]", "secret":"[REDACTED]", "n": 12, "msg":"ok"}',
    ],
    [
      'headers X-MBX-APIKEY: abc123, CB-ACCESS-SIGN: def',
      'headers X-MBX-APIKEY: [REDACTED], CB-ACCESS-SIGN: [REDACTED]',
    ],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: [REDACTED]'],
    ['Cookie: session=abc; theme=dark', 'Cookie: [REDACTED]'],
    ['sent with bearer abcdefghijklmnopqrstuvwxyz', 'sent with bearer [REDACTED]'],
    ['form symbol=BTCUSDT&sign=0a1b2c', 'form symbol=BTCUSDT&sign=[REDACTED]'],
  ])('%s', (input, expected) => {
    expect(redactSecretPatterns(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text =
      'Invalid configuration (1 problem):\n  - EXCHANGE_API_KEY: is required. Accepted: a string\n' +
      'risk check maxPositionUsd=250 passed at 2024-03-09T14:05:07.042Z on https://api.binance.com/api/v3/klines?symbol=BTCUSDT';
    expect(redactSecretPatterns(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redactSecretPatterns(
      'https://u:p@x.test/bot1234567:AAAAAAAAAAAAAAAAAAAAAAAA/?token=abc',
    );
    expect(redactSecretPatterns(once)).toBe(once);
  });
});

describe('createRedactor', () => {
  it('replaces every occurrence of a configured secret in any string', () => {
    const redact = createRedactor(['hunter22']);
    expect(redact('a hunter22 b hunter22')).toBe('a [REDACTED] b [REDACTED]');
    expect(redact({ list: ['xhunter22x'], nested: { deep: 'hunter22' } })).toEqual({
      list: ['x[REDACTED]x'],
      nested: { deep: '[REDACTED]' },
    });
  });

  it('matches URL-encoded, form-encoded and JSON-escaped forms', () => {
    const value = 'a+b/c=d e"f';
    const redact = createRedactor([value]);
    const forms = [
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      new URLSearchParams({ v: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
    ];
    for (const form of forms) {
      expect(redact(`q=${form}&x=1`)).toBe('q=[REDACTED]&x=1');
    }
  });

  it('redacts the cut forms of a long secret: any 8+ character piece of its start or end', () => {
    const secret = 'Zq7XkP2mN9vR4tLw8sYb';
    const redact = createRedactor([secret]);
    for (let cut = 8; cut < secret.length; cut++) {
      // Cut short at the end of a text, and cut off at the start of the next one.
      expect(redact(`...msg: ${secret.slice(0, cut)}...`)).toBe('...msg: [REDACTED]...');
      expect(redact(`${secret.slice(-cut)}" rest`)).toBe('[REDACTED]" rest');
      const encoded = encodeURIComponent(`${secret}/`).slice(0, cut);
      expect(redact(`q=${encoded}`)).not.toContain(secret.slice(0, 8));
    }
    // Pieces shorter than 8 characters, and pieces of the middle, are not a secret's cut form.
    expect(redact(`x ${secret.slice(0, 7)} y`)).toBe(`x ${secret.slice(0, 7)} y`);
    expect(redact(`x ${secret.slice(2, 14)} y`)).toBe(`x ${secret.slice(2, 14)} y`);
    // Several in one text, and a whole secret next to a piece.
    expect(redact(`${secret.slice(0, 9)} and ${secret} and ${secret.slice(-9)}`)).toBe(
      '[REDACTED] and [REDACTED] and [REDACTED]',
    );
  });

  it('leaves cut forms alone when asked (text that carries no message, such as metrics)', () => {
    const secret = 'lumenlink-token-of-an-operator-2026';
    const whole = createRedactor([secret], { cutForms: false });
    expect(whole('lumenlink_orders_total{side="buy"} 1')).toBe(
      'lumenlink_orders_total{side="buy"} 1',
    );
    expect(whole(`token ${secret}`)).toBe('token [REDACTED]');
    // By default an 8-character start of the secret is a cut form, even inside a word.
    expect(createRedactor([secret])('lumenlink_orders_total 1')).toBe('[REDACTED]_orders_total 1');
  });

  it('redacts only the secret parts of a URL secret when cut', () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWx-0123_456';
    const redact = createRedactor([`https://hooks.test/services/424242/${token}`]);
    expect(redact('see https://hooks.test/services/9/other')).toBe(
      'see https://hooks.test/services/9/other',
    );
    expect(redact(`cut: https://hooks.test/services/424242/${token.slice(0, 12)}`)).toBe(
      'cut: https://hooks.test/services/424242/[REDACTED]',
    );
  });

  it('keeps secrets shorter than 16 characters whole-only, and never loops on the placeholder', () => {
    const redact = createRedactor(['short-secret1']);
    expect(redact('short-se and short-secret')).toBe('short-se and short-secret');
    const odd = createRedactor(['[REDACTED]-and-[REDACTED]-more']);
    expect(odd('a [REDACTED]-and b')).toBe('a [REDACTED]-and b');
  });

  it('redacts secrets shorter than four characters on exact equality only', () => {
    const redact = createRedactor(['abc']);
    expect(redact({ a: 'abc', b: 'xabcx' })).toEqual({ a: '[REDACTED]', b: 'xabcx' });
  });

  it('ignores undefined, null and empty secrets', () => {
    const redact = createRedactor([undefined, null, '', 'longsecret']);
    expect(redact('x longsecret y')).toBe('x [REDACTED] y');
    expect(redact('plain')).toBe('plain');
  });

  it('redacts secret-named fields whole, at any depth, keeping values that cannot be secret', () => {
    const redact = createRedactor();
    expect(
      redact({
        apiKey: 'k',
        nested: [{ credentials: { user: 'u', pass: 'p' } }, { password: 12345 }],
        hasToken: true,
        token: null,
        apiSecret: '',
      }),
    ).toEqual({
      apiKey: redactedPlaceholder,
      nested: [{ credentials: redactedPlaceholder }, { password: redactedPlaceholder }],
      hasToken: true,
      token: null,
      apiSecret: '',
    });
  });

  it('serialises LumenLink errors with code, isRetryable and cause', () => {
    const redact = createRedactor(['diskpath-secret']);
    const error = new StorageError('write failed', {
      cause: new Error('EIO at /mnt/diskpath-secret'),
    });
    expect(redact(error)).toMatchObject({
      name: 'StorageError',
      message: 'write failed',
      code: 'STORAGE_UNAVAILABLE',
      isRetryable: true,
      cause: { name: 'Error', message: 'EIO at /mnt/[REDACTED]' },
    });
  });

  it('keeps own enumerable properties of errors, redacting secret-named ones', () => {
    const redact = createRedactor();
    const error = new ConfigError([{ key: 'HTTP_PORT', problem: '"abc" is not a number' }]);
    const serialised = redact(error) as Record<string, unknown>;
    expect(serialised['code']).toBe('CONFIG_INVALID');
    expect(serialised['issues']).toEqual([
      { key: redactedPlaceholder, problem: '"abc" is not a number' },
    ]);
  });

  it('summarises values nested deeper than maxDepth and arrays longer than maxItems', () => {
    const redact = createRedactor([], { maxDepth: 2, maxItems: 3 });
    expect(redact({ a: { b: { c: { d: 1 } }, e: [[1]] } })).toEqual({
      a: { b: { c: '[Object]' }, e: ['[Array]'] },
    });
    expect(redact([1, 2, 3, 4, 5])).toEqual([1, 2, 3, '[2 more items]']);
  });

  it('does not mutate its input', () => {
    const input = { apiKey: 'k', nested: { note: 'hunter22' } };
    createRedactor(['hunter22'])(input);
    expect(input).toEqual({ apiKey: 'k', nested: { note: 'hunter22' } });
  });

  it('prints a shared (non-circular) reference each time it appears', () => {
    const shared = { n: 1 };
    expect(createRedactor()({ a: shared, b: shared })).toEqual({ a: { n: 1 }, b: { n: 1 } });
  });

  it('redacts URL objects and uses toJSON when present', () => {
    const redact = createRedactor();
    expect(redact(new URL('https://x.test/a?apiKey=zz'))).toBe(
      'https://x.test/a?apiKey=[REDACTED]',
    );
    expect(redact({ toJSON: () => ({ token: 't', v: 1 }) })).toEqual({
      token: redactedPlaceholder,
      v: 1,
    });
  });
});
