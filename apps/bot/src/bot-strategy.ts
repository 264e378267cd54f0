/**
 * The strategy a bot runs: `STRATEGY` loaded by `@lumenlink/strategy-loader` with its parameters
 * (`STRATEGY_PARAMS`, `--params-file`, `--param`), before the database or the exchange is
 * touched, and the record of what produced the run. A bad module or parameter is a
 * `ConfigError` (exit 2) naming the key or flag and the fix.
 */
import {
  ConfigError,
  ValidationError,
  type DataProvenance,
  type Logger,
  type RunProvenance,
} from '@lumenlink/core';
import { runSettings, type Config } from '@lumenlink/config';
import { StrategyParamsError } from '@lumenlink/strategies';
import {
  StrategyLoadError,
  loadStrategy,
  resolveStrategyParams,
  type LoadedStrategy,
} from '@lumenlink/strategy-loader';

/** The `parseArgs` options of `--strategy`, `--params-file` and `--param`, for every bot command. */
export const strategyFlagOptions = {
  strategy: { type: 'string' },
  'params-file': { type: 'string' },
  param: { type: 'string', multiple: true },
} as const;

/** `--params-file` and `--param` of `pnpm paper`, `pnpm live` and the demo. */
export interface StrategyFlags {
  readonly paramsFile?: string | undefined;
  readonly assignments?: readonly string[] | undefined;
}

/** A loaded strategy with the parameters it runs with. */
export interface BotStrategy {
  readonly loaded: LoadedStrategy;
  /** Validated, defaults filled. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Where the parameters came from, in words (`defaults`, `STRATEGY_PARAMS`, a file, `--param`). */
  readonly sources: readonly string[];
  readonly warnings: readonly string[];
}

/** The key or flag a loader error is about, from the subject its message starts with. */
function keyOf(error: StrategyLoadError): string {
  if (error.subject.startsWith('--params-file')) return '--params-file';
  return error.subject.startsWith('STRATEGY_PARAMS') ? 'STRATEGY_PARAMS' : 'STRATEGY';
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
 * Loads `config.strategy` and its parameters (`config.strategyParams`, then the flags).
 *
 * @throws {ConfigError} naming `STRATEGY`, `STRATEGY_PARAMS`, `--params-file`, `--param` or each
 *   bad parameter, with the loader's message (the file and the fix).
 */
export async function loadBotStrategy(
  config: { readonly strategy: string; readonly strategyParams?: string | undefined },
  flags: StrategyFlags = {},
): Promise<BotStrategy> {
  try {
    const loaded = await loadStrategy(config.strategy);
    const resolved = await resolveStrategyParams(loaded, {
      params: config.strategyParams,
      paramsFile: flags.paramsFile,
      assignments: flags.assignments,
    });
    return { loaded, ...resolved };
  } catch (error) {
    throw asConfigError(error);
  }
}

/** Logs the `strategy` line (label, source, parameters and where they came from) and warnings. */
export function logStrategy(logger: Logger, strategy: BotStrategy): void {
  const { label, provenance } = strategy.loaded;
  logger.info('strategy', {
    label,
    kind: provenance.kind,
    ...(provenance.path === undefined ? {} : { path: provenance.path }),
    ...(provenance.sha256 === undefined ? {} : { sha256: provenance.sha256 }),
    sources: strategy.sources,
    params: strategy.params,
  });
  for (const warning of strategy.warnings) logger.warn(warning);
}

/** What produced a run of the bot: the strategy, its parameters, the settings, the data. */
export function runProvenance(
  config: Config,
  strategy: BotStrategy,
  data: DataProvenance | undefined,
): RunProvenance {
  return {
    strategy: strategy.loaded.provenance,
    params: strategy.params,
    settings: runSettings(config),
    ...(data === undefined ? {} : { data }),
  };
}
