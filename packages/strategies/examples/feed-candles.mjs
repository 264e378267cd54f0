// Feeds a deterministic hourly series through two LumenLink strategies and prints their signals.
// Run from this package after `pnpm build`: node examples/feed-candles.mjs
import { timeframeMs } from '@lumenlink/core';
import { createStrategy } from '@lumenlink/strategies';

const interval = '1h';
const hour = timeframeMs(interval);
const start = Date.UTC(2024, 0, 1);

// A slide from 100 to 80, a rally to 112 and a pullback to 100, with a small deterministic wiggle:
// the EMAs cross both ways and the RSI dips below 30 and rises above 70.
const path = [
  ...Array.from({ length: 40 }, (_, i) => 100 - (20 * (i + 1)) / 40),
  ...Array.from({ length: 40 }, (_, i) => 80 + (32 * (i + 1)) / 40),
  ...Array.from({ length: 30 }, (_, i) => 112 - (12 * (i + 1)) / 30),
];
const candles = path.map((level, i) => {
  const close = level + 1.2 * Math.sin(i * 1.3);
  const open = i === 0 ? close : path[i - 1] + 1.2 * Math.sin((i - 1) * 1.3);
  return {
    time: start + i * hour,
    open,
    high: Math.max(open, close) + 0.2,
    low: Math.min(open, close) - 0.2,
    close,
    volume: 10 + (i % 5),
  };
});

const counts = {};
for (const key of ['ema_crossover', 'rsi_mean_reversion']) {
  const strategy = createStrategy(key, {}, { interval });
  counts[key] = { buy: 0, sell: 0, hold: 0 };
  for (const candle of candles) {
    // The decision time is the candle's close; this example trades without positions.
    const signal = strategy.onCandle(candle, {
      symbol: 'BTC-USD',
      time: candle.time + hour,
      position: null,
    });
    counts[key][signal.action]++;
    if (signal.action !== 'hold') {
      const at = new Date(candle.time).toISOString().slice(0, 16);
      console.log(
        `${key} ${at} ${signal.action} (${signal.confidence.toFixed(2)}): ${signal.reason}`,
      );
    }
  }
  console.log(`${key}: ${JSON.stringify(counts[key])} (warmup ${strategy.warmup} candles)`);
}

for (const [key, count] of Object.entries(counts)) {
  if (count.buy === 0 || count.sell === 0) throw new Error(`${key} should have bought and sold`);
}
console.log('example: ok');
