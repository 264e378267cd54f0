/**
 * @lumenlink/analysis: what a run of the bot or a backtest means. The parity report (`runParity`)
 * replays the candles a bot stored through the backtest with the same config, rebuilds the bot's
 * trades from its orders and fills, and puts every difference down to a cause.
 * @packageDocumentation
 */
export * from './parity/index.js';
