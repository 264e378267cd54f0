import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { seededRandom } from './random.js';

function draw(seed: number, count: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => random());
}

describe('seededRandom', () => {
  it('is mulberry32: the published first draws for seed 42', () => {
    expect(draw(42, 3)).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it('repeats a sequence for the same seed and differs for another', () => {
    expect(draw(7, 50)).toEqual(draw(7, 50));
    expect(draw(7, 50)).not.toEqual(draw(8, 50));
  });

  it('draws uniformly from [0, 1)', () => {
    const values = draw(123, 20_000);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const buckets = Array.from({ length: 10 }, () => 0);
    for (const value of values) buckets[Math.floor(value * 10)]! += 1;
    for (const count of buckets) expect(Math.abs(count - 2_000)).toBeLessThan(200);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
  });

  it('truncates the seed and takes it modulo 2^32', () => {
    expect(draw(5.9, 5)).toEqual(draw(5, 5));
    expect(draw(2 ** 32 + 5, 5)).toEqual(draw(5, 5));
    expect(draw(-1, 5)).toEqual(draw(2 ** 32 - 1, 5));
  });

  it('refuses a seed that is not a finite number, naming it', () => {
    for (const seed of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => seededRandom(seed)).toThrow(ValidationError);
    }
    expect(() => seededRandom(Number.NaN)).toThrow(/seed NaN is not a finite number/);
  });
});
