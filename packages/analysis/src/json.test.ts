import { describe, expect, it } from 'vitest';
import { sampleReportInput, sampleStart } from '../test/sample-report-input.js';
import { canonicalize, formatJsonReport, toJsonReport } from './json.js';
import { computeMetrics } from './metrics.js';
import type { ReportInput } from './types.js';
import type { RunProvenance } from '@lumenlink/core';

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

describe('toJsonReport provenance', () => {
  const provenance: RunProvenance = {
    strategy: {
      spec: 'strategies/my-idea.ts',
      kind: 'file',
      key: 'my_idea',
      path: '/home/trader/bot/strategies/my-idea.ts',
      exportName: 'default',
      sha256: 'ab'.repeat(32),
    },
    params: { slow: 21, fast: 9, threshold: Number.NaN },
    settings: { stopLossPct: 0.02, risk: { maxOpenPositions: 3, maxDailyLoss: Infinity } },
    data: {
      description: 'bundled',
      symbols: ['BTC-USD', 'ETH-USD'],
      interval: '1h',
      first: sampleStart,
      last: sampleStart + 299 * 3_600_000,
      candles: 600,
      sha256: 'cd'.repeat(32),
    },
  };
  const withProvenance: ReportInput = { ...sampleReportInput(), provenance };

  it('writes the provenance as a top-level field after run, keys sorted, non-finite as null', () => {
    const report = toJsonReport(withProvenance, computeMetrics(withProvenance));
    expect(Object.keys(report)).toEqual([
      'schemaVersion',
      'title',
      'run',
      'provenance',
      'metrics',
      'blocked',
      'trades',
      'equity',
    ]);
    const text = jsonOf(withProvenance);
    expect(text).not.toMatch(/NaN|Infinity/);
    const parsed = JSON.parse(text) as ReturnType<typeof toJsonReport>;
    expect(Object.keys(parsed.provenance ?? {})).toEqual([
      'data',
      'params',
      'settings',
      'strategy',
    ]);
    expect(Object.keys(parsed.provenance?.strategy ?? {})).toEqual([
      'exportName',
      'key',
      'kind',
      'path',
      'sha256',
      'spec',
    ]);
    expect(parsed.provenance?.params).toEqual({ fast: 9, slow: 21, threshold: null });
    expect(parsed.provenance?.settings).toEqual({
      risk: { maxDailyLoss: null, maxOpenPositions: 3 },
      stopLossPct: 0.02,
    });
    expect(parsed.provenance?.data).toEqual({ ...provenance.data });
  });

  it('gives the same bytes for the same provenance whatever order its keys came in', () => {
    const reordered: ReportInput = {
      ...sampleReportInput(),
      provenance: {
        data: provenance.data,
        settings: { risk: { maxDailyLoss: Infinity, maxOpenPositions: 3 }, stopLossPct: 0.02 },
        params: { threshold: Number.NaN, fast: 9, slow: 21 },
        strategy: { ...provenance.strategy },
      } as RunProvenance,
    };
    expect(jsonOf(reordered)).toBe(jsonOf(withProvenance));
    const other: ReportInput = {
      ...withProvenance,
      provenance: { ...provenance, params: { ...provenance.params, fast: 10 } },
    };
    expect(jsonOf(other)).not.toBe(jsonOf(withProvenance));
  });

  it('leaves the field out when the input has no provenance', () => {
    const text = jsonOf(sampleReportInput());
    expect(text).not.toContain('"provenance"');
    expect(
      'provenance' in toJsonReport(sampleReportInput(), computeMetrics(sampleReportInput())),
    ).toBe(false);
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
