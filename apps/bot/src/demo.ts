/**
 * `pnpm demo`: the bot in paper mode over the bundled real Binance data (BTC, ETH, SOL USDT 1h),
 * replayed on an accelerated manual clock. The loops, risk, paper fills, SQLite, alerts and the
 * HTTP server all run; it prints every fill with its reason and a closing summary, and exits 0.
 * Offline.
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatAlertLine, type AlertChannel } from '@lumenlink/alerts';
import {
  buyAndHold,
  capitalExposure,
  formatMoney,
  formatPercent,
  formatTime,
} from '@lumenlink/analysis';
import {
  commandHint,
  ConfigError,
  shellQuote,
  symbolParts,
  type AlertEvent,
  type Logger,
} from '@lumenlink/core';
import {
  configSecrets,
  loadConfig,
  mergeEnv,
  readEnvFile,
  type Config,
  type Env,
} from '@lumenlink/config';
import { createLogger } from '@lumenlink/core/logging';
import { bundledDatasets } from '@lumenlink/data';
import { startBot, type Bot, type BotReport } from './bot.js';
import type { StrategyFlags } from '@lumenlink/strategy-loader';
import { strategyFlagOptions } from './bot-strategy.js';

/** Where the demo reads from and writes to. */
export interface DemoOptions {
  /**
   * Flags: `--speed`, `--candles`, `--db`, `--resume`, `--strategy`, `--params-file`, `--param`,
   * `--help`.
   */
  readonly argv: readonly string[];
  readonly processEnv: Env;
  readonly envFile: string;
  /**
   * The demo's report: every fill and the summary. A terminal's `columns`, when it has them,
   * wrap long reasons.
   */
  readonly out: Writable & { readonly columns?: number };
  /** The bot's log lines (stderr), at `LOG_LEVEL` when set, errors only otherwise. */
  readonly log: Writable;
  /** Aborted on Ctrl-C: the bot stops cleanly and the summary covers what ran. */
  readonly signal?: AbortSignal;
  /**
   * Called once the bot runs; the demo stops only after the replay ended and this resolved
   * (tests probe the HTTP server here while the bot is running).
   */
  readonly onRunning?: (bot: Bot) => Promise<void>;
}

/** The demo database, replaced on each run unless `--resume`. */
export const defaultDemoDbPath = './data/demo.db';

const usage =
  (): string => `Usage: ${commandHint('demo')} [--speed N] [--candles N] [--db FILE] [--resume] [--strategy S]
                 [--params-file FILE] [--param key=value ...]

Replays the bundled Binance BTC/ETH/SOL USDT 1h candles (2024-01-01 to 2024-09-07) through the
bot in paper mode: the loops, risk, paper fills, SQLite, alerts and the HTTP server all run.

  --speed N     candles per second (DEMO_SPEED; 0, the default, is as fast as possible)
  --candles N   replay only the first N candle times (the whole set is about 6000)
  --db FILE     the demo database (default ${defaultDemoDbPath}, replaced on each run)
  --resume      continue the run stored in the database instead of starting afresh
  --strategy S  the strategy: a built-in key, a .ts/.js/.mjs file or a package (sets STRATEGY)
  --params-file FILE  its parameters, as pnpm optimize writes them (replaces STRATEGY_PARAMS)
  --param key=value   one parameter over those (repeatable)

The strategy is STRATEGY (default advanced_composite) with STRATEGY_PARAMS; risk, paper fees and
HTTP_PORT come from .env and the environment as for the bot. Telegram and Discord stay off.
`;

interface DemoFlags {
  readonly speed: number | undefined;
  readonly candles: number | undefined;
  readonly db: string | undefined;
  readonly resume: boolean;
  readonly help: boolean;
  readonly strategy: string | undefined;
  readonly strategyFlags: StrategyFlags;
}

/**
 * Runs the demo. Resolves with the process exit code: 0 after the summary, 2 for bad flags or
 * configuration, 1 when the bot cannot start.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const write = (line = ''): void => void options.out.write(`${line}\n`);
  let flags: DemoFlags;
  try {
    flags = parseFlags(options.argv);
  } catch (error) {
    write(`${error instanceof Error ? error.message : String(error)}\n`);
    write(usage());
    return 2;
  }
  if (flags.help) {
    write(usage());
    return 0;
  }
  const setup = demoSetup(options, flags, write);
  if (typeof setup === 'number') return setup;
  const { config, dbPath, logger } = setup;
  const wallStart = performance.now();
  let bot: Bot;
  try {
    bot = await startBot(config, {
      logger,
      httpPortFallback: true,
      externalChannels: false,
      alertChannels: [tradePrinter(write, options.out.columns)],
      strategyFlags: flags.strategyFlags,
      ...(flags.candles === undefined ? {} : { replayCandles: flags.candles }),
    });
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      write(error.message);
      return 2;
    }
    write(`The demo could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const replay = bot.replay;
  write(
    `  replaying ${replay?.total ?? 0} candle times from ${replay?.source ?? 'the store'} · HTTP ${bot.url} (try ${bot.url}/status, /health, /metrics)`,
  );
  write();
  const { report, lastCandleAt, interrupted } = await runToEnd(bot, options);
  const seconds = (performance.now() - wallStart) / 1000;
  write();
  printSummary(write, { config, bot, report, seconds, interrupted, lastCandleAt, dbPath });
  return 0;
}

/**
 * The demo's config (paper, replay of the bundled data, the demo database), the database replaced
 * unless `--resume`, the banner and the logger; or the exit code when it cannot run.
 */
