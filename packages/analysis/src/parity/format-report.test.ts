import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '@lumenlink/engine';
import {
  alter,
  botDatabase,
  copy,
  parity,
  removeOrder,
  tempPath,
} from '../../test/bot-database.js';
import { formatParityReport } from './format-report.js';
import { formatParityTime } from './numbers.js';

/** Prices print with at most 10 significant digits. */
const digits10 = (value: number): string => String(Number(value.toPrecision(10)));

let basePath: string;
let base: BacktestResult;

beforeAll(async () => {
  basePath = tempPath('bot.db');
  base = await botDatabase(basePath);
});

describe('formatParityReport', () => {
  it('prints what was compared, and says so when the two sides agree', async () => {
    const report = await parity(basePath);
    const text = formatParityReport(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`LumenLink parity report for ${basePath}`);
    expect(lines[1]).toBe(
      '  config    ema_crossover on BTC-USDT, ETH-USDT 1h; cash 5000, fee 12 bps, slippage 7 bps',
    );
    expect(lines[2]).toBe(
      `  candles   ${formatParityTime(report.period.firstCandle)} to ${formatParityTime(report.period.to)} UTC: 1200 replayed, warm-up included (end: last processed candle)`,
    );
    expect(lines[3]).toBe('  trading   from the first candle on, once the strategy is warm');
    expect(lines[4]).toBe(
      `  bot       ${base.trades.length} trades from ${base.orders.length} orders and ${base.fills.length} fills`,
    );
    expect(lines[6]).toBe(`  matched   ${base.trades.length} trades`);
    expect(lines.slice(7)).toEqual([
      '',
      "No differences: replaying the stored candles through the backtest gives exactly the bot's trades.",
      '',
    ]);
  });

  it('prints each difference: a changed trade field by field, a missing one with its trade', async () => {
    const trade = base.trades.filter((candidate) => candidate.exitTime !== null)[2]!;
    const entry = base.orders.find(
      (order) =>
        order.symbol === trade.symbol &&
        order.side === 'buy' &&
        order.candleTime === trade.entrySignalTime,
    )!;
    const exit = base.orders.find(
      (order) =>
        order.symbol === trade.symbol &&
        order.side === 'sell' &&
        order.candleTime === trade.exitSignalTime,
    )!;
    const path = copy(basePath);
    await alter(path, async (store) => {
      await removeOrder(store, entry);
      await removeOrder(store, exit);
    });
    const report = await parity(path, { PAPER_FEE_BPS: '15' });
    const text = formatParityReport(report);
    const counts = Object.entries(report.causes)
      .filter(([, count]) => count > 0)
      .map(([cause, count]) => `${cause} ${count}`);
    expect(text).toContain(`\n${report.differences.length} differences: ${counts.join(', ')}\n`);
    const missing = report.differences.findIndex(
      (difference) => difference.kind === 'missing_in_bot',
    );
    expect(missing).toBeGreaterThanOrEqual(0);
    expect(text).toContain(
      `\n${missing + 1}. ${trade.symbol}, signalled ${formatParityTime(trade.entrySignalTime)}: missing in bot (data)\n     backtest  entry ${formatParityTime(trade.entryTime)} at ${digits10(trade.entryPrice)}, exit ${formatParityTime(trade.exitTime!)} at ${digits10(trade.exitPrice!)} (${trade.exitReason})`,
    );
    expect(text).toMatch(
      /\n {5}data: the bot's buy decision on .* which the orders table does not hold\n/,
    );
    expect(text).toMatch(
      /\n1\. \S+, signalled .*: changed \(fill model\)\n {5}fees {10}bot \S+ +backtest \S+ +-\S+ +fill model: the bot paid 12 bps in fees, the backtest 15 bps/,
    );
  });
});
