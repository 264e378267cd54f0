/**
 * A seeded pseudo-random source, so everything random in LumenLink (retry jitter, scheduler
 * jitter, emulated candles, random search, Monte Carlo) is reproducible from a seed and never
 * calls `Math.random()`.
 */
import { ValidationError } from './errors.js';

/**
 * Creates a mulberry32 generator of floats in [0, 1): 32 bits of state, a period of 2^32, fast,
 * and good enough for jitter and sampling (not for cryptography). The same seed always gives the
 * same sequence. The seed is truncated to an integer and taken modulo 2^32, so `-1` and
 * `4294967295` are the same seed.
 *
 * @example
 * ```ts
 * import { seededRandom } from '@lumenlink/core';
 *
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, the first draw for seed 42 every time
 * const die = 1 + Math.floor(random() * 6);
 * ```
 * @throws {ValidationError} when `seed` is not a finite number.
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) {
    throw new ValidationError(
      `seededRandom: seed ${seed} is not a finite number; pass an integer such as 42`,
    );
  }
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
