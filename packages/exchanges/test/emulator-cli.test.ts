/**
 * The emulator CLI (`pnpm emulator`, `lumenlink-exchange-emulator`): its flags, the random walk
 * with closed history that advances with the clock, faults from flags, and, as a child process
 * started through the committed bin launcher, what ccxt's real `binance` class gets from it.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ccxt, { type binance } from 'ccxt';
import { ManualClock, ValidationError } from '@lumenlink/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEmulatorArgs } from '../src/testing/cli-args.js';
import { runEmulatorCli, type EmulatorCliRun } from '../src/testing/cli.js';
import { pointCcxtAt, type EmulatorTrade } from '../src/testing/index.js';
import { startNodeProcess } from '../../../test-support/node-process.js';

const minuteMs = 60_000;
/** A wall-clock time in the middle of a minute, as the CLI meets it. */
const startAt = Date.UTC(2026, 0, 5, 12, 30, 20);

const runs: EmulatorCliRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.stop()));
});

/** Starts the CLI in this process on a free port; returns its run and every line it wrote. */
async function startCli(
  args: readonly string[],
  clock = new ManualClock(startAt),
): Promise<{ run: EmulatorCliRun; lines: string[]; clock: ManualClock }> {
  const lines: string[] = [];
  const run = await runEmulatorCli(
    ['--port', '0', ...args],
    { write: (text) => lines.push(text) },
    clock,
  );
  if (run === null) throw new Error('the CLI printed its usage and started nothing');
  runs.push(run);
  return { run, lines, clock };
}

function ccxtFor(url: string, apiKey = 'emulator-key', secret = 'emulator-secret'): binance {
  const exchange = new ccxt.binance({
    apiKey,
    secret,
    timeout: 5000,
    enableRateLimit: false,
    options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
  });
  pointCcxtAt(exchange, url);
  return exchange;
}

describe('flags', () => {
  it('defaults to port 8789, BTC/USDT and ETH/USDT, 1m candles with 500 closed, real time, 10000 USDT', () => {
    expect(parseEmulatorArgs([])).toEqual({
      help: false,
      json: false,
      quiet: false,
      port: 8789,
      apiKey: 'emulator-key',
      secret: 'emulator-secret',
      seed: 1,
      symbols: undefined,
      interval: '1m',
      history: 500,
      speed: 1,
      balances: undefined,
      faults: [],
      optionsFile: undefined,
    });
  });

  it('reads symbols in either form, balances as a list, and faults short or as JSON', () => {
    const settings = parseEmulatorArgs([
      '--symbols',
      'sol-usdt,BTC/USDT',
      '--balance',
      'USDT=500,btc=0.25',
      '--balance',
      'ETH=2',
      '--latency',
      '40',
      '--fault',
      'lose-response:times=1',
      '--fault',
      'hang:route=GET /api/v3/klines,times=2',
      '--fault',
      '{"kind":"reject","code":-2010,"msg":"Account has insufficient balance, for sure."}',
      '--fault',
      'clock-skew',
    ]);
    expect(settings.symbols).toEqual(['SOL/USDT', 'BTC/USDT']);
    expect(settings.balances).toEqual({ USDT: 500, BTC: 0.25, ETH: 2 });
    expect(settings.faults).toEqual([
      { kind: 'latency', ms: 40 },
      { kind: 'lose-response', times: 1 },
      { kind: 'hang', route: 'GET /api/v3/klines', times: 2 },
      { kind: 'reject', code: -2010, msg: 'Account has insufficient balance, for sure.' },
      { kind: 'clock-skew' },
    ]);
  });

  it.each([
    [['--port', '70000'], /--port must be an integer from 0 to 65535, got "70000"/],
    [['--interval', '2m'], /--interval must be one of 1s, 1m, .*, got "2m"/],
    [['--speed', '0'], /--speed must be a number above 0/],
    [['--history', '0'], /--history must be at least 1/],
    [['--symbols', 'BTCUSDT'], /--symbols must be a comma list .* got "BTCUSDT"/],
    [['--balance', 'USDT'], /--balance must be ASSET=amount .* got "USDT"/],
    [['--balance', 'USDT=-5'], /--balance must be ASSET=amount/],
    [
      ['--fault', 'status:status=502'],
      /--fault "status:status=502".status must be one of 429, 418/,
    ],
    [['--fault', 'explode'], /--fault "explode".kind must be one of latency, delay-reply/],
    [['--fault', 'lose-response:times'], /"times" is not key=value/],
    [['--fault', '{"kind":'], /--fault "\{"kind":": not valid JSON/],
    [['--api-key', 'two words'], /--api-key must be a non-empty text without spaces/],
    [['--colour', 'red'], /Unknown option '--colour'/],
  ])('refuses %j naming the flag', (args, message) => {
    expect(() => parseEmulatorArgs(args)).toThrow(ValidationError);
    expect(() => parseEmulatorArgs(args)).toThrow(message);
    expect(() => parseEmulatorArgs(args)).toThrow(/\(--help lists the flags\)$/);
  });
});

