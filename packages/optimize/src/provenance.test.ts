import type { Candle, SymbolId } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { dataRecordOf, describeData, describeStrategySource } from './provenance.js';

const hour = 3_600_000;
const t0 = Date.UTC(2024, 0, 1);

function series(count: number, start: number): Candle[] {
  return Array.from({ length: count }, (_, index) => ({
    time: start + index * hour,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 10,
  }));
}

describe('dataRecordOf', () => {
  it('records the symbols in run order, the first and last open time over all, and the count', () => {
    const candles = new Map<SymbolId, readonly Candle[]>([
      ['ETH-USDT', series(3, t0 + 2 * hour)],
      ['BTC-USDT', series(4, t0)],
    ]);
    expect(dataRecordOf({ description: 'two files', candles, interval: '1h' })).toEqual({
      description: 'two files',
      symbols: ['ETH-USDT', 'BTC-USDT'],
      interval: '1h',
      first: t0,
      last: t0 + 4 * hour,
      candles: 7,
    });
  });

  it('has no first and last without candles', () => {
    const record = dataRecordOf({
      description: 'empty',
      candles: new Map([['BTC-USDT', []]]),
      interval: '4h',
    });
    expect(record).toMatchObject({ first: null, last: null, candles: 0 });
    expect(describeData(record)).toBe('empty: 0 candles of BTC-USDT 4h, none');
  });
});

describe('describeData', () => {
  it('gives the source, the count, the range and the hash when there is one', () => {
    const record = {
      description: 'bundled',
      symbols: ['BTC-USDT'],
      interval: '1h',
      first: t0,
      last: t0 + 1000 * hour,
      candles: 1001,
    };
    expect(describeData(record)).toBe(
      'bundled: 1,001 candles of BTC-USDT 1h, 2024-01-01 00:00 → 2024-02-11 16:00 UTC',
    );
    expect(describeData({ ...record, sha256: 'f'.repeat(64) })).toMatch(/ \(sha256 f{64}\)$/);
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
