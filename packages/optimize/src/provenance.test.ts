import { describe, expect, it } from 'vitest';
import { describeData, describeStrategySource } from './provenance.js';

const hour = 3_600_000;
const t0 = Date.UTC(2024, 0, 1);

describe('describeData', () => {
  it('gives the source, the count, the range and the hash', () => {
    const record = {
      description: 'bundled',
      symbols: ['BTC-USDT'],
      interval: '1h',
      first: t0,
      last: t0 + 1000 * hour,
      candles: 1001,
      sha256: 'f'.repeat(64),
    };
    expect(describeData(record)).toBe(
      `bundled: 1,001 candles of BTC-USDT 1h, 2024-01-01 00:00 → 2024-02-11 16:00 UTC (sha256 ${'f'.repeat(64)})`,
    );
    expect(describeData({ ...record, first: null, last: null, candles: 0 })).toBe(
      `bundled: 0 candles of BTC-USDT 1h, none (sha256 ${'f'.repeat(64)})`,
    );
  });
});

describe('describeStrategySource', () => {
  it('names a built-in key, a file with its hash and export, a package with its version', () => {
    expect(
      describeStrategySource({ spec: 'rsi', kind: 'builtin', key: 'rsi_mean_reversion' }),
    ).toBe('built-in rsi_mean_reversion');
    expect(
      describeStrategySource({
        spec: 'strategies/a.ts#fast',
        kind: 'file',
        key: 'fast',
        path: '/home/me/strategies/a.ts',
        exportName: 'fast',
        sha256: 'ab12',
      }),
    ).toBe('fast from file /home/me/strategies/a.ts, export fast (sha256 ab12)');
    expect(
      describeStrategySource({
        spec: 'my-strategies',
        kind: 'package',
        key: 'trend',
        path: '/home/me/node_modules/my-strategies/index.js',
        exportName: 'default',
        packageName: 'my-strategies',
        packageVersion: '1.2.0',
        sha256: 'cd34',
      }),
    ).toBe(
      'trend from package my-strategies@1.2.0 (/home/me/node_modules/my-strategies/index.js) (sha256 cd34)',
    );
  });
});
