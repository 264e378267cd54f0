/**
 * A small time-to-live cache on the {@link Clock}, so cache expiry runs on manual time in tests.
 */
import type { Clock } from '@lumenlink/core';

/** A cached value and when it was fetched (epoch ms). */
export interface CacheEntry<T> {
  readonly value: T;
  readonly fetchedAt: number;
}

/**
 * Values by key, fresh for `ttlMs` after they were stored. Expired entries stay readable through
 * {@link TtlCache.peek} until evicted, so a caller can fall back to the last good value. Holds at
 * most `maxEntries` keys, evicting the oldest stored.
 *
 * @example
 * ```ts
 * const cache = new TtlCache<number>(clock, 60_000);
 * cache.set('btc', 1);
 * cache.get('btc'); // { value: 1, fetchedAt } for a minute, then undefined
 * ```
 */
export class TtlCache<T> {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, CacheEntry<T>>();

  constructor(clock: Clock, ttlMs: number, maxEntries = 100) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** The entry for `key` while it is fresh (younger than the TTL), otherwise `undefined`. */
  get(key: string): CacheEntry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    return this.#clock.now() - entry.fetchedAt < this.#ttlMs ? entry : undefined;
  }

  /** The entry for `key` whatever its age. */
  peek(key: string): CacheEntry<T> | undefined {
    return this.#entries.get(key);
  }

  /** Stores `value` as fetched now and returns the entry. */
  set(key: string, value: T): CacheEntry<T> {
    const entry = { value, fetchedAt: this.#clock.now() };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return entry;
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
