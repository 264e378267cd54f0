/** The optimizer's input errors, and the "did you mean" suggestions they carry. */
import { ValidationError } from '@lumenlink/core';

/**
 * A bad optimisation input: an unknown parameter, a range the schema rejects, a grid too large,
 * a period too short for one walk-forward window. `field` names the input at fault as the
 * optimize command line spells it (`--range`, `--space`, `--in-sample`, `--from`); the message
 * starts with it and says what is accepted.
 */
export class OptimizeInputError extends ValidationError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** The Levenshtein distance of two short strings, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
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
    .map((candidate) => ({ name: candidate, score: distance(name, candidate) }))
    .filter(
      (entry) =>
        entry.score <= Math.max(2, Math.floor(name.length / 4)) ||
        (name.length >= 3 && entry.name.startsWith(name)),
    )
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((entry) => entry.name);
}
