import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollingExtreme } from './rolling-extremes.js';

/** Pushes one value, through the column the class reads. */
function push(extreme: RollingExtreme, value: number): void {
  extreme.pushFrom(Float64Array.of(value), 0);
}

describe('RollingExtreme', () => {
  it('equals a naive max and min over the window on random series', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -100, max: 100 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        (values, period) => {
          const max = new RollingExtreme(period, 'max');
          const min = new RollingExtreme(period, 'min');
          values.forEach((value, i) => {
            const window = values.slice(Math.max(0, i - period + 1), i + 1);
            push(max, value);
            push(min, value);
            expect(max.value).toBe(Math.max(...window));
            expect(min.value).toBe(Math.min(...window));
          });
        },
      ),
    );
  });

  it('starts over after clear', () => {
    const max = new RollingExtreme(3, 'max');
    push(max, 10);
    max.clear();
    expect(Number.isNaN(max.value)).toBe(true);
    push(max, 1);
    expect(max.value).toBe(1);
    expect(max.count).toBe(1);
  });
});
