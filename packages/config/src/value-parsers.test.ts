import { describe, expect, it } from 'vitest';
import {
  booleanParser,
  enumParser,
  formatBound,
  hostListParser,
  integerListParser,
  numberParser,
  strategyParamsParser,
  strategySpecParser,
  symbolListParser,
  textParser,
  timeframeListParser,
  timeframeParser,
  urlParser,
} from './value-parsers.js';

describe('numberParser', () => {
  const any = numberParser();

  it.each([
    ['250', 250],
    ['0', 0],
    ['-1.5', -1.5],
    ['+2', 2],
    ['.5', 0.5],
    ['1e3', 1000],
  ])('parses %j', (text, value) => {
    expect(any.parse(text)).toEqual({ ok: true, value });
  });

  it.each(['abc', '10usd', 'NaN', 'Infinity', '-Infinity', '0x10', '1_000', '1,5', '1 000', ''])(
    'rejects %j as not a number',
    (text) => {
      expect(any.parse(text)).toEqual({ ok: false, problem: 'is not a number' });
    },
  );

  it('rejects a decimal that overflows to Infinity', () => {
    expect(any.parse('1e400')).toEqual({ ok: false, problem: 'is too large' });
  });

  it('checks inclusive and exclusive bounds', () => {
    const percent = numberParser({ greaterThan: 0, lessThan: 100 });
    expect(percent.accepted).toBe('a number > 0 and < 100');
    expect(percent.parse('0')).toEqual({
      ok: false,
      problem: 'is not above 0 (use a value over 0)',
    });
    expect(percent.parse('100')).toEqual({
      ok: false,
      problem: 'is not below 100 (use a value under 100)',
    });
    expect(percent.parse('99.9')).toEqual({ ok: true, value: 99.9 });

    const port = numberParser({ integer: true, atLeast: 0, atMost: 65_535 });
    expect(port.accepted).toBe('an integer from 0 to 65535');
    expect(port.parse('-1')).toEqual({
      ok: false,
      problem: 'is below the minimum 0 (use 0 or more)',
    });
    expect(port.parse('65536')).toEqual({
      ok: false,
      problem: 'is above the maximum 65535 (use 65535 or less)',
    });
    expect(port.parse('65535')).toEqual({ ok: true, value: 65_535 });
  });

  it('requires whole numbers for integer keys', () => {
    const count = numberParser({ integer: true, atLeast: 1 });
    expect(count.accepted).toBe('an integer >= 1');
    expect(count.parse('1.5')).toEqual({
      ok: false,
      problem: 'is not a whole number (use an integer)',
    });
    expect(count.parse('2.0')).toEqual({ ok: true, value: 2 });
    expect(count.parse('1e20')).toEqual({ ok: false, problem: 'is too large' });
  });
});

describe('numberParser ceilings', () => {
  const money = numberParser({ greaterThan: 0, atMost: 1e12 });

  it('writes large powers of ten as exponents and states the range note', () => {
    expect(formatBound(1e12)).toBe('1e12');
    expect(formatBound(1e9)).toBe('1e9');
    expect(formatBound(86_400_000)).toBe('86400000');
    expect(formatBound(65_535)).toBe('65535');
    expect(money.accepted).toBe('a number > 0 and <= 1e12');
    expect(
      numberParser({ integer: true, atLeast: 100, atMost: 1000, note: 'in ms' }).accepted,
    ).toBe('an integer from 100 to 1000, in ms');
  });

  it.each(['1e300', '1e13', '1000000000001'])('refuses %j naming the bound and the fix', (text) => {
    expect(money.parse(text)).toEqual({
      ok: false,
      problem: 'is above the maximum 1e12 (use 1e12 or less)',
    });
  });

  it('names the bound when a number overflows to Infinity', () => {
    expect(money.parse('1e400')).toEqual({ ok: false, problem: 'is too large (use 1e12 or less)' });
    expect(money.parse('1e12')).toEqual({ ok: true, value: 1e12 });
  });
});

describe('booleanParser', () => {
  it.each(['true', 'TRUE', 'True', '1', 'yes', 'YES', 'on', 'On'])('reads %j as true', (text) => {
    expect(booleanParser.parse(text)).toEqual({ ok: true, value: true });
  });

  it.each(['false', 'FALSE', '0', 'no', 'No', 'off', 'OFF'])('reads %j as false', (text) => {
    expect(booleanParser.parse(text)).toEqual({ ok: true, value: false });
  });

  it.each(['maybe', 'y', 'n', '2', 't', 'enabled', 'truee'])('rejects %j', (text) => {
    expect(booleanParser.parse(text)).toEqual({ ok: false, problem: 'is not a boolean' });
  });
});

describe('enumParser', () => {
  const exchange = enumParser(['coinbase', 'binance', 'bybit'], 'exchange');

  it('matches case-insensitively and returns the canonical value', () => {
    expect(exchange.parse('Binance')).toEqual({ ok: true, value: 'binance' });
  });

  it('rejects other values and says what it accepts', () => {
    expect(exchange.parse('kraken')).toEqual({ ok: false, problem: 'is not a known exchange' });
    expect(exchange.accepted).toBe('one of coinbase, binance, bybit');
    expect(enumParser(['paper', 'live'], 'mode').accepted).toBe('paper or live');
  });
});

