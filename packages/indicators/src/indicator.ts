import { ValidationError, type CandleLike } from '@lumenlink/core';

/**
 * A streaming indicator: feed it one input per closed candle with `update` (or `add`), in time
 * order. Each update costs O(1) time and allocates nothing. A single-output indicator's value is a
 * number, `NaN` while warming up; a multi-output indicator's value is one result object, reused and
 * overwritten by every update (copy it to keep it), whose number fields are `NaN` while warming up.
 * `isReady` says when the warm-up is over.
 */
export interface StreamingIndicator<Input, Output> {
  /** Adds the next input; returns {@link value}: `NaN` (or `NaN` fields) while warming up. */
  update(input: Input): Output;
  /** Adds the next input and returns nothing: read `value` when you need it. */
  add(input: Input): void;
  /** The latest value: `NaN` (or a result of `NaN` fields) while warming up. */
  readonly value: Output;
  /** Whether enough inputs have arrived for a value. */
  readonly isReady: boolean;
  /** Forgets every input, as if newly made. */
  reset(): void;
}

/**
 * The initial value of a numeric field that will hold fractions (a running sum, a previous
 * close). V8 gives a field the representation of the first value stored in it: a field declared
 * `= 0` starts as a small integer, and the first fraction stored into it changes the object's
 * hidden class, which throws away the optimized code of every instance made before the change.
 * `-0` is a heap number, so the field is an unboxed double from the start; and `-0 + x` is `x` for
 * every `x`, `0` included. Internal to the package.
 */
export const doubleZero = -0;

/** The candle fields that range indicators read: high, low, close and volume. */
export type RangeInput = CandleLike;

/**
 * The candle a batch function over columns refills for each entry and hands to the streaming
 * class. A class rather than an object literal, so that V8 keeps its fields as unboxed doubles
 * (a literal shares hidden-class transitions with unrelated literals of the same keys, whose
 * fields may hold anything, and then every store would allocate). Internal to the package.
 */
export class ScratchCandle implements RangeInput {
  time = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  volume = Number.NaN;
}

/**
 * Checks an integer parameter such as a period.
 *
 * @throws {ValidationError} naming the indicator, the parameter, the value and what is accepted.
 */
export function checkInteger(indicator: string, name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ValidationError(
      `${indicator} ${name} must be an integer >= ${min}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Checks a real-valued parameter such as a band multiplier.
 *
 * @throws {ValidationError} naming the indicator, the parameter, the value and what is accepted.
 */
export function checkPositive(indicator: string, name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError(
      `${indicator} ${name} must be a finite number > 0, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * The output column of a batch function: `out` when the caller gave one (it must have `length`
 * entries), else a new `Float64Array`. Batch functions write every entry, `NaN` while warming up.
 *
 * @throws {ValidationError} when `out` has another length.
 */
export function outputArray(
  indicator: string,
  length: number,
  out: Float64Array | undefined,
): Float64Array {
  if (out === undefined) return new Float64Array(length);
  if (out.length !== length) {
    throw new ValidationError(
      `${indicator} output must have ${String(length)} entries like its input, got ${String(out.length)}`,
    );
  }
  return out;
}

/**
 * The output columns of a multi-output batch function: `out`'s when the caller gave them (each
 * checked as {@link outputArray}), else new ones.
 *
 * @throws {ValidationError} when a given column has another length.
 */
export function outputColumns<Key extends string>(
  indicator: string,
  keys: readonly Key[],
  length: number,
  out: { readonly [K in Key]: Float64Array } | undefined,
): { readonly [K in Key]: Float64Array } {
  const columns = {} as { [K in Key]: Float64Array };
  for (const key of keys) columns[key] = outputArray(`${indicator} ${key}`, length, out?.[key]);
  return columns;
}

/** Writes `NaN` over `out[0, to)`, clamped to its length: a batch output's warm-up. */
export function fillWarmUp(out: Float64Array, to: number): void {
  out.fill(Number.NaN, 0, Math.min(to, out.length));
}

/**
 * Checks that the columns given to a batch function over candles have one length. Internal to the
 * package.
 *
 * @throws {ValidationError} naming the function, the columns and their lengths.
 */
export function checkSameLength(
  indicator: string,
  names: string,
  ...columns: readonly ArrayLike<number>[]
): void {
  const length = columns[0]?.length ?? 0;
  if (columns.some((column) => column.length !== length)) {
    throw new ValidationError(
      `${indicator} ${names} must have the same length, got ${columns.map((column) => column.length).join(', ')}`,
    );
  }
}
