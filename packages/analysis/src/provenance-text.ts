/**
 * How the reports write the parts of a run's provenance in words: the HTML page's "What produced
 * this run" section and `compareReports`' difference lines share these.
 */
import { canonicalize } from './json.js';

/** Hex digits of a SHA-256 shown before the ellipsis. */
const shortHashLength = 12;

/** `3f0a9c1b2d4e…`: the first 12 hex digits of a hash and an ellipsis (short hashes as they are). */
export function shortHash(sha256: string): string {
  return sha256.length > shortHashLength ? `${sha256.slice(0, shortHashLength)}…` : sha256;
}

/** An epoch-ms time as ISO 8601 UTC, `n/a` for `null` or a time without a date. */
export function isoText(ms: unknown): string {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15
    ? new Date(ms).toISOString()
    : 'n/a';
}

/** A value for people: a string as it is, anything else as canonical JSON (`{"a":1}`, `null`). */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(canonicalize(value));
}

/** A value in a difference line: canonical JSON, so `"5"` and `5` read differently. */
export function jsonText(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(canonicalize(value));
}

/**
 * A record's leaves by dotted path: `{ risk: { maxOpen: 3 } }` gives `[['risk.maxOpen', 3]]`.
 * Keys sorted, or in the record's own order with `sorted` false. Arrays and empty objects are
 * leaves; `undefined` values are skipped.
 */
export function flattenRecord(record: unknown, sorted = true, prefix = ''): [string, unknown][] {
  if (!isPlainRecord(record)) return prefix === '' ? [] : [[prefix, record]];
  const keys = Object.keys(record).filter((key) => record[key] !== undefined);
  if (sorted) keys.sort();
  if (keys.length === 0) return prefix === '' ? [] : [[prefix, record]];
  return keys.flatMap((key) =>
    flattenRecord(record[key], sorted, prefix === '' ? key : `${prefix}.${key}`),
  );
}

/** An object that is not an array or null. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of a strategy's provenance that say where a module strategy came from. */
type ModuleSource = {
  readonly [Field in 'kind' | 'spec' | 'path' | 'packageName' | 'packageVersion']?: unknown;
};

/** Where a file or package strategy came from: `file /home/me/x.ts`, `package my-strategies@1.2.0`. */
export function moduleSourceText(strategy: ModuleSource): string {
  return strategy.kind === 'package'
    ? `package ${packageText(strategy)}`
    : `file ${valueText(strategy.path ?? strategy.spec)}`;
}

/** A package strategy's package: `my-strategies@1.2.0`, or its name alone without a version. */
export function packageText(strategy: ModuleSource): string {
  const name = valueText(strategy.packageName ?? strategy.spec);
  return strategy.packageVersion === undefined
    ? name
    : `${name}@${valueText(strategy.packageVersion)}`;
}
