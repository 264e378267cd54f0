/**
 * `pnpm demo`, shortened: the bot replays the bundled candles offline in paper mode, trades,
 * answers its HTTP endpoints while it runs, prints the trades and a summary, and its database
 * replays to the same orders through the backtester.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { capitalExposure, computeMetrics, formatPercent, reportInputOf } from '@lumenlink/analysis';
import { loadConfig } from '@lumenlink/config';
import { loadBundledCandles } from '@lumenlink/data';
import { TradeLedger, inQuoteFees } from '@lumenlink/engine';
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
import { userFolder } from './user-folder.js';

const user = userFolder();
afterAll(() => user.remove());

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
    expect(out).toContain(
      'LumenLink demo: paper trading (simulated fills, no order reaches the exchange) over replayed Binance 1h candles',
    );
    expect(out).toContain('strategy advanced_composite');
    expect(out).toMatch(/^2024-\d\d-\d\d \d\d:\d\d {2}BUY {3}(BTC|ETH|SOL)-USDT/m);
    expect(out).toMatch(/^2024-\d\d-\d\d \d\d:\d\d {2}SELL {2}(BTC|ETH|SOL)-USDT .* P&L [+-]/m);
    expect(out).toContain('Summary');
    expect(out).toMatch(/Replayed +2400 candles \(3 symbols\)/);
    expect(out).toMatch(/Trades +[1-9]\d* closed/);
    expect(out).toMatch(/Buy & hold +[+-]\d/);
    // The trades open in late January: an add-on buy on SOL comes before candle time 800.
    expect(out).toMatch(
      /^2024-\d\d-\d\d \d\d:\d\d {2}BUY {3}SOL-USDT +[\d.]+ @ +[\d,.]+ {2}add {4}holds /m,
    );
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

    // Every fill is printed, once, with its order's reason in full (no terminal: no wrapping).
    const fillLines = out.split('\n').filter((line) => /^\S+ \S+ {2}(BUY|SELL) /.test(line));
    expect(fillLines).toHaveLength(stored.fills.length);
    const reasons = new Map(stored.orders.map((order) => [order.clientOrderId, order.reason]));
    const unmatched = [...fillLines];
    for (const fill of stored.fills) {
      const head = new RegExp(`^\\S+ \\S+ {2}${fill.side.toUpperCase()} +${fill.symbol} `);
      const reason = reasons.get(fill.clientOrderId)!;
      const index = unmatched.findIndex((line) => head.test(line) && line.endsWith(reason));
      expect(index, `no line for ${fill.side} ${fill.symbol}: ${reason}`).toBeGreaterThanOrEqual(0);
      unmatched.splice(index, 1);
    }
    expect(out).not.toContain('…');

    // Buy-and-hold and the exposure are the backtest report's, on the same candles and trades.
    const input = reportInputOf(backtest, {
      strategy: 'advanced_composite',
      params: {},
      interval: '1h',
      candles: new Map(bundledSymbols.map((symbol) => [symbol, loadBundledCandles(symbol)])),
      feeBps: 10,
      slippageBps: 5,
      fillMode: 'next-open',
    });
    const hold = computeMetrics(input).buyAndHoldReturn;
    const share = capitalExposure(input);
    expect(share).toBeGreaterThan(0);
    expect(out).toContain(
      `Buy & hold   ${formatPercent(hold, { sign: true })} with all the cash: equal parts of BTC-USDT, ETH-USDT, SOL-USDT, first open to last close, fee both ways`,
    );
    // The exposure is over the bot's own trades, as stored: they put a stop's exit at the close
    // of the candle that hit it, the backtest at its open, so the backtest's is a little lower.
    const ledger = new TradeLedger();
    const orders = new Map(stored.orders.map((order) => [order.clientOrderId, order]));
    for (const fill of stored.fills) {
      const order = orders.get(fill.clientOrderId)!;
      ledger.apply(inQuoteFees(fill), { role: order.role, candleTime: order.candleTime });
    }
    const botShare = capitalExposure({ ...input, trades: ledger.trades(new Map()) });
    expect(botShare / share).toBeGreaterThan(1);
    expect(botShare / share).toBeLessThan(1.15);
    expect(out).toContain(
      `${formatPercent(botShare * hold, { sign: true })} at the same exposure: ${formatPercent(botShare)} of the cash in it, what the bot held on average`,
    );
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

  it('prints add-on buys and partial sells, and a long reason in full, wrapped to the terminal', async () => {
    const reason = `scaling in on ${'a long and careful explanation, '.repeat(6)}the end`;
    const file = user.write('strategies/scaler.ts', scalerSource(reason));
    const dbPath = join(tempDir(), 'demo.db');
    const out = collect();
    // A terminal 120 columns wide, as process.stdout has it.
    const terminal = Object.assign(out.stream, { columns: 120 });
    const code = await runDemo({
      argv: ['--candles', '40', '--db', dbPath, '--strategy', file],
      processEnv: { HTTP_PORT: '0', TRAILING_STOP_ATR_MULT: '0', RISK_MAX_OPEN_POSITIONS: '3' },
      envFile: join(tempDir(), '.env'),
      out: terminal,
      log: collect().stream,
    });
    const text = out.text();
    expect(code, text).toBe(0);
    const fill = (side: string, effect: string): RegExp =>
      new RegExp(
        `^2024-01-0\\d \\d\\d:00 {2}${side} +BTC-USDT +[\\d.]+ @ +[\\d,.]+ {2}${effect} `,
        'm',
      );
    expect(text).toMatch(fill('BUY', 'open'));
    expect(text).toMatch(fill('BUY', 'add'));
    expect(text).toMatch(/ {2}add {4}holds [\d.]+ · adding the other half$/m);
    expect(text).toMatch(fill('SELL', 'part'));
    expect(text).toMatch(/ {2}part {3}P&L [+-][\d.,]+, holds [\d.]+ · taking half off$/m);
    expect(text).toMatch(fill('SELL', 'close'));
    // Four fills per symbol, each a line of its own.
    const stored = await storedTrading(dbPath);
    expect(stored.fills).toHaveLength(12);
    const lines = text.split('\n');
    expect(lines.filter((line) => /^\S+ \S+ {2}(BUY|SELL) /.test(line))).toHaveLength(12);
    // The long reason: every word, in lines of at most 120 columns, continued under its start.
    const first = lines.findIndex((line) => line.includes('scaling in on'));
    const column = lines[first]!.indexOf('scaling in on');
    const wrapped = [lines[first]!.slice(column)];
    for (let i = first + 1; lines[i]?.startsWith(' '.repeat(column)) === true; i++) {
      wrapped.push(lines[i]!.trim());
    }
    expect(wrapped.length).toBeGreaterThan(2);
    expect(wrapped.join(' ')).toBe(reason);
    for (const line of lines.slice(first, first + wrapped.length)) {
      expect(line.length).toBeLessThanOrEqual(120);
    }
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

/** A strategy that buys half, adds the other half, sells half and then the rest, on each symbol. */
function scalerSource(reason: string): string {
  return `import { hold, type Signal } from '@lumenlink/core';
import { defineStrategy, z } from '@lumenlink/strategies';

export default defineStrategy({
  key: 'scaler',
  description: 'Scales in and out in halves.',
  paramsSchema: z.strictObject({}),
  build: () => {
    let seen = 0;
    return {
      warmup: 1,
      onCandle: (): Signal => {
        seen += 1;
        if (seen === 5) return { action: 'buy', confidence: 1, portion: 0.5, reason: ${JSON.stringify(reason)} };
        if (seen === 8) return { action: 'buy', confidence: 1, portion: 0.5, reason: 'adding the other half' };
        if (seen === 12) return { action: 'sell', confidence: 1, portion: 0.5, reason: 'taking half off' };
        if (seen === 16) return { action: 'sell', confidence: 1, reason: 'the rest' };
        return hold('waiting');
      },
    };
  },
});
`;
}
