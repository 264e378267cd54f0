/**
 * Crash safety with real process kills: a child process trades live against the exchange
 * emulator (ccxt's real binance class) and is killed with SIGKILL after the emulator accepted its
 * order and before the answer reached it. On restart the reconciler finds the order by client id
 * before any trade, and no second order is ever sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fill, Order, Position } from '@lumenlink/core';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./live-child.ts', import.meta.url));
const apiKey = 'crash-key';
const secret = 'crash-secret';
const candleTime = Date.UTC(2026, 10, 23, 10);

interface Done {
  readonly orders: Order[];
  readonly fills: Fill[];
  readonly position: Position | null;
}

let emulator: ExchangeEmulator;
let dir: string;

beforeEach(async () => {
  emulator = await startExchangeEmulator({ apiKey, secret });
  dir = await mkdtemp(join(tmpdir(), 'lumenlink-crash-'));
});

afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function start(
  phase: 'trade' | 'recover' | 'exit' | 'exit-again',
  timeoutMs = 10_000,
): ChildProcess & { lines: Record<string, unknown>[] } {
  const process_ = spawn(process.execPath, [child], {
    env: {
      ...process.env,
      DB_PATH: join(dir, 'bot.db'),
      EMULATOR_URL: emulator.url,
      API_KEY: apiKey,
      API_SECRET: secret,
      CANDLE_TIME: String(candleTime),
      TIMEOUT_MS: String(timeoutMs),
      PHASE: phase,
      NODE_NO_WARNINGS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { lines: Record<string, unknown>[] };
  process_.lines = [];
  let buffer = '';
  let errors = '';
  process_.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let end: number;
    while ((end = buffer.indexOf('\n')) !== -1) {
      process_.lines.push(JSON.parse(buffer.slice(0, end)) as Record<string, unknown>);
      buffer = buffer.slice(end + 1);
    }
  });
  process_.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  process_.on('exit', (code) => {
    if (code !== 0 && code !== null) process_.lines.push({ step: 'crashed', code, errors });
  });
  return process_;
}

function exited(process_: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (process_.exitCode !== null || process_.signalCode !== null) resolve(process_.exitCode);
    else process_.once('exit', (code) => resolve(code));
  });
}

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function ordersSent(): string[] {
  return emulator
    .requests()
    .filter((request) => request.method === 'POST' && request.path === '/api/v3/order')
    .map((request) => request.body['newClientOrderId'] ?? '');
}

/** BTC the emulator's trades left us: bought quantity less fees charged in BTC. */
function heldByEmulatorTrades(): number {
  return emulator
    .trades()
    .reduce((sum, trade) => sum + trade.quantity - (trade.feeAsset === 'BTC' ? trade.fee : 0), 0);
}

async function recover(): Promise<Done> {
  const restarted = start('recover');
  expect(await exited(restarted), JSON.stringify(restarted.lines)).toBe(0);
  const steps = restarted.lines.map((line) => line['step']);
  // Reconciled before the first trade.
  expect(steps).toEqual(['reconciled', 'trading', 'done']);
  return restarted.lines.at(-1) as unknown as Done;
}

describe('crash safety with real process kills', () => {
  it('SIGKILL after the exchange accepted the order: found by client id on restart, never sent twice', async () => {
    emulator.inject({ kind: 'delay-reply', ms: 20_000, route: 'POST /api/v3/order', times: 1 });
    const trader = start('trade');
    await until(() => emulator.orders().length === 1, 'the emulator to accept the order');
    trader.kill('SIGKILL');
    await exited(trader);
    expect(trader.lines.map((line) => line['step'])).toEqual(['trading']);

    const done = await recover();
    const [placed] = emulator.orders();
    expect(ordersSent()).toEqual([placed!.clientOrderId]);
    expect(emulator.orders()).toHaveLength(1);
    expect(done.orders).toHaveLength(1);
    expect(done.orders[0]).toMatchObject({
      clientOrderId: placed!.clientOrderId,
      exchangeOrderId: String(placed!.orderId),
      status: 'filled',
      filledQuantity: placed!.filled,
    });
    const traded = emulator.trades().reduce((sum, trade) => sum + trade.quantity, 0);
    expect(done.fills.reduce((sum, fill) => sum + fill.quantity, 0)).toBeCloseTo(traded, 12);
    expect(done.position?.quantity).toBeCloseTo(heldByEmulatorTrades(), 12);
  });

  it('a response lost by timeout: resolved by client id, and a restart sends nothing again', async () => {
    emulator.inject({ kind: 'delay-reply', ms: 3_000, route: 'POST /api/v3/order', times: 1 });
    const trader = start('trade', 1_000);
    expect(await exited(trader), JSON.stringify(trader.lines)).toBe(0);
    const first = trader.lines.at(-1) as unknown as Done;
    expect(first.orders).toHaveLength(1);
    expect(first.orders[0]!.status).toBe('filled');
    expect(first.orders[0]!.reason ?? '').not.toBe('');

    const done = await recover();
    expect(ordersSent()).toHaveLength(1);
    expect(emulator.orders()).toHaveLength(1);
    expect(done.orders).toEqual(first.orders);
    expect(done.position?.quantity).toBeCloseTo(heldByEmulatorTrades(), 12);
  });

  it('SIGKILL after an exit reached the exchange, on an account with coins of its own: one sell', async () => {
    // The account holds BTC of its own: a repeated exit would be filled, not refused.
    await emulator.close();
    emulator = await startExchangeEmulator({
      apiKey,
      secret,
      balances: { USDT: 100_000, BTC: 0.5 },
    });
    const buyer = start('trade');
    expect(await exited(buyer), JSON.stringify(buyer.lines)).toBe(0);
    const bought = (buyer.lines.at(-1) as unknown as Done).position?.quantity ?? 0;
    expect(bought).toBeGreaterThan(0);

    emulator.inject({ kind: 'delay-reply', ms: 20_000, route: 'POST /api/v3/order', times: 1 });
    const seller = start('exit');
    await until(() => emulator.orders().length === 2, 'the emulator to accept the exit');
    seller.kill('SIGKILL');
    await exited(seller);

    // The restart tries the exit again before reconciling: refused, the first is in flight.
    const again = start('exit-again');
    expect(await exited(again), JSON.stringify(again.lines)).toBe(0);
    const tried = again.lines.find(
      (line) => line['step'] === 'exit tried again before reconciling',
    );
    expect(String(tried?.['note'])).toMatch(/already sent|no other sell/);
    const done = again.lines.at(-1) as unknown as Done;
    const sells = emulator
      .requests()
      .filter((request) => request.method === 'POST' && request.body['side'] === 'SELL');
    expect(sells).toHaveLength(1);
    expect(done.position).toBeNull();
    // The account's BTC changed by exactly what the stored fills say.
    const btc = emulator.balances()['BTC'];
    const stored = done.fills.reduce(
      (sum, fill) =>
        sum +
        (fill.side === 'buy' ? fill.quantity : -fill.quantity) -
        (fill.feeCurrency === 'BTC' ? fill.fee : 0),
      0,
    );
    expect((btc?.free ?? 0) + (btc?.locked ?? 0) - 0.5).toBeCloseTo(stored, 10);
  });
});
