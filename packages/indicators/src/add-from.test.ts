import { describe, expect, it } from 'vitest';
import { loadBtc1h } from './__fixtures__/candles.js';
import { BollingerBands } from './bollinger-bands.js';
import { EMA } from './ema.js';
import { MACD } from './macd.js';
import { RelativeVolume } from './relative-volume.js';
import { ROC } from './roc.js';
import { RSI } from './rsi.js';
import { SMA } from './sma.js';
import { StochasticRSI } from './stochastic-rsi.js';
import { WilderMA } from './wilder-ma.js';
import { WMA } from './wma.js';

/** An indicator of numbers, fed either way. */
interface NumberIndicator {
  add(input: number): void;
  addFrom(column: Float64Array, index: number): void;
  readonly value: unknown;
  readonly isReady: boolean;
}

/** A copy of an indicator's value, a number or the fields of its reused result object. */
function snapshot(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? { ...value } : value;
}

describe('addFrom', () => {
  const { close, volume } = loadBtc1h();

  it.each([
    ['SMA', () => new SMA(20), close],
    ['EMA', () => new EMA(20), close],
    ['WMA', () => new WMA(20), close],
    ['WilderMA', () => new WilderMA(14), close],
    ['RSI', () => new RSI(14), close],
    ['ROC', () => new ROC(12), close],
    ['MACD', () => new MACD(), close],
    ['BollingerBands', () => new BollingerBands(), close],
    ['StochasticRSI', () => new StochasticRSI(), close],
    ['RelativeVolume', () => new RelativeVolume(20), volume],
  ] as const)(
    '%s: column[index] gives the same values as add, bit for bit',
    (_, make: () => NumberIndicator, column) => {
      const byAdd = make();
      const byColumn = make();
      let ready = 0;
      for (let i = 0; i < column.length; i++) {
        byAdd.add(column[i]!);
        byColumn.addFrom(column, i);
        expect(snapshot(byColumn.value)).toStrictEqual(snapshot(byAdd.value));
        if (byColumn.isReady) ready++;
      }
      expect(ready).toBeGreaterThan(column.length - 60);
    },
  );
});
