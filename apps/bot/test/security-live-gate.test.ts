/**
 * The live gate (docs/architecture/principles.md, principle 5; issue #15 part 4): no configuration
 * reaches a live order without the full gate. Every combination of MODE, ALLOW_LIVE_TRADING,
 * KILL_SWITCH and the exchange keys (none, key only, secret only, both) goes the way `pnpm live`
 * goes: secrets and config through `loadConfigWithSecrets` (which runs `checkLiveReadiness`), then
 * `startBot` against the Binance emulator. The strategy is `smart_dca` on 1d candles, which buys on
 * the first candle of every day: on a first start the newest closed candle is a new day, so every
 * started bot decides a buy at once, and its decision says what the engine and risk did with it. An
 * order reaches the exchange only for MODE=live, ALLOW_LIVE_TRADING=true, KILL_SWITCH=false with
 * both keys.
 *
 * The domain is 2 x 2 x 2 x 4 = 32 combinations, so it is enumerated exhaustively rather than
 * sampled (fast-check is not a dependency of the bot). A refusal at start must be the readiness
 * check's ConfigError; a bot that starts must decide on the buy, and the decision (submitted, or
 * blocked by which check) and the order requests the exchange saw are compared with the gate.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, silentLogger, type Candle } from '@lumenlink/core';
import { loadBundledCandles } from '@lumenlink/data';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { startBot, type Bot } from '../src/bot.js';
import { loadConfigWithSecrets } from '../src/secrets.js';
import { tempDir, waitFor } from './helpers.js';

const dayMs = 86_400_000;
const apiKey = 'live-gate-api-key-0123456789';
const apiSecret = 'live-gate-api-secret-0123456789';
const orderRoute = 'POST /api/v3/order';
const concurrency = 4;

/** 60 daily candles of bundled BTC prices, the newest one closed yesterday (UTC). */
function dailyCandles(): { candles: Candle[]; newest: number } {
  const newest = Math.floor(Date.now() / dayMs) * dayMs - dayMs;
  const candles = loadBundledCandles('BTC-USDT')
    .slice(-60)
    .map((candle, index, all) => ({ ...candle, time: newest - (all.length - 1 - index) * dayMs }));
  return { candles, newest };
}

type Keys = 'none' | 'key' | 'secret' | 'both';

interface Combination {
  readonly mode: 'paper' | 'live';
  readonly allowLiveTrading: boolean;
  readonly killSwitch: boolean;
  readonly keys: Keys;
}

const combinations: Combination[] = (['paper', 'live'] as const).flatMap((mode) =>
  [true, false].flatMap((allowLiveTrading) =>
    [true, false].flatMap((killSwitch) =>
      (['none', 'key', 'secret', 'both'] as const).map((keys) => ({
        mode,
        allowLiveTrading,
        killSwitch,
        keys,
      })),
    ),
  ),
);

function describeCombination(combination: Combination): string {
  return `MODE=${combination.mode} ALLOW_LIVE_TRADING=${combination.allowLiveTrading} KILL_SWITCH=${combination.killSwitch} keys=${combination.keys}`;
}

function envOf(combination: Combination, emulator: ExchangeEmulator): Record<string, string> {
  const { mode, allowLiveTrading, killSwitch, keys } = combination;
  return {
    MODE: mode,
    ALLOW_LIVE_TRADING: String(allowLiveTrading),
    KILL_SWITCH: String(killSwitch),
    ...(keys === 'key' || keys === 'both' ? { EXCHANGE_API_KEY: apiKey } : {}),
    ...(keys === 'secret' || keys === 'both' ? { EXCHANGE_API_SECRET: apiSecret } : {}),
    DATA_SOURCE: 'exchange',
    EXCHANGE: 'binance',
    EXCHANGE_API_URL: emulator.url,
    SYMBOLS: 'BTC-USDT',
    INTERVAL: '1d',
    STRATEGY: 'smart_dca',
    DB_PATH: join(tempDir('lumenlink-gate-'), 'bot.db'),
    HTTP_PORT: '0',
    DATA_POLLING_MS: '200',
    POLL_INTERVAL_MS: '200',
    RECONCILE_INTERVAL_MS: '500',
    LOG_LEVEL: 'error',
  };
}

