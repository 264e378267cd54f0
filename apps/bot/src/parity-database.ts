/**
 * The parity report over the bot's SQLite database: `@lumenlink/analysis`'s `runParity` fed by
 * `@lumenlink/data`'s store and the strategy its latest recorded run used (`pnpm parity`).
 */
import { statSync } from 'node:fs';
import {
  canonicalize,
  checkParityPeriod,
  runParity,
  type ParityOptions,
  type ParityReport,
} from '@lumenlink/analysis';
import { ConfigError, ValidationError, type SymbolId, type Timeframe } from '@lumenlink/core';
import type { Config } from '@lumenlink/config';
import { openStore, type RunRecord } from '@lumenlink/data';
import {
  loadConfiguredStrategy,
  recordedSpec,
  type ConfiguredStrategy,
} from '@lumenlink/strategy-loader';

type Given = string | undefined;

/** What {@link parityOfDatabase} compares: the bot's SQLite database, which must exist. */
export type DatabaseParityOptions = Pick<ParityOptions, 'config' | 'from' | 'to'> & {
  readonly dbPath: string;
  /** `STRATEGY`, `STRATEGY_PARAMS`, `SYMBOLS`, `INTERVAL` as set (unset: the recorded run's). */
  readonly given?: Partial<Record<'strategy' | 'strategyParams' | 'symbols' | 'interval', Given>>;
  /** Replay a recorded strategy file that changed since the run (`--allow-changed-strategy`). */
  readonly allowChangedStrategy?: boolean;
};

/** A value as canonical JSON (keys sorted), to compare parameters. */
const canonical = (value: unknown): string => JSON.stringify(canonicalize(value));

function refuse(key: string, problem: string): never {
  throw new ConfigError([{ key, problem }], { title: 'parity cannot replay the recorded run' });
}

/**
 * The strategy and parameters of the latest run recorded in the database, checked against
 * `STRATEGY` and `STRATEGY_PARAMS` when those are set; a database without runs (an older
 * version) replays the config's.
 */
async function strategyOfRun(
  run: RunRecord | null,
  config: Config,
  given: NonNullable<DatabaseParityOptions['given']>,
  allowChanged: boolean,
): Promise<ConfiguredStrategy> {
  if (run === null) return loadConfiguredStrategy(config);
  const { strategy: recorded, params } = run.provenance;
  const spec = given.strategy ?? recordedSpec(recorded);
  const loaded = await loadConfiguredStrategy({ strategy: spec }); // parameters once it is the run's
  const now = loaded.loaded.provenance;
  const at = `the run recorded at ${new Date(run.startedAt).toISOString()}`;
  if (now.kind !== recorded.kind || now.key !== recorded.key || now.path !== recorded.path) {
    refuse(
      'STRATEGY',
      `${given.strategy} (${loaded.loaded.label}) is not the strategy of ${at}, ${recorded.spec} (${recorded.key}). Unset STRATEGY to replay the recorded strategy`,
    );
  }
  if (!allowChanged && now.sha256 !== recorded.sha256) {
    refuse(
      'STRATEGY',
      `${recorded.path} changed since ${at} (sha256 ${recorded.sha256?.slice(0, 12)}… then, ${now.sha256?.slice(0, 12)}… now), so the replay would not run the bot's strategy. Restore the file, or pass --allow-changed-strategy to compare with the file as it is now`,
    );
  }
  const { strategyParams } = given;
  const set =
    strategyParams === undefined
      ? params
      : (await loadConfiguredStrategy({ strategy: spec, strategyParams })).params;
  if (canonical(set) !== canonical(params)) {
    refuse(
      'STRATEGY_PARAMS',
      `gives ${canonical(set)}, but the recorded run used ${canonical(params)}. Unset STRATEGY_PARAMS to replay the recorded parameters`,
    );
  }
  return { ...loaded, params };
}

/** What makes two runs trade differently: the strategy (and its file) and its parameters. */
const tradedBy = (run: RunRecord): string =>
  canonical([run.provenance.strategy.key, run.provenance.strategy.sha256, run.provenance.params]);

