/**
 * The command line of the emulator CLI (`pnpm emulator`, `lumenlink-exchange-emulator`): flags
 * parsed and checked into {@link EmulatorCliSettings}, before anything starts.
 */
import { parseArgs } from 'node:util';
import { ValidationError } from '@lumenlink/core';
import { klineIntervals } from './candles.js';
import { parseFault } from './faults.js';
import type { EmulatorFault } from './types.js';

/** The port `pnpm emulator` listens on by default (the bot's HTTP server takes 8787). */
const defaultEmulatorPort = 8789;

/** What the emulator CLI runs with. */
export interface EmulatorCliSettings {
  /** `--help`: print the usage and start nothing. */
  readonly help: boolean;
  /** `--json`: one JSON line when listening, then one per fill, instead of the text banner. */
  readonly json: boolean;
  /** `--quiet`: no line per fill. */
  readonly quiet: boolean;
  readonly port: number;
  readonly apiKey: string;
  readonly secret: string;
  readonly seed: number;
  /** ccxt style (`BTC/USDT`); `undefined`: BTC/USDT and ETH/USDT, or every market of the options file. */
  readonly symbols: readonly string[] | undefined;
  /** Candle interval of the random walk, a Binance interval name such as `1m`. */
  readonly interval: string;
  /** Closed candles before the start. */
  readonly history: number;
  /** Emulator seconds per wall-clock second. */
  readonly speed: number;
  /** `undefined`: the options file's balances, or 10000 USDT. */
  readonly balances: Readonly<Record<string, number>> | undefined;
  /** Faults injected at the start, in order. */
  readonly faults: readonly EmulatorFault[];
  /** An `EmulatorOptions` JSON file (markets, balances, candles, candlesCsv, depthLevels). */
  readonly optionsFile: string | undefined;
}

/** The CLI's usage text. */
export const emulatorUsage = `Usage: pnpm emulator [flags]     (or: lumenlink-exchange-emulator [flags])

A local Binance spot exchange for the bot and for scripts: ccxt's binance class talks to it
unchanged. It serves a seeded random walk of candles (with --history closed candles before
the start, then one more each interval), an order book around each price, balances, orders and
fills, and injects faults. It prints its URL, its API key and secret, and the .env lines that
point the bot at it; then one line per fill until Ctrl-C. See docs/emulator.md.

  --port N         port on 127.0.0.1 (default ${defaultEmulatorPort}; 0 picks a free one)
  --symbols LIST   markets, e.g. BTC/USDT,ETH/USDT (default; also SOL/USDT, or the options
                   file's markets); BTC-USDT is accepted too
  --interval I     candle interval: ${Object.keys(klineIntervals).join(', ')} (default 1m)
  --history N      closed candles before the start, for indicator warm-up (default 500)
  --seed N         seed of the random walk: the same seed gives the same candles (default 1)
  --speed X        emulator seconds per wall-clock second (default 1); above 1 candles close
                   faster than real time: for scripts, not for the bot (it closes candles on
                   its own clock)
  --balance A=N    starting balances, e.g. USDT=10000,BTC=0.5 (default USDT=10000; repeatable)
  --api-key K      API key signed requests must carry (default emulator-key)
  --secret S       the HMAC secret that goes with it (default emulator-secret)
  --latency MS     delay every answer by MS milliseconds
  --fault F        inject a fault at the start (repeatable): KIND or KIND:key=value,... or
                   the JSON of one, e.g. lose-response:times=1, status:status=503,times=3,
                   drop-order:times=1, partial-fill:ratio=0.5,times=1, clock-skew:times=2,
                   not-found:forMs=5000, hang:route=GET /api/v3/klines,times=1.
                   Kinds: latency, delay-reply, status, hang, lose-response, drop-order,
                   not-found, partial-fill, reject, clock-skew, malformed, wrong-symbol, price.
                   Without times a fault lasts until POST /__emulator/clear.
  --options FILE   EmulatorOptions JSON: markets, balances, candles, candlesCsv, depthLevels
  --json           print one JSON line when listening ({ url, apiKey, secret, env }), then one
                   ({ fill }) per fill
  --quiet          no line per fill
  --help           this text

While it runs: POST /__emulator/fault (a fault's JSON), POST /__emulator/clear,
POST /__emulator/price ({"symbol":"BTC/USDT","price":55000}), GET /__emulator/state.`;

function fail(message: string): never {
  throw new ValidationError(`${message} (--help lists the flags)`);
}

function integerFlag(
  text: string | undefined,
  flag: string,
  fallback: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) {
    fail(`${flag} must be an integer from 0 to ${max}, got "${text}"`);
  }
  return value;
}

const symbolPattern = /^([A-Z0-9]{1,20})[/-]([A-Z0-9]{1,20})$/;

