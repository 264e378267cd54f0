import { LumenLinkError, isTimeframe, ValidationError, type Timeframe } from '@lumenlink/core';
import { z } from 'zod';

/** A parameter's default value, as shown in the README and in error messages. */
export type StrategyParameterValue = number | string | boolean | readonly string[] | undefined;

/**
 * One documented strategy parameter: what the README tables, `/why` tooling and the parameter
 * error messages show. Every built-in definition lists its parameters; other bots read them to
 * build forms or optimiser search spaces.
 */
export interface StrategyParameter {
  /** The parameter's name; dotted inside a group, as in `weights.macd`. */
  readonly name: string;
  /** The value used when the parameter is left out; `undefined` when it is off by default. */
  readonly default: StrategyParameterValue;
  /** What the parameter accepts, in words: `an integer from 2 to 500`. */
  readonly accepted: string;
  /** What the parameter does. */
  readonly description: string;
}

/** A parameter's zod schema (with its default) and its documentation, before it is named. */
export interface ParameterSpec<Schema extends z.ZodType = z.ZodType> {
  readonly schema: Schema;
  readonly accepted: string;
  readonly description: string;
  /** The parameters of a group such as `weights`, documented as `group.name`. */
  readonly group?: ParameterTable;
}

/** Parameter specs by name: the source of both a params schema and its documentation. */
export type ParameterTable = Readonly<Record<string, ParameterSpec>>;

/** The zod object shape of a {@link ParameterTable}. */
export type ParameterShape<Table extends ParameterTable> = {
  -readonly [Name in keyof Table]: Table[Name]['schema'];
};

function range(min: number, max: number | undefined, minExclusive: boolean): string {
  if (max === undefined) return minExclusive ? `> ${min}` : `>= ${min}`;
  return minExclusive ? `> ${min} and <= ${max}` : `from ${min} to ${max}`;
}

/**
 * An integer parameter with a default.
 *
 * @example
 * ```ts
 * const period = integerParam('RSI period', { default: 14, min: 2, max: 500 });
 * ```
 */
export function integerParam(
  description: string,
  options: { readonly default: number; readonly min: number; readonly max: number },
): ParameterSpec<z.ZodDefault<z.ZodNumber>> {
  return {
    schema: z.number().int().min(options.min).max(options.max).default(options.default),
    accepted: `an integer ${range(options.min, options.max, false)}`,
    description,
  };
}

/** Bounds of a real-valued parameter; `minExclusive` makes the lower bound strict. */
export interface NumberBounds {
  readonly min: number;
  /** Inclusive upper bound; any finite number when left out. */
  readonly max?: number;
  readonly minExclusive?: boolean;
}

function boundedNumber(bounds: NumberBounds): z.ZodNumber {
  const base = bounds.max === undefined ? z.number() : z.number().max(bounds.max);
  return bounds.minExclusive === true ? base.gt(bounds.min) : base.min(bounds.min);
}

/** A finite real parameter with a default. */
export function numberParam(
  description: string,
  options: NumberBounds & { readonly default: number },
): ParameterSpec<z.ZodDefault<z.ZodNumber>> {
  return {
    schema: boundedNumber(options).default(options.default),
    accepted: `a number ${range(options.min, options.max, options.minExclusive ?? false)}`,
    description,
  };
}

/** A finite real parameter that is off (`undefined`) unless given. */
export function optionalNumberParam(
  description: string,
  options: NumberBounds,
): ParameterSpec<z.ZodOptional<z.ZodNumber>> {
  return {
    schema: boundedNumber(options).optional(),
    accepted: `a number ${range(options.min, options.max, options.minExclusive ?? false)}`,
    description,
  };
}

/** One of a fixed list of strings, with a default. */
export function choiceParam<const Values extends readonly [string, ...string[]]>(
  description: string,
  values: Values,
  defaultValue: Values[number],
): ParameterSpec<z.ZodDefault<z.ZodEnum<{ [Value in Values[number]]: Value }>>> {
  return {
    schema: z.enum(values).default(defaultValue as never),
    accepted: `one of ${values.join(', ')}`,
    description,
  };
}