describe('runEmulatorCli', () => {
  it('serves the closed history and the forming candle, then a candle more each interval', async () => {
    const { run, lines, clock } = await startCli(['--history', '300', '--quiet']);
    const exchange = ccxtFor(run.emulator.url);
    const candles = await exchange.fetchOHLCV('BTC/USDT', '1m', undefined, 1000);
    const forming = Math.floor(startAt / minuteMs) * minuteMs;
    expect(candles).toHaveLength(301);
    expect(candles.at(-1)?.[0]).toBe(forming);
    expect(candles[0]?.[0]).toBe(forming - 300 * minuteMs);
    expect((await exchange.fetchOHLCV('ETH/USDT', '1m', undefined, 1000)).length).toBe(301);
    await expect(exchange.fetchOHLCV('SOL/USDT', '1m')).rejects.toThrow(/does not have market/);

    clock.moveTo(startAt + 2 * minuteMs);
    const later = await exchange.fetchOHLCV('BTC/USDT', '1m', undefined, 1000);
    expect(later.map((candle) => candle[0])).toEqual([
      ...candles.map((candle) => candle[0]),
      forming + minuteMs,
      forming + 2 * minuteMs,
    ]);
    // The candles closed before are not rewritten; the price follows the newest candle.
    expect(later.slice(0, 300)).toEqual(candles.slice(0, 300));
    expect(run.emulator.price('BTC/USDT')).toBe(later.at(-1)?.[4]);

    const text = lines.join('');
    expect(text).toContain(`LumenLink exchange emulator (Binance spot API) at ${run.emulator.url}`);
    expect(text).toContain(
      '1m, seeded random walk (seed 1), 300 closed before now, then real time',
    );
    expect(text).toContain('API key   emulator-key');
    expect(text).toContain('secret    emulator-secret');
    const envBlock = [
      'EXCHANGE=binance',
      `EXCHANGE_API_URL=${run.emulator.url}`,
      'EXCHANGE_API_KEY=emulator-key',
      'EXCHANGE_API_SECRET=emulator-secret',
      'SYMBOLS=BTC-USDT,ETH-USDT',
      'INTERVAL=1m',
      'DB_PATH=./data/emulator.db',
    ].map((line) => `  ${line}\n`);
    expect(text).toContain(envBlock.join(''));
  });

  it('walks the same candles for the same seed, other ones for another seed', async () => {
    const closes = async (seed: string): Promise<number[]> => {
      const { run } = await startCli(['--seed', seed, '--history', '50', '--quiet']);
      const candles = await ccxtFor(run.emulator.url).fetchOHLCV('BTC/USDT', '1m');
      return candles.map((candle) => candle[4] ?? 0);
    };
    const first = await closes('7');
    expect(await closes('7')).toEqual(first);
    expect(await closes('8')).not.toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(40);
  });

  it('runs the clock --speed times faster from the start, history unchanged', async () => {
    const { run, clock } = await startCli(['--speed', '60', '--history', '10', '--quiet']);
    const exchange = ccxtFor(run.emulator.url);
    expect(await exchange.fetchOHLCV('BTC/USDT', '1m')).toHaveLength(11);
    clock.moveTo(startAt + 5_000); // five minutes of emulator time
    expect(await exchange.fetchOHLCV('BTC/USDT', '1m')).toHaveLength(16);
    expect((await exchange.fetchTime()) ?? 0).toBe(startAt + 5 * minuteMs);
  });

  it('fills orders against the balances of --balance, checks the keys, and prints a line per fill', async () => {
    const { run, lines } = await startCli([
      '--symbols',
      'SOL-USDT',
      '--balance',
      'USDT=1000',
      '--api-key',
      'my-key',
      '--secret',
      'my-secret',
    ]);
    const exchange = ccxtFor(run.emulator.url, 'my-key', 'my-secret');
    expect((await exchange.fetchBalance())['USDT']?.free).toBe(1000);
    const order = await exchange.createOrder('SOL/USDT', 'market', 'buy', 1, undefined, {
      clientOrderId: 'cli-test-1',
    });
    expect(order.status).toBe('closed');
    expect(order.filled).toBe(1);
    await expect(
      ccxtFor(run.emulator.url, 'my-key', 'wrong').fetchBalance(),
    ).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect
      .poll(() => lines.join(''), { timeout: 5000 })
      .toMatch(
        /\d\d:\d\d:\d\d fill SOL\/USDT buy 1 @ [\d.]+, fee 0\.001 SOL \(order cli-test-1\)\n/,
      );
    expect(run.env['SYMBOLS']).toBe('SOL-USDT');
  });

  it('injects the faults of the flags at the start', async () => {
    const { run } = await startCli([
      '--quiet',
      '--fault',
      'status:status=503,times=1',
      '--fault',
      'lose-response:times=1',
    ]);
    const exchange = ccxtFor(run.emulator.url);
    await expect(exchange.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );
    await exchange.loadMarkets(true);
    const placing = exchange.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
      clientOrderId: 'lost-1',
    });
    await expect(placing).rejects.toBeInstanceOf(ccxt.NetworkError);
    expect(run.emulator.orders().map((order) => order.clientOrderId)).toEqual(['lost-1']);
  });

  it('prints one JSON line with --json, and reads markets, balances and depth from --options', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
    try {
      const optionsPath = join(directory, 'options.json');
      await writeFile(
        optionsPath,
        JSON.stringify({
          markets: [
            {
              symbol: 'DOGE/USDT',
              base: 'DOGE',
              quote: 'USDT',
              tickSize: 0.00001,
              stepSize: 1,
              minQty: 1,
              minNotional: 1,
              price: 0.2,
            },
          ],
          balances: { USDT: 1_234 },
          depthLevels: 3,
        }),
      );
      const { run, lines } = await startCli(['--json', '--options', optionsPath]);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toEqual({
        url: run.emulator.url,
        apiKey: 'emulator-key',
        secret: 'emulator-secret',
        env: {
          EXCHANGE: 'binance',
          EXCHANGE_API_URL: run.emulator.url,
          EXCHANGE_API_KEY: 'emulator-key',
          EXCHANGE_API_SECRET: 'emulator-secret',
          SYMBOLS: 'DOGE-USDT',
          INTERVAL: '1m',
          DB_PATH: './data/emulator.db',
        },
      });
      const exchange = ccxtFor(run.emulator.url);
      expect((await exchange.fetchBalance())['USDT']?.free).toBe(1_234);
      expect((await exchange.fetchOrderBook('DOGE/USDT')).asks).toHaveLength(3);
      expect(await exchange.fetchOHLCV('DOGE/USDT', '1m', undefined, 1000)).toHaveLength(501);

      await writeFile(optionsPath, JSON.stringify({ port: 9000 }));
      await expect(startCli(['--options', optionsPath])).rejects.toThrow(
        /"port" is set by --port on the command line; remove it from the file/,
      );
      await expect(startCli(['--options', join(directory, 'missing.json')])).rejects.toThrow(
        /--options: cannot read JSON from/,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('names the markets it has for an unknown symbol, and a port in use', async () => {
    await expect(startCli(['--symbols', 'DOGE/USDT'])).rejects.toThrow(
      /--symbols: DOGE\/USDT is not a market of the emulator \(BTC\/USDT, ETH\/USDT, SOL\/USDT\); add markets with --options/,
    );
    const { run } = await startCli(['--quiet']);
    const port = new URL(run.emulator.url).port;
    await expect(
      runEmulatorCli(['--port', port], { write: () => true }, new ManualClock(startAt)),
    ).rejects.toThrow(`port ${port} on 127.0.0.1 is in use`);
  });

  it('prints the usage for --help and starts nothing', async () => {
    const lines: string[] = [];
    expect(await runEmulatorCli(['--help'], { write: (text) => lines.push(text) })).toBeNull();
    expect(lines.join('')).toMatch(/^Usage: pnpm emulator \[flags\]/);
    expect(lines.join('')).toContain('--fault F');
  });
});

describe('as a child process (the bin launcher)', () => {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const launcher = join(packageDir, 'bin', 'lumenlink-exchange-emulator.js');
  const children: ChildProcess[] = [];

  beforeAll(() => {
    // turbo builds the dependencies before the tests; the package's own dist is built here.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: packageDir });
  });

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** A port that was free a moment ago. */
  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  function start(args: readonly string[]): {
    child: ChildProcess;
    lines: string[];
    exited: Promise<number | null>;
  } {
    const { child, lines, exited } = startNodeProcess([launcher, ...args]);
    children.push(child);
    return { child, lines, exited: exited.then(({ code }) => code) };
  }

  it('listens on the port given, serves history that advances, fills a ccxt order, stops on SIGTERM', async () => {
    const port = await freePort();
    const { child, lines, exited } = start([
      '--port',
      String(port),
      '--json',
      '--history',
      '400',
      '--speed',
      '120',
    ]);
    await expect.poll(() => lines.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const ready = JSON.parse(lines[0] ?? '') as { url: string; env: Record<string, string> };
    expect(ready.url).toBe(`http://127.0.0.1:${port}`);
    expect(ready.env['EXCHANGE_API_URL']).toBe(ready.url);

    const exchange = ccxtFor(
      ready.url,
      ready.env['EXCHANGE_API_KEY'],
      ready.env['EXCHANGE_API_SECRET'],
    );
    const first = await exchange.fetchOHLCV('BTC/USDT', '1m', undefined, 1000);
    expect(first.length).toBeGreaterThanOrEqual(401);
    // At 120x a minute candle closes every half second.
    await expect
      .poll(async () => (await exchange.fetchOHLCV('BTC/USDT', '1m', undefined, 1000)).length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(first.length + 2);

    const order = await exchange.createOrder('ETH/USDT', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 'child-1',
    });
    expect(order).toMatchObject({ status: 'closed', filled: 0.01 });
    await expect.poll(() => lines.length, { timeout: 5000 }).toBe(2);
    const fills = lines.slice(1).map((line) => (JSON.parse(line) as { fill: EmulatorTrade }).fill);
    expect(fills).toMatchObject([
      { clientOrderId: 'child-1', symbol: 'ETH/USDT', side: 'buy', quantity: 0.01 },
    ]);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 2 naming a bad flag, and 0 after --help', async () => {
    const bad = start(['--interval', '7m']);
    expect(await bad.exited).toBe(2);
    expect(bad.lines.join('\n')).toMatch(/--interval must be one of/);
    const help = start(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.lines[0]).toMatch(/^Usage: pnpm emulator/);
  });
});
