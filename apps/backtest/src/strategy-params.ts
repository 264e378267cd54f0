/**
 * `--param key=value`: strategy parameters from the command line, typed by the strategy's
 * documented parameters and validated by its zod schema.
 */
import {
  getStrategyDefinition,
  isStrategyKey,
  StrategyParamsError,
  strategyKeys,
  type StrategyParameter,
} from '@lumenlink/strategies';
import { UsageError } from './flags.js';

const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Checks a strategy key.
 *
 * @throws {UsageError} on `--strategy` for an unknown key, listing the keys.
 */
export function checkStrategyKey(key: string): string {
  if (!isStrategyKey(key)) {
    throw new UsageError(
      '--strategy',
      `unknown strategy ${JSON.stringify(key)}. Accepted: ${strategyKeys.join(', ')}`,
    );
  }
  return key;
}

/** Turns the text of a value into what the parameter takes, by the type of its default. */
function coerce(text: string, row: StrategyParameter | undefined): unknown {
  const sample = row?.default;
  if (Array.isArray(sample) || row?.accepted.startsWith('a list') === true) {
    return text === '' ? [] : text.split(',').map((item) => item.trim());
  }
  if (typeof sample === 'boolean') {
    if (text === 'true') return true;
    if (text === 'false') return false;
    return text;
  }
  if (typeof sample === 'string') return text;
  // Numbers, optional numbers and unknown parameters: a decimal is a number, anything else stays
  // text (the schema then says what the parameter accepts).
  return decimal.test(text) ? Number(text) : text;
}

/** Sets `path` (dotted, for groups such as `weights.macd`) in a nested object. */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const child = node[part];
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
      node = child as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[path.at(-1)!] = value;
}

/**
 * Builds a strategy's parameters from `key=value` texts and validates them with its schema,
 * defaults filled. Values are typed by each parameter's documented default: numbers, `true` or
 * `false`, comma-separated lists (`higherTimeframes=4h,1d`); a group member is dotted
 * (`weights.macd=2`).
 *
 * @example
 * ```ts
 * parseStrategyParams('ema_crossover', ['fastPeriod=12', 'slowPeriod=26']);
 * // { fastPeriod: 12, slowPeriod: 26, confidence: 1 }
 * ```
 * @throws {UsageError} on `--param` for a text without `=`, a parameter given twice, or
 *   parameters the schema rejects (every problem listed, with what each parameter accepts).
 */
export function parseStrategyParams(
  strategy: string,
  entries: readonly string[],
): Record<string, unknown> {
  const definition = getStrategyDefinition(checkStrategyKey(strategy));
  const rows = new Map(definition.parameters.map((row) => [row.name, row]));
  const names = definition.parameters.map((row) => row.name).join(', ');
  const input: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = equals === -1 ? '' : entry.slice(0, equals).trim();
    if (name === '') {
      throw new UsageError(
        '--param',
        `${JSON.stringify(entry)} is not key=value, such as --param ${definition.parameters[0]?.name ?? 'name'}=${String(definition.parameters[0]?.default ?? 1)}; ${strategy} takes ${names}`,
      );
    }
    if (seen.has(name)) {
      throw new UsageError('--param', `${name} is given more than once; give it once`);
    }
    seen.add(name);
    setPath(input, name.split('.'), coerce(entry.slice(equals + 1).trim(), rows.get(name)));
  }
  try {
    return definition.parseParams(input) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof StrategyParamsError) throw new UsageError('--param', error.message);
    throw error;
  }
}
