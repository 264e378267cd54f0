import { createHook } from 'node:async_hooks';
import type { AlertEvent, Signal, Strategy } from '@lumenlink/core';
import { hold } from '@lumenlink/core';
import { RecordingNotifier } from '@lumenlink/core/testing';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../src/index.js';
import { buy, candlesFromCloses } from './helpers.js';

/** Promises created since the hook was enabled (async_hooks' PROMISE resources). */
function promiseCounter(): { readonly count: () => number; readonly stop: () => void } {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') created += 1;
    },
  });
  hook.enable();
  return { count: () => created, stop: () => hook.disable() };
}

describe('the backtest hot path', () => {
  it('creates no promise for a candle that holds a position and fills nothing (trailing stop, protections, in-memory stores)', async () => {
    // A slow rise: the trailing stop ratchets up every candle and is never hit.
    const closes = Array.from({ length: 120 }, (_, i) => 100 + i * 0.1);
    const candles = candlesFromCloses(closes);
    const created: number[] = [];
    const counter = promiseCounter();
    const idle = hold('holding');
    let index = -1;
    const strategy: Strategy = {
      key: 'probe',
      params: {},
      warmup: 0,
      onCandle(): Signal {
        index += 1;
        created.push(counter.count());
        return index === 20 ? buy('enter once') : idle;
      },
    };
    const notifier = new RecordingNotifier();
    try {
      const result = await runBacktest({
        candles: new Map([['BTC-USD', candles]]),
        interval: '1h',
        strategy: () => strategy,
        startingCash: 10_000,
        notifier,
      });
      expect(result.trades).toHaveLength(1);
      expect(result.trades[0]!.exitTime).toBeNull();
    } finally {
      counter.stop();
    }
    const moves = notifier.events.filter((event: AlertEvent) => event.type === 'stop_moved');
    expect(moves.length).toBeGreaterThan(50);
    // Candle 21 fills the entry (a promise path); from candle 22 on the position is only held.
    const perCandle = created.slice(23).map((count, i) => count - created[22 + i]!);
    expect(perCandle).toHaveLength(closes.length - 23);
    expect(perCandle.every((count) => count === 0)).toBe(true);
    // The entry itself went through the order manager and the stores: promises there.
    expect(created[22]! - created[21]!).toBeGreaterThan(0);
  });
});
