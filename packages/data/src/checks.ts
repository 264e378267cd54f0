/**
 * Small checks shared by the repositories: values going in are checked against the domain
 * types ({@link ValidationError}: the caller broke a contract), values coming out of a row or a
 * JSON column are checked before they are trusted ({@link DataIntegrityError}: the stored data
 * is wrong).
 */
import type { DataIntegrityError, ValidationError } from '@lumenlink/core';

/** The error class a check throws: input problems or stored-data problems. */
export type CheckError = typeof ValidationError | typeof DataIntegrityError;

/** Checks one named value; throws the configured error class with the path in the message. */
export class Checker {
  readonly #error: CheckError;
  readonly #subject: string;

  constructor(error: CheckError, subject: string) {
    this.#error = error;
    this.#subject = subject;
  }

  /** Throws with `problem`. */
  fail(problem: string): never {
    throw new this.#error(`${this.#subject}: ${problem}`);
  }

  /** A finite number (`min` inclusive, `positive` exclusive of 0). */
  number(name: string, value: unknown, bounds: { min?: number; positive?: boolean } = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return this.fail(`${name} ${String(value)} is not a finite number`);
    }
    if (bounds.positive === true && value <= 0) this.fail(`${name} ${value} is not positive`);
    if (bounds.min !== undefined && value < bounds.min) {
      this.fail(`${name} ${value} is below ${bounds.min}`);
    }
    return value;
  }

  /** A finite positive number or null. */
  priceOrNull(name: string, value: unknown): number | null {
    return value === null ? null : this.number(name, value, { positive: true });
  }

  /** An integer epoch time in ms (or any safe integer with `min`). */
  integer(name: string, value: unknown, min = 0): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      return this.fail(`${name} ${String(value)} is not an integer >= ${min}`);
    }
    return value;
  }

  /** A string (non-empty unless `allowEmpty`). */
  string(name: string, value: unknown, allowEmpty = false): string {
    if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
      return this.fail(
        `${name} ${JSON.stringify(value) ?? String(value)} is not a non-empty string`,
      );
    }
    return value;
  }

  /** A string or null. */
  stringOrNull(name: string, value: unknown): string | null {
    return value === null ? null : this.string(name, value, true);
  }

  /** One of the keys of `allowed`. */
  oneOf<T extends string>(name: string, value: unknown, allowed: Readonly<Record<T, true>>): T {
    if (typeof value !== 'string' || !Object.hasOwn(allowed, value)) {
      return this.fail(
        `${name} ${JSON.stringify(value) ?? String(value)} is not one of ${Object.keys(allowed).join(', ')}`,
      );
    }
    return value as T;
  }

  /** A plain object (from JSON). */
  record(name: string, value: unknown): Readonly<Record<string, unknown>> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(`${name} is not an object`);
    }
    return value as Record<string, unknown>;
  }

  /** An array (from JSON). */
  array(name: string, value: unknown): readonly unknown[] {
    if (!Array.isArray(value)) return this.fail(`${name} is not an array`);
    return value as unknown[];
  }

  /** Parses a JSON column. */
  json(name: string, text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      return this.fail(
        `${name} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
}
