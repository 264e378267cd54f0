/**
 * A user's own strategy file, outside the workspace, run by the bot: the demo and paper trading
 * (against the exchange emulator) load it with `STRATEGY_PARAMS`, `--params-file` and `--param`,
 * show it in `/status`, record it in the database's `runs`, and `pnpm parity` replays exactly
 * that run. A strategy that throws on one symbol leaves the others trading.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ParityReport } from '@lumenlink/analysis';
import {
  silentLogger,
  type Candle,
  type LogFields,
  type Logger,
  type SymbolId,
} from '@lumenlink/core';
import { loadConfig } from '@lumenlink/config';
import { loadBundledCandles, openStore, type RunRecord } from '@lumenlink/data';
import { startExchangeEmulator } from '@lumenlink/exchanges/testing';
import { startBot } from '../src/bot.js';
import { runDemo, type DemoOptions } from '../src/demo.js';
import { runBot } from '../src/main.js';
import { runParityCli } from '../src/parity-cli.js';
import { bundledSymbols, replayEnv, request, seedDatabase, tempDir, waitFor } from './helpers.js';
import { strategySource, userFolder } from './user-folder.js';

const user = userFolder();
afterAll(() => user.remove());
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

async function demo(
  argv: readonly string[],
  processEnv: Record<string, string>,
  onRunning?: DemoOptions['onRunning'],
): Promise<{ code: number; out: string }> {
  const out = collect();
  const code = await runDemo({
    argv,
    processEnv: { HTTP_PORT: '0', ...processEnv },
    envFile: join(tempDir('lumenlink-own-'), '.env'),
    out: out.stream,
    log: collect().stream,
    ...(onRunning === undefined ? {} : { onRunning }),
  });
  return { code, out: out.text() };
}

async function parity(
  dbPath: string,
  env: Record<string, string>,
  flags: readonly string[] = [],
): Promise<{ code: number; out: string; err: string }> {
  const out = collect();
  const err = collect();
  const code = await runParityCli({
    argv: ['--db', dbPath, '--json', ...flags],
    envFile: join(tempDir('lumenlink-own-'), '.env'),
    processEnv: env,
    out: out.stream,
    err: err.stream,
  });
  return { code, out: out.text(), err: err.text() };
}

async function latestRun(dbPath: string): Promise<RunRecord | null> {
  const store = await openStore({ path: dbPath });
  try {
    return await store.runs.latestRun();
  } finally {
    await store.close();
  }
}

/** `KEY=value` words of a printed shell command, single quotes undone. */
function commandEnv(line: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of line.matchAll(/([A-Z_]+)=('(?:[^']|'\\'')*'|\S+)/g)) {
    const raw = match[2]!;
    env[match[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replaceAll("'\\''", "'") : raw;
  }
  return env;
}

describe('the demo with a strategy file and its parameters', () => {
  const file = user.write('strategies/idea.ts', strategySource());
  const paramsFile = user.write('idea.params.json', '{"minRise": 0.02}\n');

  it('runs it, shows it in /status, records it in runs, and parity replays that run', async () => {
    const dbPath = join(tempDir('lumenlink-own-'), 'demo.db');
    let status: Record<string, unknown> | undefined;
    const { code, out } = await demo(
      ['--candles', '400', '--db', dbPath, '--param', 'note=hello'],
      { STRATEGY: file, STRATEGY_PARAMS: paramsFile },
      async (bot) => {
        status = (await request(`${bot.url}/status`)).body as Record<string, unknown>;
      },
    );
    expect(code).toBe(0);
    const params = { minRise: 0.02, note: 'hello' };
    expect(status?.['strategy']).toEqual({
      id: 'my_idea',
      label: `my_idea (${file})`,
      source: { spec: file, kind: 'file', path: file, exportName: 'default', sha256: sha256(file) },
      params,
    });
    expect(out).toMatch(/BUY +\S+/);

    const run = await latestRun(dbPath);
    expect(run).toMatchObject({
      mode: 'paper',
      provenance: {
        strategy: { kind: 'file', key: 'my_idea', path: file, sha256: sha256(file) },
        params,
        settings: {
          symbols: [...bundledSymbols],
          interval: '1h',
          paper: { feeBps: 10, slippageBps: 5, startingCash: 10_000 },
          data: { source: 'replay', replayData: 'bundled' },
        },
        data: { symbols: [...bundledSymbols], interval: '1h', candles: 1200 },
      },
    });
    expect(run?.provenance.data?.sha256).toMatch(/^[0-9a-f]{64}$/);

    // The command the demo prints reproduces the run: zero differences.
    const line = out.split('\n').find((text) => text.includes('pnpm parity --db')) ?? '';
    const env = commandEnv(line);
    expect(env).toMatchObject({ STRATEGY: file, STRATEGY_PARAMS: JSON.stringify(params) });
    const same = await parity(dbPath, env);
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
    const report = JSON.parse(same.out) as ParityReport;
    expect(report.differences).toEqual([]);
    expect(report.bot.trades).toBeGreaterThan(3);
    expect(report.matched).toBe(report.bot.trades);
    // With none of them set (pnpm parity --db FILE), the recorded run is replayed all the same.
    const bare = await parity(dbPath, {});
    expect(bare.err).toBe('');
    expect(bare.code).toBe(0);
    expect((JSON.parse(bare.out) as ParityReport).symbols).toEqual([...bundledSymbols]);
    // A .env changed since the run (fees, risk): the run's recorded settings are replayed.
    const changedEnv = await parity(dbPath, {
      PAPER_FEE_BPS: '40',
      PAPER_SLIPPAGE_BPS: '30',
      RISK_MAX_POSITION_USD: '5',
    });
    expect(changedEnv.err).toBe('');
    expect(changedEnv.code).toBe(0);
    const replayed = JSON.parse(changedEnv.out) as ParityReport;
    expect(replayed.differences).toEqual([]);
    expect(replayed.matched).toBeGreaterThan(0);

    // Other parameters than the run's: refused, naming both.
    const other = await parity(dbPath, { ...env, STRATEGY_PARAMS: '{"minRise": 0.05}' });
    expect(other.code).toBe(2);
    expect(other.err).toContain(
      `STRATEGY_PARAMS: gives {"minRise":0.05,"note":"x"}, but the recorded run used {"minRise":0.02,"note":"hello"}`,
    );
    const builtin = await parity(dbPath, { ...env, STRATEGY: 'ema_crossover' });
    expect(builtin.code).toBe(2);
    expect(builtin.err).toContain(`STRATEGY: ema_crossover (ema_crossover) is not the strategy of`);
    expect(builtin.err).toContain(`${file} (my_idea)`);

    // The file changed since: refused, also when STRATEGY (as in .env) names it, unless
    // --allow-changed-strategy says so.
    const recorded = sha256(file);
    appendFileSync(file, '// edited after the run\n');
    const changed = await parity(dbPath, {});
    expect(changed.code).toBe(2);
    expect(changed.err).toContain(`${file} changed since the run recorded at`);
    expect(changed.err).toContain(`sha256 ${recorded.slice(0, 12)}… then`);
    expect(changed.err).toContain('Restore the file, or pass --allow-changed-strategy');
    const named = await parity(dbPath, { ...env, STRATEGY: file });
    expect(named.code).toBe(2);
    expect(named.err).toContain(`${file} changed since the run recorded at`);
    const explicit = await parity(dbPath, { ...env, STRATEGY: file }, ['--allow-changed-strategy']);
    expect(explicit.code).toBe(0);
  });
});

describe('paper trading with a strategy file', () => {
  const file = user.write('strategies/paper-idea.ts', strategySource());

  it('against the exchange emulator: runs it with its parameters, /status and runs show them', async () => {
    const hourMs = 3_600_000;
    const lastOpen = Math.floor(Date.now() / hourMs) * hourMs - hourMs;
    const candles = new Map<SymbolId, Candle[]>(
      bundledSymbols.map((symbol) => {
        const bundled = loadBundledCandles(symbol).slice(-300);
        const shift = lastOpen - (bundled.at(-1)?.time ?? 0);
        return [symbol, bundled.map((candle) => ({ ...candle, time: candle.time + shift }))];
      }),
    );
    const emulator = await startExchangeEmulator({
      candles: Object.fromEntries(
        [...candles].map(([symbol, list]) => [symbol.replace('-', '/'), list]),
      ),
    });
    cleanups.push(() => emulator.close());
    const dbPath = join(tempDir('lumenlink-own-'), 'paper.db');
    const config = loadConfig({
      MODE: 'paper',
      EXCHANGE: 'binance',
      EXCHANGE_API_URL: emulator.url,
      SYMBOLS: bundledSymbols.join(','),
      STRATEGY: file,
      STRATEGY_PARAMS: '{"minRise": 0.001}',
      DB_PATH: dbPath,
      HTTP_PORT: '0',
      DATA_POLLING_MS: '200',
      POLL_INTERVAL_MS: '200',
    });
    const bot = await startBot(config, {
      logger: silentLogger,
      sentiment: false,
      strategyFlags: { assignments: ['note=paper'] },
    });
    cleanups.push(() => bot.stop());
    const last = candles.get('BTC-USDT')?.at(-1)?.time;
    await waitFor('every symbol processed up to the newest closed candle', async () => {
      for (const symbol of bundledSymbols) {
        const [latest] = await bot.control.why(symbol);
        if (latest?.candleTime !== last) return undefined;
      }
      return true;
    });
    const status = (await request(`${bot.url}/status`)).body as { strategy: unknown };
    expect(status.strategy).toMatchObject({
      id: 'my_idea',
      source: { kind: 'file', path: file, sha256: sha256(file) },
      params: { minRise: 0.001, note: 'paper' },
    });
    const [decision] = await bot.control.why('BTC-USDT');
    expect(decision?.strategy).toBe('my_idea');
    await bot.stop();
    const run = await latestRun(dbPath);
    expect(run).toMatchObject({
      mode: 'paper',
      provenance: {
        strategy: { kind: 'file', path: file },
        params: { minRise: 0.001, note: 'paper' },
        settings: { exchange: 'binance', data: { source: 'exchange' } },
      },
    });
    expect(run?.provenance.data).toBeUndefined();
  });
});

/** A logger that keeps its info and warn lines. */
function recordingLogger(lines: { message: string; fields?: LogFields }[]): Logger {
  const keep = (message: string, fields?: LogFields): void =>
    void lines.push({ message, ...(fields === undefined ? {} : { fields }) });
  const logger: Logger = {
    error: keep,
    warn: keep,
    info: keep,
    debug: () => undefined,
    child: () => logger,
  };
  return logger;
}

describe('pnpm paper with a strategy file (the entry point, stored candles replayed)', () => {
  it('takes --strategy, --params-file and --param, logs the strategy line and records the run', async () => {
    const file = user.write('strategies/main-idea.ts', strategySource({ key: 'main_idea' }));
    const paramsFile = user.write(
      'main-idea.params.json',
      JSON.stringify({
        strategy: file,
        key: 'main_idea',
        sha256: '0'.repeat(64),
        params: { minRise: 0.03 },
      }),
    );
    const dbPath = join(tempDir('lumenlink-own-'), 'paper.db');
    await seedDatabase(dbPath, 200);
    const lines: { message: string; fields?: LogFields }[] = [];
    const err = collect();
    const code = await runBot({
      argv: [
        '--mode',
        'paper',
        '--strategy',
        file,
        '--params-file',
        paramsFile,
        '--param',
        'note=cli',
      ],
      processEnv: replayEnv(dbPath, { STRATEGY_PARAMS: '{"minRise": 0.5}' }),
      envFile: join(tempDir('lumenlink-own-'), '.env'),
      err: err.stream,
      signal: new AbortController().signal,
      logger: recordingLogger(lines),
    });
    expect(err.text()).toBe('');
    expect(code).toBe(0);
    const params = { minRise: 0.03, note: 'cli' };
    expect(lines.find((line) => line.message === 'strategy')?.fields).toEqual({
      label: `main_idea (${file})`,
      kind: 'file',
      path: file,
      sha256: sha256(file),
      sources: ['defaults', paramsFile, '--param'],
      params,
    });
    // The params file was written for another version of the file: said, not refused.
    expect(lines.map((line) => line.message)).toContainEqual(
      expect.stringContaining(`--params-file ${paramsFile} was written for an earlier version`),
    );
    expect((await latestRun(dbPath))?.provenance).toMatchObject({
      strategy: { key: 'main_idea', path: file },
      params,
    });
  });
});

describe('a strategy file that throws or returns an invalid signal on one symbol', () => {
  it('alerts, naming the file, symbol and candle, and the bot goes on with every symbol', async () => {
    const file = user.write(
      'strategies/faulty.ts',
      strategySource({
        key: 'faulty',
        faults: { throwOn: ['SOL-USDT', 120], badOn: ['ETH-USDT', 130] },
      }),
    );
    const dbPath = join(tempDir('lumenlink-own-'), 'faulty.db');
    const { code, out } = await demo(['--candles', '300', '--db', dbPath], { STRATEGY: file });
    expect(code).toBe(0);
    const errors = out.split('\n').filter((line) => line.includes('error CANDLE_FAILED'));
    expect(errors).toHaveLength(2);
    const failed = new Map<string, number>();
    for (const [symbol, problem] of [
      ['SOL-USDT', 'onCandle threw: my bug'],
      ['ETH-USDT', 'returned an invalid signal'],
    ] as const) {
      const line = errors.find((text) => text.includes(`: ${symbol} candle `)) ?? '';
      const named = new RegExp(
        `${symbol} candle (\\S+): Strategy faulty \\(${file.replaceAll('.', '\\.')}\\): ${symbol} candle at .*${problem}`,
      ).exec(line);
      expect(named, line).not.toBeNull();
      failed.set(symbol, Date.parse(named![1]!));
    }
    // Every symbol still traded after its failure.
    const store = await openStore({ path: dbPath });
    const orders = await store.orders.listOrders();
    await store.close();
    for (const symbol of bundledSymbols) {
      const after = failed.get(symbol) ?? 0;
      expect(orders.some((order) => order.symbol === symbol && order.candleTime > after)).toBe(
        true,
      );
    }
  });
});
