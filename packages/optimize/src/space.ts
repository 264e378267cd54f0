/**
 * The parameter space of an optimisation: which strategy parameters vary and over which values.
 * What a parameter accepts (integer or real, its bounds, its choices) is read from the
 * strategy's zod schema; the ranges and steps come from `--range name=min:max:step` flags or a
 * `--space file.json`, checked against the schema with errors that name the flag.
 */
import { readFileSync } from 'node:fs';
import { setParamPath, type StrategyParameter } from '@lumenlink/strategies';
import { closestNames, OptimizeInputError } from './errors.js';
import { definitionOf, strategyLabel, type StrategyRef } from './strategy.js';

/** A value a searched parameter takes. */
export type ParamValue = number | string | boolean;

/** One point of the space: searched parameter name (dotted inside a group) → value. */
export type ParamPoint = Readonly<Record<string, ParamValue>>;

/** What kind of values a parameter takes, as its schema says. */
export type ParameterKind = 'integer' | 'number' | 'choice' | 'boolean' | 'other';

/** A strategy parameter as the optimizer sees it: its kind and bounds from the schema. */
export interface ParameterInfo {
  /** Dotted inside a group (`weights.macd`). */
  readonly name: string;
  readonly kind: ParameterKind;
  /** Lower bound of a number; `-Infinity` when the schema has none. */
  readonly min: number;
  readonly minInclusive: boolean;
  /** Upper bound of a number; `Infinity` when the schema has none. */
  readonly max: number;
  readonly maxInclusive: boolean;
  /** The accepted values of a choice. */
  readonly choices: readonly string[];
  /** What the parameter accepts, in words, from the strategy's documentation. */
  readonly accepted: string;
}

/** One searched parameter: a list of values, or a range stepped (grid) or drawn from (random). */
export type Dimension =
  | { readonly name: string; readonly kind: 'values'; readonly values: readonly ParamValue[] }
  | {
      readonly name: string;
      readonly kind: 'range';
      readonly min: number;
      readonly max: number;
      /** `undefined`: every integer of an integer range; a real range then has no grid. */
      readonly step: number | undefined;
      readonly integer: boolean;
      /** The bound is the schema's and the schema excludes it (`> 0`): never taken. */
      readonly excludeMin: boolean;
      readonly excludeMax: boolean;
    };

/** A strategy's searchable parameters, by name, in schema order. */
export type ParameterTable = ReadonlyMap<string, ParameterInfo>;

/** The structural view of a zod v4 schema node that {@link describeSchema} reads. */
interface SchemaNode {
  readonly def?: {
    readonly type?: string;
    readonly innerType?: SchemaNode;
    readonly shape?: Readonly<Record<string, unknown>>;
    readonly entries?: Readonly<Record<string, unknown>>;
    readonly checks?: readonly unknown[];
  };
}

interface CheckDefinition {
  readonly check?: string;
  readonly value?: unknown;
  readonly inclusive?: boolean;
  readonly format?: string;
}

const wrappers = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch']);

function checkDefinition(check: unknown): CheckDefinition {
  const zod = (check as { _zod?: { def?: CheckDefinition } } | null)?._zod;
  return zod?.def ?? {};
}

function numberInfo(name: string, node: SchemaNode, accepted: string): ParameterInfo {
  let min = Number.NEGATIVE_INFINITY;
  let max = Number.POSITIVE_INFINITY;
  let minInclusive = true;
  let maxInclusive = true;
  let integer = false;
  for (const check of node.def?.checks ?? []) {
    const definition = checkDefinition(check);
    const value = typeof definition.value === 'number' ? definition.value : undefined;
    if (definition.check === 'greater_than' && value !== undefined && value >= min) {
      min = value;
      minInclusive = definition.inclusive === true;
    } else if (definition.check === 'less_than' && value !== undefined && value <= max) {
      max = value;
      maxInclusive = definition.inclusive === true;
    } else if (definition.check === 'number_format' && /int/.test(definition.format ?? '')) {
      integer = true;
    }
  }
  return {
    name,
    kind: integer ? 'integer' : 'number',
    min,
    minInclusive,
    max,
    maxInclusive,
    choices: [],
    accepted,
  };
}

