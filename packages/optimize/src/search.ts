/**
 * The points a search visits: every combination of the dimensions' values (grid), or a number
 * of points drawn with a seeded generator (random), and which of them the strategy accepts.
 */
import { ValidationError, type Timeframe } from '@lumenlink/core';
import { StrategyParamsError } from '@lumenlink/strategies';
import { OptimizeInputError } from './errors.js';
import { createRandom, type Random } from './random.js';
import {
  gridValues,
  pointParams,
  type Dimension,
  type ParamPoint,
  type ParamValue,
} from './space.js';
import { definitionOf, type StrategyRef } from './strategy.js';

/** How a search picks its points. */
export type SearchMethod = 'grid' | 'random';

/** The search methods, as `--search` takes them. */
export const searchMethods: readonly SearchMethod[] = ['grid', 'random'];

/** How many points a grid of these dimensions has (`Infinity` when one cannot be stepped). */
export function gridSize(dimensions: readonly Dimension[]): number {
  let size = 1;
  for (const dimension of dimensions) size *= gridValues(dimension)?.length ?? Infinity;
  return size;
}

/**
 * Every combination of the dimensions' values, the first dimension varying slowest, so the
 * order (and so the ranking's tie-break) is that of the flags.
 *
 * @example
 * ```ts
 * gridPoints([
 *   { name: 'fastPeriod', kind: 'values', values: [5, 9] },
 *   { name: 'slowPeriod', kind: 'values', values: [21, 34] },
 * ], 100);
 * // [{ fastPeriod: 5, slowPeriod: 21 }, { fastPeriod: 5, slowPeriod: 34 }, { fastPeriod: 9, ... }, ...]
 * ```
 * @throws {OptimizeInputError} on `--range` for a real range without a step, or a grid larger than `limit`.
 */
export function gridPoints(dimensions: readonly Dimension[], limit: number): ParamPoint[] {
  const lists: (readonly ParamValue[])[] = [];
  for (const dimension of dimensions) {
    const values = gridValues(dimension);
    if (values === undefined) {
      const range = dimension.kind === 'range' ? `${dimension.min}:${dimension.max}` : 'MIN:MAX';
      throw new OptimizeInputError(
        '--range',
        `${dimension.name}: a range of real numbers needs a step for a grid (${dimension.name}=${range}:STEP), or use --search random`,
      );
    }
    if (values.length === 0) {
      throw new OptimizeInputError(
        '--range',
        `${dimension.name}: the range holds no value the schema accepts`,
      );
    }
    lists.push(values);
  }
  const size = lists.reduce((product, list) => product * list.length, 1);
  if (size > limit) {
    throw new OptimizeInputError(
      '--range',
      `the grid has ${size.toLocaleString('en-US')} points (${lists.map((list) => list.length).join(' x ')}), more than --max-points ${limit}; use larger steps, fewer parameters, --search random --samples N, or raise --max-points`,
    );
  }
  const points: ParamPoint[] = [];
  const current: Record<string, ParamValue> = {};
  const visit = (depth: number): void => {
    if (depth === dimensions.length) {
      points.push({ ...current });
      return;
    }
    for (const value of lists[depth]!) {
      current[dimensions[depth]!.name] = value;
      visit(depth + 1);
    }
  };
  visit(0);
  return points;
}

function drawValue(dimension: Dimension, random: Random): ParamValue {
  if (dimension.kind === 'values') {
    return dimension.values[random.integer(0, dimension.values.length - 1)]!;
  }
  const grid = dimension.step === undefined ? undefined : gridValues(dimension);
  if (grid !== undefined && grid.length > 0) return grid[random.integer(0, grid.length - 1)]!;
  for (;;) {
    const value = dimension.integer
      ? random.integer(dimension.min, dimension.max)
      : // Six significant digits: readable, and the same value when typed back as --param.
        Number((dimension.min + random.next() * (dimension.max - dimension.min)).toPrecision(6));
    if (dimension.excludeMin && value <= dimension.min) continue;
    if (dimension.excludeMax && value >= dimension.max) continue;
    return value;
  }
}

/** The identity of a point, to draw each point once. */
export function pointKey(point: ParamPoint): string {
  return JSON.stringify(
    Object.keys(point)
      .sort()
      .map((name) => [name, point[name]]),
  );
}

/** What {@link randomPoints} drew. */
export interface RandomDraw {
  readonly points: ParamPoint[];
  /** Draws made: more than the points when some repeated or were not accepted. */
  readonly attempts: number;
}

/**
 * `count` distinct points drawn from the dimensions with a mulberry32 generator seeded with
 * `seed`: a list or a stepped range picks one of its values, an integer range any integer, a
 * real range any real (six significant digits). Points that `accept` refuses (a combination
 * the strategy rejects) and repeats are drawn again, up to 50 draws per point; a small space
 * may so give fewer points than asked. The same seed always gives the same points.
 *
 * @example
 * ```ts
 * randomPoints(dimensions, 20, 42).points; // the same 20 points on every run
 * ```
 */
export function randomPoints(
  dimensions: readonly Dimension[],
  count: number,
  seed: number,
  accept: (point: ParamPoint) => boolean = () => true,
): RandomDraw {
  const random = createRandom(seed);
  const points: ParamPoint[] = [];
  const seen = new Set<string>();
  const maxAttempts = count * 50;
  let attempts = 0;
  while (points.length < count && attempts < maxAttempts) {
    attempts++;
    const point: Record<string, ParamValue> = {};
    for (const dimension of dimensions) point[dimension.name] = drawValue(dimension, random);
    const key = pointKey(point);
    if (seen.has(key)) continue;
    seen.add(key);
    if (accept(point)) points.push(point);
  }
  return { points, attempts };
}

/** A point with the strategy's full parameters (defaults and fixed `--param` values filled). */
export interface Candidate {
  readonly point: ParamPoint;
  readonly params: Record<string, unknown>;
}

/** A point the strategy refused, with its reason. */
export interface RejectedPoint {
  readonly point: ParamPoint;
  readonly reason: string;
}

/**
 * Checks a point against the strategy: its schema (cross-parameter rules included, such as a
 * fast period below the slow one) and its construction for the interval. Returns the full
 * parameters, or the reason in one line.
 */
export function checkPoint(
  strategy: StrategyRef,
  base: Readonly<Record<string, unknown>>,
  point: ParamPoint,
  interval: Timeframe,
): { readonly params: Record<string, unknown> } | { readonly reason: string } {
  const definition = definitionOf(strategy);
  try {
    const params = definition.parseParams(pointParams(base, point)) as Record<string, unknown>;
    definition.create(params, { interval });
    return { params };
  } catch (error) {
    if (StrategyParamsError.isInstance(error)) {
      return { reason: error.issues.map((issue) => `${issue.param} ${issue.problem}`).join('; ') };
    }
    if (ValidationError.isInstance(error)) return { reason: error.message };
    throw error;
  }
}

/** Splits points into those the strategy accepts (with their parameters) and those it refuses. */
export function checkPoints(
  strategy: StrategyRef,
  base: Readonly<Record<string, unknown>>,
  points: readonly ParamPoint[],
  interval: Timeframe,
): { readonly candidates: Candidate[]; readonly rejected: RejectedPoint[] } {
  const candidates: Candidate[] = [];
  const rejected: RejectedPoint[] = [];
  for (const point of points) {
    const checked = checkPoint(strategy, base, point, interval);
    if ('params' in checked) candidates.push({ point, params: checked.params });
    else rejected.push({ point, reason: checked.reason });
  }
  return { candidates, rejected };
}
