import { candleOpenTime, type Timeframe } from '@lumenlink/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeriodFinder } from './period.js';

describe('PeriodFinder', () => {
  it("agrees with core's candleOpenTime for every timeframe unit, weeks on Mondays included", () => {
    const timeframes: Timeframe[] = ['1m', '15m', '1h', '4h', '1d', '3d', '1w', '2w'];
    fc.assert(
      fc.property(
        fc.constantFrom(...timeframes),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (timeframe, time) => {
          expect(new PeriodFinder(timeframe).openTime(time)).toBe(candleOpenTime(time, timeframe));
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });
});
