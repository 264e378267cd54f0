import { ValidationError, systemClock } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FeedSchemaError } from './feed-errors.js';
import { HttpFeed, redactUrl, type FeedClientOptions } from './http-feed.js';

const settings = {
  feed: 'coingecko',
  defaultBaseUrl: 'https://api.coingecko.com/api/v3',
  defaultCacheTtlMs: 1_000,
} as const;

function feed(options: Partial<FeedClientOptions> = {}): HttpFeed {
  return new HttpFeed({ clock: systemClock, ...options }, settings);
}

describe('redactUrl', () => {
  it('drops the query string and fragment', () => {
    expect(redactUrl('https://cryptopanic.com/api/v1/posts/?auth_token=abc&public=true#x')).toBe(
      'https://cryptopanic.com/api/v1/posts/',
    );
    expect(redactUrl('not a url?token=abc')).toBe('not a url');
  });
});

describe('HttpFeed', () => {
  it('checks its options', () => {
    expect(() => feed({ baseUrl: 'ftp://example.com' })).toThrow(ValidationError);
    expect(() => feed({ baseUrl: 'nonsense' })).toThrow(ValidationError);
    expect(() => feed({ baseUrl: 'https://example.com/?key=1' })).toThrow(ValidationError);
    expect(() => feed({ timeoutMs: 0 })).toThrow(ValidationError);
    expect(() => feed({ retries: -1 })).toThrow(ValidationError);
    expect(() => feed({ cacheTtlMs: 1.5 })).toThrow(ValidationError);
    expect(feed().feed).toBe('coingecko');
  });

  it('joins the base URL and path without losing the base path', async () => {
    const urls: string[] = [];
    const http = feed({
      baseUrl: 'https://api.coingecko.com/api/v3/',
      fetch: (input) => {
        urls.push(input);
        return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
      },
    });
    const result = await http.get({
      key: 'k',
      path: '/global',
      query: { a: '1 2' },
      schema: z.object({ ok: z.boolean() }),
      map: (data) => data.ok,
    });
    expect(result.value).toBe(true);
    expect(urls).toEqual(['https://api.coingecko.com/api/v3/global?a=1+2']);
    expect(http.peek<boolean>('k')?.value).toBe(true);
    expect(http.peek('other')).toBeUndefined();
  });

  it('times out a fetch that ignores the abort signal', async () => {
    const http = feed({
      timeoutMs: 20,
      retries: 0,
      fetch: () => new Promise<Response>(() => undefined),
    });
    const error = await http
      .get({ key: 'k', path: '/x', schema: z.unknown(), map: (data) => data })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'timeout', feed: 'coingecko' });
  });

  it('lists at most five schema issues in the message', async () => {
    const http = feed({
      fetch: () => Promise.resolve(new Response('{}', { status: 200 })),
    });
    const error = await http
      .get({
        key: 'k',
        path: '/x',
        schema: z.object({
          a: z.number(),
          b: z.number(),
          c: z.number(),
          d: z.number(),
          e: z.number(),
          f: z.number(),
          g: z.number(),
        }),
        map: (data) => data,
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedSchemaError);
    expect((error as FeedSchemaError).issues).toHaveLength(7);
    expect((error as Error).message).toMatch(/\(and 2 more\)$/);
  });
});