function describeNode(
  name: string,
  schema: unknown,
  accepted: ReadonlyMap<string, string>,
  into: Map<string, ParameterInfo>,
): void {
  let node = schema as SchemaNode;
  while (node.def?.type !== undefined && wrappers.has(node.def.type) && node.def.innerType) {
    node = node.def.innerType;
  }
  const type = node.def?.type;
  const words = accepted.get(name) ?? 'see the strategy documentation';
  const base = {
    name,
    min: Number.NEGATIVE_INFINITY,
    minInclusive: true,
    max: Number.POSITIVE_INFINITY,
    maxInclusive: true,
    choices: [] as string[],
    accepted: words,
  };
  if (type === 'object' && node.def?.shape !== undefined) {
    for (const [member, child] of Object.entries(node.def.shape)) {
      describeNode(name === '' ? member : `${name}.${member}`, child, accepted, into);
    }
    return;
  }
  if (name === '') return;
  if (type === 'number') {
    into.set(name, numberInfo(name, node, words));
  } else if (type === 'boolean') {
    into.set(name, { ...base, kind: 'boolean' });
  } else if (type === 'enum' && node.def?.entries !== undefined) {
    const choices = Object.values(node.def.entries).filter(
      (value): value is string => typeof value === 'string',
    );
    into.set(name, { ...base, kind: 'choice', choices });
  } else {
    into.set(name, { ...base, kind: 'other' });
  }
}

/**
 * Reads a strategy's parameters from its zod schema: integer or real numbers with their bounds
 * (and whether each bound is included), choices, switches; groups flattened to dotted names.
 * Parameters of other kinds (timeframes, lists) are listed as `other` and cannot be searched.
 *
 * @example
 * ```ts
 * describeStrategyParameters('ema_crossover').get('fastPeriod');
 * // { name: 'fastPeriod', kind: 'integer', min: 1, max: 500, ... }
 * ```
 * @param strategy A built-in key, a definition (`defineStrategy`) or a loaded strategy.
 * @throws {ValidationError} (from `@lumenlink/core`) for an unknown strategy key.
 */
export function describeStrategyParameters(strategy: StrategyRef): ParameterTable {
  const definition = definitionOf(strategy);
  const accepted = new Map(
    definition.parameters.map((row: StrategyParameter) => [row.name, row.accepted]),
  );
  const table = new Map<string, ParameterInfo>();
  describeNode('', definition.paramsSchema, accepted, table);
  return table;
}

const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Where a dimension came from, for error messages: the flag and a prefix naming the entry. */
interface Origin {
  readonly flag: string;
  readonly prefix: string;
}

function fail(origin: Origin, message: string): never {
  throw new OptimizeInputError(origin.flag, `${origin.prefix}${message}`);
}

function lookup(
  name: string,
  table: ParameterTable,
  strategy: string,
  origin: Origin,
): ParameterInfo {
  const info = table.get(name);
  if (info === undefined) {
    const names = [...table.keys()];
    const close = closestNames(name, names);
    fail(
      origin,
      `${strategy} has no parameter ${JSON.stringify(name)}${close.length > 0 ? ` (did you mean ${close.join(' or ')}?)` : ''}; it takes ${names.join(', ')}`,
    );
  }
  if (info.kind === 'other') {
    fail(
      origin,
      `${name} cannot be searched: only numbers, choices and true/false can (${name} accepts ${info.accepted})`,
    );
  }
  return info;
}

function withinBounds(value: number, info: ParameterInfo): boolean {
  const aboveMin = info.minInclusive ? value >= info.min : value > info.min;
  const belowMax = info.maxInclusive ? value <= info.max : value < info.max;
  return aboveMin && belowMax;
}

function checkNumber(value: number, info: ParameterInfo, origin: Origin, what: string): number {
  if (!Number.isFinite(value))
    fail(origin, `${info.name}: ${what} ${value} is not a finite number`);
  if (info.kind === 'integer' && !Number.isInteger(value)) {
    fail(
      origin,
      `${info.name}: ${what} ${value} is not an integer; ${info.name} accepts ${info.accepted}`,
    );
  }
  if (!withinBounds(value, info)) {
    fail(
      origin,
      `${info.name}: ${what} ${value} is out of bounds; ${info.name} accepts ${info.accepted}`,
    );
  }
  return value;
}

function parseValue(text: string, info: ParameterInfo, origin: Origin): ParamValue {
  const trimmed = text.trim();
  switch (info.kind) {
    case 'integer':
    case 'number':
      if (!decimal.test(trimmed)) {
        fail(
          origin,
          `${info.name}: ${JSON.stringify(text)} is not a number; ${info.name} accepts ${info.accepted}`,
        );
      }
      return checkNumber(Number(trimmed), info, origin, 'value');
    case 'boolean':
      if (trimmed === 'true') return true;
      if (trimmed === 'false') return false;
      return fail(origin, `${info.name}: ${JSON.stringify(text)} is not true or false`);
    case 'choice':
      if (!info.choices.includes(trimmed)) {
        fail(
          origin,
          `${info.name}: ${JSON.stringify(text)} is not one of ${info.choices.join(', ')}`,
        );
      }
      return trimmed;
    case 'other':
      return fail(origin, `${info.name} cannot be searched`);
  }
}

