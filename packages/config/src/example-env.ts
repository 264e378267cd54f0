/**
 * An example `.env` for a paper bot: the settings a first run starts from.
 */
import type { ConfigKey } from './config-keys.js';

/**
 * An example `.env`. Note `KILL_SWITCH=true`: with it the bot starts halted (an operator's
 * choice; LumenLink's own default is false). It runs a built-in strategy with its defaults; your
 * own strategy and the parameters `pnpm optimize` found for it would be, for example:
 *
 * ```sh
 * STRATEGY=strategies/my-idea.ts
 * STRATEGY_PARAMS=reports/my-idea.params.json   # or inline: {"fastPeriod":12}
 * ```
 *
 * @example
 * ```ts
 * loadConfig(exampleEnv).killSwitch; // true
 * ```
 */
export const exampleEnv = Object.freeze({
  MODE: 'paper',
  EXCHANGE: 'coinbase',
  SYMBOLS: 'BTC-USD,ETH-USD',
  INTERVAL: '1h',
  STRATEGY: 'advanced_composite',
  RISK_MAX_DAILY_LOSS_USD: '150',
  RISK_MAX_POSITION_USD: '250',
  RISK_MAX_OPEN_POSITIONS: '2',
  RISK_COOLDOWN_MINUTES: '15',
  GUARD_MAX_SPREAD_BPS: '25',
  GUARD_MAX_SLIPPAGE_BPS: '20',
  GUARD_MIN_VOLUME: '0',
  KILL_SWITCH: 'true',
  ALLOW_LIVE_TRADING: 'false',
} as const satisfies Partial<Record<ConfigKey, string>>);
