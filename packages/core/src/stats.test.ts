import { describe, expect, it } from 'vitest';
import { percentile } from './stats.js';

describe('percentile', () => {
  it('interpolates linearly between the nearest ranks', () => {
    const sorted = [1, 2, 3, 4, 5];
    expect(percentile(sorted, 50)).toBe(3);
    expect(percentile(sorted, 5)).toBeCloseTo(1.2, 12);
    expect(percentile(sorted, 95)).toBeCloseTo(4.8, 12);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 100)).toBe(5);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});
