/**
 * A strategy's parameters from where users keep them: `STRATEGY_PARAMS` (inline JSON or a JSON
 * file), a params file (`--params-file`, what `optimize` writes) and `key=value` texts
 * (`--param`), validated together by the strategy's schema.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { StrategyProvenance } from '@lumenlink/core';
import { parseParamAssignments } from '@lumenlink/strategies';
import { StrategyLoadError, type StrategyLoadSource } from './errors.js';
import type { LoadedStrategy } from './load-strategy.js';

/** Where a run's parameters come from; each later one overrides the one before. */
export interface StrategyParamsSources {
  /**
   * `STRATEGY_PARAMS`: a JSON object of parameters, inline (`{"fastPeriod":12}`) or the path of
   * a JSON file (a bare object or a params file).
   */
  readonly params?: string | undefined;
  /** `--params-file`: a params file, replacing `params` when both are given. */
  readonly paramsFile?: string | undefined;
  /** `--param key=value` texts, each overriding one parameter. */
  readonly assignments?: readonly string[] | undefined;
  /** The directory relative paths start from (default the process's). */
  readonly cwd?: string | undefined;
}

/** A run's parameters and what should be said about them. */
export interface ResolvedStrategyParams {
  /** Validated, defaults filled. */
  readonly params: Record<string, unknown>;
  /** Where they came from, in words: `defaults`, `STRATEGY_PARAMS`, `reports/x.params.json`, `--param`. */
  readonly sources: readonly string[];
  /** Worth a warning, not an error: a params file made with an earlier version of the file. */
  readonly warnings: readonly string[];
}

/** The params file `optimize` writes: the parameters with the strategy they were found for. */
export interface ParamsFile {
  /** The strategy as given to the run that wrote it (`strategies/my-idea.ts`). */
  readonly strategy: string;
  /** The strategy's key: a params file is refused by any other strategy. */
  readonly key: string;
  /** SHA-256 of the strategy's file when written (file and package strategies). */
  readonly sha256?: string;
  readonly params: Record<string, unknown>;
  /** Free text: how the parameters were found. */
  readonly note?: string;
}

/** Where parameters were given: named in messages, and the setting or flag a command names. */
interface ParamsOrigin {
  readonly subject: string;
  readonly source: StrategyLoadSource;
}

function failure(origin: ParamsOrigin, message: string): StrategyLoadError {
  return new StrategyLoadError(origin.subject, message, { source: origin.source });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string, origin: ParamsOrigin): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw failure(
      origin,
      `is not valid JSON (${error instanceof Error ? error.message : String(error)}). Write an object of parameters, such as {"fastPeriod": 12}`,
    );
  }
}

/** Reads a params file or a bare parameters object. */
async function readParamsJson(path: string, origin: ParamsOrigin): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw failure(
      origin,
      missing
        ? `no such file (${path}). Give the path of a JSON file of parameters`
        : `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseJson(text, origin);
}

/** The parameters of a params file or a bare object, checked against the strategy run. */
function paramsOf(
  json: unknown,
  origin: ParamsOrigin,
  loaded: LoadedStrategy,
  warnings: string[],
): Record<string, unknown> {
  if (!isRecord(json)) {
    throw failure(
      origin,
      `holds ${Array.isArray(json) ? 'a list' : JSON.stringify(json)}, not an object of parameters. Write an object, such as {"fastPeriod": 12}`,
    );
  }
  const wrapped = typeof json.key === 'string' && isRecord(json.params);
  if (!wrapped) return json;
  const key = json.key as string;
  if (key !== loaded.definition.key) {
    throw failure(
      origin,
      `holds parameters of strategy ${key}${typeof json.strategy === 'string' ? ` (${json.strategy})` : ''}, but the strategy run is ${loaded.label}. Run that strategy (STRATEGY=${typeof json.strategy === 'string' ? json.strategy : key}) or give this strategy's parameters`,
    );
  }
  const sha = json.sha256;
  if (typeof sha === 'string' && sha !== loaded.provenance.sha256) {
    warnings.push(
      `${origin.subject} was written for an earlier version of ${loaded.label} (sha256 ${sha.slice(0, 12)}…, now ${loaded.provenance.sha256?.slice(0, 12) ?? 'none'}…): results may differ from the ones it was found with`,
    );
  }
  return json.params as Record<string, unknown>;
}

