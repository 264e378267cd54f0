import { hold, type Candle, type Signal, type Strategy } from '@lumenlink/core';

export const hourMs = 3_600_000;
/** 2024-01-01T00:00Z. */
export const start = Date.UTC(2024, 0, 1);

/** Candles from closes: each opens at the previous close, with a small range around both. */
export function candlesFromCloses(closes: readonly number[], startAt = start): Candle[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    return {
      time: startAt + i * hourMs,
      open,
      high: Math.max(open, close) * 1.001,
      low: Math.min(open, close) * 0.999,
      close,
      volume: 100,
    };
  });
}

/**
 * A strategy that signals what a script says at given candle indices (counted from its first
 * candle), and holds otherwise.
 */
export function scriptedStrategy(script: ReadonlyMap<number, Signal>): Strategy {
  let index = -1;
  const idle = hold('nothing scripted');
  return {
    key: 'scripted',
    params: {},
    warmup: 0,
    onCandle(): Signal {
      index += 1;
      return script.get(index) ?? idle;
    },
  };
}

export const buy = (reason = 'scripted buy', extra: Partial<Signal> = {}): Signal => ({
  action: 'buy',
  confidence: 1,
  reason,
  ...extra,
});
export const sell = (reason = 'scripted sell'): Signal => ({
  action: 'sell',
  confidence: 1,
  reason,
});
