/**
 * `pnpm fetch-history`: backfills candles from the configured exchange (ccxt, through
 * `@lumenlink/exchanges`) into the SQLite store at `DB_PATH`, resumably, with the data
 * package's `fetchHistory` and its progress bar. Configured by env (`.env` in the working
 * directory, then the environment) as the bot is: `SYMBOLS`, `TIMEFRAMES`, `MONTHS`, `EXCHANGE`,
 * `EXCHANGE_API_URL`, `DB_PATH`; each has a flag that wins over it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { commandHint, systemClock, type Clock } from '@lumenlink/core';
import { configSecrets, loadConfig, type ConfigKey } from '@lumenlink/config';
import { createLogger } from '@lumenlink/core/logging';
import { fetchHistory, formatHistoryResult, openStore } from '@lumenlink/data';
import { ccxtExchangeFromConfig } from '@lumenlink/exchanges';
import { reportCommandError, type CommandIo } from './backtest-command.js';
import { parseConfigFlag } from './config-flag.js';
import { formatFlagHelp, hasFlag, parseFlags, UsageError, type FlagSpec } from './flags.js';

/** Environment values, as in `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What the fetch-history command runs with besides its arguments. */
export interface FetchHistoryIo extends CommandIo {
  /** The process environment; `.env` in `cwd` is read under it (the environment wins). */
  readonly env: Env;
  /** The clock that sets the end of the range (default the system clock). */
  readonly clock?: Clock;
  /** Stops the fetch between requests (Ctrl-C); what is stored stays. */
  readonly signal?: AbortSignal;
}

/** Flags of fetch-history and the env key each one sets. */
const keyFlags: readonly (FlagSpec & { readonly key: ConfigKey })[] = [
  {
    name: 'symbols',
    key: 'SYMBOLS',
    kind: 'value',
    placeholder: 'A,B',
    help: 'Symbols to fetch (SYMBOLS), e.g. BTC-USDT,ETH-USDT.',
  },
  {
    name: 'timeframes',
    key: 'TIMEFRAMES',
    kind: 'value',
    placeholder: 'A,B',
    help: 'Timeframes to fetch (TIMEFRAMES), e.g. 1h,4h,1d.',
  },
  {
    name: 'months',
    key: 'MONTHS',
    kind: 'value',
    placeholder: 'N',
    help: 'Months back from now (MONTHS): an integer from 1 to 120.',
  },
  {
    name: 'exchange',
    key: 'EXCHANGE',
    kind: 'value',
    placeholder: 'ID',
    help: 'Exchange (EXCHANGE): coinbase, binance or bybit.',
  },
  {
    name: 'api-url',
    key: 'EXCHANGE_API_URL',
    kind: 'value',
    placeholder: 'URL',
    help: 'Exchange API base URL (EXCHANGE_API_URL): a sandbox or the local emulator.',
  },
  {
    name: 'db',
    key: 'DB_PATH',
    kind: 'value',
    placeholder: 'FILE',
    help: 'The SQLite file written (DB_PATH).',
  },
];

/** Every flag of `pnpm fetch-history`. */
const fetchHistoryFlags: readonly FlagSpec[] = [
  ...keyFlags,
  { name: 'symbol', kind: 'value', placeholder: 'A', help: 'One symbol (same as --symbols A).' },
  { name: 'help', kind: 'switch', help: 'Show this help.' },
];

/** The text of `pnpm fetch-history --help`. */
function fetchHistoryHelp(): string {
  return [
    `Usage: ${commandHint('fetch-history')} [flags]`,
    '',
    'Backfills closed candles from the exchange into the SQLite store, for backtests',
    `(${commandHint('backtest')} --source-db FILE) and the bot. Resumable: a second run fetches only what`,
    'is missing. Configured like the bot, by .env and the environment; flags win:',
    '',
    `  SYMBOLS=SOL-USDT,AVAX-USDT TIMEFRAMES=1h,1d MONTHS=3 ${commandHint('fetch-history')}`,
    '',
    'Flags:',
    ...formatFlagHelp(fetchHistoryFlags),
    '',
  ].join('\n');
}

/** `.env` in `cwd` (missing: empty), under the process environment. */
function environment(cwd: string, processEnv: Env): Env {
  let fileValues: Env = {};
  try {
    fileValues = parseEnv(readFileSync(resolve(cwd, '.env'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { ...fileValues, ...processEnv };
}

/**
 * Runs the fetch-history command. Returns the exit code: 0 done, 1 failed (config, exchange or
 * storage; what was stored stays and the next run resumes), 2 a bad command line.
 *
 * @example
 * ```ts
 * process.exitCode = await runFetchHistoryCommand(process.argv.slice(2), {
 *   stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env,
 * });
 * ```
 */
export async function runFetchHistoryCommand(
  argv: readonly string[],
  io: FetchHistoryIo,
): Promise<number> {
  try {
    const flags = parseFlags(argv, fetchHistoryFlags);
    if (hasFlag(flags, 'help')) {
      io.stdout.write(fetchHistoryHelp());
      return 0;
    }
    const overrides: Record<string, string> = {};
    for (const spec of keyFlags) {
      const raw = flags.get(spec.name)?.[0];
      if (raw === undefined) continue;
      parseConfigFlag(`--${spec.name}`, spec.key, raw);
      overrides[spec.key] = raw;
    }
    const one = flags.get('symbol')?.[0];
    if (one !== undefined) {
      if (overrides['SYMBOLS'] !== undefined) {
        throw new UsageError('--symbol', 'give either --symbol or --symbols, not both');
      }
      parseConfigFlag('--symbol', 'SYMBOLS', one);
      overrides['SYMBOLS'] = one;
    }
    const config = loadConfig({ ...environment(io.cwd, io.env), ...overrides });
    const clock = io.clock ?? systemClock;
    const logger = createLogger({
      level: config.log.level,
      stream: io.stderr,
      secrets: configSecrets(config),
      clock,
    }).child({ module: 'fetch-history' });
    const dbPath = resolve(io.cwd, config.data.dbPath);
    const exchange = ccxtExchangeFromConfig(config, { clock, logger });
    const store = await openStore({ path: dbPath, logger, clock });
    try {
      io.stderr.write(
        `Fetching ${config.history.months} month(s) of ${config.history.timeframes.join(', ')} candles of ${config.symbols.join(', ')} from ${config.exchange.id}${config.exchange.apiUrl === undefined ? '' : ` (${config.exchange.apiUrl})`}\n`,
      );
      const result = await fetchHistory({
        source: exchange,
        store: store.candles,
        clock,
        logger,
        symbols: config.symbols,
        timeframes: config.history.timeframes,
        months: config.history.months,
        stream: io.stderr,
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
      io.stdout.write(formatHistoryResult(result, dbPath));
    } finally {
      await store.close();
    }
    return 0;
  } catch (error) {
    if (io.signal?.aborted === true) {
      io.stderr.write(
        `${String(io.signal.reason instanceof Error ? io.signal.reason.message : 'Stopped')}; what was stored stays\n`,
      );
      return 130;
    }
    return reportCommandError(error, io, 'fetch-history');
  }
}