const timeframeSchema = z.custom<Timeframe>(
  (value) => typeof value === 'string' && isTimeframe(value),
  { message: 'not a timeframe' },
);

/** A timeframe such as `1d`, with a default. */
export function timeframeParam(
  description: string,
  defaultValue: Timeframe,
): ParameterSpec<z.ZodDefault<typeof timeframeSchema>> {
  return {
    schema: timeframeSchema.default(defaultValue),
    accepted: 'a timeframe: a count and m, h, d or w, such as 4h, 1d or 1w',
    description,
  };
}

/** A list of timeframes, with a default. */
export function timeframeListParam(
  description: string,
  defaultValue: readonly Timeframe[],
  maxLength: number,
): ParameterSpec<z.ZodDefault<z.ZodReadonly<z.ZodArray<typeof timeframeSchema>>>> {
  return {
    schema: z
      .array(timeframeSchema)
      .max(maxLength)
      .readonly()
      .default(() => [...defaultValue]),
    accepted: `a list of at most ${maxLength} timeframes, such as ["4h", "1d"]`,
    description,
  };
}

/**
 * A group of parameters given as one object (`weights: { macd: 2 }`): each member left out keeps
 * its own default.
 */
export function groupParam<const Table extends ParameterTable>(
  description: string,
  table: Table,
): ParameterSpec<z.ZodPrefault<z.ZodObject<ParameterShape<Table>, z.core.$strict>>> {
  return {
    schema: z.strictObject(shapeOf(table)).prefault({} as never),
    accepted: `an object with any of ${Object.keys(table).join(', ')}`,
    description,
    group: table,
  };
}

/** The zod shape of a parameter table, for `z.strictObject`. */
export function shapeOf<const Table extends ParameterTable>(table: Table): ParameterShape<Table> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(table)) shape[name] = spec.schema;
  return shape as ParameterShape<Table>;
}

/**
 * The documentation rows of a parameter table, groups flattened to dotted names, with each
 * default read from `defaults` (the parsed empty parameters), so docs cannot drift from the
 * schema.
 */
export function describeParameters(
  table: ParameterTable,
  defaults: unknown,
  prefix = '',
): StrategyParameter[] {
  const rows: StrategyParameter[] = [];
  const values = (typeof defaults === 'object' && defaults !== null ? defaults : {}) as Record<
    string,
    unknown
  >;
  for (const [name, spec] of Object.entries(table)) {
    const value = values[name];
    if (spec.group !== undefined) {
      rows.push(...describeParameters(spec.group, value, `${prefix}${name}.`));
      continue;
    }
    rows.push({
      name: `${prefix}${name}`,
      default: value as StrategyParameterValue,
      accepted: spec.accepted,
      description: spec.description,
    });
  }
  return rows;
}

/** One bad parameter: which, what is wrong and what it accepts. */
export interface StrategyParamIssue {
  /** The parameter, dotted inside a group (`weights.macd`); `(parameters)` for the whole object. */
  readonly param: string;
  readonly problem: string;
  readonly accepted?: string;
}

/**
 * A strategy was given bad parameters. Lists every bad parameter at once, each with what it
 * accepts and its default. A {@link ValidationError}, so callers that catch those catch this.
 */