function demoSetup(
  options: DemoOptions,
  flags: DemoFlags,
  write: (line?: string) => void,
): { config: Config; dbPath: string; logger: Logger } | number {
  const file = readEnvFile(options.envFile);
  const dbPath = flags.db ?? defaultDemoDbPath;
  const symbols = bundledDatasets.filter((set) => set.timeframe === '1h').map((set) => set.symbol);
  const env: Env = {
    ...mergeEnv(file.values, options.processEnv),
    MODE: 'paper',
    DATA_SOURCE: 'replay',
    REPLAY_DATA: 'bundled',
    SYMBOLS: symbols.join(','),
    INTERVAL: '1h',
    EXCHANGE: 'binance',
    DB_PATH: dbPath,
    SECRETS_SOURCE: 'env',
    ...(flags.speed === undefined ? {} : { DEMO_SPEED: String(flags.speed) }),
    ...(flags.strategy === undefined ? {} : { STRATEGY: flags.strategy }),
  };
  let config: Config;
  try {
    // Every key of the .env file must be one LumenLink reads (a misspelt safety key must not be
    // dropped without a word), as for the bot.
    if (file.issues.length > 0) {
      throw new ConfigError(file.issues, { title: `Invalid ${options.envFile}` });
    }
    config = loadConfig(env);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    write(error.message);
    write(`\nFix the keys above in .env or the environment and run the demo again.`);
    return 2;
  }
  if (!flags.resume && existsSync(dbPath)) {
    if (flags.db !== undefined && resolve(flags.db) !== resolve(defaultDemoDbPath)) {
      write(
        `${dbPath} exists: pass --resume to continue the run stored in it, or give a new file (the demo only replaces ${defaultDemoDbPath} by itself).`,
      );
      return 2;
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  }
  const speed = config.demo.speed;
  write(
    'LumenLink demo: paper trading (simulated fills, no order reaches the exchange) over replayed Binance 1h candles',
  );
  write(
    `  ${config.symbols.join(', ')} · strategy ${config.strategy} · starting cash ${formatMoney(config.paper.startingCash)} USDT · fees ${config.paper.feeBps} bps, slippage ${config.paper.slippageBps} bps`,
  );
  write(
    `  speed ${speed > 0 ? `${speed} candles/s` : 'as fast as possible'} (--speed N or DEMO_SPEED) · database ${dbPath}${flags.resume ? ' (resumed)' : ' (fresh)'}`,
  );
  if (config.killSwitch) {
    write('  KILL_SWITCH=true: the bot starts halted and places no order; unset it to see trades');
  }
  const levelSet = (options.processEnv['LOG_LEVEL'] ?? file.values['LOG_LEVEL']) !== undefined;
  const logger = createLogger({
    level: levelSet ? config.log.level : 'error',
    stream: options.log,
    secrets: configSecrets(config),
  });
  return { config, dbPath, logger };
}

/** Runs until the replay ends (and `onRunning` resolved) or Ctrl-C, then stops the bot. */
async function runToEnd(
  bot: Bot,
  options: DemoOptions,
): Promise<{ report: BotReport; lastCandleAt: number | null; interrupted: boolean }> {
  let interrupted = false;
  try {
    await Promise.all([
      new Promise<void>((done) => {
        void bot.replay?.finished.then(done);
        if (bot.replay === null) done();
        const abort = (): void => {
          interrupted = true;
          done();
        };
        if (options.signal?.aborted === true) abort();
        options.signal?.addEventListener('abort', abort, { once: true });
      }),
      options.onRunning?.(bot),
    ]);
    // The loops stop first, so the summary covers exactly what was processed.
    await bot.scheduler.stop();
    const report = await bot.report();
    const { lastCandleAt } = await bot.control.status();
    return { report, lastCandleAt, interrupted };
  } finally {
    await bot.stop();
  }
}

function parseFlags(argv: readonly string[]): DemoFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      speed: { type: 'string' },
      candles: { type: 'string' },
      db: { type: 'string' },
      resume: { type: 'boolean' },
      ...strategyFlagOptions,
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const number = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min) {
      throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const candles = number('candles', values.candles, 1);
  if (candles !== undefined && !Number.isInteger(candles)) {
    throw new Error(`--candles must be a whole number, got ${String(values.candles)}`);
  }
  if (values.db?.trim() === '') throw new Error('--db must be a file path');
  return {
    speed: number('speed', values.speed, 0),
    candles,
    db: values.db,
    resume: values.resume === true,
    help: values.help === true,
    strategy: values.strategy,
    strategyFlags: { paramsFile: values['params-file'], assignments: values.param },
  };
}

