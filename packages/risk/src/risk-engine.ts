import {
  ValidationError,
  type PreTradeCheck,
  type RiskCheckName,
  type RiskCheckResult,
  type RiskState,
  type RiskVerdict,
  type Signal,
} from '@lumenlink/core';
import { baseOf, formatAmount, formatBps, formatMoney, formatTime, quoteOf } from './format.js';
import { estimateSlippage, measureSpread } from './market-guards.js';
import {
  resolveRiskLimits,
  type OptionalRiskCheckName,
  type RiskEngineOptions,
  type RiskLimits,
} from './risk-options.js';
import { roundDownToStep } from './rounding.js';
import { sizeOrder, type OrderSize } from './sizing.js';

const minuteMs = 60_000;

/** What one check found, before exits turn an optional check's `fail` into `warn`. */
interface Finding {
  readonly outcome: 'pass' | 'fail' | 'skip';
  readonly value: number | string | null;
  readonly limit: number | string | null;
  readonly reason: string;
}

/** Everything a check reads. */
interface CheckInput {
  readonly state: RiskState;
  readonly limits: RiskLimits;
  readonly size: OrderSize;
  readonly exit: boolean;
  readonly quote: string;
  readonly base: string;
}

const pass = (value: Finding['value'], limit: Finding['limit'], reason: string): Finding => ({
  outcome: 'pass',
  value,
  limit,
  reason,
});
const fail = (value: Finding['value'], limit: Finding['limit'], reason: string): Finding => ({
  outcome: 'fail',
  value,
  limit,
  reason,
});
const skip = (reason: string, value: Finding['value'] = null, limit: Finding['limit'] = null) => ({
  outcome: 'skip' as const,
  value,
  limit,
  reason,
});

function tradingStateCheck({ state, exit }: CheckInput): Finding {
  const { tradingState, circuitOpen } = state;
  if (tradingState === 'halted') {
    return fail(
      'halted',
      exit ? 'not halted' : 'active',
      'trading is halted (kill switch): no orders at all, exits included',
    );
  }
  if (exit) {
    return pass(
      tradingState,
      'not halted',
      `trading is ${tradingState}: exits allowed${circuitOpen ? ' (circuit breaker open: exits bypass it)' : ''}`,
    );
  }
  if (tradingState === 'reducing') {
    return fail('reducing', 'active', 'trading is reducing: exits only, no new entries');
  }
  const paused = state.symbolPaused ?? null;
  if (paused !== null) {
    return fail(
      `${state.symbol} paused`,
      'active',
      `${state.symbol} is paused (exits only) until an operator resumes it: ${paused}`,
    );
  }
  if (circuitOpen) {
    return fail(
      'active, circuit open',
      'active, circuit closed',
      'circuit breaker open: entries are blocked until the exchange answers again',
    );
  }
  return pass('active', 'active', 'trading is active');
}

function liveGateCheck({ state, limits }: CheckInput): Finding {
  const limit = 'ALLOW_LIVE_TRADING=true in live mode';
  if (state.mode === 'paper') return pass('paper', limit, 'paper mode: fills are simulated');
  if (!state.allowLiveTrading || limits.allowLiveTrading === false) {
    return fail(
      'live, ALLOW_LIVE_TRADING=false',
      limit,
      'live mode with ALLOW_LIVE_TRADING=false: a live dry run, no order is sent',
    );
  }
  return pass('live, ALLOW_LIVE_TRADING=true', limit, 'live trading is allowed');
}