/**
 * Refuses a database whose runs traded with different strategies or parameters: one replay with
 * the latest run's would put the earlier trades down to "unexplained" differences.
 */
function checkOneStrategy(runs: readonly RunRecord[]): void {
  const [latest] = runs;
  if (latest === undefined) return;
  const other = runs.find((run) => tradedBy(run) !== tradedBy(latest));
  if (other === undefined) return;
  refuse(
    '--from',
    `the database holds runs with different strategies or parameters (${new Date(other.startedAt).toISOString()}: ${other.provenance.strategy.key} ${canonical(other.provenance.params)}; latest, ${new Date(latest.startedAt).toISOString()}: ${latest.provenance.strategy.key} ${canonical(latest.provenance.params)}), and parity replays one. Give --from TIME, when the latest run started trading, to compare its trades alone`,
  );
}

/** The config's risk, guards, trading and paper groups with the values a run recorded laid over. */
function recordedGroups(
  config: Config,
  recorded: Readonly<Record<string, unknown>>,
): Pick<Config, 'risk' | 'guards' | 'trading' | 'paper'> {
  const over = <Group extends object>(group: Group, values: unknown): Group => {
    if (typeof values !== 'object' || values === null) return group;
    // JSON wrote Infinity and NaN as null: such a value keeps the config's.
    const kept = Object.entries(values).filter(([, value]) => value !== null);
    return { ...group, ...Object.fromEntries(kept) };
  };
  return {
    risk: over(config.risk, recorded.risk),
    guards: over(config.guards, recorded.guards),
    trading: over(config.trading, recorded.trading),
    paper: over(config.paper, recorded.paper),
  };
}

/** Fails clearly unless `path` is a file: the report never creates a database. */
function checkFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new ValidationError(`the database ${path} does not exist: give the bot's DB_PATH`);
  }
  if (!isFile) throw new ValidationError(`the database ${path} is not a file`);
}

/**
 * The parity report of the bot's SQLite database (`@lumenlink/analysis`'s `runParity` over it),
 * with the strategy, parameters, symbols and interval of the latest run recorded in it (the
 * config's in a database without runs).
 *
 * @throws {ValidationError} for a database that does not exist, and whatever `runParity` throws.
 * @throws {ConfigError} when the recorded strategy file changed, or `STRATEGY` or
 *   `STRATEGY_PARAMS` are set and differ from the recorded run's.
 * @throws {StorageError} when the file is not a LumenLink database.
 */
export async function parityOfDatabase(options: DatabaseParityOptions): Promise<ParityReport> {
  const { dbPath, given = {}, allowChangedStrategy = false, ...compared } = options;
  checkParityPeriod(compared); // before the database is looked at, as runParity would after
  checkFile(dbPath);
  const store = await openStore({ path: dbPath });
  try {
    const runs = await store.runs.listRuns(10_000);
    const run = runs[0] ?? null;
    if (compared.from === undefined) checkOneStrategy(runs);
    const { loaded, params } = await strategyOfRun(
      run,
      compared.config,
      given,
      allowChangedStrategy,
    );
    const { symbols, interval, ...recorded } = run?.provenance.settings ?? {};
    const config = {
      ...compared.config,
      // The risk, guards, stops and paper model the run traded with, not today's .env.
      ...recordedGroups(compared.config, recorded),
      // The run's symbols and interval unless set (the demo sets its own).
      ...(given.symbols === undefined && Array.isArray(symbols)
        ? { symbols: symbols as SymbolId[] }
        : {}),
      ...(given.interval === undefined && typeof interval === 'string'
        ? { interval: interval as Timeframe }
        : {}),
      // Orders and decisions record the strategy's key, which the report compares them with.
      strategy: loaded.definition.key,
    };
    return await runParity({
      ...compared,
      config,
      store, // its candles, orders, runtime and decisionLog are the parity store's ports
      db: dbPath,
      strategy: () => loaded.definition.create(params, { interval: config.interval }),
    });
  } finally {
    await store.close();
  }
}
