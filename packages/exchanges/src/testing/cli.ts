#!/usr/bin/env node
/**
 * The exchange emulator as a process (`pnpm emulator`, `lumenlink-exchange-emulator`): a seeded
 * random walk of candles with closed history before the start, advancing in real time (or
 * `--speed` times faster), the bot's `.env` lines, faults from flags, and a line per fill. The
 * flags are in {@link emulatorUsage}; the walk-through is docs/emulator.md.
 *
 *   node dist/testing/cli.js [--port 8789] [--symbols BTC/USDT,ETH/USDT] [--interval 1m] ...
 *
 * It serves until SIGINT or SIGTERM. With `--json` it prints one JSON line
 * `{"url":"http://127.0.0.1:<port>","apiKey":...,"secret":...,"env":{...}}` once it listens,
 * then one `{"fill":{...}}` line per fill.
 */
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isTimeframe, systemClock, ValidationError, type Clock } from '@lumenlink/core';
import { candleOpenAt, klineIntervals } from './candles.js';
import { emulatorUsage, parseEmulatorArgs, type EmulatorCliSettings } from './cli-args.js';
import { defaultEmulatorMarkets, resolveMarkets } from './markets.js';
import { startExchangeEmulator } from './server.js';
import type { EmulatorMarket, EmulatorOptions, EmulatorTrade, ExchangeEmulator } from './types.js';
import { invalid, isRecord } from './validate.js';

/** Where the CLI writes its lines. */
export interface CliOutput {
  write(text: string): unknown;
}

/** A running emulator of the CLI. */
export interface EmulatorCliRun {
  readonly emulator: ExchangeEmulator;
  /** The bot's env lines for this emulator, in print order. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the fill lines and closes the emulator. */
  stop(): Promise<void>;
}

const defaultSymbols = ['BTC/USDT', 'ETH/USDT'];
/** Wall-clock time the random walk lasts at least (then the last candle's price holds). */
const feedWallMs = 7 * 24 * 3_600_000;
/** Most candles generated per market, whatever the speed. */
const maxCandles = 100_000;
/** Options the flags set, never the options file. */
const flagOwned: Readonly<Record<string, string>> = {
  port: '--port',
  apiKey: '--api-key',
  secret: '--secret',
  randomWalk: '--seed, --interval and --history',
  now: '--speed',
};

