import { describe, expect, it } from 'vitest';
import { sampleReportInput, sampleStart } from '../test/sample-report-input.js';
import { canonicalize, formatJsonReport, toJsonReport } from './json.js';
import { computeMetrics } from './metrics.js';
import type { ReportInput } from './types.js';

function jsonOf(input: ReportInput): string {
  return formatJsonReport(input, computeMetrics(input));
}

describe('toJsonReport', () => {
  const input = sampleReportInput();
  const metrics = computeMetrics(input);
  const report = toJsonReport(input, metrics);

  it('gives byte-identical JSON for two runs of the same backtest', () => {
    const first = jsonOf(sampleReportInput());
    const second = jsonOf(sampleReportInput());
    expect(second).toBe(first);
    expect(first.endsWith('}\n')).toBe(true);
  });

  it('orders keys the same whatever order the parameters and blocked counts came in', () => {
    const reordered: ReportInput = {
      ...input,
      params: { confirm: true, fast: 9, slow: 21 },
      blocked: { daily_loss: 1, max_open_positions: 4 },
    };
    expect(jsonOf(reordered)).toBe(jsonOf(input));
    expect(Object.keys(report)).toEqual([
      'schemaVersion',
      'title',
      'run',
      'metrics',
      'blocked',
      'trades',
      'equity',
    ]);
    expect(Object.keys(report.blocked)).toEqual(['daily_loss', 'max_open_positions']);
    expect(report.run.params).toEqual({ confirm: true, fast: 9, slow: 21 });
    expect(JSON.stringify(report.run.params)).toBe('{"confirm":true,"fast":9,"slow":21}');
  });

  it('records the run settings, with the period also in ISO form', () => {
    expect(report.run).toMatchObject({
      strategy: 'ema_crossover',
      interval: '1h',
      from: sampleStart,
      fromIso: '2024-01-01T00:00:00.000Z',
      toIso: '2024-01-13T11:00:00.000Z',
      startingCash: 10_000,
      feeBps: 10,
      slippageBps: 5,
      fillMode: 'next-open',
      symbols: ['BTC-USD', 'ETH-USD'],
    });
  });

  it('carries the metrics, every trade and every equity point', () => {
    expect(report.metrics.totalReturn).toBe(metrics.totalReturn);
    expect(report.metrics.trades).toEqual(metrics.trades);
    expect(Object.keys(report.metrics)).toEqual(Object.keys(metrics));
    expect(report.trades).toHaveLength(input.trades.length);
    expect(report.trades[0]).toEqual(input.trades[0]);
    expect(Object.keys(report.trades[0] ?? {})).toEqual(Object.keys(input.trades[0] ?? {}));
    expect(report.equity).toHaveLength(300);
    expect(report.equity[299]).toEqual(input.equity[299]);
  });

  it('writes Infinity and NaN as null, never as invalid JSON', () => {
    const winners: ReportInput = {
      ...input,
      trades: input.trades.filter((trade) => trade.pnl > 0),
      params: { threshold: Number.NaN, cap: Infinity, nested: { list: [1, -Infinity] } },
      equity: [{ time: sampleStart, equity: Number.NaN, cash: 10_000 }],
    };
    const winnerMetrics = computeMetrics(winners);
    expect(winnerMetrics.profitFactor).toBe(Infinity);
    const text = formatJsonReport(winners, winnerMetrics);
    expect(text).not.toMatch(/NaN|Infinity/);
    const parsed = JSON.parse(text) as ReturnType<typeof toJsonReport>;
    expect(parsed.metrics.profitFactor).toBeNull();
    expect(parsed.run.params).toEqual({ cap: null, nested: { list: [1, null] }, threshold: null });
    expect(parsed.equity[0]).toEqual({ time: sampleStart, equity: null, cash: 10_000 });
  });
});

describe('canonicalize', () => {
  it('sorts keys deeply and turns bigints, dates and undefined into JSON values', () => {
    const value = canonicalize({
      b: [3, undefined, { z: 1, a: 2 }],
      a: 10n,
      when: new Date(sampleStart),
      skip: undefined,
      run: () => 1,
    });
    expect(JSON.stringify(value)).toBe(
      '{"a":"10","b":[3,null,{"a":2,"z":1}],"when":"2024-01-01T00:00:00.000Z"}',
    );
  });
});
