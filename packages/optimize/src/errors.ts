/** The optimizer's input errors, and the "did you mean" suggestions they carry. */
import { ValidationError, editDistance } from '@lumenlink/core';

/**
 * A bad optimisation input: an unknown parameter, a range the schema rejects, a grid too large,
 * a period too short for one walk-forward window. `field` names the input at fault as the
 * optimize command line spells it (`--range`, `--space`, `--in-sample`, `--from`); the message
 * starts with it and says what is accepted.
 */
export class OptimizeInputError extends ValidationError {
  static {
    ValidationError.addMarker(this, 'lumenlink.error.OptimizeInputError');
  }

  /** Whether `value` is an OptimizeInputError, also from a second copy of this package. */
  static override isInstance(value: unknown): value is OptimizeInputError {
    return ValidationError.hasMarker(value, 'lumenlink.error.OptimizeInputError');
  }

  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/**
 * The names closest to a mistyped one (at most 3, each a few edits away or starting with it),
 * closest first.
 *
 * @example
 * ```ts
 * closestNames('fastPeriod', ['fastPeriod', 'slowPeriod', 'confidence']); // ['fastPeriod']
 * ```
 */
export function closestNames(name: string, names: readonly string[]): string[] {
  return names
    .map((candidate) => ({ name: candidate, score: editDistance(name, candidate) }))
    .filter(
      (entry) =>
        entry.score <= Math.max(2, Math.floor(name.length / 4)) ||
        (name.length >= 3 && entry.name.startsWith(name)),
    )
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((entry) => entry.name);
}
