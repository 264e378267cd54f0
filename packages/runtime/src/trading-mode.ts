/**
 * The trading mode in words: paper, a live dry run (MODE=live without ALLOW_LIVE_TRADING) or
 * live trading. The node logs it at start, alerts it first, and `/status` shows it, so nobody
 * mistakes a dry run for trading or the other way round.
 */

/** What happens to the node's orders. */
export type TradingModeKind = 'paper' | 'live-dry-run' | 'live';

/** The trading mode of a node, as `/status`, the start log and the first alert give it. */
export interface TradingMode {
  readonly kind: TradingModeKind;
  /**
   * One line for people: `paper trading: simulated fills, no order reaches the exchange`,
   * `live dry run: no order will be sent (...)` or `LIVE trading: real orders on binance`.
   */
  readonly text: string;
  /** Whether an order can reach the exchange (live with `ALLOW_LIVE_TRADING=true`). */
  readonly ordersReachExchange: boolean;
}

/**
 * The trading mode of the settings: `paper`; `live-dry-run` for `mode: 'live'` without
 * `allowLiveTrading` (risk blocks every order, each decision records why); `live` otherwise.
 *
 * @example
 * ```ts
 * tradingModeOf({ mode: 'live', allowLiveTrading: false, exchange: 'binance' }).text;
 * // 'live dry run: no order will be sent to binance (ALLOW_LIVE_TRADING is not true: ...)'
 * ```
 */
export function tradingModeOf(settings: {
  readonly mode: 'paper' | 'live';
  readonly allowLiveTrading: boolean;
  readonly exchange: string;
}): TradingMode {
  if (settings.mode === 'paper') {
    return {
      kind: 'paper',
      text: 'paper trading: simulated fills, no order reaches the exchange',
      ordersReachExchange: false,
    };
  }
  if (!settings.allowLiveTrading) {
    return {
      kind: 'live-dry-run',
      text: `live dry run: no order will be sent to ${settings.exchange} (ALLOW_LIVE_TRADING is not true: every order is blocked and each decision says so; set it to true to trade)`,
      ordersReachExchange: false,
    };
  }
  return {
    kind: 'live',
    text: `LIVE trading: real orders on ${settings.exchange}`,
    ordersReachExchange: true,
  };
}
