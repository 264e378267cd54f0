/**
 * Strict parsers for env values: each turns trimmed, non-empty text into a typed value or a
 * problem. A problem is a predicate about the value ("is not a number"), never the value itself:
 * `loadConfig` puts the quoted value in front of it, or "the value given" for a secret key.
 */
import { ValidationError } from '@lumenlink/core';
import { parseSymbol } from '@lumenlink/core';
import type { SymbolId } from '@lumenlink/core';
import { parseTimeframe } from '@lumenlink/core';
import type { Timeframe } from '@lumenlink/core';

/** The outcome of parsing one env value: the typed value, or what is wrong with the text. */
type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** Parses one kind of env value and says in words what it accepts. */
export interface ValueParser<T> {
  /** Parses trimmed, non-empty text. */
  readonly parse: (text: string) => Parsed<T>;
  /** What the parser accepts, e.g. `a number >= 0`; the key's default is added by its spec. */
  readonly accepted: string;
}

/** A successful parse. */
function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** A failed parse. */
function fail<T>(problem: string): Parsed<T> {
  return { ok: false, problem };
}

/** Bounds of a numeric env value; every bound is optional. */
export interface NumberBounds {
  /** Whole numbers only. */
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly atLeast?: number;
  /** Exclusive lower bound. */
  readonly greaterThan?: number;
  /** Inclusive upper bound. */
  readonly atMost?: number;
  /** Exclusive upper bound. */
  readonly lessThan?: number;
  /** The range in words, appended to the accepted text, e.g. `100 ms to 1 day`. */
  readonly note?: string;
}

/** Plain decimal notation with an optional exponent: no units, hex, `NaN` or `Infinity`. */
const decimalPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Writes a bound as env text: powers of ten from 1e9 up as `1e12` (easier to read than twelve
 * zeros, and accepted as a value), other numbers as they are.
 */
export function formatBound(value: number): string {
  if (Math.abs(value) >= 1e9) {
    const exponent = Math.log10(Math.abs(value));
    if (Number.isInteger(exponent)) return `${value < 0 ? '-' : ''}1e${exponent}`;
  }
  return String(value);
}

/** Describes numeric bounds in words, e.g. `an integer from 0 to 65535`. */
function describeNumber(bounds: NumberBounds): string {
  const noun = bounds.integer === true ? 'an integer' : 'a number';
  const note = bounds.note === undefined ? '' : `, ${bounds.note}`;
  if (bounds.atLeast !== undefined && bounds.atMost !== undefined) {
    return `${noun} from ${formatBound(bounds.atLeast)} to ${formatBound(bounds.atMost)}${note}`;
  }
  const parts: string[] = [];
  if (bounds.atLeast !== undefined) parts.push(`>= ${formatBound(bounds.atLeast)}`);
  if (bounds.greaterThan !== undefined) parts.push(`> ${formatBound(bounds.greaterThan)}`);
  if (bounds.atMost !== undefined) parts.push(`<= ${formatBound(bounds.atMost)}`);
  if (bounds.lessThan !== undefined) parts.push(`< ${formatBound(bounds.lessThan)}`);
  return `${parts.length === 0 ? noun : `${noun} ${parts.join(' and ')}`}${note}`;
}

/**
 * Checks a finite number against its bounds. A problem names the bound and the fix, e.g.
 * `is above the maximum 1e12 (use 1e12 or less)`.
 */
function checkBounds(value: number, bounds: NumberBounds): Parsed<number> {
  const atMost = bounds.atMost === undefined ? undefined : formatBound(bounds.atMost);
  if (bounds.integer === true && !Number.isSafeInteger(value)) {
    if (!Number.isInteger(value)) return fail('is not a whole number (use an integer)');
    return fail(atMost === undefined ? 'is too large' : `is too large (use ${atMost} or less)`);
  }
  if (bounds.atLeast !== undefined && value < bounds.atLeast) {
    const bound = formatBound(bounds.atLeast);
    return fail(`is below the minimum ${bound} (use ${bound} or more)`);
  }
  if (bounds.greaterThan !== undefined && value <= bounds.greaterThan) {
    const bound = formatBound(bounds.greaterThan);
    return fail(`is not above ${bound} (use a value over ${bound})`);
  }
  if (atMost !== undefined && bounds.atMost !== undefined && value > bounds.atMost) {
    return fail(`is above the maximum ${atMost} (use ${atMost} or less)`);
  }
  if (bounds.lessThan !== undefined && value >= bounds.lessThan) {
    const bound = formatBound(bounds.lessThan);
    return fail(`is not below ${bound} (use a value under ${bound})`);
  }
  return ok(value);
}

