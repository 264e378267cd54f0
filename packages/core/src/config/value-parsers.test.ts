import { describe, expect, it } from 'vitest';
import {
  booleanParser,
  enumParser,
  integerListParser,
  numberParser,
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
    expect(percent.parse('0')).toEqual({ ok: false, problem: 'is not greater than 0' });
    expect(percent.parse('100')).toEqual({ ok: false, problem: 'is not less than 100' });
    expect(percent.parse('99.9')).toEqual({ ok: true, value: 99.9 });

    const port = numberParser({ integer: true, atLeast: 0, atMost: 65_535 });
    expect(port.accepted).toBe('an integer from 0 to 65535');
    expect(port.parse('-1')).toEqual({ ok: false, problem: 'is less than 0' });
    expect(port.parse('65536')).toEqual({ ok: false, problem: 'is greater than 65535' });
    expect(port.parse('65535')).toEqual({ ok: true, value: 65_535 });
  });

  it('requires whole numbers for integer keys', () => {
    const count = numberParser({ integer: true, atLeast: 1 });
    expect(count.accepted).toBe('an integer >= 1');
    expect(count.parse('1.5')).toEqual({ ok: false, problem: 'is not a whole number' });
    expect(count.parse('2.0')).toEqual({ ok: true, value: 2 });
    expect(count.parse('1e20')).toEqual({ ok: false, problem: 'is too large' });
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
