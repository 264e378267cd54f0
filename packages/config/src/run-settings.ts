/**
 * The settings of a config that change a run's results, for the record of what produced a run
 * (`RunProvenance.settings` of `@lumenlink/core`).
 */
import type { Config } from './config.js';

/**
 * Every setting of `config` that changes what a bot or a replay does with the same candles and
 * strategy: the exchange, symbols and interval, the risk limits and sizing, the guards, the
 * stops and cooldowns, the paper fees, slippage and starting cash, and where candles come from.
 * Secrets, ports, loops and alert channels are left out. Plain JSON, keys in a fixed order.
 *
 * @example
 * ```ts
 * const provenance: RunProvenance = { strategy, params, settings: runSettings(config) };
 * ```
 */
export function runSettings(config: Config): Readonly<Record<string, unknown>> {
  return {
    exchange: config.exchange.id,
    symbols: [...config.symbols],
    interval: config.interval,
    risk: { ...config.risk },
    guards: { ...config.guards },
    trading: { ...config.trading },
    paper: { ...config.paper },
    data: {
      source: config.data.source,
      ...(config.data.replayData === undefined ? {} : { replayData: config.data.replayData }),
    },
  };
}
