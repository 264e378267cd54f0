/**
 * The live-trading checks that can only run after secrets are resolved (from env or AWS).
 */
import { ConfigError } from '@lumenlink/core';
import type { ConfigIssue } from '@lumenlink/core';
import type { Config } from './config.js';

/** Where to put a missing credential. */
const fixHint =
  'set it in the environment, or in the AWS secret named by AWS_SECRET_ID when SECRETS_SOURCE=aws';

/**
 * Checks that a live config can trade: `MODE=live` needs `EXCHANGE_API_KEY` and
 * `EXCHANGE_API_SECRET` (a live dry run too: it still reads balances and orders). Paper mode
 * always passes. Run it after secrets are resolved.
 *
 * @example
 * ```ts
 * const config = loadConfig({ ...process.env, ...(await resolveSecrets()) });
 * checkLiveReadiness(config);
 * ```
 * @throws {ConfigError} titled "Not ready for live trading", listing each missing credential.
 */
export function checkLiveReadiness(config: Config): void {
  if (config.mode !== 'live') return;
  const issues: ConfigIssue[] = [];
  if (config.exchange.apiKey === undefined) {
    issues.push({
      key: 'EXCHANGE_API_KEY',
      problem: 'is not set, but MODE=live needs it',
      accepted: `your exchange API key: ${fixHint}`,
    });
  }
  if (config.exchange.apiSecret === undefined) {
    issues.push({
      key: 'EXCHANGE_API_SECRET',
      problem: 'is not set, but MODE=live needs it',
      accepted: `your exchange API secret: ${fixHint}`,
    });
  }
  if (issues.length > 0) {
    throw new ConfigError(issues, { title: 'Not ready for live trading (or set MODE=paper)' });
  }
}

/**
 * Whether the config is a live dry run: `MODE=live` with `ALLOW_LIVE_TRADING=false`. The bot
 * runs against the exchange, but risk check 2 blocks every order, visibly.
 */
export function isLiveDryRun(config: Config): boolean {
  return config.mode === 'live' && !config.allowLiveTrading;
}
