/**
 * The bot as a process (`node dist/main.js`): SIGTERM in the middle of a replay stops it with
 * exit code 0 and loses nothing; the next start resumes after the last processed candle with no
 * duplicate order, and the run ends where an uninterrupted one would.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  backtestOf,
  bundledSymbols,
  fillKey,
  replayConfig,
  replayEnv,
  seedDatabase,
  storedTrading,
  tempDir,
  waitFor,
} from './helpers.js';
import { startNodeProcess, type NodeProcess } from '../../../test-support/node-process.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const mainJs = join(appDir, 'dist', 'main.js');
const hourMs = 3_600_000;
const firstCandle = Date.UTC(2024, 0, 1);

beforeAll(() => {
  // `pnpm test` builds every package and app first (`pnpm compile`); run alone, a test brings the
  // app's own dist up to date here.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: appDir });
});

const children: ChildProcess[] = [];

afterEach(() => {
  // A test that failed half-way leaves no bot running.
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startMain(env: Record<string, string>, cwd: string, args: string[] = []): NodeProcess {
  const running = startNodeProcess([mainJs, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  children.push(running.child);
  return running;
}

/** The parsed JSON log line with message `msg`, if one was written. */
function logLine(lines: readonly string[], msg: string): Record<string, unknown> | undefined {
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (parsed['msg'] === msg) return parsed;
  }
  return undefined;
}

describe('bot process', () => {
  it('stops on SIGTERM mid-run with exit code 0, and the next start resumes without a duplicate order', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'bot.db');
    const candles = 400;
    await seedDatabase(dbPath, candles);
    const env = replayEnv(dbPath, { LOG_LEVEL: 'info' });

    const first = startMain({ ...env, DEMO_SPEED: '20' }, dir, ['--mode', 'paper']);
    await waitFor('some trades before the SIGTERM', async () => {
      const exited = first.child.exitCode !== null;
      if (exited) throw new Error(`the bot exited early:\n${first.lines.join('\n')}`);
      const { fills } = await storedTrading(dbPath);
      return fills.length >= 4 ? true : undefined;
    });
    first.child.kill('SIGTERM');
    const firstExit = await first.exited;
    expect(firstExit, first.lines.join('\n')).toEqual({ code: 0, signal: null });
    expect(logLine(first.lines, 'stopped')).toBeDefined();

    const middle = await storedTrading(dbPath);
    const stoppedAt = middle.lastProcessed[0];
    expect(stoppedAt).not.toBeNull();
    // Every symbol of the last candle time was processed: a stop never splits a candle time.
    expect(middle.lastProcessed).toEqual(bundledSymbols.map(() => stoppedAt));
    expect(stoppedAt).toBeLessThan(firstCandle + (candles - 1) * hourMs);

    // The second start resumes after the last processed candle and runs the replay to its end.
    const second = startMain({ ...env, DEMO_SPEED: '0' }, dir);
    const secondExit = await second.exited;
    expect(secondExit, second.lines.join('\n')).toEqual({ code: 0, signal: null });
    expect(logLine(second.lines, 'replay ready')).toMatchObject({ resumeAfter: stoppedAt });
    expect(logLine(second.lines, 'replay finished')).toBeDefined();

    const final = await storedTrading(dbPath);
    expect(final.lastProcessed).toEqual(
      bundledSymbols.map(() => firstCandle + (candles - 1) * hourMs),
    );
    const ids = final.orders.map((order) => order.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
    const tradeIds = final.fills.map((fill) => fill.tradeId);
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    // Nothing stored before the stop was lost or changed, but for an open order that filled.
    for (const order of middle.orders) {
      const now = final.orders.find((candidate) => candidate.clientOrderId === order.clientOrderId);
      expect(now, order.clientOrderId).toBeDefined();
      expect({
        ...now,
        status: '',
        filledQuantity: 0,
        avgFillPrice: 0,
        fee: 0,
        feeCurrency: null,
        updatedAt: 0,
      }).toEqual({
        ...order,
        status: '',
        filledQuantity: 0,
        avgFillPrice: 0,
        fee: 0,
        feeCurrency: null,
        updatedAt: 0,
      });
    }
    expect(final.fills.map(fillKey)).toEqual(expect.arrayContaining(middle.fills.map(fillKey)));
    expect(final.orders.length).toBeGreaterThan(middle.orders.length);

    // The interrupted run ends with the orders and fills of an uninterrupted one.
    const backtest = await backtestOf(replayConfig(dbPath), dbPath);
    expect(ids.sort()).toEqual(backtest.orders.map((order) => order.clientOrderId).sort());
    expect(final.fills.map(fillKey).sort()).toEqual(backtest.fills.map(fillKey).sort());
  });

  it('prints every bad key of a bad configuration and exits 2', async () => {
    const dir = tempDir();
    const run = startMain({ MODE: 'papr', HTTP_PORT: 'abc', RISK_MAX_POSITON_USD: '50' }, dir);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    const text = run.lines.join('\n');
    expect(text).toContain('Invalid configuration (3 problems)');
    for (const key of ['MODE', 'HTTP_PORT', 'RISK_MAX_POSITON_USD'])
      expect(text).toContain(`- ${key}:`);
  });

  it('refuses MODE=live without exchange keys (the live gate) with exit code 2', async () => {
    const dir = tempDir();
    const run = startMain({ DB_PATH: join(dir, 'live.db') }, dir, ['--mode', 'live']);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.lines.join('\n')).toContain('EXCHANGE_API_KEY');
  });
});
