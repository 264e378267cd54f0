/**
 * The bot's control surface (what Telegram and HTTP drive): status, trades, the reasons of the
 * latest decisions, a force exit through the trade cycle, and audited trading-state changes that
 * survive a restart and respect the config kill switch.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import { startBot, type Bot } from '../src/bot.js';
import { replayConfig, request, seedDatabase, storedTrading, tempDir } from './helpers.js';

const token = 'bot-control-test-token-0123456789';
const lastCandle = Date.UTC(2024, 0, 1) + 199 * 3_600_000;
const running: Bot[] = [];

afterEach(async () => {
  for (const bot of running.splice(0)) await bot.stop();
});

async function replayed(dbPath: string, extra: Record<string, string> = {}): Promise<Bot> {
  const bot = await startBot(replayConfig(dbPath, { HTTP_TOKEN: token, ...extra }), {
    logger: silentLogger,
    replaySpeed: 0,
  });
  running.push(bot);
  await bot.replay?.finished;
  return bot;
}

const auth = { Authorization: `Bearer ${token}` };

describe('bot control', () => {
  it('reports status, trades and decisions, and force-exits a position through the trade cycle', async () => {
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 200);
    const bot = await replayed(dbPath);
    const control = bot.control;

    const status = await control.status();
    expect(status).toMatchObject({
      mode: 'paper',
      symbols: ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'],
      circuitOpen: false,
      lastCandleAt: lastCandle,
    });
    expect(status.tradingState.state).toBe('active');

    const positions = await control.positions();
    expect(positions.map((position) => position.symbol).sort()).toEqual(['BTC-USDT', 'SOL-USDT']);
    const balance = await control.balance();
    expect(balance['USDT']?.total).toBeGreaterThan(0);
    expect(balance['BTC']?.total).toBeCloseTo(
      positions.find((position) => position.symbol === 'BTC-USDT')?.quantity ?? 0,
      10,
    );

    const trades = await control.trades(100);
    expect(
      trades
        .filter((trade) => trade.closedAt === null)
        .map((trade) => trade.symbol)
        .sort(),
    ).toEqual(['BTC-USDT', 'SOL-USDT']);
    const closedTimes = trades.flatMap((trade) =>
      trade.closedAt === null ? [] : [trade.closedAt],
    );
    expect(closedTimes).toEqual([...closedTimes].sort((a, b) => b - a));
    expect((await control.trades(3)).length).toBe(3);

    const why = await control.why('BTC-USDT');
    expect(why[0]?.candleTime).toBe(lastCandle);
    expect(why.every((decision) => decision.symbol === 'BTC-USDT')).toBe(true);
    await expect(control.why('DOGE-USDT')).rejects.toThrow(/not traded/);

    const withBalance = await request(`${bot.url}/status`, { headers: auth });
    expect((withBalance.body as { balance: Record<string, unknown> }).balance).toHaveProperty(
      'USDT',
    );
    const withoutBalance = await request(`${bot.url}/status`);
    expect((withoutBalance.body as { balance: unknown }).balance).toBeNull();

    const exit = await control.forceExit('BTC-USDT');
    expect(exit.submitted).toBe(true);
    expect(exit.message).toMatch(/^exit ll\w+ sent for BTC-USDT/);
    expect((await control.positions()).map((position) => position.symbol)).toEqual(['SOL-USDT']);
    expect(await control.forceExit('BTC-USDT')).toEqual({
      submitted: false,
      message: 'no open BTC-USDT position',
    });
    // Open trades come first (newest), then the closed ones, latest exit first.
    const latest = await control.trades(2);
    expect(latest.map((trade) => [trade.symbol, trade.closedAt === null])).toEqual([
      ['SOL-USDT', true],
      ['BTC-USDT', false],
    ]);

    await bot.stop();
    const stored = await storedTrading(dbPath);
    const forced = stored.orders.filter((order) => order.role === 'force_exit');
    expect(forced).toHaveLength(1);
    expect(forced[0]).toMatchObject({ symbol: 'BTC-USDT', side: 'sell', status: 'filled' });
  });

  it('changes the trading state over HTTP and chat, audited, and restores it after a restart', async () => {
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 200);
    const bot = await replayed(dbPath);

    expect((await request(`${bot.url}/halt`, { method: 'POST' })).status).toBe(401);
    const halted = await request(`${bot.url}/halt`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ reason: 'exchange maintenance' }),
    });
    expect(halted.status).toBe(200);
    expect((halted.body as { tradingState: unknown }).tradingState).toMatchObject({
      state: 'halted',
      reason: 'exchange maintenance',
      changedBy: 'http',
    });
    const reduced = await bot.control.setTradingState(
      'reducing',
      'exits only for now',
      'telegram:42',
    );
    expect(reduced).toMatchObject({ state: 'reducing', changedBy: 'telegram:42' });
    await bot.control.setTradingState('halted', 'done for today', 'telegram:42');
    await bot.stop();

    const store = await openStore({ path: dbPath });
    expect(await store.runtime.getTradingState()).toMatchObject({
      state: 'halted',
      reason: 'done for today',
      changedBy: 'telegram:42',
    });
    await store.close();

    const again = await startBot(replayConfig(dbPath, { HTTP_TOKEN: token }), {
      logger: silentLogger,
      replaySpeed: 0,
    });
    running.push(again);
    expect((await again.control.status()).tradingState).toMatchObject({
      state: 'halted',
      changedBy: 'telegram:42',
    });
    const resumed = await request(`${again.url}/resume`, { method: 'POST', headers: auth });
    expect(resumed.status).toBe(200);
    expect((await again.control.status()).tradingState.state).toBe('active');
  });

  it('starts halted with KILL_SWITCH=true, trades nothing, and refuses to lift it', async () => {
    const dbPath = join(tempDir(), 'bot.db');
    await seedDatabase(dbPath, 200);
    const bot = await replayed(dbPath, { KILL_SWITCH: 'true' });

    const status = await bot.control.status();
    expect(status.tradingState).toMatchObject({ state: 'halted', changedBy: 'config' });
    const resume = await request(`${bot.url}/resume`, { method: 'POST', headers: auth });
    expect(resume.status).toBe(409);
    expect((resume.body as { error: string }).error).toContain('KILL_SWITCH');
    await expect(bot.control.setTradingState('active', 'please', 'telegram:42')).rejects.toThrow(
      /KILL_SWITCH/,
    );
    const report = await bot.report();
    expect(report.orders).toBe(0);
    expect(report.blocked['trading_state']).toBeGreaterThan(0);
  });
});