function checkValue(value: unknown, info: ParameterInfo, origin: Origin): ParamValue {
  if (typeof value === 'string') return parseValue(value, info, origin);
  if (typeof value === 'number' && (info.kind === 'integer' || info.kind === 'number')) {
    return checkNumber(value, info, origin, 'value');
  }
  if (typeof value === 'boolean' && info.kind === 'boolean') return value;
  return fail(
    origin,
    `${info.name}: ${JSON.stringify(value)} is not a value of ${info.name}; it accepts ${info.accepted}`,
  );
}

function valuesDimension(name: string, values: readonly ParamValue[], origin: Origin): Dimension {
  if (values.length === 0) fail(origin, `${name}: give at least one value`);
  const unique = [...new Set(values)];
  if (unique.length !== values.length) fail(origin, `${name}: a value is listed twice`);
  return { name, kind: 'values', values: unique };
}

function rangeDimension(
  info: ParameterInfo,
  bounds: { min: number | undefined; max: number | undefined; step: number | undefined },
  origin: Origin,
): Dimension {
  if (info.kind !== 'integer' && info.kind !== 'number') {
    const hint = info.kind === 'choice' ? info.choices.join(',') : 'true,false';
    fail(
      origin,
      `${info.name} is not a number: list its values instead, such as ${info.name}=${hint}`,
    );
  }
  const min = bounds.min ?? info.min;
  const max = bounds.max ?? info.max;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    fail(
      origin,
      `${info.name}: the schema sets no ${Number.isFinite(min) ? 'upper' : 'lower'} bound; give one`,
    );
  }
  // A bound left out is the schema's, which may itself be excluded: only given bounds must be inside.
  if (bounds.min !== undefined) checkNumber(min, info, origin, 'min');
  if (bounds.max !== undefined) checkNumber(max, info, origin, 'max');
  if (min > max) fail(origin, `${info.name}: min ${min} is above max ${max}`);
  const integer = info.kind === 'integer';
  const { step } = bounds;
  if (step !== undefined) {
    if (!(step > 0) || !Number.isFinite(step))
      fail(origin, `${info.name}: step ${step} must be > 0`);
    if (integer && !Number.isInteger(step)) {
      fail(
        origin,
        `${info.name}: step ${step} must be a whole number (${info.name} is an integer)`,
      );
    }
  }
  if (integer && (!Number.isInteger(min) || !Number.isInteger(max))) {
    fail(origin, `${info.name}: the schema's bounds are not whole numbers; give min and max`);
  }
  return {
    name: info.name,
    kind: 'range',
    min,
    max,
    step,
    integer,
    excludeMin: bounds.min === undefined && !info.minInclusive,
    excludeMax: bounds.max === undefined && !info.maxInclusive,
  };
}

function parseNumberPart(
  text: string,
  info: ParameterInfo,
  origin: Origin,
  what: string,
): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!decimal.test(trimmed))
    fail(origin, `${info.name}: ${what} ${JSON.stringify(text)} is not a number`);
  return Number(trimmed);
}

/** What `--range` accepts, in words. */
export const rangeAccepted =
  'name=min:max:step (a range; min or max left empty takes the schema bound; without step an integer range takes every integer), or name=a,b,c (a list of values)';

function parseSpec(text: string, info: ParameterInfo, origin: Origin): Dimension {
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length > 3)
      fail(origin, `${info.name}: ${JSON.stringify(text)} has more than min:max:step`);
    return rangeDimension(
      info,
      {
        min: parseNumberPart(parts[0] ?? '', info, origin, 'min'),
        max: parseNumberPart(parts[1] ?? '', info, origin, 'max'),
        step: parseNumberPart(parts[2] ?? '', info, origin, 'step'),
      },
      origin,
    );
  }
  if (text.trim() === '') fail(origin, `${info.name}: no values. Accepted: ${rangeAccepted}`);
  return valuesDimension(
    info.name,
    text.split(',').map((part) => parseValue(part, info, origin)),
    origin,
  );
}

