/**
 * A short soak (issue #15 part 5; `pnpm soak` is the long one): the harness of soak/soak.mjs
 * runs the bot from the sources over a day of seeded 1m candles (1,440 candle times) for three
 * symbols, in paper replay at full speed. The run completes with every candle processed, it
 * trades, its figures are consistent, and after `bot.stop()` the process holds exactly the
 * handles it held before the bot started. The heap is not judged here: without --expose-gc a
 * sample includes garbage not yet collected (`pnpm soak` judges it).
 */
import { describe, expect, it } from 'vitest';
import {
  formatSoakReport,
  parseSoakArgs,
  percentile,
  runSoak,
  soakProblems,
  soakSymbols,
} from '../soak/soak.mjs';
import { startBot } from '../src/bot.js';

describe('soak', () => {
  it('replays a day of candle times for several symbols, trades, and leaves no handle behind', async () => {
    const days = 1;
    const symbols = 3;
    const report = await runSoak(
      { days, symbols, strategy: 'composite', samples: 8, keepDb: false },
      { startBot },
    );

    expect(report.candleTimes).toBe(days * 1440);
    expect(report.candlesStored).toBe(days * 1440 * symbols);
    expect(report.candlesProcessed).toBe(report.candlesStored);
    expect(report.trading.orders).toBeGreaterThan(0);
    expect(report.trading.fills).toBe(report.trading.orders);
    expect(report.logs.error).toBe(0);

    // Handles: back to the start after stop; while running, servers and sockets do not pile up.
    expect(report.handles.afterStop).toEqual(report.handles.beforeStart);
    expect(report.handles.end['TCPServerWrap'] ?? 0).toBe(
      report.handles.afterWarmup['TCPServerWrap'] ?? 0,
    );
    expect(soakProblems(report).filter((problem) => !problem.startsWith('heap grew'))).toEqual([]);

    // Latencies come from every strategy-loop run after the warm-up.
    const strategy = report.latencyMs.strategyLoop;
    expect(strategy.runs).toBeGreaterThanOrEqual(report.candleTimes - report.warmupCandleTimes);
    expect(strategy.p50).not.toBeNull();
    expect(strategy.p50!).toBeLessThanOrEqual(strategy.p95!);
    expect(strategy.p95!).toBeLessThanOrEqual(strategy.p99!);
    expect(strategy.p99!).toBeLessThanOrEqual(strategy.max!);
    expect(report.samples.length).toBeGreaterThanOrEqual(8);
    expect(report.samples.at(-1)?.candleTimes).toBe(report.candleTimes);

    const table = formatSoakReport(report);
    expect(table).toMatch(/\| Candles processed +\| 4,320 of 4,320 stored \|/);
    expect(table).toMatch(/\| Strategy loop run p50 \/ p95 \/ p99 \/ max +\| [\d.]+ ms \//);
  }, 120_000);

  it('reads its flags and computes percentiles as core does (linear between the nearest ranks)', () => {
    expect(parseSoakArgs([])).toMatchObject({ days: 30, symbols: 20, strategy: 'composite' });
    expect(parseSoakArgs(['--quick'])).toMatchObject({ days: 2, symbols: 20 });
    expect(parseSoakArgs(['--', '--days', '3', '--symbols=5', '--quick'])).toMatchObject({
      days: 3,
      symbols: 5,
    });
    expect(() => parseSoakArgs(['--days', '0'])).toThrow(/--days needs a number > 0/);
    expect(() => parseSoakArgs(['--symbols', '2.5'])).toThrow(/--symbols needs a whole number/);
    expect(() => parseSoakArgs(['--fast'])).toThrow(/unknown flag "--fast"/);
    expect(soakSymbols(22).slice(-3)).toEqual(['NEAR-USDT', 'C21-USDT', 'C22-USDT']);
    const sorted = Float64Array.from({ length: 100 }, (_, index) => index + 1);
    const [p50, p95, p99, p100] = [50, 95, 99, 100].map((p) => percentile(sorted, p));
    expect(p50).toBeCloseTo(50.5, 9);
    expect(p95).toBeCloseTo(95.05, 9);
    expect(p99).toBeCloseTo(99.01, 9);
    expect(p100).toBe(100);
    expect(percentile([], 50)).toBeNull();
  });
});
