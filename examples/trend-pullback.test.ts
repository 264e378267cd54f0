import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundledCandles } from '@lumenlink/data';
import { runBacktest } from '@lumenlink/engine';
import { loadStrategy, resolveStrategyParams } from '@lumenlink/strategy-loader';
import { describe, expect, it } from 'vitest';

const file = fileURLToPath(new URL('./strategies/trend-pullback.ts', import.meta.url));
const readme = fileURLToPath(new URL('../packages/strategies/README.md', import.meta.url));

describe('the strategy of the strategies README walkthrough', () => {
  it('is the file the README shows, line for line', () => {
    const source = readFileSync(file, 'utf8');
    const block = /```ts\n(\/\*\*\n \* Trend pullback:[\s\S]*?)```/.exec(
      readFileSync(readme, 'utf8'),
    );
    expect(block?.[1]).toBe(source);
  });

  it('loads from its file and trades bundled BTC/USDT candles with stops, targets and portions', async () => {
    const loaded = await loadStrategy(file);
    expect(loaded.provenance).toMatchObject({ kind: 'file', key: 'trend_pullback', path: file });
    const { params } = await resolveStrategyParams(loaded, { assignments: ['entryRsi=45'] });
    expect(params).toMatchObject({ fastPeriod: 20, slowPeriod: 50, entryRsi: 45 });
    const result = await runBacktest({
      candles: new Map([['BTC-USDT', loadBundledCandles('BTC-USDT')]]),
      interval: '1h',
      strategy: () => loaded.definition.create(params, { interval: '1h' }),
      startingCash: 10_000,
    });
    expect(result.trades.length).toBeGreaterThan(3);
    const reasons = new Set(result.trades.map((trade) => trade.exitReason));
    expect([...reasons].some((reason) => reason !== null)).toBe(true);
    await expect(
      resolveStrategyParams(loaded, { assignments: ['fastPeriod=60', 'slowPeriod=40'] }),
    ).rejects.toThrow(/slowPeriod: must be above fastPeriod/);
  });
});
