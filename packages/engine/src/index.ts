/**
 * @lumenlink/engine: The LumenLink trade cycle kernel for backtest, paper and live, and its backtest driver.
 *
 * This package is reserved and published empty until issue #10 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