/**
 * Parses one `--range` flag value against the strategy's parameters.
 *
 * @example
 * ```ts
 * parseRangeFlag('fastPeriod=5:20:5', describeStrategyParameters('ema_crossover'), 'ema_crossover');
 * // { name: 'fastPeriod', kind: 'range', min: 5, max: 20, step: 5, integer: true }
 * ```
 * @throws {OptimizeInputError} on `--range` for an unknown parameter, a value the schema rejects, a bad step.
 */
export function parseRangeFlag(text: string, table: ParameterTable, strategy: string): Dimension {
  const equals = text.indexOf('=');
  const name = equals === -1 ? '' : text.slice(0, equals).trim();
  if (name === '') {
    throw new OptimizeInputError(
      '--range',
      `${JSON.stringify(text)} is not name=spec. Accepted: ${rangeAccepted}`,
    );
  }
  const origin = { flag: '--range', prefix: '' };
  return parseSpec(text.slice(equals + 1), lookup(name, table, strategy, origin), origin);
}

/**
 * Parses a `--space` JSON file: an object of parameter name → `{ "min", "max", "step"? }`, a list
 * of values, or a string in `--range` syntax (`"5:20:5"`).
 *
 * @example
 * ```ts
 * // space.json: { "fastPeriod": { "min": 5, "max": 20, "step": 5 }, "slowPeriod": [21, 34, 55] }
 * parseSpaceFile('space.json', describeStrategyParameters('ema_crossover'), 'ema_crossover');
 * ```
 * @throws {OptimizeInputError} on `--space` naming the file and the entry at fault.
 */
export function parseSpaceFile(path: string, table: ParameterTable, strategy: string): Dimension[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new OptimizeInputError('--space', `${path}: cannot read the file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OptimizeInputError(
      '--space',
      `${path}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return parseSpaceJson(json, table, strategy, path);
}

/** {@link parseSpaceFile} on parsed JSON; `source` names it in errors. */
export function parseSpaceJson(
  json: unknown,
  table: ParameterTable,
  strategy: string,
  source: string,
): Dimension[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OptimizeInputError(
      '--space',
      `${source}: expected an object of parameter name → { "min", "max", "step" }, [values] or "min:max:step"`,
    );
  }
  const dimensions: Dimension[] = [];
  for (const [name, entry] of Object.entries(json)) {
    const origin = { flag: '--space', prefix: `${source}: ` };
    const info = lookup(name, table, strategy, origin);
    if (typeof entry === 'string') {
      dimensions.push(parseSpec(entry, info, origin));
    } else if (Array.isArray(entry)) {
      dimensions.push(
        valuesDimension(
          name,
          entry.map((value: unknown) => checkValue(value, info, origin)),
          origin,
        ),
      );
    } else if (typeof entry === 'object' && entry !== null) {
      const record = entry as Record<string, unknown>;
      const unknownKeys = Object.keys(record).filter(
        (key) => !['min', 'max', 'step'].includes(key),
      );
      if (unknownKeys.length > 0) {
        fail(
          origin,
          `${name}: unknown key ${unknownKeys.join(', ')}; a range has min, max and step`,
        );
      }
      const number = (key: 'min' | 'max' | 'step'): number | undefined => {
        const value = record[key];
        if (value === undefined) return undefined;
        if (typeof value !== 'number')
          fail(origin, `${name}.${key}: ${JSON.stringify(value)} is not a number`);
        return value;
      };
      dimensions.push(
        rangeDimension(
          info,
          { min: number('min'), max: number('max'), step: number('step') },
          origin,
        ),
      );
    } else {
      fail(origin, `${name}: ${JSON.stringify(entry)} is not a range, a list or "min:max:step"`);
    }
  }
  return dimensions;
}

/**
 * The dimensions of a search: the `--space` file's, then the `--range` flags' (a flag replaces
 * the file's entry of the same parameter, so a file can be tweaked from the command line). Each
 * range is checked against the strategy's zod schema: `fastPeriod=5:20:5` (min:max:step),
 * `slowPeriod=30,40` (a list), `confidence=0.5:1` (a real range, drawn by a random search).
 *
 * @example
 * ```ts
 * const dimensions = buildSpace('ema_crossover', ['fastPeriod=5:20:5', 'slowPeriod=30,40']);
 * const own = buildSpace(await loadStrategy('strategies/my-idea.ts'), ['minRise=0.01:0.05:0.01']);
 * ```
 * @param strategy A built-in key, a definition (`defineStrategy`) or a loaded strategy.
 * @throws {OptimizeInputError} when no parameter is searched, or a `--range` names a parameter twice.
 */
