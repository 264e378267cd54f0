/**
 * A small command-line flag parser shared by the backtest and fetch-history commands: long flags
 * only (`--name value` or `--name=value`), switches without values, repeatable flags, and an
 * error naming the flag and what it accepts for anything else.
 */
import { ValidationError } from '@lumenlink/core';
import { DataInputError } from '@lumenlink/data';
import { closestNames, OptimizeInputError } from '@lumenlink/optimize';

/** A command-line mistake: names the flag at fault and what it accepts. Exit code 2. */
export class UsageError extends ValidationError {
  static {
    ValidationError.addMarker(this, 'lumenlink.error.UsageError');
  }

  /** Whether `value` is a UsageError, also from a second copy of this package. */
  static override isInstance(value: unknown): value is UsageError {
    return ValidationError.hasMarker(value, 'lumenlink.error.UsageError');
  }

  /** The flag at fault, with its dashes (`--cash`), or `(arguments)` for a stray argument. */
  readonly flag: string;

  constructor(flag: string, message: string) {
    super(`${flag}: ${message}`);
    this.flag = flag;
  }

  /** The flag at fault, as the packages' input errors name it. */
  get field(): string {
    return this.flag;
  }
}

/**
 * Whether an error is a mistake in what the command was given: a {@link UsageError}, or a
 * package's error naming the option at fault (a missing data file, a bad search range).
 */
export function isUsageError(
  error: unknown,
): error is ValidationError & { readonly field: string } {
  return (
    UsageError.isInstance(error) ||
    DataInputError.isInstance(error) ||
    OptimizeInputError.isInstance(error)
  );
}

/** How a flag is given: with one value, with a value each time it is repeated, or alone. */
type FlagKind = 'value' | 'repeat' | 'switch';

/** One flag a command accepts. */
export interface FlagSpec {
  /** The name without dashes, e.g. `fee-bps`. */
  readonly name: string;
  readonly kind: FlagKind;
  /** The value's placeholder in the help, e.g. `N` or `FILE`. */
  readonly placeholder?: string;
  /** One line of help: what the flag does and what it accepts. */
  readonly help: string;
}

/** Parsed flags: each value flag's values in order; a switch maps to an empty list. */
export type ParsedFlags = ReadonlyMap<string, readonly string[]>;

/** The flag names closest to a mistyped one (a few edits away, or sharing its prefix). */
export function suggestFlags(name: string, specs: readonly FlagSpec[]): string[] {
  return closestNames(
    name,
    specs.map((spec) => spec.name),
  ).map((closest) => `--${closest}`);
}

/**
 * Parses `argv` against the specs. A lone `--` is skipped (package managers pass it through).
 *
 * @example
 * ```ts
 * parseFlags(['--cash', '500', '--close-at-end'], specs); // Map { cash => ['500'], close-at-end => [] }
 * ```
 * @throws {UsageError} for an unknown flag (with suggestions), a value flag without its value, a
 *   switch given a value, a non-repeatable flag given twice, or an argument that is not a flag.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const parsed = new Map<string, string[]>();
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (token === '--') continue;
    if (token === '-h') {
      parsed.set('help', []);
      continue;
    }
    if (!token.startsWith('--') || token.length === 2) {
      throw new UsageError(
        '(arguments)',
        `unexpected argument ${JSON.stringify(token)}: every option is a flag such as --strategy ema_crossover; see --help`,
      );
    }
    const equals = token.indexOf('=');
    const name = token.slice(2, equals === -1 ? undefined : equals);
    const spec = byName.get(name);
    if (spec === undefined) {
      const suggestions = suggestFlags(name, specs);
      throw new UsageError(
        `--${name}`,
        suggestions.length > 0
          ? `unknown flag; did you mean ${suggestions.join(' or ')}? See --help for every flag.`
          : 'unknown flag. See --help for every flag.',
      );
    }
    let value: string | undefined;
    if (spec.kind === 'switch') {
      if (equals !== -1) {
        throw new UsageError(`--${name}`, `is a switch and takes no value (got "${token}")`);
      }
    } else if (equals !== -1) {
      value = token.slice(equals + 1);
    } else {
      const next = argv[index + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(
          `--${name}`,
          `needs a value: --${name} ${spec.placeholder ?? 'VALUE'}`,
        );
      }
      value = next;
      index++;
    }
    const values = parsed.get(name);
    if (values !== undefined && spec.kind !== 'repeat') {
      throw new UsageError(`--${name}`, 'is given more than once; give it once');
    }
    const list = values ?? [];
    if (value !== undefined) list.push(value);
    parsed.set(name, list);
  }
  return parsed;
}

/** The single value of a value flag, or `undefined` when it was not given. */
export function flagValue(flags: ParsedFlags, name: string): string | undefined {
  return flags.get(name)?.[0];
}

/** Whether a switch (or any flag) was given. */
export function hasFlag(flags: ParsedFlags, name: string): boolean {
  return flags.has(name);
}

/** The help lines of a list of flags, aligned. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string[] {
  const heads = specs.map(
    (spec) => `--${spec.name}${spec.kind === 'switch' ? '' : ` ${spec.placeholder ?? 'VALUE'}`}`,
  );
  const width = Math.max(...heads.map((head) => head.length));
  return specs.map((spec, index) => `  ${heads[index]!.padEnd(width)}  ${spec.help}`);
}