function phantomSellCheck({ state, size, exit, base }: CheckInput): Finding {
  if (!exit) return skip('a buy: nothing is sold');
  const held = size.heldQuantity;
  if (!(held > 0)) {
    return fail(0, '> 0', `sell without a position in ${state.symbol}: nothing to sell`);
  }
  const step = state.market?.amountStep ?? 0;
  if (roundDownToStep(held, step) <= 0) {
    return fail(
      held,
      step,
      `position ${formatAmount(held)} ${base} is below the amount step ${formatAmount(step)}: nothing can be sold`,
    );
  }
  const free = state.freeBase ?? null;
  if (free !== null && roundDownToStep(size.sellableQuantity, step) <= 0) {
    return fail(
      Math.max(0, free),
      `${formatAmount(held)} (the position)`,
      `the exchange holds ${formatAmount(Math.max(0, free))} ${base} free, less than one step of the ${formatAmount(held)} ${base} position: nothing of it can be sold (sold or moved outside the bot?)`,
    );
  }
  // Sizing caps at the position and the free balance: this guards against any other path.
  const limit = Math.min(held, free ?? held);
  if (size.quantity > limit * (1 + 1e-9)) {
    return fail(
      size.quantity,
      limit,
      `selling ${formatAmount(size.quantity)} ${base} would exceed the ${formatAmount(held)} ${base} position${free === null ? '' : ` or the ${formatAmount(free)} ${base} free`}`,
    );
  }
  if (!(size.quantity > 0)) {
    return fail(held, '> 0', `the sell rounds to 0 ${base} (${size.notes.join('; ')})`);
  }
  const capped = free !== null && free < held ? `, capped at the ${formatAmount(free)} free` : '';
  return pass(
    held,
    '> 0',
    `selling ${formatAmount(size.quantity)} of ${formatAmount(held)} ${base} held${capped}`,
  );
}

function dailyLossCheck({ state, limits, quote }: CheckInput): Finding {
  const limit = -limits.maxDailyLossUsd;
  if (state.dailyPnl <= limit) {
    return fail(
      state.dailyPnl,
      limit,
      `daily P&L ${formatMoney(state.dailyPnl, quote)} is at or beyond the loss limit ${formatMoney(limit, quote)} (RISK_MAX_DAILY_LOSS_USD); it resets at 00:00 UTC`,
    );
  }
  return pass(
    state.dailyPnl,
    limit,
    `daily P&L ${formatMoney(state.dailyPnl, quote)} is within the loss limit ${formatMoney(limit, quote)}`,
  );
}

function maxOpenPositionsCheck({ state, limits, exit }: CheckInput): Finding {
  const max = limits.maxOpenPositions;
  if (exit) return pass(state.openPositions, max, 'an exit opens no position');
  if ((state.position?.quantity ?? 0) > 0) {
    return pass(
      state.openPositions,
      max,
      `adds to the open ${state.symbol} position: no new position`,
    );
  }
  if (state.openPositions >= max) {
    return fail(
      state.openPositions,
      max,
      `${state.openPositions} positions open, the most allowed is ${max} (RISK_MAX_OPEN_POSITIONS)`,
    );
  }
  return pass(state.openPositions, max, `${state.openPositions} of at most ${max} positions open`);
}

function positionSizeCheck({ state, limits, size, exit, quote, base }: CheckInput): Finding {
  const steps = size.notes.join('; ');
  const limit = size.room ?? limits.maxPositionUsd;
  if (limits.disabledChecks.has('position_size') && (exit || size.quantity > 0)) {
    return skip(`switched off (disabledChecks): ${steps}`, size.value, limit);
  }
  if (exit) {
    if (!size.meetsMinimum) {
      return fail(
        size.value,
        size.minQuantity * size.price,
        `selling ${formatAmount(size.quantity)} ${base} (${formatMoney(size.value, quote)}) is below the market minimum ${formatMoney(size.minQuantity * size.price, quote)}: the exchange may reject it`,
      );
    }
    return pass(size.value, size.capValue, steps);
  }
  if (size.meetsMinimum) return pass(size.value, limit, steps);
  const minValue = size.minQuantity * size.price;
  let why: string;
  if (!(size.targetValue > 0)) {
    why = `nothing to buy: ${steps}`;
  } else if (size.room !== null && size.room < Math.max(minValue, Number.MIN_VALUE)) {
    const heldValue = size.heldQuantity * state.price;
    why = `the room under the max position is ${formatMoney(size.room, quote)} (position ${formatMoney(heldValue, quote)} of ${formatMoney(limits.maxPositionUsd, quote)}), below the market minimum ${formatMoney(minValue, quote)}`;
  } else if (size.capValue < Math.max(minValue, Number.MIN_VALUE)) {
    why = `the cash ${formatMoney(Math.max(0, state.cash), quote)} is below the market minimum ${formatMoney(minValue, quote)}`;
  } else {
    why = `${formatAmount(size.quantity)} ${base} is below the market minimum ${formatAmount(size.minQuantity)} ${base} (${formatMoney(minValue, quote)}): ${steps}`;
  }
  return fail(size.value, limit, why);
}

