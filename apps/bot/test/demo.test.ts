/**
 * `pnpm demo`, shortened: the bot replays the bundled candles offline in paper mode, trades,
 * answers its HTTP endpoints while it runs, prints the trades and a summary, and its database
 * replays to the same orders through the backtester.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@lumenlink/config';
import { runDemo, type DemoOptions } from '../src/demo.js';
import type { Bot } from '../src/bot.js';
import {
  backtestOf,
  bundledSymbols,
  fillKey,
  request,
  storedTrading,
  tempDir,
  waitFor,
} from './helpers.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

async function demo(
  argv: readonly string[],
  processEnv: Record<string, string> = {},
  onRunning?: DemoOptions['onRunning'],
  signal?: AbortSignal,
): Promise<{ code: number; out: string; log: string }> {
  const dir = tempDir('lumenlink-demo-');
  const out = collect();
  const log = collect();
  const code = await runDemo({
    argv,
    processEnv: { HTTP_PORT: '0', ...processEnv },
    envFile: join(dir, '.env'),
    out: out.stream,
    log: log.stream,
    ...(onRunning === undefined ? {} : { onRunning }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { code, out: out.text(), log: log.text() };
}

interface Status {
  mode: string;
  tradingState: { state: string };
  positions: unknown[];
  openOrders: unknown[];
  decisions: { symbol: string; outcome: string; signal: { reason: string } }[];
  loops: { name: string; runs: number }[];
}

describe('pnpm demo', () => {
  it('replays the bundled data offline, trades, answers /health and /status while running, and prints a summary', async () => {
    const dbPath = join(tempDir(), 'demo.db');
    let probed = false;
    const { code, out } = await demo(['--candles', '800', '--db', dbPath], {}, async (bot: Bot) => {
      // Wait until the bot has traded, then ask it while it runs.
      const status = await waitFor('a submitted order in /status', async () => {
        const { body } = await request(`${bot.url}/status`);
        const current = body as Status;
        return current.decisions.some((decision) => decision.outcome === 'submitted') ||
          current.positions.length > 0
          ? current
          : undefined;
      });
      expect(status.mode).toBe('paper');
      expect(status.tradingState.state).toBe('active');
      const health = await request(`${bot.url}/health`);
      expect(health.status).toBe(200);
      const loops = (health.body as { loops: { name: string; healthy: boolean }[] }).loops;
      expect(loops.map((loop) => loop.name)).toEqual(['market-data', 'strategy']);
      expect(loops.every((loop) => loop.healthy)).toBe(true);
      const metrics = await request(`${bot.url}/metrics`);
      expect(metrics.text).toMatch(/lumenlink_candles_processed_total\{symbol="BTC-USDT"\} \d+/);
      expect((await request(`${bot.url}/halt`, { method: 'POST' })).status).toBe(403);
      expect(bot.replay?.total).toBe(800);
      probed = true;
    });
    expect(probed).toBe(true);
    expect(code).toBe(0);
    expect(out).toContain('LumenLink demo: the bot in paper mode over replayed Binance 1h candles');
    expect(out).toContain('strategy advanced_composite');
    expect(out).toMatch(/^2024-\d\d-\d\d \d\d:\d\d {2}BUY {3}(BTC|ETH|SOL)-USDT/m);
    expect(out).toMatch(/^2024-\d\d-\d\d \d\d:\d\d {2}SELL {2}(BTC|ETH|SOL)-USDT .* P&L [+-]/m);
    expect(out).toContain('Summary');
    expect(out).toMatch(/Replayed +2400 candles \(3 symbols\)/);
    expect(out).toMatch(/Trades +[1-9]\d* closed/);
    expect(out).toMatch(/Buy & hold +[+-]\d/);
    expect(out).toContain(
      `SYMBOLS=BTC-USDT,ETH-USDT,SOL-USDT INTERVAL=1h STRATEGY=advanced_composite pnpm parity --db ${dbPath}`,
    );

    // The same candles through the backtester give the same orders and fills.
    const stored = await storedTrading(dbPath);
    expect(stored.lastProcessed).toEqual(bundledSymbols.map(() => stored.lastProcessed[0]));
    const backtest = await backtestOf(
      loadConfig({ SYMBOLS: bundledSymbols.join(','), DB_PATH: dbPath }),
      dbPath,
    );
    expect(stored.orders.length).toBeGreaterThan(0);
    expect(stored.orders.map((order) => order.clientOrderId).sort()).toEqual(
      backtest.orders.map((order) => order.clientOrderId).sort(),
    );
    expect(stored.fills.map(fillKey).sort()).toEqual(backtest.fills.map(fillKey).sort());
  });

  it('stops cleanly on Ctrl-C with a summary of what ran, and --resume carries on where it stopped', async () => {
    const dbPath = join(tempDir(), 'demo.db');
    const env = { STRATEGY: 'composite' };
    const lastCandle = Date.UTC(2024, 0, 1) + 349 * 3_600_000;
    const interrupt = new AbortController();
    const first = await demo(
      ['--candles', '350', '--speed', '50', '--db', dbPath],
      env,
      async (bot) => {
        await waitFor('the first orders', async () =>
          (await bot.report()).orders >= 2 ? true : undefined,
        );
        interrupt.abort();
      },
      interrupt.signal,
    );
    expect(first.code).toBe(0);
    expect(first.out).toContain('Summary (interrupted: --resume continues it)');
    const before = await storedTrading(dbPath);
    expect(before.lastProcessed[0]).toBeLessThan(lastCandle);

    const refused = await demo(['--candles', '350', '--db', dbPath], env);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('pass --resume');

    const resumed = await demo(['--candles', '350', '--db', dbPath, '--resume'], env);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('(resumed)');
    const after = await storedTrading(dbPath);
    expect(after.lastProcessed).toEqual(bundledSymbols.map(() => lastCandle));
    const ids = after.orders.map((order) => order.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const order of before.orders) expect(ids).toContain(order.clientOrderId);
    // Interrupted and resumed, the run still matches a backtest of the same candles.
    const backtest = await backtestOf(
      loadConfig({ SYMBOLS: bundledSymbols.join(','), STRATEGY: 'composite', DB_PATH: dbPath }),
      dbPath,
    );
    expect([...ids].sort()).toEqual(backtest.orders.map((order) => order.clientOrderId).sort());
    expect(after.fills.map(fillKey).sort()).toEqual(backtest.fills.map(fillKey).sort());
  });

  it('rejects bad flags and bad configuration with exit code 2, naming every bad key', async () => {
    const flags = await demo(['--speed', 'fast']);
    expect(flags.code).toBe(2);
    expect(flags.out).toContain('--speed must be a number >= 0');
    const config = await demo(['--candles', '10', '--db', join(tempDir(), 'x.db')], {
      RISK_MAX_POSITON_USD: '50',
      PAPER_FEE_BPS: 'lots',
    });
    expect(config.code).toBe(2);
    expect(config.out).toContain('Invalid configuration (2 problems)');
    expect(config.out).toContain('did you mean RISK_MAX_POSITION_USD?');
    expect(config.out).toContain('- PAPER_FEE_BPS:');
  });

  it('explains itself with --help', async () => {
    const help = await demo(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--speed N');
    expect(help.out).toContain('--resume');
  });
});