async function readOptionsFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ValidationError(
      `--options: cannot read JSON from "${path}" (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  if (!isRecord(parsed))
    invalid(`--options file ${path}`, 'a JSON object of EmulatorOptions', parsed);
  const owned = Object.keys(parsed).find((key) => flagOwned[key] !== undefined);
  if (owned !== undefined) {
    throw new ValidationError(
      `--options file ${path}: "${owned}" is set by ${flagOwned[owned]} on the command line; remove it from the file`,
    );
  }
  return parsed;
}

/** The listed markets: the file's (or the defaults) narrowed to `--symbols`. */
function chooseMarkets(
  settings: EmulatorCliSettings,
  fileMarkets: unknown,
): readonly EmulatorMarket[] {
  const available: readonly EmulatorMarket[] =
    fileMarkets === undefined ? defaultEmulatorMarkets : resolveMarkets(fileMarkets);
  const wanted = settings.symbols ?? (fileMarkets === undefined ? defaultSymbols : undefined);
  if (wanted === undefined) return available;
  return wanted.map((symbol) => {
    const market = available.find((candidate) => candidate.symbol === symbol);
    if (market === undefined) {
      throw new ValidationError(
        `--symbols: ${symbol} is not a market of the emulator (${available.map((listed) => listed.symbol).join(', ')}); add markets with --options`,
      );
    }
    return market;
  });
}

/** The walk's candle count: the history, then enough for a week of wall time, within the cap. */
function walkCount(settings: EmulatorCliSettings, intervalMs: number): number {
  const future = Math.ceil((feedWallMs * settings.speed) / intervalMs) + 1;
  return Math.min(settings.history + future, Math.max(maxCandles, settings.history + 2));
}

/** The bot's env lines for an emulator at `url`. */
function botEnv(
  settings: EmulatorCliSettings,
  url: string,
  markets: readonly EmulatorMarket[],
): Record<string, string> {
  return {
    EXCHANGE: 'binance',
    EXCHANGE_API_URL: url,
    EXCHANGE_API_KEY: settings.apiKey,
    EXCHANGE_API_SECRET: settings.secret,
    SYMBOLS: markets.map((market) => `${market.base}-${market.quote}`).join(','),
    ...(isTimeframe(settings.interval) ? { INTERVAL: settings.interval } : {}),
    DB_PATH: './data/emulator.db',
  };
}

/** A number as text, without trailing zeros: 0.00041, 60012.35. */
function short(value: number): string {
  return value.toFixed(8).replace(/\.?0+$/, '');
}

function utc(time: number): string {
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function fillLine(trade: EmulatorTrade): string {
  const time = new Date(trade.time).toISOString().slice(11, 19);
  return `${time} fill ${trade.symbol} ${trade.side} ${short(trade.quantity)} @ ${short(trade.price)}, fee ${short(trade.fee)} ${trade.feeAsset} (order ${trade.clientOrderId})\n`;
}

function banner(
  settings: EmulatorCliSettings,
  emulator: ExchangeEmulator,
  markets: readonly EmulatorMarket[],
  env: Readonly<Record<string, string>>,
  feedEndsAt: number,
): string {
  const prices = markets
    .map((market) => `${market.symbol} ${short(emulator.price(market.symbol))}`)
    .join(', ');
  const balances = Object.entries(emulator.balances())
    .map(([asset, { free }]) => `${asset} ${short(free)}`)
    .join(', ');
  const pace = settings.speed === 1 ? 'real time' : `${settings.speed}x real time`;
  const faults = settings.faults.map((fault) => JSON.stringify(fault)).join(', ');
  const lines = [
    `LumenLink exchange emulator (Binance spot API) at ${emulator.url}`,
    `  markets   ${prices}`,
    `  candles   ${settings.interval}, seeded random walk (seed ${settings.seed}), ${settings.history} closed before now, then ${pace} until ${utc(feedEndsAt)}`,
    `  balances  ${balances}`,
    `  API key   ${settings.apiKey}`,
    `  secret    ${settings.secret}`,
    ...(faults === '' ? [] : [`  faults    ${faults}`]),
    '',
    'Point the bot at it (paste into .env, or prefix the command with them):',
    ...Object.entries(env).map(([key, value]) => `  ${key}=${value}`),
    ...(env['INTERVAL'] === undefined
      ? [`  (the bot's INTERVAL cannot be ${settings.interval}: it takes minutes and longer)`]
      : []),
    '',
    'then: pnpm paper   (or pnpm live; see docs/emulator.md)',
    `Faults: curl -s -X POST ${emulator.url}/__emulator/fault -d '{"kind":"lose-response","times":1}'`,
    `State:  curl -s ${emulator.url}/__emulator/state`,
    'Ctrl-C stops it. Fills:',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Parses the command line, starts the emulator, injects the flags' faults and writes the banner
 * (or the `--json` line) to `output`, then a line per fill. `--help` writes the usage and
 * resolves `null`.
 *
 * @throws {ValidationError} for a bad flag or options file, with the usage.
 * @throws {Error} when the port is in use.
 */
export async function runEmulatorCli(
  args: readonly string[],
  output: CliOutput,
  clock: Clock = systemClock,
): Promise<EmulatorCliRun | null> {
  const settings = parseEmulatorArgs(args);
  if (settings.help) {
    output.write(`${emulatorUsage}\n`);
    return null;
  }
  const fromFile =
    settings.optionsFile === undefined ? {} : await readOptionsFile(settings.optionsFile);
  const markets = chooseMarkets(settings, fromFile['markets']);
  const intervalMs = klineIntervals[settings.interval]!;
  const origin = clock.now();
  const start = candleOpenAt(origin, intervalMs) - settings.history * intervalMs;
  const count = walkCount(settings, intervalMs);
  const speed = settings.speed;
  const options = {
    ...fromFile,
    markets,
    balances: settings.balances ?? fromFile['balances'] ?? { USDT: 10_000 },
    randomWalk: { seed: settings.seed, intervalMs, count, start },
    now: speed === 1 ? () => clock.now() : () => origin + (clock.now() - origin) * speed,
    apiKey: settings.apiKey,
    secret: settings.secret,
    port: settings.port,
  } as EmulatorOptions;
  let emulator: ExchangeEmulator;
  try {
    emulator = await startExchangeEmulator(options);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EADDRINUSE') {
      throw new Error(
        `port ${settings.port} on 127.0.0.1 is in use (another emulator, or the bot?): stop it, or pass --port N (0 picks a free port)`,
        { cause: error },
      );
    }
    throw error;
  }
  for (const fault of settings.faults) emulator.inject(fault);
  const env = botEnv(settings, emulator.url, markets);
  const feedEndsAt = origin + (start + count * intervalMs - origin) / speed;
  output.write(
    settings.json
      ? `${JSON.stringify({ url: emulator.url, apiKey: settings.apiKey, secret: settings.secret, env })}\n`
      : banner(settings, emulator, markets, env, feedEndsAt),
  );
  let printed = 0;
  const watcher = setInterval(() => {
    const trades = emulator.trades();
    for (const trade of trades.slice(printed)) {
      if (!settings.quiet)
        output.write(settings.json ? `${JSON.stringify({ fill: trade })}\n` : fillLine(trade));
    }
    printed = trades.length;
  }, 250);
  watcher.unref();
  return {
    emulator,
    env,
    async stop() {
      clearInterval(watcher);
      await emulator.close();
    },
  };
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

/**
 * Runs the CLI as a process until SIGINT or SIGTERM: exit code 0 after a clean stop or `--help`,
 * 2 for a bad flag or options file, 1 when it cannot start (the port is in use).
 */
export function emulatorMain(args: readonly string[]): void {
  runEmulatorCli(args, process.stdout).then(
    (run) => {
      if (run === null) return;
      const stop = (): void => {
        void run.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(ValidationError.isInstance(error) ? 2 : 1);
    },
  );
}

if (isMainModule()) emulatorMain(process.argv.slice(2));
