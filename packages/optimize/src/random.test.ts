import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed, maxSeed } from './random.js';

function draws(seed: number, count: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => random.next());
}

describe('createRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(draws(42, 20)).toEqual(draws(42, 20));
    expect(draws(42, 20)).not.toEqual(draws(43, 20));
    expect(draws(0, 5)).toEqual(draws(0, 5));
    expect(draws(maxSeed, 5)).toEqual(draws(maxSeed, 5));
  });

  it('draws floats in [0, 1) spread over the interval', () => {
    const values = draws(7, 10_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.47);
    expect(mean).toBeLessThan(0.53);
    // Each tenth of the interval gets about a tenth of the draws.
    const buckets = new Array<number>(10).fill(0);
    for (const value of values) buckets[Math.floor(value * 10)]! += 1;
    for (const count of buckets) expect(count).toBeGreaterThan(850);
  });

  it('draws integers in [min, max], both ends included', () => {
    const random = createRandom(3);
    const seen = new Set<number>();
    for (let index = 0; index < 2_000; index++) {
      const value = random.integer(-2, 3);
      expect(Number.isInteger(value)).toBe(true);
      seen.add(value);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  it('refuses a seed that is not an unsigned 32-bit integer', () => {
    expect(() => createRandom(-1)).toThrow(RangeError);
    expect(() => createRandom(1.5)).toThrow(/integer from 0 to 4294967295/);
    expect(() => createRandom(maxSeed + 1)).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('gives each use of a seed its own stream, the same every time', () => {
    expect(deriveSeed(42, 'search')).toBe(deriveSeed(42, 'search'));
    expect(deriveSeed(42, 'search')).not.toBe(deriveSeed(42, 'monte-carlo'));
    expect(deriveSeed(42, 'search')).not.toBe(deriveSeed(43, 'search'));
    const derived = deriveSeed(maxSeed, 'monte-carlo');
    expect(Number.isInteger(derived) && derived >= 0 && derived <= maxSeed).toBe(true);
  });
});