function stopoutCooldownCheck({ state, limits }: CheckInput): Finding {
  const cooldown = limits.cooldownMinutes;
  const last = state.lastStopOutAt;
  if (cooldown === 0) return pass(null, 0, 'no cooldown (RISK_COOLDOWN_MINUTES=0)');
  if (last === null) return pass(null, cooldown, `no stop-out on ${state.symbol}`);
  const elapsedMinutes = (state.now - last) / minuteMs;
  if (elapsedMinutes < cooldown) {
    return fail(
      elapsedMinutes,
      cooldown,
      `stopped out ${elapsedMinutes.toFixed(1)} min ago (${formatTime(last)}); the cooldown is ${cooldown} min (RISK_COOLDOWN_MINUTES): entries again at ${formatTime(last + cooldown * minuteMs)}`,
    );
  }
  return pass(
    elapsedMinutes,
    cooldown,
    `last stop-out ${elapsedMinutes.toFixed(1)} min ago, past the ${cooldown} min cooldown`,
  );
}

function volumeCheck({ state, limits, quote }: CheckInput): Finding {
  const min = limits.minVolume;
  if (min === 0) return skip('off (GUARD_MIN_VOLUME=0)', null, 0);
  const ticker = state.ticker;
  const volume =
    ticker?.quoteVolume24h ??
    (ticker?.baseVolume24h != null ? ticker.baseVolume24h * state.price : null);
  if (volume === null) return skip('no 24h volume: no ticker', null, min);
  if (volume < min) {
    return fail(
      volume,
      min,
      `24h volume ${formatMoney(volume, quote)} is below ${formatMoney(min, quote)} (GUARD_MIN_VOLUME)`,
    );
  }
  return pass(
    volume,
    min,
    `24h volume ${formatMoney(volume, quote)} is at least ${formatMoney(min, quote)}`,
  );
}

function spreadCheck({ state, limits }: CheckInput): Finding {
  const max = limits.maxSpreadBps;
  const spread = measureSpread(state.ticker, state.orderBook);
  if (spread === null) return skip('no bid/ask: no order book and no ticker quote', null, max);
  const quoted = `bid ${formatAmount(spread.bid)} / ask ${formatAmount(spread.ask)} from the ${spread.source}`;
  if (spread.bps < 0) {
    return fail(spread.bps, max, `crossed quote (${quoted}): the prices cannot be trusted`);
  }
  if (spread.bps > max) {
    return fail(
      spread.bps,
      max,
      `spread ${formatBps(spread.bps)} (${quoted}) is wider than ${formatBps(max)} (GUARD_MAX_SPREAD_BPS)`,
    );
  }
  return pass(spread.bps, max, `spread ${formatBps(spread.bps)} (${quoted})`);
}

function slippageCheck({ state, limits, size, base }: CheckInput): Finding {
  const max = limits.maxSlippageBps;
  const book = state.orderBook;
  if (book === null) return skip('no order book', null, max);
  if (!(size.quantity > 0)) return skip('no quantity to walk the book for', null, max);
  const side = size.side === 'buy' ? 'asks' : 'bids';
  const estimate = estimateSlippage(book, size.side, size.quantity);
  if (estimate === null) return skip(`no ${side} in the order book`, null, max);
  const walk = `walking ${estimate.levels} ${side} level${estimate.levels === 1 ? '' : 's'} for ${formatAmount(size.quantity)} ${base}: average ${formatAmount(estimate.averagePrice)} vs best ${formatAmount(estimate.bestPrice)}`;
  if (!estimate.complete) {
    return fail(
      estimate.bps,
      max,
      `the order book holds only ${formatAmount(estimate.filledQuantity)} of ${formatAmount(size.quantity)} ${base} on the ${side}`,
    );
  }
  if (estimate.bps > max) {
    return fail(
      estimate.bps,
      max,
      `expected slippage ${formatBps(estimate.bps)} (${walk}) exceeds ${formatBps(max)} (GUARD_MAX_SLIPPAGE_BPS)`,
    );
  }
  return pass(estimate.bps, max, `expected slippage ${formatBps(estimate.bps)} (${walk})`);
}

