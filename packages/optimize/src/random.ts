/**
 * A seeded pseudo-random source (mulberry32), so a random search and a Monte Carlo run are
 * reproducible from their seed: the optimizer never calls `Math.random()`.
 */

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
 * Creates a mulberry32 generator: 32 bits of state, a period of 2^32, and good enough
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
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
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
