import type { Candle } from '@lumenlink/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestReport, strategyFile } from '../test/backtest-report.js';
import { compareReports } from './compare.js';
import type { JsonReport } from './json.js';

/** The recorded report of the baseline run: ema_crossover 9/21 on 1,200 BTC/USDT candles. */
let recorded: string;
let report: JsonReport;

beforeAll(async () => {
  recorded = await backtestReport();
  report = JSON.parse(recorded) as JsonReport;
});

function short(hash: string | undefined): string {
  return `${(hash ?? '').slice(0, 12)}…`;
}

/** The recorded report with `edit` applied, written as formatJsonReport writes. */
function edited(edit: (copy: JsonReport) => void): string {
  const copy = JSON.parse(recorded) as JsonReport;
  edit(copy);
  return `${JSON.stringify(copy, null, 2)}\n`;
}

describe('compareReports', () => {
  it('says identical for a rerun of the same backtest, byte for byte', async () => {
    const rerun = await backtestReport();
    expect(rerun).toBe(recorded);
    expect(compareReports(recorded, rerun)).toEqual({ identical: true, differences: [] });
    expect(report.trades.length).toBeGreaterThan(3);
  });

  it('names a changed parameter first, old → new, then the results it changed', async () => {
    const rerun = await backtestReport({ fastPeriod: 12 });
    const { identical, differences } = compareReports(recorded, rerun);
    expect(identical).toBe(false);
    expect(differences[0]).toBe('parameter fastPeriod: 9 → 12');
    // The run section's parameters say the same: not repeated.
    expect(differences.filter((line) => line.includes('fastPeriod'))).toHaveLength(1);
    const rerunReport = JSON.parse(rerun) as JsonReport;
    expect(differences).toContain(
      `metric totalReturn: ${report.metrics.totalReturn} → ${rerunReport.metrics.totalReturn}`,
    );
    expect(differences.some((line) => line.startsWith('the strategy'))).toBe(false);
    expect(differences.some((line) => line.startsWith('the candles'))).toBe(false);
  });

  it('says the strategy file changed, with both hashes shortened, when only its contents did', async () => {
    const before = strategyFile('export default defineStrategy({ ... });\n');
    const after = strategyFile('export default defineStrategy({ /* tweaked */ });\n');
    const rerun = await backtestReport({ strategy: after });
    expect(compareReports(recorded, rerun)).toEqual({
      identical: false,
      differences: [
        `the strategy file changed: sha256 ${short(before.sha256)} → ${short(after.sha256)}`,
      ],
    });
  });

  it('names a strategy that moved, came from elsewhere or from another package version', async () => {
    const file = strategyFile('export default defineStrategy({ ... });\n');
    const moved = await backtestReport({ strategy: { ...file, path: '/srv/bot/my-idea.ts' } });
    expect(compareReports(recorded, moved).differences).toEqual([
      'the strategy file moved: /home/trader/bot/strategies/my-idea.ts → /srv/bot/my-idea.ts',
    ]);
    const builtin = await backtestReport({
      strategy: { spec: 'ema_crossover', kind: 'builtin', key: 'ema_crossover' },
    });
    expect(compareReports(builtin, recorded).differences[0]).toBe(
      'the strategy source changed: built-in ema_crossover → file /home/trader/bot/strategies/my-idea.ts',
    );
    const packaged = (version: string) => ({
      spec: 'lumenlink-strategy-momo',
      kind: 'package' as const,
      key: 'momo',
      path: '/app/node_modules/lumenlink-strategy-momo/index.js',
      exportName: 'default',
      packageName: 'lumenlink-strategy-momo',
      packageVersion: version,
      sha256: version === '1.0.0' ? 'a'.repeat(64) : 'b'.repeat(64),
    });
    const { differences } = compareReports(
      await backtestReport({ strategy: packaged('1.0.0') }),
      await backtestReport({ strategy: packaged('1.1.0') }),
    );
    expect(differences).toEqual([
      'the strategy package changed: lumenlink-strategy-momo@1.0.0 → lumenlink-strategy-momo@1.1.0',
      `the strategy package's module file changed: sha256 ${'a'.repeat(12)}… → ${'b'.repeat(12)}…`,
    ]);
  });

  it('names a changed setting by its path, and not again from the run section', async () => {
    const rerun = await backtestReport({ feeBps: 20 });
    const { differences } = compareReports(recorded, rerun);
    expect(differences[0]).toBe('setting costs.feeBps: 10 → 20');
    expect(differences.some((line) => line.startsWith('the fee'))).toBe(false);
    expect(differences.some((line) => /\bfeesPaid\b/.test(line))).toBe(true);
  });

  it('says the candles changed when one close did, and the range and count when the data is cut', async () => {
    const editOne = (candles: Candle[]): Candle[] =>
      candles.map((candle, index) =>
        index === 500 ? { ...candle, close: candle.close + 0.01 } : candle,
      );
    const changedClose = await backtestReport({ editCandles: editOne });
    const rerunData = (JSON.parse(changedClose) as JsonReport).provenance?.data;
    const data = report.provenance?.data;
    const candlesLine = `the candles changed: sha256 ${short(data?.sha256)} → ${short(rerunData?.sha256)}`;
    expect(compareReports(recorded, changedClose).differences[0]).toBe(candlesLine);

    const shorter = await backtestReport({ candleCount: 1_100 });
    const cut = JSON.parse(shorter) as JsonReport;
    const { differences } = compareReports(recorded, shorter);
    const last = (ms: number | null | undefined) => new Date(ms ?? 0).toISOString();
    expect(differences.slice(0, 3)).toEqual([
      `the data range changed: ${last(data?.first)} to ${last(data?.last)} → ${last(cut.provenance?.data?.first)} to ${last(cut.provenance?.data?.last)}`,
      'the candle count changed: 1200 → 1100',
      `the candles changed: sha256 ${short(data?.sha256)} → ${short(cut.provenance?.data?.sha256)}`,
    ]);
    // The tested period's end also moved; the run section says so after the data.
    expect(differences[3]).toMatch(/^the period end changed: 2024-.* → 2024-/);
  });

  it('puts causes before results: strategy, parameters, settings, data, then metrics and trades', async () => {
    const rerun = await backtestReport({
      strategy: strategyFile('changed'),
      fastPeriod: 5,
      feeBps: 25,
      candleCount: 1_150,
    });
    const { differences } = compareReports(recorded, rerun);
    const at = (prefix: string) => differences.findIndex((line) => line.startsWith(prefix));
    const order = [
      at('the strategy file changed'),
      at('parameter fastPeriod: 9 → 5'),
      at('setting costs.feeBps: 10 → 25'),
      at('the candle count changed: 1200 → 1150'),
      at('metric totalReturn'),
      at('trade count') >= 0 ? at('trade count') : at('the first differing trade'),
    ];
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Eight other metrics get a line each; the rest that differ are named in one line.
    expect(differences.filter((line) => /^metric (?!totalReturn)/.test(line))).toHaveLength(8);
    const rest = differences.find((line) => / more metrics differ: /.test(line)) ?? '';
    const named = rest.replace(/^\d+ more metrics differ: /, '').split(', ');
    expect(rest.startsWith(`${named.length} more metrics differ: `)).toBe(true);
    expect(named).toContain('feesPaid');
    expect(differences.some((line) => line.startsWith('metric blocked.'))).toBe(false);
  });

  it('names the first differing trade with each of its fields, and a trade only one side has', () => {
    const trade = report.trades[1];
    const rerun = edited((copy) => {
      const target = copy.trades[1];
      if (target !== undefined) {
        target.exitPrice = (target.exitPrice ?? 0) + 1;
        target.exitReason = 'stop';
      }
    });
    expect(compareReports(recorded, rerun).differences).toEqual([
      `the first differing trade is #2 (BTC-USDT): exitPrice ${trade?.exitPrice} → ${(trade?.exitPrice ?? 0) + 1}, exitReason ${trade?.exitReason} → stop`,
    ]);
    const fewer = edited((copy) => {
      copy.trades.pop();
    });
    const lastTrade = report.trades.at(-1);
    const only = compareReports(fewer, recorded).differences;
    expect(only).toHaveLength(1);
    expect(only[0]).toMatch(
      new RegExp(
        `^trade #${report.trades.length} is only in the rerun: BTC-USDT entry ${new Date(lastTrade?.entryTime ?? 0).toISOString()} at ${lastTrade?.entryPrice}`,
      ),
    );
  });

  it('compares the metrics, trade count, blocked signals and equity of results that differ', () => {
    const rerun = edited((copy) => {
      copy.metrics.totalReturn = 0.5;
      copy.metrics.trades.total = (copy.metrics.trades.total ?? 0) + 1;
      copy.blocked.cooldown = 3;
      const point = copy.equity[10];
      if (point !== undefined) point.equity = 1;
    });
    expect(compareReports(recorded, rerun).differences).toEqual([
      `metric totalReturn: ${report.metrics.totalReturn} → 0.5`,
      `trade count: ${report.metrics.trades.total} → ${(report.metrics.trades.total ?? 0) + 1}`,
      'signals blocked by cooldown: absent → 3',
      `the equity curve first differs at ${new Date(report.equity[10]?.time ?? 0).toISOString()} (point #11): equity ${report.equity[10]?.equity} → 1, cash ${report.equity[10]?.cash} → ${report.equity[10]?.cash}`,
    ]);
  });

  it('compares an older report without provenance from its run section, and says so', async () => {
    const older = await backtestReport({ withoutProvenance: true });
    expect(older).not.toContain('"provenance"');
    const rerun = await backtestReport({ fastPeriod: 12 });
    const { differences } = compareReports(older, rerun);
    expect(differences[0]).toMatch(
      /^the recorded report has no provenance \(it was written before/,
    );
    expect(differences[1]).toBe('parameter fastPeriod: 9 → 12');
    const bothOld = compareReports(
      older,
      await backtestReport({ withoutProvenance: true, feeBps: 15 }),
    );
    expect(bothOld.differences[0]).toBe('the fee (bps per side) changed: 10 → 15');
    expect(bothOld.differences.at(-1)).toMatch(/^neither report has provenance/);
    expect(compareReports(recorded, older).differences).toEqual([
      'the rerun report has no provenance: it was written without what produced it',
    ]);
  });

  it('says which text is not a report and how to get one', () => {
    const notJson = compareReports('{"schemaVersion": 1,', recorded);
    expect(notJson.identical).toBe(false);
    expect(notJson.differences).toHaveLength(1);
    expect(notJson.differences[0]).toMatch(
      /^the recorded report is not valid JSON \(.+\): give the JSON report a backtest wrote \(`pnpm backtest --json report\.json`\)$/,
    );
    expect(compareReports(recorded, '').differences).toEqual([
      'the rerun report is empty: give the JSON report a backtest wrote (`pnpm backtest --json report.json`)',
    ]);
    expect(compareReports('[1, 2]', '{"title": "x"}').differences).toEqual([
      'the recorded report is not a LumenLink JSON report (it has no schemaVersion): give the JSON report a backtest wrote (`pnpm backtest --json report.json`)',
      'the rerun report is not a LumenLink JSON report (it has no schemaVersion): give the JSON report a backtest wrote (`pnpm backtest --json report.json`)',
    ]);
    expect(compareReports(recorded, '{"schemaVersion": 2}').differences).toEqual([
      'the rerun report has schemaVersion 2, and this version of @lumenlink/analysis reads schemaVersion 1: compare it with the version that wrote it',
    ]);
  });

  it('says when only the writing differs, and names any other field that does', () => {
    const compact = JSON.stringify(JSON.parse(recorded));
    expect(compareReports(recorded, compact)).toEqual({
      identical: false,
      differences: [
        'the reports hold the same values but their bytes differ (whitespace, key order or number spelling): compare files written by formatJsonReport, unedited',
      ],
    });
    const retitled = edited((copy) => {
      copy.title = 'my run';
    });
    expect(compareReports(recorded, retitled).differences).toEqual([
      `the reports differ at title: ${JSON.stringify(report.title)} → "my run"`,
    ]);
  });
});
