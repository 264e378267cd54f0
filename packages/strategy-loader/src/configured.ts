/**
 * A bot's strategy from its settings: `STRATEGY`, `STRATEGY_PARAMS` and the command line's
 * `--params-file` / `--param`, every problem turned into core's `ConfigError` (what a bot exits 2
 * on) naming the key or flag and the fix.
 */
import { ConfigError, ValidationError, type Timeframe } from '@lumenlink/core';
import { StrategyParamsError } from '@lumenlink/strategies';
import { StrategyLoadError } from './errors.js';
import { loadStrategy, type LoadedStrategy } from './load-strategy.js';
import { resolveStrategyParams } from './params.js';

/** The command line's `--params-file` and `--param` (`--strategy` replaces `STRATEGY` before). */
export interface StrategyFlags {
  readonly paramsFile?: string | undefined;
  readonly assignments?: readonly string[] | undefined;
}

/** A loaded strategy with the parameters it runs with. */
export interface ConfiguredStrategy {
  readonly loaded: LoadedStrategy;
  /** Validated, defaults filled. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Where the parameters came from, in words (`defaults`, `STRATEGY_PARAMS`, a file, `--param`). */
  readonly sources: readonly string[];
  readonly warnings: readonly string[];
}

/** The key or flag a loader error is about. */
function keyOf(error: StrategyLoadError): string {
  return error.source === 'strategy' ? 'STRATEGY' : error.source;
}

/** A loader or parameter error as the config error it is; anything else unchanged. */
function asConfigError(error: unknown): unknown {
  if (StrategyParamsError.isInstance(error)) {
    return new ConfigError(
      error.issues.map((issue) => ({
        key: `parameter ${issue.param}`,
        problem: issue.problem,
        ...(issue.accepted === undefined ? {} : { accepted: issue.accepted }),
      })),
      {
        title: `Invalid parameters for strategy ${error.strategy} (from STRATEGY_PARAMS, --params-file or --param)`,
        cause: error,
      },
    );
  }
  if (StrategyLoadError.isInstance(error)) {
    return new ConfigError([{ key: keyOf(error), problem: error.message }], { cause: error });
  }
  if (ValidationError.isInstance(error)) {
    return new ConfigError([{ key: '--param', problem: error.message }], { cause: error });
  }
  return error;
}

/**
 * Loads a bot's strategy as its settings give it: `STRATEGY` (`config.strategy`), its parameters
 * (`STRATEGY_PARAMS`, then the flags), and, given `INTERVAL`, makes one instance to check
 * parameters that only fail with the interval, so every mistake is a config error before a
 * database or an exchange is touched.
 *
 * @example
 * ```ts
 * const { loaded, params, warnings } = await loadConfiguredStrategy(
 *   { strategy: 'strategies/my-idea.ts', strategyParams: process.env.STRATEGY_PARAMS, interval: '1h' },
 *   { assignments: ['fastPeriod=12'] },
 * );
 * ```
 *
 * @throws {ConfigError} naming `STRATEGY`, `STRATEGY_PARAMS`, `--params-file`, `--param` or each
 *   bad parameter, with the loader's message (the file and the fix).
 */
export async function loadConfiguredStrategy(
  config: {
    readonly strategy: string;
    readonly strategyParams?: string | undefined;
    readonly interval?: Timeframe;
  },
  flags: StrategyFlags = {},
): Promise<ConfiguredStrategy> {
  let strategy: ConfiguredStrategy;
  try {
    const loaded = await loadStrategy(config.strategy);
    const resolved = await resolveStrategyParams(loaded, {
      params: config.strategyParams,
      paramsFile: flags.paramsFile,
      assignments: flags.assignments,
    });
    strategy = { loaded, ...resolved };
  } catch (error) {
    throw asConfigError(error);
  }
  // Parameters that only fail with the interval (a higher timeframe that is not a multiple of
  // it) fail here, before the database is opened, not at the first candle.
  if (config.interval !== undefined) {
    try {
      strategy.loaded.definition.create(strategy.params, { interval: config.interval });
    } catch (error) {
      if (!ValidationError.isInstance(error)) throw error;
      throw new ConfigError(
        [
          {
            key: 'STRATEGY_PARAMS',
            problem: `${strategy.loaded.label} refuses its parameters with INTERVAL=${config.interval}: ${error.message}`,
          },
        ],
        { cause: error },
      );
    }
  }
  return strategy;
}
