import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCandlesCsv, openStore } from '@lumenlink/data';
import { describe, expect, it, vi } from 'vitest';
import type { JsonReport } from '@lumenlink/analysis';
import {
  crossoverFlags,
  flat,
  hourMs,
  runCli,
  start,
  tempDir,
  threeTradeCandles,
  writeCsv,
} from './cli-helpers.js';

const at = (index: number): number => start + index * hourMs;

function readJson(path: string): JsonReport {
  return JSON.parse(readFileSync(path, 'utf8')) as JsonReport;
}

describe('pnpm backtest on a CSV file', () => {
  it('trades the three known crossings: next-open fills, slippage, fees on both sides', async () => {
    const dir = tempDir();
    const csv = writeCsv(join(dir, 'BTC-USD.csv'), threeTradeCandles());
    const run = await runCli(
      [
        '--data',
        csv,
        ...crossoverFlags,
        '--fee-bps',
        '10',
        '--slippage-bps',
        '50',
        '--json',
        'out.json',
      ],
      dir,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = readJson(join(dir, 'out.json'));
    const slip = 0.005;
    const fee = 0.001;
    // [signal candle, its close, next open] of each entry and exit.
    const planned = [
      { buy: [5, 110, 111], sell: [10, 105, 104] },
      { buy: [15, 115, 116], sell: [20, 121, 122] },
      { buy: [25, 102, 103], sell: [30, 104, 106] },
    ] as const;
    const expected = planned.map(({ buy, sell }) => {
      // Confidence 1 x max position 1,000 at the signal's close; filled at the next open.
      const quantity = 1_000 / buy[1];
      const entryPrice = buy[2] * (1 + slip);
      const exitPrice = sell[2] * (1 - slip);
      const fees = quantity * (entryPrice + exitPrice) * fee;
      return {
        symbol: 'BTC-USD',
        side: 'long',
        entrySignalTime: at(buy[0]),
        entryTime: at(buy[0] + 1),
        entryPrice,
        exitSignalTime: at(sell[0]),
        exitTime: at(sell[0] + 1),
        exitPrice,
        quantity,
        fees,
        pnl: quantity * (exitPrice - entryPrice) - fees,
        exitReason: 'signal',
      };
    });
    expect(report.trades).toHaveLength(3);
    for (const [index, trade] of report.trades.entries()) {
      const want = expected[index]!;
      expect(trade).toMatchObject({
        symbol: want.symbol,
        side: want.side,
        entrySignalTime: want.entrySignalTime,
        entryTime: want.entryTime,
        exitSignalTime: want.exitSignalTime,
        exitTime: want.exitTime,
        exitReason: want.exitReason,
      });
      for (const key of ['entryPrice', 'exitPrice', 'quantity', 'fees', 'pnl'] as const) {
        expect(trade[key], `trade ${index} ${key}`).toBeCloseTo(want[key], 8);
      }
    }
    const pnls = expected.map((trade) => trade.pnl);
    const net = pnls.reduce((sum, pnl) => sum + pnl, 0);
    expect(pnls[0]).toBeLessThan(0);
    expect(pnls[1]).toBeGreaterThan(0);
    expect(pnls[2]).toBeGreaterThan(0);
    const { metrics } = report;
    expect(metrics.finalEquity).toBeCloseTo(10_000 + net, 6);
    expect(metrics.netProfit).toBeCloseTo(net, 6);
    expect(metrics.totalReturn).toBeCloseTo(net / 10_000, 10);
    expect(metrics.trades).toEqual({ total: 3, closed: 3, open: 0, wins: 2, losses: 1 });
    expect(metrics.winRate).toBeCloseTo(2 / 3, 12);
    expect(metrics.profitFactor).toBeCloseTo((pnls[1]! + pnls[2]!) / -pnls[0]!, 9);
    expect(metrics.expectancy).toBeCloseTo(net / 3, 8);
    expect(metrics.feesPaid).toBeCloseTo(
      expected.reduce((sum, trade) => sum + trade.fees, 0),
      9,
    );
    expect(report.blocked).toEqual({});
    expect(report.equity).toHaveLength(35);
    expect(report.equity.at(-1)?.equity).toBeCloseTo(10_000 + net, 6);
    expect(run.stdout).toContain('LumenLink backtest: ema_crossover on BTC-USD 1h');
    expect(run.stdout).toContain(`JSON report: ${join(dir, 'out.json')}`);
  });

  it('--fill close fills at the signal candle close instead of the next open', async () => {
    const dir = tempDir();
    const csv = writeCsv(join(dir, 'BTC-USD.csv'), threeTradeCandles());
    const run = await runCli(
      [
        '--data',
        csv,
        ...crossoverFlags,
        '--slippage-bps',
        '50',
        '--fill',
        'close',
        '--json',
        'close.json',
      ],
      dir,
    );
    expect(run.code).toBe(0);
    const trades = readJson(join(dir, 'close.json')).trades;
    expect(trades.map((trade) => [trade.entryTime, trade.exitTime])).toEqual([
      [at(5), at(10)],
      [at(15), at(20)],
      [at(25), at(30)],
    ]);
    const closes = [
      [110, 105],
      [115, 121],
      [102, 104],
    ];
    for (const [index, [entry, exit]] of closes.entries()) {
      expect(trades[index]!.entryPrice).toBeCloseTo(entry! * 1.005, 9);
      expect(trades[index]!.exitPrice).toBeCloseTo(exit! * 0.995, 9);
    }
  });

  it('fills a stop the candle gapped through at the open, not at the stop price', async () => {
    const dir = tempDir();
    const csv = writeCsv(join(dir, 'ETH-USD.csv'), [
      ...flat(5, 100),
      [100, 110], // 5: buy signal
      ...flat(3, 110), // 6: entry at 110 x 1.005; stop 5 % below: 105.02
      [100, 101], // 9: opens at 100, below the stop
      ...flat(3, 101),
    ]);
    const run = await runCli(
      [
        '--data',
        csv,
        ...crossoverFlags,
        '--slippage-bps',
        '50',
        '--stop-loss-pct',
        '5',
        '--json',
        'stop.json',
      ],
      dir,
    );
    expect(run.code).toBe(0);
    const report = readJson(join(dir, 'stop.json'));
    expect(report.trades).toHaveLength(1);
    const [trade] = report.trades;
    const entryPrice = 110 * 1.005;
    expect(trade!.entryPrice).toBeCloseTo(entryPrice, 9);
    expect(trade).toMatchObject({
      symbol: 'ETH-USD',
      exitReason: 'stop',
      exitTime: at(9),
      // The open (100), not the stop price (110.55 x 0.95 = 105.02) it gapped through.
      exitPrice: 100,
    });
    // The strategy's own sell on candle 9 comes after the stop: there is nothing left to sell.
    expect(report.blocked).toEqual({ phantom_sell: 1 });

    // The same stop reached inside a candle that opened above it fills at the stop price.
    writeCsv(csv, [...flat(5, 100), [100, 110], ...flat(3, 110), [108, 104.5], ...flat(3, 104.5)]);
    const inside = await runCli(
      [
        '--data',
        csv,
        ...crossoverFlags,
        '--slippage-bps',
        '50',
        '--stop-loss-pct',
        '5',
        '--json',
        'inside.json',
      ],
      dir,
    );
    expect(inside.code).toBe(0);
    const [insideTrade] = readJson(join(dir, 'inside.json')).trades;
    expect(insideTrade).toMatchObject({ exitReason: 'stop', exitTime: at(9) });
    expect(insideTrade!.exitPrice).toBeCloseTo(entryPrice * 0.95, 9);
  });

  it('marks an open trade to market, or closes it with --close-at-end (exit reason end)', async () => {
    const dir = tempDir();
    const csv = writeCsv(join(dir, 'SOL-USD.csv'), [...flat(5, 100), [100, 110], ...flat(4, 120)]);
    const open = await runCli(['--data', csv, ...crossoverFlags, '--json', 'open.json'], dir);
    const closed = await runCli(
      ['--data', csv, ...crossoverFlags, '--close-at-end', '--json', 'closed.json'],
      dir,
    );
    expect([open.code, closed.code]).toEqual([0, 0]);
    const openTrade = readJson(join(dir, 'open.json')).trades[0]!;
    expect(openTrade).toMatchObject({ exitTime: null, exitPrice: null, exitReason: null });
    const closedReport = readJson(join(dir, 'closed.json'));
    expect(closedReport.trades[0]).toMatchObject({ exitReason: 'end', exitPrice: 120 });
    expect(closedReport.metrics.trades).toMatchObject({ closed: 1, open: 0 });
  });

  it('writes the JSON and HTML reports from one CSV file, and both are the same on a second run', async () => {
    const dir = tempDir();
    const bundled = readFileSync(
      new URL('../../../packages/data/data/binance-BTC-USDT-1h-2024.csv.gz', import.meta.url),
    );
    const gz = join(dir, 'binance-BTC-USDT-1h-2024.csv.gz');
    writeFileSync(gz, bundled);
    const argv = ['--data', gz, '--strategy', 'rsi_mean_reversion', '--to', '2024-03-31'];
    const first = await runCli([...argv, '--json', 'a.json', '--html', 'a.html'], dir);
    const second = await runCli([...argv, '--json', 'b.json', '--html', 'b.html'], dir);
    expect([first.code, second.code]).toEqual([0, 0]);
    const json = readFileSync(join(dir, 'a.json'), 'utf8');
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(json);
    expect(readFileSync(join(dir, 'b.html'), 'utf8')).toBe(
      readFileSync(join(dir, 'a.html'), 'utf8'),
    );
    const report = JSON.parse(json) as JsonReport;
    // The symbol comes from the file name; the interval from the candle times.
    expect(report.run).toMatchObject({
      symbols: ['BTC-USDT'],
      interval: '1h',
      strategy: 'rsi_mean_reversion',
    });
    expect(report.run.toIso).toBe('2024-03-31T23:00:00.000Z');
    expect(report.trades.length).toBeGreaterThan(3);
    expect(Object.keys(report.trades[0]!)).toEqual([
      'symbol',
      'side',
      'entrySignalTime',
      'entryTime',
      'entryPrice',
      'exitSignalTime',
      'exitTime',
      'exitPrice',
      'quantity',
      'fees',
      'pnl',
      'exitReason',
    ]);
    expect(report.equity.length).toBe(91 * 24);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['metrics', 'trades', 'equity', 'blocked']),
    );
    const html = readFileSync(join(dir, 'a.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('rsi_mean_reversion on BTC-USDT 1h');
    expect(first.stdout).toContain(`HTML report: ${join(dir, 'a.html')}`);
  });

  it('runs the same on candles read from a SQLite store (--source-db) as on the CSV file', async () => {
    const dir = tempDir();
    const rows = threeTradeCandles();
    const csv = writeCsv(join(dir, 'BTC-USD.csv'), rows);
    const store = await openStore({ path: join(dir, 'candles.db') });
    await store.candles.saveCandles('BTC-USD', '1h', parseCandlesCsv(readFileSync(csv, 'utf8')));
    await store.close();
    const fromCsv = await runCli(['--data', csv, ...crossoverFlags, '--json', 'csv.json'], dir);
    const fromDb = await runCli(
      ['--source-db', 'candles.db', '--symbol', 'BTC-USD', ...crossoverFlags, '--json', 'db.json'],
      dir,
    );
    expect([fromCsv.code, fromDb.code]).toEqual([0, 0]);
    // The same candles and results; only the recorded source differs.
    const { provenance: dbSource, ...db } = readJson(join(dir, 'db.json'));
    const { provenance: csvSource, ...fromFile } = readJson(join(dir, 'csv.json'));
    expect(db).toEqual(fromFile);
    expect(dbSource?.data?.sha256).toBe(csvSource?.data?.sha256);
    expect(dbSource?.settings.source).toEqual({ kind: 'db', path: join(dir, 'candles.db') });
    expect(fromDb.stdout).toContain(`Candles: ${join(dir, 'candles.db')} (1h)`);
  });

  it('--db writes the orders, fills and decisions to SQLite, and refuses a database that holds some', async () => {
    const dir = tempDir();
    const csv = writeCsv(join(dir, 'BTC-USD.csv'), threeTradeCandles());
    const run = await runCli(['--data', csv, ...crossoverFlags, '--db', 'run.db'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Orders, fills and decisions: ${join(dir, 'run.db')}`);
    const store = await openStore({ path: join(dir, 'run.db') });
    const orders = await store.orders.listOrders();
    const fills = await store.orders.listFills();
    const decisions = await store.decisions.recentDecisions('BTC-USD', 100);
    await store.close();
    expect(orders.map((order) => [order.side, order.status])).toEqual([
      ['buy', 'filled'],
      ['sell', 'filled'],
      ['buy', 'filled'],
      ['sell', 'filled'],
      ['buy', 'filled'],
      ['sell', 'filled'],
    ]);
    expect(fills).toHaveLength(6);
    expect(decisions.map((decision) => decision.outcome)).toEqual(Array(6).fill('submitted'));

    const again = await runCli(['--data', csv, ...crossoverFlags, '--db', 'run.db'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`--db: ${join(dir, 'run.db')} already holds orders`);
  });

  it('feeds --sentiment readings to the strategy as Fear & Greed, latest at or before each candle', async () => {
    const dir = tempDir();
    const days = Array.from({ length: 40 }, (_, day) => Date.UTC(2024, 1, 1) + day * 86_400_000);
    const readings = (value: number, classification: string) =>
      JSON.stringify(days.map((time) => ({ time, value, classification })));
    writeFileSync(join(dir, 'fear.json'), readings(5, 'Extreme Fear'));
    writeFileSync(join(dir, 'greed.json'), readings(95, 'Extreme Greed'));
    // Readings only after the period: the strategy never sees one.
    writeFileSync(
      join(dir, 'later.json'),
      JSON.stringify([{ time: Date.UTC(2025, 0, 1), value: 5, classification: 'Extreme Fear' }]),
    );
    const argv = ['--symbol', 'BTC-USDT', '--from', '2024-02-01', '--to', '2024-03-10'];
    const runs = await Promise.all(
      ['none', 'fear', 'greed', 'later'].map(async (name) => {
        const run = await runCli(
          [
            ...argv,
            ...(name === 'none' ? [] : ['--sentiment', `${name}.json`]),
            '--json',
            `${name}.json.out`,
          ],
          dir,
        );
        expect(run.code, run.stderr).toBe(0);
        return readJson(join(dir, `${name}.json.out`)).trades;
      }),
    );
    const [none, fear, greed, later] = runs;
    expect(later).toEqual(none);
    expect(fear).not.toEqual(none);
    expect(greed).not.toEqual(fear);
    // Contrarian: extreme fear votes to buy, extreme greed against buying.
    expect(fear!.length).toBeGreaterThan(greed!.length);
  });

  it('runs the default strategy on the bundled data with no arguments and prints the report path', async () => {
    const dir = tempDir();
    const run = await runCli([], dir);
    expect(run.code).toBe(0);
    const path = join(dir, 'reports', 'backtest-report.html');
    expect(existsSync(path)).toBe(true);
    expect(run.stdout).toContain(
      'LumenLink backtest: advanced_composite on BTC-USDT, ETH-USDT, SOL-USDT 1h',
    );
    expect(run.stdout).toContain(`HTML report: ${path}`);
    expect(run.stdout).toMatch(/Trades\s+\d{2,}/);
    expect(readFileSync(path, 'utf8')).toContain(
      'advanced_composite on BTC-USDT, ETH-USDT, SOL-USDT 1h',
    );
  });

  it('prints the help with every flag', async () => {
    const run = await runCli(['--help'], tempDir());
    expect(run.code).toBe(0);
    for (const flag of ['--data', '--param', '--no-risk', '--no-spread', '--sentiment', '--html']) {
      expect(run.stdout).toContain(flag);
    }
  });
});

describe('pnpm backtest errors', () => {
  it('names the flag and what it accepts, with exit code 2', async () => {
    const run = await runCli(['--fee-bps', 'ten'], tempDir());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'Error: --fee-bps: "ten" is not a number. Accepted: a number from 0 to 1000, up to 10 % (default 10)\npnpm backtest --help lists every flag.\n',
    );
  });

  it('names the command the user ran: ./lumenlink when the wrapper started it', async () => {
    vi.stubEnv('LUMENLINK_RUNNER', './lumenlink');
    try {
      const run = await runCli(['--fee-bps', 'ten'], tempDir());
      expect(run.stderr).toMatch(/\n\.\/lumenlink backtest --help lists every flag\.\n$/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reports a missing CSV file, a bad CSV line, and a period without candles', async () => {
    const dir = tempDir();
    const missing = await runCli(['--data', 'nope.csv'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--data: ${join(dir, 'nope.csv')}: no such file`);

    writeFileSync(
      join(dir, 'BTC-USD.csv'),
      `time,open,high,low,close,volume\n${start},100,101,99,100,1\n${start + hourMs},100,99,101,100,1\n`,
    );
    const malformed = await runCli(['--data', 'BTC-USD.csv'], dir);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^Error: --data: .*BTC-USD\.csv: line 3: /);

    const empty = await runCli(['--from', '2025-01-01'], dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(
      '--from: no candles between --from and --to; the data covers 2024-01-01 00:00 → 2024-09-07 01:00 UTC',
    );
  });

  it('names the file when a CSV name holds no symbol', async () => {
    const dir = tempDir();
    const csv = writeCsv(join(dir, 'prices.csv'), flat(5, 100));
    const run = await runCli(['--data', csv], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `--data: ${csv}: cannot tell the symbol from the file name; name it with --symbol BTC-USD`,
    );
    const named = await runCli(
      ['--data', csv, '--symbol', 'XRP-USDT', '--strategy', 'ema_crossover'],
      dir,
    );
    expect(named.code).toBe(0);
    expect(named.stdout).toContain('ema_crossover on XRP-USDT 1h');
  });
});
