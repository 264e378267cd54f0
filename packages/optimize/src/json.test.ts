import { candlesSha256, loadBundledCandles } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import { sampleOptimizeReport } from '../test/optimize-sample-report.js';
import { formatOptimizeJson } from './json.js';

const btc = loadBundledCandles('BTC-USDT');

describe('formatOptimizeJson', () => {
  it('writes every result, ranked, with the settings that produced them', async () => {
    const text = formatOptimizeJson(await sampleOptimizeReport());
    expect(text.endsWith('}\n')).toBe(true);
    const json = JSON.parse(text) as Record<string, unknown> & {
      results: { rank: number; point: Record<string, number>; metrics: { totalReturn: number } }[];
    };
    expect(json).toMatchObject({
      schemaVersion: 1,
      kind: 'optimize',
      strategy: 'ema_crossover',
      interval: '1h',
      symbols: ['BTC-USDT'],
      metric: 'sharpe',
      mode: 'sweep',
      walkForward: null,
      best: { point: { fastPeriod: 10, slowPeriod: 40 } },
      search: { method: 'grid', points: 15, requested: 16 },
      space: [
        { name: 'fastPeriod', kind: 'range', min: 5, max: 20, step: 5 },
        { name: 'slowPeriod', kind: 'range', min: 20, max: 50, step: 10 },
      ],
    });
    // What produced it: the strategy's source, the fixed parameters, the settings, the data.
    expect(json.provenance).toEqual({
      strategy: { spec: 'ema_crossover', kind: 'builtin', key: 'ema_crossover' },
      params: { fastPeriod: 9, slowPeriod: 21, confidence: 1 },
      settings: json.settings,
      data: {
        description: json.source,
        symbols: ['BTC-USDT'],
        interval: '1h',
        first: Date.UTC(2024, 0, 1),
        last: Date.UTC(2024, 8, 6, 3),
        candles: btc.length,
        sha256: candlesSha256(new Map([['BTC-USDT', btc]]), ['BTC-USDT']),
      },
    });
    expect(json.results).toHaveLength(15);
    expect(json.results.map((row) => row.rank)).toEqual(
      Array.from({ length: 15 }, (_, index) => index + 1),
    );
    expect(json.results[0]?.metrics.totalReturn).toBeCloseTo(0.05, 9);
    // Keys are sorted, so the same report is the same bytes.
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
  });

  it('writes the walk-forward windows, stitched equity and non-finite numbers as null', async () => {
    const report = await sampleOptimizeReport({ walkForward: true, failOn: 5 });
    const json = JSON.parse(formatOptimizeJson(report)) as {
      walkForward: {
        windows: { chosen: unknown; inSample: { from: number } }[];
        stitchedEquity: unknown[];
      };
      results: { rank: number | null; score: number | null; error: string | null }[];
      failures: { crashed: boolean }[];
    };
    expect(json.walkForward.windows).toHaveLength(6);
    expect(json.walkForward.windows[0]).toMatchObject({
      chosen: { fastPeriod: 10, slowPeriod: 40 },
      inSample: { from: Date.UTC(2024, 0, 1) },
    });
    expect(json.walkForward.stitchedEquity.length).toBe(report.walkForward!.stitched.length);
    const failed = json.results.filter((row) => row.error !== null);
    expect(failed).toHaveLength(4);
    expect(failed.every((row) => row.rank === null && row.score === null)).toBe(true);
    expect(json.failures.length).toBe(24);
    expect(json.failures.every((failure) => failure.crashed)).toBe(true);
  });
});
