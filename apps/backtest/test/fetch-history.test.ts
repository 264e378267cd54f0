import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFetchHistoryCommand, type Env } from '../src/fetch-history-command.js';
import { runCli, Sink, tempDir } from './cli-helpers.js';

const hour = 3_600_000;
/** The emulator's and the command's "now": five minutes into 2024-03-15. */
const now = Date.UTC(2024, 2, 15, 0, 5);
let emulator: ExchangeEmulator;

beforeAll(async () => {
  // 75 days of seeded 1h random-walk candles for BTC, ETH and SOL against USDT.
  emulator = await startExchangeEmulator({
    randomWalk: { seed: 11, intervalMs: hour, count: 75 * 24, start: Date.UTC(2024, 0, 1) },
    now: () => now,
  });
});

afterAll(async () => {
  await emulator.close();
});

async function fetchHistoryCli(
  argv: readonly string[],
  env: Env,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runFetchHistoryCommand(argv, {
    stdout,
    stderr,
    cwd,
    env: { EXCHANGE: 'binance', EXCHANGE_API_URL: emulator.url, LOG_LEVEL: 'warn', ...env },
    clock: new ManualClock(now),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('pnpm fetch-history against the Binance emulator', () => {
  it('backfills SYMBOLS x TIMEFRAMES for MONTHS into DB_PATH, then only what is missing', async () => {
    const dir = tempDir();
    const env = {
      SYMBOLS: 'BTC-USDT,ETH-USDT',
      TIMEFRAMES: '1h,4h,1d',
      MONTHS: '2',
      DB_PATH: 'data/h.db',
    };
    const first = await fetchHistoryCli([], env, dir);
    expect(first.code, first.stderr).toBe(0);
    const path = join(dir, 'data', 'h.db');
    expect(first.stdout).toContain(`in ${path}`);
    expect(first.stdout).toMatch(
      /BTC-USDT 1h {2}2024-01-15 01:00 → 2024-03-14 23:00 UTC {2}1,439 stored/,
    );
    expect(first.stdout).toMatch(
      /ETH-USDT 1d {2}2024-01-16 00:00 → 2024-03-14 00:00 UTC {2}59 stored/,
    );
    expect(first.stdout).not.toContain('missing at the source');

    const store = await openStore({ path });
    const from = Date.UTC(2024, 0, 15, 4);
    const hourly = await store.candles.getCandles('BTC-USDT', '1h', from, from + 3 * hour);
    const [fourHour] = await store.candles.getCandles('BTC-USDT', '4h', from, from);
    expect(
      await store.candles.findGaps(
        'ETH-USDT',
        '1h',
        Date.UTC(2024, 0, 15, 1),
        Date.UTC(2024, 2, 14, 23),
      ),
    ).toEqual([]);
    await store.close();
    // The 4h candle is the four 1h candles it spans.
    expect(hourly).toHaveLength(4);
    expect(fourHour).toEqual({
      time: from,
      open: hourly[0]!.open,
      high: Math.max(...hourly.map((candle) => candle.high)),
      low: Math.min(...hourly.map((candle) => candle.low)),
      close: hourly[3]!.close,
      volume: expect.closeTo(
        hourly.reduce((sum, candle) => sum + candle.volume, 0),
        6,
      ) as unknown,
    });

    const requestsBefore = emulator.requests().length;
    const second = await fetchHistoryCli([], env, dir);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Stored 0 candles');
    // Nothing is missing: only the exchange's market list is asked for, no candles.
    const klines = emulator
      .requests()
      .slice(requestsBefore)
      .filter((request) => request.path === '/api/v3/klines');
    expect(klines).toEqual([]);
  });

  it('takes flags over the environment and the environment over .env, and feeds pnpm backtest', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, '.env'),
      'SYMBOLS=SOL-USDT\nMONTHS=1\nTIMEFRAMES=1d\nDB_PATH=from-dotenv.db\n',
    );
    const run = await fetchHistoryCli(
      ['--symbols', 'BTC-USDT,ETH-USDT', '--timeframes', '4h', '--db', 'flags.db'],
      { TIMEFRAMES: '1h' },
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    // Months from .env, symbols, timeframes and the file from the flags.
    expect(run.stdout).toContain(`in ${join(dir, 'flags.db')}`);
    expect(run.stdout).toMatch(
      /BTC-USDT 4h {2}2024-02-15 04:00 → 2024-03-14 20:00 UTC {2}173 stored/,
    );
    expect(run.stdout).toMatch(/ETH-USDT 4h/);
    expect(run.stdout).not.toMatch(/SOL-USDT|1d/);

    const backtest = await runCli(
      [
        '--source-db',
        'flags.db',
        '--symbols',
        'BTC-USDT,ETH-USDT',
        '--interval',
        '4h',
        '--strategy',
        'ema_crossover',
        '--json',
        'r.json',
      ],
      dir,
    );
    expect(backtest.code, backtest.stderr).toBe(0);
    expect(backtest.stdout).toContain('ema_crossover on BTC-USDT, ETH-USDT 4h');
    expect(backtest.stdout).toContain('2024-02-15 04:00 → 2024-03-14 20:00 UTC');
  });

  it('names a bad flag (exit 2) and every bad env key (exit 1)', async () => {
    const dir = tempDir();
    const flag = await fetchHistoryCli(['--months', '0'], {}, dir);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      'Error: --months: "0" is below the minimum 1 (use 1 or more). Accepted: an integer from 1 to 120 (default 6)\npnpm fetch-history --help lists every flag.\n',
    );
    const both = await fetchHistoryCli(['--symbol', 'BTC-USDT', '--symbols', 'ETH-USDT'], {}, dir);
    expect(both.stderr).toContain('--symbol: give either --symbol or --symbols, not both');
    const env = await fetchHistoryCli([], { MONTHS: 'six', TIMEFRAMES: '1hour' }, dir);
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('Invalid configuration (2 problems)');
    expect(env.stderr).toContain('MONTHS: "six" is not a number');
    expect(env.stderr).toContain('TIMEFRAMES: "1hour"');
    const help = await fetchHistoryCli(['--help'], {}, dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'SYMBOLS=SOL-USDT,AVAX-USDT TIMEFRAMES=1h,1d MONTHS=3 pnpm fetch-history',
    );
  });
});
