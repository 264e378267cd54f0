import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseTimeframe } from '@lumenlink/core';
import { exchangeIds } from '@lumenlink/config';
import {
  checkExchangeTimeframe,
  exchangeTimeframeIssue,
  exchangeTimeframes,
} from './exchange-timeframes.js';

/** Sockets and fetches opened while a test runs: there must be none. */
const opened: string[] = [];
const onSocket = (): void => void opened.push('net socket');
const onFetch = (): void => void opened.push('undici request');

beforeEach(() => {
  opened.length = 0;
  subscribe('net.client.socket', onSocket);
  subscribe('undici:request:create', onFetch);
});

afterEach(() => {
  unsubscribe('net.client.socket', onSocket);
  unsubscribe('undici:request:create', onFetch);
  expect(opened, 'network use').toEqual([]);
});

describe('exchangeTimeframes', () => {
  it("reads ccxt's timeframes of each exchange class, those LumenLink runs on", () => {
    expect(exchangeTimeframes('coinbase')).toEqual([
      '1m',
      '5m',
      '15m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
    ]);
    expect(exchangeTimeframes('binance')).toEqual(
      expect.arrayContaining(['1m', '3m', '5m', '15m', '30m', '1h', '4h', '12h', '1d', '3d', '1w']),
    );
    expect(exchangeTimeframes('bybit')).toEqual(
      expect.arrayContaining([
        '1m',
        '3m',
        '5m',
        '15m',
        '30m',
        '1h',
        '2h',
        '4h',
        '6h',
        '12h',
        '1d',
        '1w',
      ]),
    );
    // ccxt's seconds and months have no fixed LumenLink timeframe.
    expect(exchangeTimeframes('binance')).not.toContain('1s');
    expect(exchangeTimeframes('binance')).not.toContain('1M');
  });

  it('offers only valid timeframes, and the default INTERVAL 1h on every exchange', () => {
    for (const id of exchangeIds) {
      const timeframes = exchangeTimeframes(id);
      expect(timeframes.length, id).toBeGreaterThan(5);
      for (const timeframe of timeframes) expect(parseTimeframe(timeframe)).toBe(timeframe);
      expect(timeframes, id).toContain('1h');
      expect(Object.isFrozen(timeframes)).toBe(true);
    }
  });
});

describe('exchangeTimeframeIssue', () => {
  it('is null for a timeframe the exchange serves', () => {
    expect(exchangeTimeframeIssue('binance', '4h')).toBeNull();
    expect(exchangeTimeframeIssue('coinbase', '6h')).toBeNull();
  });

  it.each([
    ['binance', '7m'],
    ['bybit', '7m'],
    ['coinbase', '7m'],
    ['coinbase', '4h'],
    ['bybit', '8h'],
  ] as const)('names INTERVAL and lists the timeframes for %s %s', (id, timeframe) => {
    const issue = exchangeTimeframeIssue(id, timeframe);
    expect(issue).toEqual({
      key: 'INTERVAL',
      problem: `"${timeframe}" is not a timeframe ${id} serves candles for, so market data would fail on every poll`,
      accepted: `a timeframe of ${id}: one of ${exchangeTimeframes(id).join(', ')}`,
    });
  });

  it('checkExchangeTimeframe throws a ConfigError naming INTERVAL', () => {
    expect(() => checkExchangeTimeframe('binance', '1h')).not.toThrow();
    let caught: unknown;
    try {
      checkExchangeTimeframe('coinbase', '7m');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.issues.map((issue) => issue.key)).toEqual(['INTERVAL']);
    expect(error.message).toContain(
      'INTERVAL: "7m" is not a timeframe coinbase serves candles for, so market data would fail on every poll. Accepted: a timeframe of coinbase: one of 1m, 5m, 15m, 30m, 1h, 2h, 6h, 1d',
    );
  });
});
