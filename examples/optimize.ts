/**
 * Optimize a strategy from code with `@lumenlink/optimize`: a grid over two parameters of
 * `ema_crossover` on the bundled BTC/USDT candles of March 2024, ranked by Sharpe ratio, on
 * worker threads, with Monte Carlo on the winner's trades.
 *
 * ```sh
 * node examples/optimize.ts
 * ```
 */
import { buildSpace, formatOptimizeTable, optimize } from '@lumenlink/optimize';

/** The optimisation the example runs; `workers` threads run the backtests. */
export function optimizeEmaCrossover(workers = 2) {
  return optimize({
    strategy: 'ema_crossover',
    source: { kind: 'bundled' },
    symbols: ['BTC-USDT'],
    from: Date.UTC(2024, 2, 1),
    to: Date.UTC(2024, 2, 31, 23),
    dimensions: buildSpace('ema_crossover', ['fastPeriod=5:15:5', 'slowPeriod=30,40']),
    metric: 'sharpe',
    monteCarloRuns: 200,
    workers,
  });
}

if (import.meta.main) {
  const report = await optimizeEmaCrossover();
  process.stdout.write(formatOptimizeTable(report, { top: 6 }));
  console.log(`Best: ${JSON.stringify(report.best?.params)}`);
}
