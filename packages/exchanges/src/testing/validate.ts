/**
 * Small checks for the emulator's inputs (options, faults, control-route bodies), which may come
 * from JSON: every failure names the field, what it accepts and what it got.
 */
import { ValidationError } from '@lumenlink/core';

/** A short, printable form of any value for error messages. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Throws a {@link ValidationError} naming the field, what it accepts and what it got. */
export function invalid(field: string, accepted: string, value: unknown): never {
  throw new ValidationError(`${field} must be ${accepted}, got ${describeValue(value)}`);
}

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number > 0. */
export function positiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalid(field, 'a finite number > 0', value);
  }
  return value;
}

/** A finite number >= 0. */
export function nonNegativeNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(field, 'a finite number >= 0', value);
  }
  return value;
}

/** An integer in `min..max`. */
export function integerInRange(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    invalid(field, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A non-empty string. */
export function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(field, 'a non-empty string', value);
  return value;
}
