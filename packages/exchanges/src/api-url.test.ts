import { ValidationError } from '@lumenlink/core';
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { parseApiBaseUrl, rewriteApiUrls } from './api-url.js';

describe('parseApiBaseUrl', () => {
  it('accepts http and https base URLs, without a trailing slash', () => {
    expect(parseApiBaseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(parseApiBaseUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(parseApiBaseUrl('https://proxy.example/binance/')).toBe('https://proxy.example/binance');
  });

  it('refuses what is not a base URL, naming the setting', () => {
    expect(() => parseApiBaseUrl('127.0.0.1:8080')).toThrow(ValidationError);
    expect(() => parseApiBaseUrl('not a url')).toThrow(/EXCHANGE_API_URL "not a url" is not a URL/);
    expect(() => parseApiBaseUrl('ftp://127.0.0.1')).toThrow(/must use http or https, not ftp/);
    expect(() => parseApiBaseUrl('http://127.0.0.1/?x=1')).toThrow(/without a query/);
  });
});

describe('rewriteApiUrls', () => {
  it('points every binance API family at the base URL and keeps each path', () => {
    const original = new ccxt.binance().urls.api as Record<string, string>;
    const rewritten = rewriteApiUrls(original, 'http://127.0.0.1:9000') as Record<string, string>;
    expect(Object.keys(rewritten)).toEqual(Object.keys(original));
    expect(rewritten.public).toBe('http://127.0.0.1:9000/api/v3');
    expect(rewritten.sapi).toBe('http://127.0.0.1:9000/sapi/v1');
    expect(rewritten.fapiPublic).toBe('http://127.0.0.1:9000/fapi/v1');
    for (const url of Object.values(rewritten))
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:9000\//);
    expect(original.public).toBe('https://api.binance.com/api/v3');
  });

  it("replaces bybit's {hostname} placeholders and coinbase's rest root, under a base path", () => {
    const bybit = rewriteApiUrls(new ccxt.bybit().urls.api, 'http://127.0.0.1:9000/bybit');
    expect(bybit).toEqual({
      spot: 'http://127.0.0.1:9000/bybit',
      futures: 'http://127.0.0.1:9000/bybit',
      v2: 'http://127.0.0.1:9000/bybit',
      public: 'http://127.0.0.1:9000/bybit',
      private: 'http://127.0.0.1:9000/bybit',
    });
    expect(rewriteApiUrls(new ccxt.coinbase().urls.api, 'http://127.0.0.1:9000')).toEqual({
      rest: 'http://127.0.0.1:9000',
    });
    expect(rewriteApiUrls({ nested: { a: 'https://x.test/a' } }, 'http://h')).toEqual({
      nested: { a: 'http://h/a' },
    });
  });

  it('refuses an entry that is not an absolute URL', () => {
    expect(() => rewriteApiUrls({ rest: '/relative' }, 'http://h')).toThrow(ValidationError);
  });
});