/** The 10 checks, in the order they run (core's `riskCheckNames`). */
const checks: readonly (readonly [RiskCheckName, (input: CheckInput) => Finding])[] = [
  ['trading_state', tradingStateCheck],
  ['live_gate', liveGateCheck],
  ['phantom_sell', phantomSellCheck],
  ['daily_loss', dailyLossCheck],
  ['max_open_positions', maxOpenPositionsCheck],
  ['position_size', positionSizeCheck],
  ['stopout_cooldown', stopoutCooldownCheck],
  ['volume', volumeCheck],
  ['spread', spreadCheck],
  ['slippage', slippageCheck],
];

/** The checks that block exits: only these `fail` on a sell; the others `warn`. */
const exitBlockingChecks: ReadonlySet<RiskCheckName> = new Set([
  'trading_state',
  'live_gate',
  'phantom_sell',
]);

function finite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(
      `RiskEngine.evaluate: ${name} must be a finite number, got ${String(value)}`,
    );
  }
}

function checkInput(signal: Signal, state: RiskState): void {
  if (signal.action === 'hold') {
    throw new ValidationError(
      'RiskEngine.evaluate: a hold is not evaluated (the trade cycle ends at a hold); pass a buy or sell',
    );
  }
  if (signal.action !== 'buy' && signal.action !== 'sell') {
    throw new ValidationError(
      `RiskEngine.evaluate: unknown signal action ${String(signal.action)}`,
    );
  }
  finite('signal.confidence', signal.confidence);
  if (signal.confidence < 0 || signal.confidence > 1) {
    throw new ValidationError(
      `RiskEngine.evaluate: signal.confidence ${signal.confidence} is outside 0..1`,
    );
  }
  if (signal.portion !== undefined && !(signal.portion > 0 && signal.portion <= 1)) {
    throw new ValidationError(
      `RiskEngine.evaluate: signal.portion ${signal.portion} is outside (0, 1]`,
    );
  }
  if (
    signal.limitPrice !== undefined &&
    !(Number.isFinite(signal.limitPrice) && signal.limitPrice > 0)
  ) {
    throw new ValidationError(
      `RiskEngine.evaluate: signal.limitPrice ${signal.limitPrice} is not a positive price`,
    );
  }
  finite('state.now', state.now);
  finite('state.price', state.price);
  if (state.price <= 0) {
    throw new ValidationError(`RiskEngine.evaluate: state.price ${state.price} is not positive`);
  }
  finite('state.equity', state.equity);
  finite('state.cash', state.cash);
  finite('state.dailyPnl', state.dailyPnl);
  if (!Number.isSafeInteger(state.openPositions) || state.openPositions < 0) {
    throw new ValidationError(
      `RiskEngine.evaluate: state.openPositions ${state.openPositions} is not a count`,
    );
  }
  if (state.position !== null) {
    finite('state.position.quantity', state.position.quantity);
    if (state.position.quantity < 0) {
      throw new ValidationError(
        `RiskEngine.evaluate: state.position.quantity ${state.position.quantity} is negative (spot positions are long)`,
      );
    }
  }
  if (state.atr !== null) finite('state.atr', state.atr);
  if (state.freeBase !== undefined && state.freeBase !== null) {
    finite('state.freeBase', state.freeBase);
  }
  if (state.lastStopOutAt !== null) finite('state.lastStopOutAt', state.lastStopOutAt);
  if (state.market !== null) {
    const { amountStep, minAmount, minCost } = state.market;
    for (const [name, value] of [
      ['amountStep', amountStep],
      ['minAmount', minAmount],
      ['minCost', minCost],
    ] as const) {
      finite(`state.market.${name}`, value);
      if (value < 0) {
        throw new ValidationError(`RiskEngine.evaluate: state.market.${name} ${value} is negative`);
      }
    }
  }
}

