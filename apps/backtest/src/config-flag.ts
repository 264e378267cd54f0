/**
 * Flags that set what an env key sets are validated by that key's own parser (core's
 * `configKeys`), so `--cash` accepts exactly what `PAPER_STARTING_CASH` accepts and says so in
 * the same words; `--strategy`, `--params-file` and `--param` by `@lumenlink/strategy-loader`,
 * naming the flag.
 */
import { ValidationError } from '@lumenlink/core';
import { configKeys, type ConfigKey, type ConfigValues } from '@lumenlink/config';
import { StrategyParamsError } from '@lumenlink/strategies';
import {
  loadStrategy,
  resolveStrategyParams,
  StrategyLoadError,
  type LoadedStrategy,
} from '@lumenlink/strategy-loader';
import { UsageError } from './flags.js';

/**
 * Parses a flag's value with the parser of the env key it stands for. `acceptedText` replaces
 * the key's own words when the flag's default is not the key's.
 *
 * @example
 * ```ts
 * parseConfigFlag('--cash', 'PAPER_STARTING_CASH', '5000'); // 5000
 * parseConfigFlag('--cash', 'PAPER_STARTING_CASH', 'lots');
 * // UsageError: --cash: "lots" is not a number. Accepted: a number > 0 (default 10000)
 * ```
 * @throws {UsageError} naming the flag, what is wrong with the value and what it accepts.
 */
export function parseConfigFlag<Key extends ConfigKey>(
  flag: string,
  key: Key,
  raw: string,
  acceptedText?: string,
): Exclude<ConfigValues[Key], undefined> {
  const spec = configKeys[key];
  const accepted =
    acceptedText ?? spec.accepted.replace(/ \((?:optional|unset:[^)]*|required[^)]*)\)$/, '');
  if (raw.trim() === '') {
    throw new UsageError(flag, `is empty. Accepted: ${accepted}`);
  }
  const result = spec.schema.safeParse(raw) as
    | { success: true; data: ConfigValues[Key] }
    | { success: false; error: { issues: readonly { message: string }[] } };
  if (!result.success || result.data === undefined) {
    const problem = result.success
      ? 'is invalid'
      : (result.error.issues[0]?.message ?? 'is invalid');
    throw new UsageError(flag, `${JSON.stringify(raw)} ${problem}. Accepted: ${accepted}`);
  }
  return result.data as Exclude<ConfigValues[Key], undefined>;
}

/** The strategy flags of a command, as given: `--strategy`, `--params-file`, `--param`. */
export interface StrategyFlags {
  /** A built-in key, a module file or a package (`@lumenlink/strategy-loader`). */
  readonly strategy: string;
  readonly paramsFile: string | undefined;
  /** `--param key=value` texts. */
  readonly params: readonly string[];
}

/** A command's strategy, loaded, with its validated parameters. */
export interface LoadedStrategyFlags {
  readonly loaded: LoadedStrategy;
  readonly params: Record<string, unknown>;
  /** Say these on stderr: a params file written for an earlier version of the strategy file. */
  readonly warnings: readonly string[];
}

/**
 * Loads `--strategy` and its parameters (`--params-file`, then each `--param`), relative paths
 * from `cwd`.
 *
 * @throws {UsageError} on `--strategy` for a module that does not load, on `--params-file` for
 *   a file that cannot be used, on `--param` (or `--params-file/--param`) with every bad
 *   parameter listed.
 */
export async function loadStrategyFlags(
  flags: StrategyFlags,
  cwd: string,
): Promise<LoadedStrategyFlags> {
  const paramsFlag = flags.paramsFile === undefined ? '--param' : '--params-file/--param';
  try {
    const loaded = await loadStrategy(flags.strategy, { cwd });
    const resolved = await resolveStrategyParams(loaded, {
      paramsFile: flags.paramsFile,
      assignments: flags.params,
      cwd,
    });
    return { loaded, params: resolved.params, warnings: resolved.warnings };
  } catch (error) {
    if (StrategyParamsError.isInstance(error)) throw new UsageError(paramsFlag, error.message);
    if (StrategyLoadError.isInstance(error)) {
      throw error.source === '--params-file'
        ? new UsageError('--params-file', error.message.slice('--params-file '.length))
        : new UsageError('--strategy', error.message);
    }
    if (ValidationError.isInstance(error)) throw new UsageError(paramsFlag, error.message);
    throw error;
  }
}
