/**
 * Trend pullback: in an uptrend (fast EMA above slow EMA, and the 4h trend up), buy when RSI dips
 * below `entryRsi`, with a stop `stopAtr` ATRs below the close and a target `targetAtr` ATRs
 * above; sell half when RSI runs above `exitRsi`, all of it when the trend turns down.
 * Run it: pnpm backtest --strategy examples/strategies/trend-pullback.ts
 */
import { hold, type Candle, type Signal, type StrategyContext } from '@lumenlink/core';
import { ATR, EMA, RSI } from '@lumenlink/indicators';
import { defineStrategy, MultiTimeframeAnalyzer, z } from '@lumenlink/strategies';

const paramsSchema = z
  .strictObject({
    fastPeriod: z.number().int().min(2).max(200).default(20),
    slowPeriod: z.number().int().min(3).max(400).default(50),
    rsiPeriod: z.number().int().min(2).max(100).default(14),
    entryRsi: z.number().min(1).max(99).default(40),
    exitRsi: z.number().min(1).max(99).default(70),
    stopAtr: z.number().positive().max(20).default(2),
    targetAtr: z.number().positive().max(50).default(4),
    // Skip entries in extreme greed (Fear & Greed above this); 100 never skips.
    maxGreed: z.number().min(0).max(100).default(100),
  })
  .refine((p) => p.fastPeriod < p.slowPeriod, {
    message: 'must be above fastPeriod',
    path: ['slowPeriod'],
  });

export default defineStrategy({
  key: 'trend_pullback',
  description: 'Buys RSI pullbacks in an EMA uptrend confirmed on 4h, with ATR stop and target.',
  paramsSchema,
  build: (params, { interval }) => {
    // One set of streaming indicators per instance (one instance per symbol): O(1) per candle.
    const fast = new EMA(params.fastPeriod);
    const slow = new EMA(params.slowPeriod);
    const rsi = new RSI(params.rsiPeriod);
    const atr = new ATR(14);
    // Higher timeframes from closed base candles only: nothing repaints.
    const higher = new MultiTimeframeAnalyzer({ base: interval, higher: ['4h'] });
    // Holds are made once: a hold allocates nothing.
    const warming = hold('indicators warming up');
    const waiting = hold('no pullback in an uptrend');
    return {
      warmup: Math.max(params.slowPeriod, higher.warmup) + 1,
      onCandle(candle: Candle, context: StrategyContext): Signal {
        const trendFast = fast.update(candle.close);
        const trendSlow = slow.update(candle.close);
        const strength = rsi.update(candle.close);
        const range = atr.update(candle);
        higher.update(candle);
        // Each indicator reads NaN until it has seen enough candles.
        if (
          Number.isNaN(trendFast) ||
          Number.isNaN(trendSlow) ||
          Number.isNaN(strength) ||
          Number.isNaN(range)
        ) {
          return warming;
        }
        const uptrend = trendFast > trendSlow && higher.trend('4h')?.direction === 'up';
        if (context.position !== null) {
          if (!uptrend) return { action: 'sell', confidence: 1, reason: 'the uptrend ended' };
          if (strength > params.exitRsi) {
            const reason = `RSI ${strength.toFixed(1)} above ${params.exitRsi}: take half`;
            return { action: 'sell', confidence: 1, portion: 0.5, reason };
          }
          return waiting;
        }
        const greed = context.market?.fearGreed?.value;
        if (!uptrend || strength >= params.entryRsi || (greed ?? 0) > params.maxGreed) {
          return waiting;
        }
        return {
          action: 'buy',
          confidence: 0.8,
          reason: `RSI ${strength.toFixed(1)} below ${params.entryRsi} in an uptrend`,
          stopLoss: candle.close - params.stopAtr * range,
          takeProfit: candle.close + params.targetAtr * range,
        };
      },
    };
  },
});