/**
 * A strategy's parameters from its sources, layered: defaults, then `STRATEGY_PARAMS` (or
 * `--params-file`, which replaces it), then each `--param`. Validated together by the
 * strategy's schema, every bad parameter listed.
 *
 * @example
 * ```ts
 * const loaded = await loadStrategy('ema_crossover');
 * const { params } = await resolveStrategyParams(loaded, {
 *   params: '{"fastPeriod": 8}',
 *   assignments: ['slowPeriod=30'],
 * });
 * // { fastPeriod: 8, slowPeriod: 30, confidence: 1 }
 * ```
 * @throws {StrategyLoadError} for a file that is missing or not JSON, JSON that is not an
 *   object, or a params file of another strategy.
 * @throws {StrategyParamsError} (from `@lumenlink/strategies`) listing every bad parameter,
 *   with what each accepts.
 */
export async function resolveStrategyParams(
  loaded: LoadedStrategy,
  sources: StrategyParamsSources,
): Promise<ResolvedStrategyParams> {
  const cwd = sources.cwd ?? process.cwd();
  const warnings: string[] = [];
  const used: string[] = ['defaults'];
  let base: Record<string, unknown> = {};
  if (sources.paramsFile !== undefined) {
    if (sources.params !== undefined && sources.params.trim() !== '') {
      warnings.push(
        `--params-file ${sources.paramsFile} replaces STRATEGY_PARAMS: its parameters are not used`,
      );
    }
    const path = resolve(cwd, sources.paramsFile);
    const origin = {
      subject: `--params-file ${sources.paramsFile}`,
      source: '--params-file',
    } as const;
    base = paramsOf(await readParamsJson(path, origin), origin, loaded, warnings);
    used.push(sources.paramsFile);
  } else if (sources.params !== undefined && sources.params.trim() !== '') {
    const text = sources.params.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      const origin = { subject: 'STRATEGY_PARAMS', source: 'STRATEGY_PARAMS' } as const;
      base = paramsOf(parseJson(text, origin), origin, loaded, warnings);
      used.push('STRATEGY_PARAMS');
    } else {
      const origin = {
        subject: `STRATEGY_PARAMS file ${text}`,
        source: 'STRATEGY_PARAMS',
      } as const;
      base = paramsOf(await readParamsJson(resolve(cwd, text), origin), origin, loaded, warnings);
      used.push(text);
    }
  }
  const assignments = sources.assignments ?? [];
  if (assignments.length > 0) used.push('--param');
  return {
    params: parseParamAssignments(loaded.definition, assignments, base),
    sources: used,
    warnings,
  };
}

/** Keys sorted at every level: the same parameters always give the same text. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted(value[key])]),
  );
}

/**
 * The text of a params file: the parameters with the strategy they belong to (and its file's
 * hash), keys sorted, so `resolveStrategyParams` refuses it for any other strategy.
 *
 * @example
 * ```ts
 * const text = formatParamsFile({ strategy: loaded.provenance, params, note: 'optimize, best Sharpe' });
 * ```
 */
export function formatParamsFile(input: {
  readonly strategy: StrategyProvenance;
  readonly params: Readonly<Record<string, unknown>>;
  readonly note?: string;
}): string {
  const file: ParamsFile = {
    strategy: input.strategy.spec,
    key: input.strategy.key,
    ...(input.strategy.sha256 === undefined ? {} : { sha256: input.strategy.sha256 }),
    params: sorted(input.params) as Record<string, unknown>,
    ...(input.note === undefined ? {} : { note: input.note }),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Writes {@link formatParamsFile}'s text to `path`, creating its directory. */
export async function writeParamsFile(
  path: string,
  input: Parameters<typeof formatParamsFile>[0],
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, formatParamsFile(input));
}
