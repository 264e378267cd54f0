import { readFileSync } from 'node:fs';
import type { Candle } from '@lumenlink/core';
import { expect } from 'vitest';

/** The bundled real BTC/USDT 1h candles (see README.md here), as candles and as columns. */
export function loadBtc1h(): {
  readonly candles: readonly Candle[];
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
} {
  const text = readFileSync(new URL('./binance-btc-usdt-1h-2024.csv', import.meta.url), 'utf8');
  const candles = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [time, open, high, low, close, volume] = line.split(',').map(Number);
      return { time: time!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
    });
  const column = (pick: (candle: Candle) => number) => Float64Array.from(candles, pick);
  return {
    candles,
    open: column((c) => c.open),
    high: column((c) => c.high),
    low: column((c) => c.low),
    close: column((c) => c.close),
    volume: column((c) => c.volume),
  };
}

/**
 * Asserts that `ours` matches a reference series aligned to its end (technicalindicators omits
 * warm-up entries), to `tolerance` relative error, after skipping the first `skip` of our indices.
 * Returns how many values were compared, so a test can assert it compared enough.
 */
export function expectMatchesReference(
  ours: ArrayLike<number>,
  reference: readonly number[],
  options: { readonly skip?: number; readonly tolerance?: number } = {},
): number {
  const tolerance = options.tolerance ?? 1e-9;
  const offset = ours.length - reference.length;
  let compared = 0;
  for (let i = Math.max(options.skip ?? 0, offset); i < ours.length; i++) {
    const actual = ours[i]!;
    const expected = reference[i - offset]!;
    const scale = Math.max(Math.abs(expected), 1e-12);
    if (!(Math.abs(actual - expected) / scale <= tolerance)) {
      expect.fail(
        `index ${i}: ours ${actual}, reference ${expected} (relative error ${Math.abs(actual - expected) / scale})`,
      );
    }
    compared++;
  }
  return compared;
}
