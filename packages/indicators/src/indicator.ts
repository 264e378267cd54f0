import { ValidationError, type CandleLike } from '@lumenlink/core';

/**
 * A streaming indicator: feed it one input per closed candle with `update`, in time order.
 * `update` costs O(1) time and allocates nothing. Multi-output indicators return one reused result
 * object, overwritten by the next update: copy it if you keep it.
 */
export interface StreamingIndicator<Input, Output> {
  /** Adds the next input; returns the new value, or `undefined` while warming up. */
  update(input: Input): Output | undefined;
  /** The latest value, or `undefined` while warming up. */
  readonly value: Output | undefined;
  /** Whether enough inputs have arrived for a value. */
  readonly isReady: boolean;
  /** Forgets every input, as if newly made. */
  reset(): void;
}

/** The candle fields that range indicators read: high, low, close and volume. */
export type RangeInput = CandleLike;

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

/** A `Float64Array` of `length` filled with `NaN`: the batch output before warm-up ends. */
export function nanArray(length: number): Float64Array {
  return new Float64Array(length).fill(Number.NaN);
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