/** What one combination did. */
interface Outcome {
  readonly started: boolean;
  readonly decision: string | null;
  readonly ordersOnExchange: number;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function run(combination: Combination): Promise<Outcome> {
  const { candles, newest } = dailyCandles();
  const emulator = await startExchangeEmulator({
    candles: { 'BTC/USDT': candles },
    apiKey,
    secret: apiSecret,
  });
  cleanups.push(() => emulator.close());
  const env = envOf(combination, emulator);
  let config;
  try {
    ({ config } = await loadConfigWithSecrets(env));
  } catch (error) {
    // The only refusal at start is the readiness check: MODE=live without both keys.
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/Not ready for live trading/);
    return { started: false, decision: null, ordersOnExchange: orders(emulator) };
  }
  const bot: Bot = await startBot(config, { logger: silentLogger, sentiment: false });
  cleanups.push(() => bot.stop());
  const decision = await waitFor(
    `the decision on the newest candle (${describeCombination(combination)})`,
    async () => {
      const [latest] = await bot.control.why('BTC-USDT');
      return latest !== undefined && latest.candleTime >= newest ? latest : undefined;
    },
  );
  expect(decision.signal.action).toBe('buy');
  const blockedBy = decision.verdict?.checks.find((check) => check.outcome === 'fail')?.name;
  await bot.stop();
  return {
    started: true,
    decision: decision.outcome === 'blocked' ? `blocked by ${blockedBy ?? '?'}` : decision.outcome,
    ordersOnExchange: orders(emulator),
  };
}

/** Order placements the exchange saw (accepted or not). */
function orders(emulator: ExchangeEmulator): number {
  return emulator.requests().filter((request) => `${request.method} ${request.path}` === orderRoute)
    .length;
}

/** What the gate must do with a combination. */
function expected(combination: Combination): Outcome {
  const { mode, allowLiveTrading, killSwitch, keys } = combination;
  if (mode === 'live' && keys !== 'both') {
    return { started: false, decision: null, ordersOnExchange: 0 };
  }
  if (killSwitch)
    return { started: true, decision: 'blocked by trading_state', ordersOnExchange: 0 };
  if (mode === 'paper') return { started: true, decision: 'submitted', ordersOnExchange: 0 };
  if (!allowLiveTrading)
    return { started: true, decision: 'blocked by live_gate', ordersOnExchange: 0 };
  return { started: true, decision: 'submitted', ordersOnExchange: 1 };
}

describe('the live gate', () => {
  it('sends an order to the exchange only for MODE=live, ALLOW_LIVE_TRADING=true, KILL_SWITCH=false with both keys', async () => {
    expect(combinations).toHaveLength(32);
    const results: string[] = [];
    const wanted: string[] = [];
    // A few bots at a time: most of a run is waiting for the 200 ms loops.
    for (let index = 0; index < combinations.length; index += concurrency) {
      const batch = combinations.slice(index, index + concurrency);
      const outcomes = await Promise.all(batch.map((combination) => run(combination)));
      for (const [offset, combination] of batch.entries()) {
        results.push(`${describeCombination(combination)} -> ${JSON.stringify(outcomes[offset])}`);
        wanted.push(
          `${describeCombination(combination)} -> ${JSON.stringify(expected(combination))}`,
        );
      }
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    }
    expect(results).toEqual(wanted);
    // Exactly one combination trades on the exchange.
    expect(results.filter((line) => line.endsWith('"ordersOnExchange":1}'))).toHaveLength(1);
  }, 180_000);
});
