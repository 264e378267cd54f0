/**
 * `pnpm parity [--db FILE] [--json] [--from TIME] [--to TIME]`: the parity report of the bot's
 * database, as text or JSON. Exit code 0 when the bot and the backtest agree, 1 when they
 * differ, 2 when the report could not be made (bad flags, config or database).
 */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatParityReport, type ParityOptions, type ParityReport } from '@lumenlink/analysis';
import { commandHint, ConfigError, LumenLinkError } from '@lumenlink/core';
import { loadConfig, mergeEnv, readEnvFile, type Config, type Env } from '@lumenlink/config';
import { parityOfDatabase } from './parity-database.js';

/** Where the command reads from and writes to. */
export interface ParityCliOptions {
  /** The arguments after the script name. */
  readonly argv: readonly string[];
  /** The `.env` file; the process environment wins over it. */
  readonly envFile: string;
  readonly processEnv: Env;
  readonly out: Writable;
  readonly err: Writable;
  /** Relative `--db` paths start here (default the process's working directory). */
  readonly cwd?: string;
}

/** A flag or argument the command cannot take. */
class UsageError extends Error {}

const usage =
  (): string => `Usage: ${commandHint('parity')} [--db FILE] [--json] [--from TIME] [--to TIME] [--allow-changed-strategy]

Replays the candles the bot stored through the backtest driver with the bot's config (.env and
the environment) and compares the trades, each difference put down to a cause: fill model,
rejection, latency, intra-candle stop, data (or unexplained). The strategy, its parameters, the
symbols and the interval are those of the latest run recorded in the database unless set; a
changed strategy file is refused (exit 2) unless --allow-changed-strategy, and STRATEGY or
STRATEGY_PARAMS that differ from the run are refused.

  --db FILE     the bot's database (default DB_PATH)
  --json        print the report as JSON
  --from TIME   when the bot started trading: earlier candles only warm up
                (default: trading starts with the stored candles, as in replay)
  --to TIME     the last candle to compare (default: the bot's last processed candle)
  --allow-changed-strategy  replay the recorded strategy file as it is now, though it changed
  TIME          2024-03-01, 2024-03-01T12:00 (UTC) or epoch milliseconds

Exit code: 0 no differences, 1 differences, 2 bad input.`;

const timePattern = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?Z?$/;

function parseTime(flag: string, raw: string): number {
  if (/^\d+$/.test(raw)) {
    const value = Number(raw);
    if (Number.isSafeInteger(value)) return value;
  } else if (timePattern.test(raw)) {
    const text = raw.replace(' ', 'T');
    const value = Date.parse(
      text.endsWith('Z') ? text : `${text}${text.includes('T') ? '' : 'T00:00'}Z`,
    );
    if (Number.isFinite(value)) return value;
  }
  throw new UsageError(
    `${flag} ${JSON.stringify(raw)} is not a time: give 2024-03-01, 2024-03-01T12:00 (UTC) or epoch milliseconds`,
  );
}

interface ParityFlags {
  readonly db?: string;
  readonly json: boolean;
  readonly help: boolean;
  readonly allowChangedStrategy: boolean;
  /** `--from` and `--to`. */
  readonly period: Pick<ParityOptions, 'from' | 'to'>;
}

function parseFlags(argv: readonly string[]): ParityFlags {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        db: { type: 'string' },
        json: { type: 'boolean', default: false },
        from: { type: 'string' },
        to: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        'allow-changed-strategy': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.db?.trim() === '') throw new UsageError('--db is empty: give the database file');
  return {
    json: values.json,
    help: values.help,
    allowChangedStrategy: values['allow-changed-strategy'],
    ...(values.db === undefined ? {} : { db: values.db }),
    period: {
      ...(values.from === undefined ? {} : { from: parseTime('--from', values.from) }),
      ...(values.to === undefined ? {} : { to: parseTime('--to', values.to) }),
    },
  };
}

/** The bot's config from `.env` and the environment (and the merged env), or what to fix in them. */
function readConfig(options: ParityCliOptions): { config: Config; env: Env } | string {
  try {
    const file = readEnvFile(options.envFile);
    // Every key of the .env file must be one LumenLink reads, as for the bot.
    if (file.issues.length > 0) {
      throw new ConfigError(file.issues, { title: `Invalid ${options.envFile}` });
    }
    const env = mergeEnv(file.values, options.processEnv);
    return { config: loadConfig(env), env };
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return `${error.message}\nFix the keys above in .env or the environment.`;
  }
}

/**
 * Runs `pnpm parity` with its arguments: reads `.env` and the environment through core's
 * `loadConfig`, compares, prints. Returns the exit code: 0 no differences, 1 differences, 2 bad
 * input (flags, config, a missing or foreign database, a period without candles).
 *
 * @example
 * ```ts
 * process.exitCode = await runParityCli({
 *   argv: ['--db', 'data/lumenlink.db', '--json'],
 *   envFile: '.env',
 *   processEnv: process.env,
 *   out: process.stdout,
 *   err: process.stderr,
 * });
 * ```
 */
export async function runParityCli(options: ParityCliOptions): Promise<number> {
  const fail = (message: string): number => {
    options.err.write(`parity: ${message}\n`);
    return 2;
  };
  let flags: ParityFlags;
  try {
    flags = parseFlags(options.argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return fail(`${error.message}\n\n${usage()}`);
  }
  if (flags.help) {
    options.out.write(`${usage()}\n`);
    return 0;
  }
  const read = readConfig(options);
  if (typeof read === 'string') return fail(read);
  const { config, env } = read;
  const dbPath = resolve(options.cwd ?? process.cwd(), flags.db ?? config.data.dbPath);
  // As set, to check against the recorded run (unset: the run's).
  const set = (key: string): string | undefined => env[key]?.trim() || undefined;
  const [strategy, strategyParams] = [set('STRATEGY'), set('STRATEGY_PARAMS')];
  const given = { strategy, strategyParams, symbols: set('SYMBOLS'), interval: set('INTERVAL') };
  let report: ParityReport;
  try {
    const { allowChangedStrategy } = flags;
    report = await parityOfDatabase({
      dbPath,
      config,
      given,
      allowChangedStrategy,
      ...flags.period,
    });
  } catch (error) {
    if (LumenLinkError.isInstance(error)) return fail(error.message);
    return fail(
      `the comparison failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  options.out.write(
    flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatParityReport(report),
  );
  return report.differences.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runParityCli({
    argv: process.argv.slice(2),
    envFile: resolve(process.cwd(), '.env'),
    processEnv: process.env,
    out: process.stdout,
    err: process.stderr,
  });
}
