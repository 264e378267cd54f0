import { runBacktest } from '@lumenlink/engine';
import { createStrategy } from '@lumenlink/strategies';
import { describe, expect, it } from 'vitest';
import { bundledCandles, runPaperBot, settings } from './paper-bot.ts';

describe('examples/paper-bot.ts', () => {
  it('trades exactly as runBacktest with the same settings on the bundled candles', async () => {
    const candles = bundledCandles(1_000);
    const { trading, paper } = settings;
    const backtest = await runBacktest({
      candles,
      interval: settings.interval,
      strategy: () => createStrategy(settings.strategy, undefined, { interval: settings.interval }),
      startingCash: paper.startingCash,
      feeBps: paper.feeBps,
      slippageBps: paper.slippageBps,
      fillMode: 'next-open',
      risk: settings.risk,
      protections: true,
      atrPeriod: trading.atrPeriod,
      trailingStopAtrMultiple: trading.trailingStopAtrMult,
      cooldownMs: trading.signalCooldownMs,
      closeAtEnd: false,
    });
    const bot = await runPaperBot(candles);
    expect(backtest.trades.length).toBeGreaterThan(0);
    // Every field of every trade: times, prices, quantities, fees, P&L and exit reasons.
    expect(bot).toEqual(backtest.trades);
  });
});
