import { describe, expect, it } from 'vitest';
import { OptimizeInputError } from './errors.js';
import { checkPoints, gridPoints, gridSize, pointKey, randomPoints } from './search.js';
import { describeStrategyParameters, parseRangeFlag, type Dimension } from './space.js';

const ema = describeStrategyParameters('ema_crossover');
const dimension = (text: string): Dimension => parseRangeFlag(text, ema, 'ema_crossover');

describe('gridPoints', () => {
  it('enumerates the cartesian product, the first dimension slowest', () => {
    const dimensions = [
      dimension('fastPeriod=5,9'),
      dimension('slowPeriod=21:23'),
      dimension('confidence=0.5,1'),
    ];
    const points = gridPoints(dimensions, 100);
    expect(gridSize(dimensions)).toBe(12);
    expect(points).toHaveLength(12);
    expect(points.slice(0, 3)).toEqual([
      { fastPeriod: 5, slowPeriod: 21, confidence: 0.5 },
      { fastPeriod: 5, slowPeriod: 21, confidence: 1 },
      { fastPeriod: 5, slowPeriod: 22, confidence: 0.5 },
    ]);
    expect(points.at(-1)).toEqual({ fastPeriod: 9, slowPeriod: 23, confidence: 1 });
    expect(new Set(points.map(pointKey)).size).toBe(12);
  });

  it('refuses a grid over the limit and a real range without a step, naming --range', () => {
    const big = [dimension('fastPeriod=1:100'), dimension('slowPeriod=101:300')];
    expect(() => gridPoints(big, 10_000)).toThrow(OptimizeInputError);
    expect(() => gridPoints(big, 10_000)).toThrow(
      /20,000 points \(100 x 200\), more than --max-points 10000/,
    );
    expect(gridSize([dimension('confidence=0.2:1')])).toBe(Infinity);
    expect(() => gridPoints([dimension('confidence=0.2:1')], 10)).toThrow(
      /--range: confidence: a range of real numbers needs a step for a grid \(confidence=0.2:1:STEP\)/,
    );
  });
});

describe('randomPoints', () => {
  const dimensions = [
    dimension('fastPeriod=2:60'),
    dimension('slowPeriod=20:200:10'),
    dimension('confidence=::'),
  ];

  it('is deterministic for a seed, and differs across seeds', () => {
    const first = randomPoints(dimensions, 25, 1234);
    const again = randomPoints(dimensions, 25, 1234);
    const other = randomPoints(dimensions, 25, 1235);
    expect(first.points).toHaveLength(25);
    expect(again).toEqual(first);
    expect(other.points).not.toEqual(first.points);
  });

  it('draws within each dimension: integers, stepped values, reals inside the schema bounds', () => {
    const { points } = randomPoints(dimensions, 200, 9);
    for (const point of points) {
      expect(Number.isInteger(point.fastPeriod)).toBe(true);
      expect(point.fastPeriod).toBeGreaterThanOrEqual(2);
      expect(point.fastPeriod).toBeLessThanOrEqual(60);
      expect((point.slowPeriod as number) % 10).toBe(0);
      // confidence=:: is the schema's (0, 1]: never 0.
      expect(point.confidence).toBeGreaterThan(0);
      expect(point.confidence).toBeLessThanOrEqual(1);
      expect(Number((point.confidence as number).toPrecision(6))).toBe(point.confidence);
    }
    expect(new Set(points.map(pointKey)).size).toBe(200);
  });

  it('redraws what accept refuses, and stops short in a space too small', () => {
    const accepted = randomPoints(
      dimensions,
      30,
      5,
      (point) => point.fastPeriod! < point.slowPeriod!,
    );
    expect(accepted.points).toHaveLength(30);
    expect(accepted.points.every((point) => point.fastPeriod! < point.slowPeriod!)).toBe(true);
    const small = randomPoints([dimension('fastPeriod=5,9'), dimension('slowPeriod=21,34')], 10, 5);
    expect(small.points).toHaveLength(4);
    expect(small.attempts).toBe(500);
  });
});

describe('checkPoints', () => {
  it('keeps the points the strategy accepts with full parameters, and says why it refuses others', () => {
    const { candidates, rejected } = checkPoints(
      'ema_crossover',
      { fastPeriod: 9, slowPeriod: 21, confidence: 0.8 },
      [
        { fastPeriod: 5, slowPeriod: 21 },
        { fastPeriod: 30, slowPeriod: 21 },
      ],
      '1h',
    );
    expect(candidates).toEqual([
      {
        point: { fastPeriod: 5, slowPeriod: 21 },
        params: { fastPeriod: 5, slowPeriod: 21, confidence: 0.8 },
      },
    ]);
    expect(rejected).toEqual([
      {
        point: { fastPeriod: 30, slowPeriod: 21 },
        reason: 'slowPeriod must be above fastPeriod (30) (got 21)',
      },
    ]);
  });
});
