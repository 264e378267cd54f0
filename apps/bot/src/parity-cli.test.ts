import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Candle, type Order, type SymbolId } from '@lumenlink/core';
import { loadConfig } from '@lumenlink/config';
import { loadBundledCandles, openStore, type LumenLinkStore } from '@lumenlink/data';
import { runBacktest, type BacktestResult, type Trade } from '@lumenlink/engine';
import { riskConfigFromConfig } from '@lumenlink/risk';
import { createStrategy } from '@lumenlink/strategies';
import type { ParityReport } from '@lumenlink/analysis';
import { runParityCli } from './parity-cli.js';
import { parityOfDatabase } from './parity-database.js';

const symbols: readonly SymbolId[] = ['BTC-USDT', 'ETH-USDT'];
const candleCount = 600;
/** The bot's config: every model key away from its default, so a key the report drops shows. */
const botEnv = {
  SYMBOLS: 'BTC-USDT,ETH-USDT',
  INTERVAL: '1h',
  STRATEGY: 'ema_crossover',
  PAPER_STARTING_CASH: '5000',
  PAPER_FEE_BPS: '12',
  PAPER_SLIPPAGE_BPS: '7',
  TRAILING_STOP_ATR_MULT: '2.5',
  ATR_PERIOD: '10',
  STOP_LOSS_PCT: '1.5',
  RISK_MAX_POSITION_USD: '400',
} as const;

function bundled(): Map<SymbolId, Candle[]> {
  return new Map(
    symbols.map((symbol) => [symbol, loadBundledCandles(symbol, '1h').slice(0, candleCount)]),
  );
}

function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'lumenlink-parity-')), name);
}

/**
 * What the bot leaves behind after trading the stored candles in replay paper mode: the candles,
 * its orders, fills and decisions in SQLite (the same trade cycle over the same stores), and the
 * last processed candle per symbol. Options spelled out from `botEnv`, not derived by the code
 * under test. With `start` (a candle index), the bot started trading there, as it does on live
 * data: warmed up on the 22 candles before (ema_crossover's warm-up; more than ATR_PERIOD + 1).
 */
async function botDatabase(path: string, start?: number): Promise<BacktestResult> {
  const store = await openStore({ path });
  try {
    const candles = bundled();
    for (const [symbol, list] of candles) await store.candles.saveCandles(symbol, '1h', list);
    const from = start === undefined ? undefined : candles.get('BTC-USDT')![start]!.time;
    const seen =
      start === undefined
        ? candles
        : new Map([...candles].map(([symbol, list]) => [symbol, list.slice(start - 22)]));
    const result = await runBacktest({
      candles: seen,
      interval: '1h',
      strategy: () => createStrategy('ema_crossover', undefined, { interval: '1h' }),
      startingCash: 5000,
      feeBps: 12,
      slippageBps: 7,
      risk: riskConfigFromConfig(loadConfig(botEnv)),
      atrPeriod: 10,
      trailingStopAtrMultiple: 2.5,
      stopLossPct: 1.5,
      cooldownMs: 300_000,
      ...(from === undefined ? {} : { from }),
      stores: store,
    });
    for (const [symbol, list] of candles) {
      await store.runtime.setLastProcessedCandle(symbol, '1h', list.at(-1)!.time);
    }
    return result;
  } finally {
    await store.close();
  }
}

let basePath: string;
let base: BacktestResult;

beforeAll(async () => {
  basePath = tempPath('bot.db');
  base = await botDatabase(basePath);
});

/** A copy of the bot's database to alter. */
function copy(): string {
  const path = tempPath('copy.db');
  copyFileSync(basePath, path);
  if (existsSync(`${basePath}-wal`)) copyFileSync(`${basePath}-wal`, `${path}-wal`);
  return path;
}

async function alter(path: string, change: (store: LumenLinkStore) => Promise<void>) {
  const store = await openStore({ path });
  try {
    await change(store);
  } finally {
    await store.close();
  }
}

function parity(path: string) {
  return parityOfDatabase({ dbPath: path, config: loadConfig(botEnv) });
}

/** The orders behind a trade of the base run. */
function ordersOf(trade: Trade): { entry: Order; exit: Order } {
  const filled = base.orders.filter(
    (order) => order.symbol === trade.symbol && order.status === 'filled',
  );
  const entry = filled.find(
    (order) => order.side === 'buy' && order.candleTime === trade.entrySignalTime,
  );
  const exit = filled.find(
    (order) => order.side === 'sell' && order.candleTime === trade.exitSignalTime,
  );
  if (entry === undefined || exit === undefined) throw new Error('no orders for the trade');
  return { entry, exit };
}

