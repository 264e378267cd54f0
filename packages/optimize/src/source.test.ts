import type { Candle, SymbolId } from '@lumenlink/core';
import { loadBundledCandles } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import { createLocalEvaluator } from './evaluator.js';
import { formatOptimizeJson } from './json.js';
import { optimize, type OptimizeHooks, type OptimizeRequest } from './run.js';
import { loadSource } from './source.js';
import { buildSpace } from './space.js';

const btc = loadBundledCandles('BTC-USDT');
const eth = loadBundledCandles('ETH-USDT');

describe('loadSource', () => {
  it('takes candles in memory as they are, keeping the asked symbols in their order', async () => {
    const candles = new Map<SymbolId, readonly Candle[]>([
      ['BTC-USDT', btc],
      ['ETH-USDT', eth],
    ]);
    const all = await loadSource(
      { kind: 'candles', candles, interval: '1h' },
      undefined,
      undefined,
    );
    expect(all.candles).toBe(candles);
    expect(all.interval).toBe('1h');
    expect(all.description).toBe('candles in memory (BTC-USDT, ETH-USDT, 1h)');
    const one = await loadSource({ kind: 'candles', candles, interval: '1h' }, ['ETH-USDT'], '4h');
    expect([...one.candles.keys()]).toEqual(['ETH-USDT']);
    expect(one.candles.get('ETH-USDT')).toBe(eth);
  });

  it('loads a data source through @lumenlink/data', async () => {
    const loaded = await loadSource({ kind: 'bundled' }, ['BTC-USDT'], '1h');
    expect(loaded.candles.get('BTC-USDT')).toEqual(btc);
  });
});

describe('optimize over candles in memory', () => {
  it('gives the results of the same candles loaded from the bundled source', async () => {
    const request = (source: OptimizeRequest['source']): OptimizeRequest => ({
      strategy: 'ema_crossover',
      source,
      symbols: ['BTC-USDT'],
      from: Date.UTC(2024, 2, 1),
      to: Date.UTC(2024, 2, 14),
      dimensions: buildSpace('ema_crossover', ['fastPeriod=5,10', 'slowPeriod=30']),
      monteCarloRuns: 50,
    });
    const local: OptimizeHooks = {
      evaluator: (context) => createLocalEvaluator(context),
    };
    const memory = await optimize(
      request({ kind: 'candles', candles: new Map([['BTC-USDT', btc]]), interval: '1h' }),
      local,
    );
    const bundled = await optimize(request({ kind: 'bundled' }), local);
    expect(memory.rows).toHaveLength(2);
    expect(memory.rows).toEqual(bundled.rows);
    expect(memory.source).toBe('candles in memory (BTC-USDT, 1h)');
    // The same candles read, the same hash: only where they came from differs.
    const data = { ...memory.provenance.data, description: bundled.provenance.data.description };
    expect(data).toEqual(bundled.provenance.data);
    expect(data.candles).toBe(btc.length);
    expect(data.sha256).toMatch(/^[0-9a-f]{64}$/);
    const provenance = { ...memory.provenance, data };
    expect(formatOptimizeJson({ ...memory, source: bundled.source, provenance })).toBe(
      formatOptimizeJson(bundled),
    );
  });
});