describe('list parsers', () => {
  it('parses symbols into canonical form, in order', () => {
    expect(symbolListParser.parse('btc-usd, ETH/USDT ,SOL-USD')).toEqual({
      ok: true,
      value: ['BTC-USD', 'ETH-USDT', 'SOL-USD'],
    });
  });

  it('rejects duplicates after canonicalisation', () => {
    expect(symbolListParser.parse('BTC-USD,btc/usd')).toEqual({
      ok: false,
      problem: 'lists the symbol BTC-USD twice',
    });
  });

  it('rejects empty items and invalid items, naming the item', () => {
    expect(symbolListParser.parse('BTC-USD,')).toEqual({
      ok: false,
      problem: 'has an empty item (check for a stray comma)',
    });
    expect(symbolListParser.parse('BTC-USD,BTCUSD')).toEqual({
      ok: false,
      problem: 'has an invalid symbol "BTCUSD"',
    });
  });

  it('parses timeframes strictly', () => {
    expect(timeframeListParser.parse('1h,4h,1d')).toEqual({ ok: true, value: ['1h', '4h', '1d'] });
    expect(timeframeListParser.parse('1h,1mo')).toEqual({
      ok: false,
      problem: 'has an invalid timeframe "1mo"',
    });
    expect(timeframeListParser.parse('1h,4h,1h')).toEqual({
      ok: false,
      problem: 'lists the timeframe 1h twice',
    });
    expect(timeframeParser.parse('90s')).toEqual({ ok: false, problem: 'is not a timeframe' });
  });

  it('parses integer lists with negative ids and rejects non-integers', () => {
    expect(integerListParser.parse('123456789,-1001234567890')).toEqual({
      ok: true,
      value: [123_456_789, -1_001_234_567_890],
    });
    expect(integerListParser.parse('12,@channel')).toEqual({
      ok: false,
      problem: 'has an invalid integer "@channel"',
    });
    expect(integerListParser.parse('1.5')).toEqual({
      ok: false,
      problem: 'has an invalid integer "1.5"',
    });
  });
});

describe('hostListParser', () => {
  it('parses host names, addresses and bracketed IPv6, with optional ports, lower-cased', () => {
    expect(
      hostListParser.parse('Bot.Example.COM, 192.168.1.20:8787,[fd00::2]:80,localhost.,box'),
    ).toEqual({
      ok: true,
      value: ['bot.example.com', '192.168.1.20:8787', '[fd00::2]:80', 'localhost', 'box'],
    });
  });

  it.each([
    '*.example.com',
    'http://bot.example.com',
    'bot.example.com/path',
    'a b',
    'host:99999',
    'fd00::2',
    'bot:',
  ])('refuses %j', (text) => {
    expect(hostListParser.parse(text)).toMatchObject({ ok: false });
  });
});

describe('textParser and urlParser', () => {
  it('checks minimum length without echoing the text', () => {
    const token = textParser({ accepted: 'a token', minLength: 16 });
    expect(token.parse('tiny')).toEqual({ ok: false, problem: 'is shorter than 16 characters' });
    expect(token.parse('x'.repeat(16))).toEqual({ ok: true, value: 'x'.repeat(16) });
  });

  it('checks a pattern', () => {
    const key = textParser({ accepted: 'a key', pattern: /^[a-z]+$/, mismatch: 'is not a key' });
    expect(key.parse('Abc')).toEqual({ ok: false, problem: 'is not a key' });
  });

  it('accepts http and https URLs only, kept as written', () => {
    const url = urlParser();
    expect(url.parse('http://127.0.0.1:8080/api')).toEqual({
      ok: true,
      value: 'http://127.0.0.1:8080/api',
    });
    expect(url.parse('https://example.com')).toEqual({ ok: true, value: 'https://example.com' });
    expect(url.parse('ftp://example.com')).toEqual({ ok: false, problem: 'is not an http(s) URL' });
    expect(url.parse('example.com')).toEqual({ ok: false, problem: 'is not an http(s) URL' });
  });
});

describe('strategySpecParser', () => {
  it('takes a built-in key, a module file path and a package name, as written', () => {
    for (const text of [
      'ema_crossover',
      'strategies/my-idea.ts',
      './my-idea.mjs',
      '/home/me/bot/strategies/trend.ts#fast',
      'C:\\bots\\trend.js',
      'trend.cjs',
      'my-strategies',
      '@acme/strategies/trend#slow',
    ]) {
      expect(strategySpecParser.parse(text)).toEqual({ ok: true, value: text });
    }
  });

  it('refuses text that is none of them, naming the three forms', () => {
    for (const text of ['Ema Crossover', 'MyStrategy', 'ema crossover']) {
      expect(strategySpecParser.parse(text)).toEqual({
        ok: false,
        problem: 'is not a strategy key, a strategy file path or a package name',
      });
    }
    expect(strategySpecParser.accepted).toContain('.ts/.js/.mjs file path');
  });
});

describe('strategyParamsParser', () => {
  it('takes an inline JSON object or a file path, kept as written', () => {
    expect(strategyParamsParser.parse('{"fastPeriod":12}')).toEqual({
      ok: true,
      value: '{"fastPeriod":12}',
    });
    expect(strategyParamsParser.parse('reports/x.params.json')).toEqual({
      ok: true,
      value: 'reports/x.params.json',
    });
  });

  it('refuses JSON that does not parse, or a list, saying what to write', () => {
    expect(strategyParamsParser.parse('{fastPeriod: 12}')).toEqual({
      ok: false,
      problem: 'is not valid JSON (write an object such as {"fastPeriod":12}, keys quoted)',
    });
    expect(strategyParamsParser.parse('[12, 26]')).toEqual({
      ok: false,
      problem: 'is a JSON list, not an object of parameters such as {"fastPeriod":12}',
    });
  });
});