export function buildSpace(
  strategy: StrategyRef,
  ranges: readonly string[],
  spaceFile?: string,
): Dimension[] {
  const table = describeStrategyParameters(strategy);
  const name = strategyLabel(strategy);
  const fromFile = spaceFile === undefined ? [] : parseSpaceFile(spaceFile, table, name);
  const fromFlags = ranges.map((text) => parseRangeFlag(text, table, name));
  const seen = new Set<string>();
  for (const dimension of fromFlags) {
    if (seen.has(dimension.name)) {
      throw new OptimizeInputError(
        '--range',
        `${dimension.name} is given more than once; give it once`,
      );
    }
    seen.add(dimension.name);
  }
  const dimensions = [...fromFile.filter((dimension) => !seen.has(dimension.name)), ...fromFlags];
  if (dimensions.length === 0) {
    const searchable = [...table.values()].filter((info) => info.kind !== 'other');
    const example = searchable[0];
    throw new OptimizeInputError(
      '--range',
      `nothing to search: give --range (repeatable) or --space FILE. ${name} can search ${searchable.map((info) => info.name).join(', ')}${example === undefined ? '' : `, e.g. --range ${example.name}=${exampleSpec(example)}`}`,
    );
  }
  return dimensions;
}

function exampleSpec(info: ParameterInfo): string {
  if (info.kind === 'choice') return info.choices.join(',');
  if (info.kind === 'boolean') return 'true,false';
  const low = Number.isFinite(info.min) ? info.min : 0;
  return info.kind === 'integer'
    ? `${low + 4}:${low + 20}:4`
    : `${low}:${Number.isFinite(info.max) ? info.max : low + 1}:0.25`;
}

/** Rounds away float noise of stepped values (`0.1 + 0.2`), keeping 12 significant digits. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/**
 * The grid values of a dimension: its list, or min, min + step, ... up to max; `undefined` for
 * a real range without a step (it can only be drawn from).
 */
export function gridValues(dimension: Dimension): readonly ParamValue[] | undefined {
  if (dimension.kind === 'values') return dimension.values;
  const step = dimension.step ?? (dimension.integer ? 1 : undefined);
  if (step === undefined) return undefined;
  const values: number[] = [];
  const count = Math.floor(clean((dimension.max - dimension.min) / step)) + 1;
  for (let index = 0; index < count; index++) {
    const value = clean(dimension.min + index * step);
    if (dimension.excludeMin && value === dimension.min) continue;
    if (dimension.excludeMax && value === dimension.max) continue;
    values.push(value);
  }
  return values;
}

/** A dimension in words: `5..20 step 5`, `0.2..1`, `[21, 34, 55]`. */
export function describeDimension(dimension: Dimension): string {
  if (dimension.kind === 'values') return `[${dimension.values.map(String).join(', ')}]`;
  const range = `${dimension.min}..${dimension.max}`;
  return dimension.step === undefined ? range : `${range} step ${dimension.step}`;
}

/** A copy of `base` with each searched value set at its (dotted) path. */
export function pointParams(
  base: Readonly<Record<string, unknown>>,
  point: ParamPoint,
): Record<string, unknown> {
  const params = structuredClone(base) as Record<string, unknown>;
  for (const [name, value] of Object.entries(point)) setParamPath(params, name.split('.'), value);
  return params;
}

/**
 * The two searched parameters of the HTML heatmap, from `X,Y` text.
 *
 * @example
 * ```ts
 * parseHeatmapAxes('slowPeriod,fastPeriod', dimensions); // ['slowPeriod', 'fastPeriod']
 * ```
 * @throws {OptimizeInputError} on `--heatmap` for anything but two different searched parameters.
 */
export function parseHeatmapAxes(
  text: string,
  dimensions: readonly Dimension[],
): readonly [string, string] {
  const names = text.split(',').map((name) => name.trim());
  const searched = dimensions.map((dimension) => dimension.name);
  const [x, y] = names;
  if (names.length !== 2 || x === undefined || y === undefined || x === y) {
    throw new OptimizeInputError(
      '--heatmap',
      `${JSON.stringify(text)} is not two different parameters X,Y, such as ${searched.slice(0, 2).join(',') || 'fastPeriod,slowPeriod'}`,
    );
  }
  for (const name of names) {
    if (!searched.includes(name)) {
      throw new OptimizeInputError(
        '--heatmap',
        `${name} is not searched; the searched parameters are ${searched.join(', ')}`,
      );
    }
  }
  return [x, y];
}