/** The alerts the demo prints: every fill, trading-state changes and errors. */
const printed = new Set<AlertEvent['type']>([
  'trade_opened',
  'trade_resized',
  'trade_closed',
  'trading_state_changed',
  'error',
]);

/** The demo's console channel: one line per fill (its reason in full), state change or error. */
function tradePrinter(write: (line: string) => void, columns: number | undefined): AlertChannel {
  const width = columns !== undefined && columns > 0 ? columns : undefined;
  return {
    name: 'demo',
    send(event: AlertEvent): Promise<void> {
      if (printed.has(event.type))
        write(formatAlertLine(event, width === undefined ? {} : { width }));
      return Promise.resolve();
    },
  };
}

interface SummaryInput {
  readonly config: Config;
  readonly bot: Bot;
  readonly report: BotReport;
  readonly seconds: number;
  readonly interrupted: boolean;
  readonly lastCandleAt: number | null;
  readonly dbPath: string;
}

function printSummary(write: (line?: string) => void, input: SummaryInput): void {
  const { config, bot, report, seconds, lastCandleAt } = input;
  const quote = symbolParts(config.symbols[0] ?? 'BTC-USDT').quote;
  const closed = report.trades.filter((trade) => trade.exitTime !== null);
  const open = report.trades.length - closed.length;
  const won = closed.filter((trade) => trade.pnl > 0).length;
  const equity = report.account.equity;
  const pnl = equity - report.startingCash;
  const firstTime = Math.min(
    ...[...(bot.replay?.candles.values() ?? [])].map((list) => list[0]?.time ?? Infinity),
  );
  write(input.interrupted ? 'Summary (interrupted: --resume continues it)' : 'Summary');
  write(
    `  Replayed     ${report.candlesProcessed} candles (${config.symbols.length} symbols) in ${seconds.toFixed(1)} s of wall time${lastCandleAt === null ? '' : `, ${formatTime(firstTime)} to ${formatTime(lastCandleAt)} UTC`}`,
  );
  write(
    `  Trades       ${closed.length} closed (${won} won, ${closed.length - won} lost or even), ${open} open`,
  );
  write(
    `  Result       ${formatMoney(pnl, { sign: true })} ${quote} (${formatPercent(pnl / report.startingCash, { sign: true })}): equity ${formatMoney(equity)} from ${formatMoney(report.startingCash)}, net of fees and slippage`,
  );
  if (bot.replay !== null && lastCandleAt !== null) {
    const period = { from: firstTime, to: lastCandleAt };
    const candles = Object.fromEntries(bot.replay.candles);
    const hold = buyAndHold({ candles, ...period, feeBps: config.paper.feeBps }).total;
    const { trades, startingCash } = report;
    const share = capitalExposure({ trades, ...period, interval: config.interval, startingCash });
    write(
      `  Buy & hold   ${formatPercent(hold, { sign: true })} with all the cash: equal parts of ${config.symbols.join(', ')}, first open to last close, fee both ways`,
    );
    write(
      `               ${formatPercent(share * hold, { sign: true })} at the same exposure: ${formatPercent(share)} of the cash in it, what the bot held on average (each trade at cost while open)`,
    );
  }
  const blocked = Object.entries(report.blocked).sort((a, b) => b[1] - a[1]);
  write(
    `  Not traded   ${blocked.length === 0 ? 'no signal was blocked' : blocked.map(([reason, count]) => `${reason} ${count}`).join(', ')}`,
  );
  write(`  Stored       ${report.orders} orders, ${report.fills} fills in ${input.dbPath}`);
  const { sources, params } = bot.strategy;
  const strategyParams =
    sources.length > 1 ? ` STRATEGY_PARAMS=${shellQuote(JSON.stringify(params))}` : '';
  write(
    `  Parity       SYMBOLS=${config.symbols.join(',')} INTERVAL=${config.interval} STRATEGY=${shellQuote(config.strategy)}${strategyParams} ${commandHint('parity')} --db ${shellQuote(input.dbPath)}`,
  );
  write('               replays the same candles through the backtester and compares the trades');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals += 1;
    if (signals > 1) process.exit(1);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runDemo({
    argv: process.argv.slice(2),
    processEnv: process.env,
    envFile: resolve(process.cwd(), '.env'),
    out: process.stdout,
    log: process.stderr,
    signal: controller.signal,
  });
  // Let the last log lines reach their stream, then exit even if a socket lingers.
  process.exitCode = code;
  setTimeout(() => process.exit(code), 500).unref();
}