/**
 * A decimal number within bounds. Strict: `10usd`, `abc`, `NaN`, `Infinity`, `0x10` and `1_000`
 * are rejected.
 */
export function numberParser(bounds: NumberBounds = {}): ValueParser<number> {
  return {
    accepted: describeNumber(bounds),
    parse: (text) => {
      if (!decimalPattern.test(text)) return fail('is not a number');
      const value = Number(text);
      if (!Number.isFinite(value)) {
        const most = bounds.atMost ?? bounds.lessThan;
        return fail(
          most === undefined ? 'is too large' : `is too large (use ${formatBound(most)} or less)`,
        );
      }
      return checkBounds(value, bounds);
    },
  };
}

/** Texts accepted as `true` (compared case-insensitively). */
const trueTexts = new Set(['true', '1', 'yes', 'on']);
/** Texts accepted as `false` (compared case-insensitively). */
const falseTexts = new Set(['false', '0', 'no', 'off']);

/** A boolean: true/false, 1/0, yes/no or on/off, in any case. */
export const booleanParser: ValueParser<boolean> = {
  accepted: 'true or false (also 1/0, yes/no, on/off)',
  parse: (text) => {
    const lower = text.toLowerCase();
    if (trueTexts.has(lower)) return ok(true);
    if (falseTexts.has(lower)) return ok(false);
    return fail('is not a boolean');
  },
};

/** One of a fixed set of lowercase words, matched case-insensitively; `noun` names the set. */
export function enumParser<const T extends string>(
  values: readonly T[],
  noun: string,
): ValueParser<T> {
  const accepted =
    values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
  return {
    accepted,
    parse: (text) => {
      const lower = text.toLowerCase();
      const match = values.find((value) => value === lower);
      return match === undefined ? fail(`is not a known ${noun}`) : ok(match);
    },
  };
}

/** Options of {@link textParser}. */
export interface TextOptions {
  /** What the text is, in words (also the whole `accepted` text). */
  readonly accepted: string;
  /** A pattern the whole text must match. */
  readonly pattern?: RegExp;
  /** The problem reported when the pattern does not match. */
  readonly mismatch?: string;
  /** The minimum length in characters. */
  readonly minLength?: number;
}

/** Free text, optionally constrained by a pattern and a minimum length. */
export function textParser(options: TextOptions): ValueParser<string> {
  return {
    accepted: options.accepted,
    parse: (text) => {
      if (options.minLength !== undefined && text.length < options.minLength) {
        return fail(`is shorter than ${options.minLength} characters`);
      }
      if (options.pattern !== undefined && !options.pattern.test(text)) {
        return fail(options.mismatch ?? `is not ${options.accepted}`);
      }
      return ok(text);
    },
  };
}

/** An absolute `http:` or `https:` URL, kept as written. */
export function urlParser(accepted = 'an http(s) URL'): ValueParser<string> {
  return {
    accepted,
    parse: (text) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return fail('is not an http(s) URL');
      }
      return url.protocol === 'http:' || url.protocol === 'https:'
        ? ok(text)
        : fail('is not an http(s) URL');
    },
  };
}

