import { ManualClock } from '@lumenlink/core/testing';
import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('serves an entry while younger than the TTL, and peeks at it after', async () => {
    const clock = new ManualClock(1_000);
    const cache = new TtlCache<string>(clock, 100);
    expect(cache.set('a', 'x')).toEqual({ value: 'x', fetchedAt: 1_000 });
    await clock.advance(99);
    expect(cache.get('a')?.value).toBe('x');
    await clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.peek('a')).toEqual({ value: 'x', fetchedAt: 1_000 });
    cache.clear();
    expect(cache.peek('a')).toBeUndefined();
  });

  it('with a TTL of 0 never serves, and evicts the oldest key past maxEntries', () => {
    const clock = new ManualClock();
    const cache = new TtlCache<number>(clock, 0, 2);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 2);
    cache.set('a', 3); // a is now the newest
    cache.set('c', 4);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.peek('a')?.value).toBe(3);
    expect(cache.peek('c')?.value).toBe(4);
  });
});