function fillOf(order: Order) {
  const fill = base.fills.find((candidate) => candidate.clientOrderId === order.clientOrderId);
  if (fill === undefined) throw new Error(`no fill of ${order.clientOrderId}`);
  return fill;
}

/** The `index`-th closed trade (from 0) matching `test`. */
function pick(test: (trade: Trade) => boolean, index = 0): Trade {
  const trade = base.trades.filter((candidate) => candidate.exitTime !== null && test(candidate))[
    index
  ];
  if (trade === undefined) throw new Error('no such trade in the base run');
  return trade;
}

async function cli(argv: string[], env: Record<string, string> = {}, envText?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-parity-cli-'));
  const envFile = join(dir, '.env');
  if (envText !== undefined) writeFileSync(envFile, envText);
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await runParityCli({
    argv,
    envFile,
    processEnv: { ...botEnv, ...env },
    out,
    err,
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe('pnpm parity', () => {
  it('prints the report, exit code 0 without differences; --json gives the same report', async () => {
    const text = await cli(['--db', basePath]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`LumenLink parity report for ${basePath}`);
    expect(text.stdout).toContain(
      'ema_crossover on BTC-USDT, ETH-USDT 1h; cash 5000, fee 12 bps, slippage 7 bps',
    );
    expect(text.stdout).toContain(`matched   ${base.trades.length} trades`);
    expect(text.stdout).toContain('No differences');

    const json = await cli(['--db', basePath, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(await parity(basePath))));
  });

  it('exit code 1 with differences, each printed with its fields and cause', async () => {
    const trade = pick((candidate) => candidate.exitReason === 'signal');
    const fill = fillOf(ordersOf(trade).exit);
    const path = copy();
    await alter(path, async (store) => {
      await store.db
        .updateTable('fills')
        .set({ price: fill.price * 0.998 })
        .where('trade_id', '=', fill.tradeId)
        .execute();
    });
    const { code, stdout } = await cli([`--db=${path}`]);
    expect(code).toBe(1);
    expect(stdout).toContain('1 difference: fill model 1');
    expect(stdout).toMatch(
      new RegExp(`1\\. ${trade.symbol}, signalled .*: changed \\(fill model\\)`),
    );
    expect(stdout).toMatch(/ {5}exit price +bot \S+ +backtest \S+ +-\S+ +fill model: /);
    expect(stdout).toMatch(/ {5}P&L +bot /);

    const json = await cli(['--db', path, '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as ParityReport;
    expect(report.differences[0]!.fields[0]!.field).toBe('exitPrice');
  });

  it('reads the database from DB_PATH in .env, and the period flags as UTC times', async () => {
    const to = bundled().get('BTC-USDT')![350]!.time;
    const iso = new Date(to).toISOString().slice(0, 16);
    const { code, stdout } = await cli(['--to', iso, '--json'], {}, `DB_PATH=${basePath}\n`);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as ParityReport).period).toMatchObject({ to, toSource: 'flag' });
  });

  it('exit code 2 on bad input, with the reason', async () => {
    const missing = await cli(['--db', join(tmpdir(), 'no-such-dir', 'bot.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);

    const unknown = await cli(['--db', basePath, '--fast']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--fast'");
    expect(unknown.stderr).toContain('Usage: pnpm parity');

    const badTime = await cli(['--db', basePath, '--from', 'yesterday']);
    expect(badTime).toMatchObject({ code: 2 });
    expect(badTime.stderr).toContain('--from "yesterday" is not a time');

    const reversed = await cli(['--db', basePath, '--from', '2024-02-01', '--to', '2024-01-01']);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('is after to');

    const config = await cli(['--db', basePath], { PAPER_FEE_BPS: 'lots' });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('PAPER_FEE_BPS');

    const otherSymbol = await cli(['--db', basePath], { SYMBOLS: 'BTC-USDT,SOL-USDT' });
    expect(otherSymbol.code).toBe(2);
    expect(otherSymbol.stderr).toContain('holds no 1h candles of SOL-USDT');

    const notADatabase = tempPath('notes.db');
    writeFileSync(
      notADatabase,
      'not a database, just text long enough to look like a header\n'.repeat(20),
    );
    const foreign = await cli(['--db', notADatabase]);
    expect(foreign.code).toBe(2);

    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Exit code: 0 no differences, 1 differences, 2 bad input.');
  });
});
