/**
 * Strategy parameters from `key=value` texts (a command line's `--param`, an env list), typed by
 * the strategy's documented parameters and validated by its zod schema.
 */
import { ValidationError } from '@lumenlink/core';
import type { DefinedStrategy } from './define-strategy.js';
import type { StrategyParameter } from './params.js';
import { getStrategyDefinition, isStrategyKey, strategyKeys } from './registry.js';

const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Checks a strategy key.
 *
 * @throws {ValidationError} for an unknown key, listing the keys.
 */
export function checkStrategyKey(key: string): string {
  if (!isStrategyKey(key)) {
    throw new ValidationError(
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

/**
 * Sets `path` (a dotted parameter name split at its dots, for groups such as `weights.macd`) in
 * nested parameters, creating the groups on the way.
 *
 * @example
 * ```ts
 * const params = {};
 * setParamPath(params, ['weights', 'macd'], 2); // params is { weights: { macd: 2 } }
 * ```
 */
export function setParamPath(
  target: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): void {
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
 * defaults filled. `strategy` is a built-in key or a definition (a strategy module's); `base`
 * holds parameters the texts override (a params file's). Values are typed by each parameter's documented default: numbers, `true` or
 * `false`, comma-separated lists (`higherTimeframes=4h,1d`); a group member is dotted
 * (`weights.macd=2`).
 *
 * @example
 * ```ts
 * parseParamAssignments('ema_crossover', ['fastPeriod=12', 'slowPeriod=26']);
 * // { fastPeriod: 12, slowPeriod: 26, confidence: 1 }
 * ```
 * @throws {ValidationError} for an unknown strategy, a text without `=` or a parameter given
 *   twice; {@link StrategyParamsError} for parameters the schema rejects (every problem
 *   listed, with what each parameter accepts).
 */
export function parseParamAssignments(
  strategy: string | DefinedStrategy,
  entries: readonly string[],
  base: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const definition =
    typeof strategy === 'string' ? getStrategyDefinition(checkStrategyKey(strategy)) : strategy;
  const rows = new Map(definition.parameters.map((row) => [row.name, row]));
  const names = definition.parameters.map((row) => row.name).join(', ');
  const input = structuredClone(base) as Record<string, unknown>;
  const seen = new Set<string>();
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = equals === -1 ? '' : entry.slice(0, equals).trim();
    if (name === '') {
      throw new ValidationError(
        `${JSON.stringify(entry)} is not key=value, such as ${definition.parameters[0]?.name ?? 'name'}=${String(definition.parameters[0]?.default ?? 1)}; ${definition.key} takes ${names}`,
      );
    }
    if (seen.has(name)) {
      throw new ValidationError(`${name} is given more than once; give it once`);
    }
    seen.add(name);
    setParamPath(input, name.split('.'), coerce(entry.slice(equals + 1).trim(), rows.get(name)));
  }
  return definition.parseParams(input) as Record<string, unknown>;
}
