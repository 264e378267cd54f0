import { ValidationError, type RunProvenance } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { formatJsonReport } from './json.js';
import { computeMetrics } from './metrics.js';
import { reportProvenance } from './report-provenance.js';
import type { ReportInput } from './types.js';

const provenance: RunProvenance = {
  strategy: {
    spec: 'strategies/x.ts',
    kind: 'file',
    key: 'x',
    path: '/a/x.ts',
    sha256: 'ab'.repeat(32),
  },
  params: { period: 20, weights: { a: 1 } },
  settings: { feeBps: 10, source: { kind: 'bundled' }, from: 1_704_067_200_000 },
  data: {
    description: 'bundled',
    symbols: ['BTC-USDT'],
    interval: '1h',
    first: 0,
    last: 3_600_000,
    candles: 2,
    sha256: 'cd'.repeat(32),
  },
};

function report(withProvenance: boolean): string {
  const input: ReportInput = {
    title: 'x',
    strategy: 'x',
    params: provenance.params,
    interval: '1h',
    from: 0,
    to: 3_600_000,
    startingCash: 1_000,
    feeBps: 10,
    slippageBps: 5,
    fillMode: 'next-open',
    candles: { 'BTC-USDT': [] },
    trades: [],
    equity: [],
    blocked: {},
    ...(withProvenance ? { provenance } : {}),
  };
  return formatJsonReport(input, computeMetrics(input));
}

function problem(text: string): string {
  try {
    reportProvenance(text, 'r.json');
  } catch (error) {
    if (ValidationError.isInstance(error)) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('reportProvenance', () => {
  it('reads back the provenance a JSON report records', () => {
    expect(reportProvenance(report(true), 'r.json')).toEqual(provenance);
  });

  it('names the report and the fix for a report without provenance, and for other texts', () => {
    expect(problem(report(false))).toMatch(
      /^r\.json: records no provenance \(it was written before reports recorded what produced them\), so it cannot be run again\. Run the backtest again/,
    );
    expect(problem('{ nope')).toMatch(
      /^r\.json: is not JSON \(.*\)\. Give the JSON report a backtest wrote with --json$/,
    );
    expect(problem('[1]')).toMatch(/^r\.json: is not a LumenLink JSON report \(schemaVersion 1\)/);
    expect(problem(JSON.stringify({ schemaVersion: 1, provenance: { strategy: {} } }))).toMatch(
      /records no provenance/,
    );
  });
});