export class StrategyParamsError extends ValidationError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.StrategyParamsError');
  }

  /** Whether `value` is a {@link StrategyParamsError}, from any copy of this package. */
  static override isInstance(value: unknown): value is StrategyParamsError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.StrategyParamsError');
  }

  /** The key of the strategy whose parameters were rejected. */
  readonly strategy: string;
  readonly issues: readonly StrategyParamIssue[];

  constructor(strategy: string, issues: readonly StrategyParamIssue[]) {
    const lines = issues.map(
      (issue) =>
        `  - ${issue.param}: ${issue.problem}${issue.accepted === undefined ? '' : `. Accepted: ${issue.accepted}`}`,
    );
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid parameters for strategy ${strategy} (${count}):\n${lines.join('\n')}`);
    this.strategy = strategy;
    this.issues = issues;
  }
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function acceptedText(row: StrategyParameter | undefined): string | undefined {
  if (row === undefined) return undefined;
  return row.default === undefined
    ? row.accepted
    : `${row.accepted} (default ${formatValue(row.default)})`;
}

/** The issue of an unknown parameter, with the names accepted beside it. */
function unknownParamIssue(
  param: string,
  parameters: readonly StrategyParameter[],
): StrategyParamIssue {
  const cut = param.lastIndexOf('.');
  const prefix = cut === -1 ? '' : param.slice(0, cut + 1);
  const siblings = parameters
    .filter((row) => row.name.startsWith(prefix))
    .map((row) => row.name.slice(prefix.length).split('.')[0]!);
  const names = [...new Set(siblings)];
  return {
    param,
    problem: 'unknown parameter',
    accepted: names.length === 0 ? 'no parameters' : `one of ${names.join(', ')}`,
  };
}

/** Dotted paths of `input` that name no documented parameter (groups walked into). */
function unknownParamPaths(input: unknown, parameters: readonly StrategyParameter[]): string[] {
  const names = new Set(parameters.map((row) => row.name));
  const groups = new Set(
    parameters.flatMap((row) => {
      const parts = row.name.split('.');
      return parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join('.'));
    }),
  );
  const unknown: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const [key, member] of Object.entries(value)) {
      const path = `${prefix}${key}`;
      if (groups.has(path)) walk(member, `${path}.`);
      else if (!names.has(path)) unknown.push(path);
    }
  };
  walk(input, '');
  return unknown;
}

/**
 * Parses a strategy's parameters: fills defaults, or throws one error listing every bad
 * parameter with what it accepts.
 *
 * @throws {StrategyParamsError} naming the strategy, each bad parameter and what is accepted.
 */
export function parseStrategyParams<Params>(
  strategy: string,
  schema: z.ZodType<Params>,
  parameters: readonly StrategyParameter[],
  input: unknown,
): Params {
  const result = schema.safeParse(input ?? {});
  if (result.success) {
    // A schema that is not strict (z.object) drops unknown keys: a typo would pass unnoticed.
    const unknown = parameters.length === 0 ? [] : unknownParamPaths(input, parameters);
    if (unknown.length === 0) return result.data;
    throw new StrategyParamsError(
      strategy,
      unknown.map((param) => unknownParamIssue(param, parameters)),
    );
  }
  const byName = new Map(parameters.map((row) => [row.name, row]));
  const issues: StrategyParamIssue[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map(String);
    const name = path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const prefix = name === '' ? '' : `${name}.`;
      for (const key of issue.keys) issues.push(unknownParamIssue(`${prefix}${key}`, parameters));
      continue;
    }
    if (name === '') {
      issues.push({
        param: '(parameters)',
        problem: `expected an object of parameters, got ${formatValue(input)}`,
        accepted: 'an object; every parameter may be left out',
      });
      continue;
    }
    const received = formatValue(valueAt(input, issue.path));
    // A list member (`higherTimeframes.1`) is documented under the list's name.
    let row: StrategyParameter | undefined;
    for (let length = path.length; length > 0 && row === undefined; length--) {
      row = byName.get(path.slice(0, length).join('.'));
    }
    const accepted = acceptedText(row);
    issues.push({
      param: name,
      problem: issue.code === 'custom' ? `${issue.message} (got ${received})` : `got ${received}`,
      ...(accepted === undefined ? {} : { accepted }),
    });
  }
  throw new StrategyParamsError(strategy, issues);
}

/**
 * Adds a "must be above" issue on the `upper` parameter unless `params[lower] < params[upper]`:
 * the ordering rule shared by every strategy with a pair of levels or periods.
 */
export function requireAbove<Params extends Readonly<Record<string, unknown>>>(
  params: Params,
  context: z.RefinementCtx,
  lower: keyof Params & string,
  upper: keyof Params & string,
): void {
  const low = params[lower];
  const high = params[upper];
  if (typeof low === 'number' && typeof high === 'number' && low >= high) {
    context.addIssue({ code: 'custom', path: [upper], message: `must be above ${lower} (${low})` });
  }
}

/** The parts of a zod 4 schema's internals read to document it. */
interface SchemaNode {
  readonly description?: string;
  readonly _zod?: {
    readonly def?: {
      readonly type?: string;
      readonly innerType?: SchemaNode;
      readonly shape?: Readonly<Record<string, SchemaNode>>;
      readonly entries?: Readonly<Record<string, unknown>>;
      readonly checks?: readonly { readonly _zod?: { readonly def?: CheckDef } }[];
    };
  };
}

interface CheckDef {
  readonly check?: string;
  readonly value?: unknown;
  readonly inclusive?: boolean;
  readonly format?: string;
}

const schemaWrappers = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly']);

/** What a number schema accepts, in words, from its checks. */
function numberWords(node: SchemaNode): string {
  let min: CheckDef | undefined;
  let max: CheckDef | undefined;
  let integer = false;
  for (const check of node._zod?.def?.checks ?? []) {
    const def = check._zod?.def ?? {};
    if (def.check === 'greater_than') min = def;
    else if (def.check === 'less_than') max = def;
    else if (def.check === 'number_format' && /int/.test(def.format ?? '')) integer = true;
  }
  const kind = integer ? 'an integer' : 'a number';
  const low =
    min === undefined ? '' : `${min.inclusive === true ? '>=' : '>'} ${String(min.value)}`;
  const high =
    max === undefined ? '' : `${max.inclusive === true ? '<=' : '<'} ${String(max.value)}`;
  if (low !== '' && high !== '') return `${kind} ${low} and ${high}`;
  return low !== '' || high !== '' ? `${kind} ${low}${high}` : kind;
}

function wordsOf(node: SchemaNode): string {
  const def = node._zod?.def;
  const type = def?.type ?? '';
  if (type === 'number') return numberWords(node);
  if (type === 'enum') return `one of ${Object.values(def?.entries ?? {}).join(', ')}`;
  const words: Record<string, string> = {
    boolean: 'true or false',
    string: 'a text',
    array: 'a list',
  };
  return words[type] ?? 'see the strategy documentation';
}

/**
 * Documentation rows read from a params schema (zod 4), for a strategy defined without a
 * `parameters` table: each parameter's default (from `defaults`), what it accepts (bounds,
 * integer, choices) and its `.describe()` text; groups flattened to dotted names.
 */
export function parametersFromSchema(
  schema: unknown,
  defaults: unknown,
  prefix = '',
): StrategyParameter[] {
  let node = schema as SchemaNode;
  while (schemaWrappers.has(node._zod?.def?.type ?? '') && node._zod?.def?.innerType) {
    node = node._zod.def.innerType;
  }
  const shape = node._zod?.def?.type === 'object' ? node._zod.def.shape : undefined;
  if (shape === undefined) return [];
  const values = (typeof defaults === 'object' && defaults !== null ? defaults : {}) as Record<
    string,
    unknown
  >;
  const rows: StrategyParameter[] = [];
  for (const [name, child] of Object.entries(shape)) {
    let inner = child;
    while (schemaWrappers.has(inner._zod?.def?.type ?? '') && inner._zod?.def?.innerType) {
      inner = inner._zod.def.innerType;
    }
    if (inner._zod?.def?.type === 'object') {
      rows.push(...parametersFromSchema(inner, values[name], `${prefix}${name}.`));
      continue;
    }
    rows.push({
      name: `${prefix}${name}`,
      default: values[name] as StrategyParameterValue,
      accepted: wordsOf(inner),
      description: child.description ?? inner.description ?? '',
    });
  }
  return rows;
}