/**
 * The pre-trade risk engine (docs/architecture/trade-cycle.md, step 5): sizes a buy or sell,
 * rounds it to the market, then runs the 10 checks in order on the sized order. A denial is a
 * value: `allowed: false` with the first failing check's reason; every check reports its outcome,
 * measured value, limit and reason. On an exit (a sell) only `trading_state` (halted),
 * `live_gate` and `phantom_sell` can block; the other checks report `warn` where they would
 * fail. Pure and synchronous: the trading state and every fact come in with the `RiskState`.
 *
 * @example
 * ```ts
 * const engine = new RiskEngine(riskConfigFromConfig(config));
 * const verdict = engine.evaluate(signal, state);
 * if (verdict.allowed) await orderManager.submit({ side: verdict.side, quantity: verdict.quantity, ... });
 * else logger.info('blocked', { reason: verdict.reason }); // e.g. "spread: spread 41.0 bps ..."
 * ```
 */
export class RiskEngine implements PreTradeCheck {
  /** The resolved limits, defaults filled in. */
  readonly limits: RiskLimits;

  /**
   * @throws {ValidationError} for a limit out of range, or a `disabledChecks` entry that is
   *   unknown or cannot be switched off (`trading_state`, `live_gate`, `phantom_sell`).
   */
  constructor(options: RiskEngineOptions = {}) {
    this.limits = resolveRiskLimits(options);
  }

  /**
   * Sizes the order and runs the 10 checks.
   *
   * @throws {ValidationError} for a hold (holds are never evaluated), or a signal or state that
   *   breaks its type (a confidence outside 0..1, a non-finite or non-positive price, ...).
   */
  evaluate(signal: Signal, state: RiskState): RiskVerdict {
    checkInput(signal, state);
    const exit = signal.action === 'sell';
    const { limits } = this;
    const size = sizeOrder(signal, state, limits, {
      capAtRoom: !limits.disabledChecks.has('position_size'),
    });
    const input: CheckInput = {
      state,
      limits,
      size,
      exit,
      quote: quoteOf(state.symbol),
      base: baseOf(state.symbol),
    };
    // Results spelled out field by field (no spreads): the same keys, in the same order.
    const results = checks.map(([name, run]): RiskCheckResult => {
      const disabled = limits.disabledChecks.has(name as OptionalRiskCheckName);
      if (disabled && name !== 'position_size') {
        return {
          name,
          outcome: 'skip',
          value: null,
          limit: null,
          reason: 'switched off (disabledChecks)',
        };
      }
      const { outcome, value, limit, reason } = run(input);
      if (outcome === 'fail' && exit && !exitBlockingChecks.has(name)) {
        return {
          name,
          outcome: 'warn',
          value,
          limit,
          reason: `would block an entry, not an exit: ${reason}`,
        };
      }
      return { name, outcome, value, limit, reason };
    });
    return verdictOf(results, size, input);
  }
}

function verdictOf(
  results: RiskCheckResult[],
  size: OrderSize,
  { base, quote }: CheckInput,
): RiskVerdict {
  let failed: RiskCheckResult | undefined;
  let passed = 0;
  let warned = '';
  let warnedCount = 0;
  let skipped = '';
  let skippedCount = 0;
  for (const result of results) {
    if (result.outcome === 'fail') {
      failed ??= result;
    } else if (result.outcome === 'pass') {
      passed += 1;
    } else if (result.outcome === 'warn') {
      warned += warnedCount++ === 0 ? result.name : `, ${result.name}`;
    } else {
      skipped += skippedCount++ === 0 ? result.name : `, ${result.name}`;
    }
  }
  if (failed !== undefined) {
    return {
      allowed: false,
      quantity: size.quantity,
      side: size.side,
      reason: `${failed.name}: ${failed.reason}`,
      checks: results,
    };
  }
  let summary = `${passed} checks passed`;
  if (warnedCount > 0) summary += `, ${warnedCount} warned (${warned})`;
  if (skippedCount > 0) summary += `, ${skippedCount} skipped (${skipped})`;
  return {
    allowed: true,
    quantity: size.quantity,
    side: size.side,
    reason: `${size.side} ${formatAmount(size.quantity)} ${base} (${formatMoney(size.value, quote)}): ${summary}`,
    checks: results,
  };
}