function parseSymbols(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const symbols = text.split(',').map((entry) => entry.trim().toUpperCase());
  const bad = symbols.find((symbol) => !symbolPattern.test(symbol));
  if (bad !== undefined) {
    fail(`--symbols must be a comma list of markets such as BTC/USDT,ETH/USDT, got "${bad}"`);
  }
  return [...new Set(symbols.map((symbol) => symbol.replace('-', '/')))];
}

function parseBalances(texts: readonly string[] | undefined): Record<string, number> | undefined {
  if (texts === undefined || texts.length === 0) return undefined;
  const balances: Record<string, number> = {};
  for (const entry of texts.flatMap((text) => text.split(','))) {
    const match = /^\s*([A-Za-z0-9]{1,20})\s*=\s*(\S+)\s*$/.exec(entry);
    const amount = Number(match?.[2]);
    if (match === null || !Number.isFinite(amount) || amount < 0) {
      fail(`--balance must be ASSET=amount (amount >= 0), e.g. USDT=10000, got "${entry}"`);
    }
    balances[match[1]!.toUpperCase()] = amount;
  }
  return balances;
}

/** A short-form fault value: a number, true or false, or the text. */
function shortValue(text: string): unknown {
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/**
 * A `--fault` value: the JSON of an `EmulatorFault`, or `KIND` or `KIND:key=value,key=value`.
 *
 * @throws {ValidationError} naming the flag and what it accepts.
 */
function parseFaultFlag(text: string): EmulatorFault {
  const field = `--fault "${text}"`;
  let value: unknown;
  if (text.trimStart().startsWith('{')) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(`${field}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  } else {
    const colon = text.indexOf(':');
    const kind = colon < 0 ? text : text.slice(0, colon);
    const fields: Record<string, unknown> = { kind: kind.trim() };
    const rest = colon < 0 ? '' : text.slice(colon + 1);
    for (const pair of rest === '' ? [] : rest.split(',')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) fail(`${field}: "${pair}" is not key=value`);
      fields[pair.slice(0, equals).trim()] = shortValue(pair.slice(equals + 1).trim());
    }
    value = fields;
  }
  try {
    return parseFault(value, field);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

const flagOptions = {
  port: { type: 'string' },
  symbols: { type: 'string' },
  interval: { type: 'string' },
  history: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  balance: { type: 'string', multiple: true },
  'api-key': { type: 'string' },
  secret: { type: 'string' },
  latency: { type: 'string' },
  fault: { type: 'string', multiple: true },
  options: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseFlags(args: string[]) {
  return parseArgs({ args, options: flagOptions, strict: true, allowPositionals: false }).values;
}

/**
 * Parses the emulator CLI's flags.
 *
 * @example
 * ```ts
 * parseEmulatorArgs(['--port', '0', '--fault', 'lose-response:times=1']).faults;
 * // [{ kind: 'lose-response', times: 1 }]
 * ```
 * @throws {ValidationError} naming the flag at fault and what it accepts.
 */
export function parseEmulatorArgs(args: readonly string[]): EmulatorCliSettings {
  let values: ReturnType<typeof parseFlags>;
  try {
    values = parseFlags([...args]);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const interval = values.interval ?? '1m';
  if (klineIntervals[interval] === undefined) {
    fail(`--interval must be one of ${Object.keys(klineIntervals).join(', ')}, got "${interval}"`);
  }
  const speedText = values.speed ?? '1';
  const speed = Number(speedText);
  if (!/^\d+(\.\d+)?$/.test(speedText) || !(speed > 0) || speed > 100_000) {
    fail(`--speed must be a number above 0 and at most 100000, got "${speedText}"`);
  }
  const history = integerFlag(values.history, '--history', 500, 100_000);
  if (history < 1) fail('--history must be at least 1: the bot warms up on past candles');
  for (const [flag, text] of [
    ['--api-key', values['api-key']],
    ['--secret', values.secret],
  ] as const) {
    if (text !== undefined && !/^\S+$/.test(text)) {
      fail(`${flag} must be a non-empty text without spaces, got "${text}"`);
    }
  }
  const latency =
    values.latency === undefined
      ? []
      : [
          {
            kind: 'latency',
            ms: integerFlag(values.latency, '--latency', 0, 600_000),
          } as const,
        ];
  return {
    help: values.help === true,
    json: values.json === true,
    quiet: values.quiet === true,
    port: integerFlag(values.port, '--port', defaultEmulatorPort, 65_535),
    apiKey: values['api-key'] ?? 'emulator-key',
    secret: values.secret ?? 'emulator-secret',
    seed: integerFlag(values.seed, '--seed', 1, 2 ** 32 - 1),
    symbols: parseSymbols(values.symbols),
    interval,
    history,
    speed,
    balances: parseBalances(values.balance),
    faults: [...latency, ...(values.fault ?? []).map(parseFaultFlag)],
    optionsFile: values.options,
  };
}
