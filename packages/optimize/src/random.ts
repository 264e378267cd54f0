/**
 * A seeded pseudo-random source (core's mulberry32 `seededRandom`), so a random search and a
 * Monte Carlo run are reproducible from their seed: the optimizer never calls `Math.random()`.
 */
import { seededRandom } from '@lumenlink/core';

/** Draws from a seeded stream; the same seed always gives the same sequence. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number;
}

/** The largest seed: seeds are unsigned 32-bit integers. */
export const maxSeed = 0xffff_ffff;

/**
 * Creates a mulberry32 generator (core's `seededRandom`): 32 bits of state, a period of 2^32, and good enough
 * statistics for sampling parameters and resampling trades (not for cryptography).
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * random.next(); // always the same first draw for seed 42
 * random.integer(1, 6);
 * ```
 * @throws {RangeError} for a seed that is not an integer from 0 to 2^32 - 1.
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed > maxSeed) {
    throw new RangeError(`seed ${seed}: give an integer from 0 to ${maxSeed}`);
  }
  const next = seededRandom(seed);
  return {
    next,
    integer(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
  };
}

/**
 * A seed for one use of a run's seed (`"search"`, `"monte-carlo"`), so the streams of a run do
 * not overlap: FNV-1a of the label, mixed with the seed.
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < label.length; index++) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
}