/** A strategy key: lowercase letters, digits and `_`, starting with a letter. */
const strategyKeyPattern = /^[a-z][a-z0-9_]*$/;
/** An npm package name (lowercase, optionally scoped), a subpath and `#export` allowed. */
const packageNamePattern =
  /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:\/[\w.~/-]+)?(?:#[A-Za-z_$][\w$]*)?$/;
/** A module file: ends in a strategy module extension, `#export` allowed. */
const moduleFilePattern = /\.(?:ts|mts|js|mjs|cjs)(?:#[A-Za-z_$][\w$]*)?$/i;

/**
 * What `STRATEGY` holds: a built-in strategy key, the path of a strategy module file, or an
 * installed package's name. Only the form is checked here; `@lumenlink/strategy-loader` loads it
 * at start and says what is wrong with the file.
 */
export const strategySpecParser: ValueParser<string> = {
  accepted:
    'a built-in strategy key, a .ts/.js/.mjs file path (strategies/my-idea.ts) or a package name',
  parse: (text) => {
    const isPath =
      text.startsWith('.') ||
      text.startsWith('/') ||
      /^[A-Za-z]:[\\/]/.test(text) ||
      moduleFilePattern.test(text) ||
      (/[\\/]/.test(text) && !text.startsWith('@'));
    return strategyKeyPattern.test(text) || packageNamePattern.test(text) || isPath
      ? ok(text)
      : fail('is not a strategy key, a strategy file path or a package name');
  },
};

/**
 * What `STRATEGY_PARAMS` holds, kept as written: an inline JSON object of parameters, or the
 * path of a JSON file. Inline JSON must parse to an object here; the strategy's schema checks
 * the values at start.
 */
export const strategyParamsParser: ValueParser<string> = {
  accepted: 'a JSON object ({"fastPeriod":12}) or the path of a JSON file',
  parse: (text) => {
    if (!text.startsWith('{') && !text.startsWith('[')) return ok(text);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail('is not valid JSON (write an object such as {"fastPeriod":12}, keys quoted)');
    }
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? ok(text)
      : fail('is a JSON list, not an object of parameters such as {"fastPeriod":12}');
  },
};

/** Options of {@link listParser}. */
interface ListOptions<T> {
  /** What the list holds, in words, e.g. `symbols such as BTC-USD,ETH-USD`. */
  readonly accepted: string;
  /** What one item is, e.g. `symbol`. */
  readonly noun: string;
  /** Parses one trimmed item, returning `undefined` when it is invalid. */
  readonly item: (text: string) => T | undefined;
}

/** A comma-separated list of at least one item, without empty items or duplicates. */
function listParser<T extends string | number>(options: ListOptions<T>): ValueParser<readonly T[]> {
  return {
    accepted: `comma-separated ${options.accepted}, no duplicates`,
    parse: (text) => {
      const items: T[] = [];
      for (const raw of text.split(',')) {
        const itemText = raw.trim();
        if (itemText === '') return fail('has an empty item (check for a stray comma)');
        const item = options.item(itemText);
        if (item === undefined) return fail(`has an invalid ${options.noun} "${itemText}"`);
        if (items.includes(item)) return fail(`lists the ${options.noun} ${String(item)} twice`);
        items.push(item);
      }
      return ok(items);
    },
  };
}

/** Runs a core parser that throws {@link ValidationError}, mapping that error to `undefined`. */
function orUndefined<T>(parse: (text: string) => T): (text: string) => T | undefined {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (ValidationError.isInstance(error)) return undefined;
      throw error;
    }
  };
}

/** One timeframe, parsed by {@link parseTimeframe}. */
export const timeframeParser: ValueParser<Timeframe> = {
  accepted: 'a timeframe: a count and a unit m, h, d or w, such as 15m, 1h, 4h or 1d',
  parse: (text) => {
    const timeframe = orUndefined(parseTimeframe)(text);
    return timeframe === undefined ? fail('is not a timeframe') : ok(timeframe);
  },
};

/** A comma-separated list of distinct timeframes. */
export const timeframeListParser: ValueParser<readonly Timeframe[]> = listParser({
  accepted: 'timeframes such as 1h,4h,1d',
  noun: 'timeframe',
  item: orUndefined(parseTimeframe),
});

/** A comma-separated list of distinct symbols, each parsed by {@link parseSymbol}. */
export const symbolListParser: ValueParser<readonly SymbolId[]> = listParser({
  accepted: 'symbols BASE-QUOTE such as BTC-USD,ETH-USD',
  noun: 'symbol',
  item: orUndefined(parseSymbol),
});

/** A comma-separated list of distinct whole numbers, negative allowed (Telegram chat ids). */
export const integerListParser: ValueParser<readonly number[]> = listParser({
  accepted: 'integers such as 123456789,-1001234567890 (group ids are negative)',
  noun: 'integer',
  item: (text) => {
    if (!/^[+-]?\d+$/.test(text)) return undefined;
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : undefined;
  },
});

/** A host name, an IPv4 address or a bracketed IPv6 address, with an optional `:port`. */
const hostPattern =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(?::(\d{1,5}))?$/;

/**
 * A comma-separated list of distinct hosts as an HTTP `Host` header names them: a host name or
 * address, optionally with `:port` (IPv6 in brackets), lower-cased; no wildcards.
 */
export const hostListParser: ValueParser<readonly string[]> = listParser({
  accepted: 'hosts, each with an optional :port, such as bot.lan,10.0.0.5:8787,[fd00::2]',
  noun: 'host',
  item: (text) => {
    const host = text.toLowerCase().replace(/\.(?=:|$)/, '');
    const match = hostPattern.exec(host);
    if (match === null) return undefined;
    const port = match[1];
    return port === undefined || Number(port) <= 65_535 ? host : undefined;
  },
});
