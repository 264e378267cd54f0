import { ValidationError, type Clock, type SymbolId } from '@lumenlink/core';
import { formatTime } from './format.js';
import { resolveRiskLimits, type RiskEngineOptions, type RiskLimits } from './risk-options.js';
import type { TradingStateChange, TradingStateMachine } from './trading-state-machine.js';

const minuteMs = 60_000;
const dayMs = 86_400_000;

/** The protections beyond the 10 checks, each switching trading to `reducing` for a while. */
export const protectionNames = ['daily_loss', 'max_drawdown', 'stoploss_guard'] as const;

/** One of {@link protectionNames}. */
export type ProtectionName = (typeof protectionNames)[number];

/** A protection that switched trading to `reducing`. */
export interface ProtectionTrip {
  readonly protection: ProtectionName;
  readonly reason: string;
  /** When trading returns to `active` (epoch ms). */
  readonly until: number;
  /** The trading state change written (`changedBy: protection:<name>`), with the state it left. */
  readonly record: TradingStateChange;
}

/** The account facts protections watch, as in core's `AccountSnapshot`. Money in the account's quote currency. */
export interface ProtectionFacts {
  /** Cash plus positions marked to market. */
  readonly equity: number;
  /** Realized plus unrealized P&L since 00:00 UTC. */
  readonly dailyPnl: number;
  /** Last losing exit per symbol (epoch ms); a time not seen before counts as a new stop-out. */
  readonly lastStopOutAt?: Readonly<Partial<Record<SymbolId, number>>>;
}

/** Options of {@link RiskProtections}. */
export interface RiskProtectionsOptions {
  /** The trading state the protections switch to `reducing`. */
  readonly tradingState: TradingStateMachine;
  readonly clock: Clock;
  /** The risk limits (the same options as the `RiskEngine`'s, or its `limits`). */
  readonly limits?: RiskEngineOptions;
}

/** The next 00:00 UTC after `time` (epoch ms). */
export function nextUtcMidnight(time: number): number {
  return (Math.floor(time / dayMs) + 1) * dayMs;
}

/**
 * The protections (docs/architecture/principles.md, principle 5) that switch trading to
 * `reducing` (exits only) through the {@link TradingStateMachine}:
 *
 * - **daily loss**: daily P&L at or beyond `-RISK_MAX_DAILY_LOSS_USD`, until the next 00:00 UTC
 *   (off when the `daily_loss` check is switched off);
 * - **max drawdown**: equity `RISK_MAX_DRAWDOWN_PCT` or more below its peak over the last
 *   `drawdownWindowMinutes`, for `RISK_PROTECTION_PAUSE_MINUTES`;
 * - **stop-loss guard**: `RISK_STOPLOSS_GUARD_COUNT` stop-outs within
 *   `RISK_STOPLOSS_GUARD_WINDOW_MINUTES`, for `RISK_PROTECTION_PAUSE_MINUTES`.
 *
 * After a drawdown or stop-loss guard trip the protection re-arms: the drawdown peak restarts at
 * the equity of the trip, and stop-outs up to the trip no longer count. The equity peak and the
 * stop-outs are kept in memory; the pause itself is persisted with the trading state.
 *
 * @example
 * ```ts
 * const protections = new RiskProtections({ tradingState: trading, clock, limits: engine.limits });
 * const trips = await protections.update(snapshot); // after marking to market (step 1)
 * for (const { record } of trips) {
 *   const { from, state: to, reason, changedBy, changedAt: at } = record;
 *   notifier.notify({ type: 'trading_state_changed', from: from ?? to, to, reason, changedBy, at });
 * }
 * ```
 */
export class RiskProtections {
  /** The resolved limits. */
  readonly limits: RiskLimits;
  readonly #tradingState: TradingStateMachine;
  readonly #clock: Clock;
  /** Equity samples, a monotonic queue: the front is the peak of the window. */
  #equity: { at: number; equity: number }[] = [];
  /** Stop-out times in the window, and the keys (`symbol@time`) of those seen. */
  #stopOuts: { key: string; at: number }[] = [];
  readonly #seen = new Set<string>();
  #stoplossArmedAt = Number.NEGATIVE_INFINITY;

  /** @throws {ValidationError} for a limit out of range (as `RiskEngine`). */
  constructor(options: RiskProtectionsOptions) {
    this.limits = resolveRiskLimits(options.limits);
    this.#tradingState = options.tradingState;
    this.#clock = options.clock;
  }

  /** Drawdown from the window's equity peak, in percent; `null` before any equity or when off. */
  get drawdownPct(): number | null {
    const peak = this.#equity[0];
    const last = this.#equity.at(-1);
    if (peak === undefined || last === undefined || !(peak.equity > 0)) return null;
    return ((peak.equity - last.equity) / peak.equity) * 100;
  }

  /** Stop-outs counted by the stop-loss guard now (in the window, since its last trip). */
  get stopOutsCounted(): number {
    const since = Math.max(
      this.#clock.now() - this.limits.stoplossGuardWindowMinutes * minuteMs,
      this.#stoplossArmedAt,
    );
    return this.#stopOuts.filter((stopOut) => stopOut.at > since).length;
  }

  /**
   * Feeds the latest account facts (after marking to market): ends an expired pause, then
   * checks the daily loss, the drawdown and the stop-loss guard.
   *
   * @returns the protections that changed the trading state (none when it was already as strict).
   * @throws {ValidationError} for a non-finite equity or daily P&L.
   * @throws {StorageError} when storing the trading state fails.
   */
  async update(facts: ProtectionFacts): Promise<ProtectionTrip[]> {
    if (!Number.isFinite(facts.equity) || !Number.isFinite(facts.dailyPnl)) {
      throw new ValidationError(
        `RiskProtections.update: equity ${facts.equity} and dailyPnl ${facts.dailyPnl} must be finite numbers`,
      );
    }
    await this.#tradingState.check();
    const trips: ProtectionTrip[] = [];
    const add = (trip: ProtectionTrip | null): void => {
      if (trip !== null) trips.push(trip);
    };
    add(await this.#checkDailyLoss(facts.dailyPnl));
    add(await this.#checkDrawdown(facts.equity));
    for (const [symbol, at] of Object.entries(facts.lastStopOutAt ?? {})) {
      if (typeof at === 'number') this.#remember(symbol, at);
    }
    add(await this.#checkStoplossGuard());
    return trips;
  }

  /**
   * Records a stop-out (a losing exit) and checks the stop-loss guard. A stop-out already seen
   * (same symbol and time) counts once.
   *
   * @returns the trip when it changed the trading state, else `null`.
   * @throws {ValidationError} for a time that is not an epoch ms integer.
   * @throws {StorageError} when storing the trading state fails.
   */
  async recordStopOut(symbol: SymbolId, at: number): Promise<ProtectionTrip | null> {
    if (!Number.isSafeInteger(at)) {
      throw new ValidationError(`RiskProtections.recordStopOut: at ${at} is not an epoch ms time`);
    }
    this.#remember(symbol, at);
    return this.#checkStoplossGuard();
  }

  #remember(symbol: string, at: number): void {
    const key = `${symbol}@${at}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#stopOuts.push({ key, at });
  }

  async #trip(
    protection: ProtectionName,
    reason: string,
    until: number,
  ): Promise<ProtectionTrip | null> {
    const record = await this.#tradingState.protect({ protection, reason, until });
    return record === null ? null : { protection, reason, until, record };
  }

  async #checkDailyLoss(dailyPnl: number): Promise<ProtectionTrip | null> {
    const limit = -this.limits.maxDailyLossUsd;
    if (this.limits.disabledChecks.has('daily_loss') || dailyPnl > limit) return null;
    const until = nextUtcMidnight(this.#clock.now());
    return this.#trip(
      'daily_loss',
      `daily loss: P&L ${dailyPnl.toFixed(2)} is at or beyond ${limit.toFixed(2)} (RISK_MAX_DAILY_LOSS_USD); exits only until ${formatTime(until)}`,
      until,
    );
  }

  async #checkDrawdown(equity: number): Promise<ProtectionTrip | null> {
    const max = this.limits.maxDrawdownPct;
    if (max === null) return null;
    const now = this.#clock.now();
    const windowStart = now - this.limits.drawdownWindowMinutes * minuteMs;
    while (this.#equity.length > 0 && this.#equity.at(-1)!.equity <= equity) this.#equity.pop();
    this.#equity.push({ at: now, equity });
    while (this.#equity[0]!.at < windowStart) this.#equity.shift();
    const drawdown = this.drawdownPct;
    if (drawdown === null || drawdown < max) return null;
    const peak = this.#equity[0]!.equity;
    this.#equity = [{ at: now, equity }];
    const minutes = this.limits.protectionPauseMinutes;
    return this.#trip(
      'max_drawdown',
      `max drawdown: equity ${equity.toFixed(2)} is ${drawdown.toFixed(1)}% below the peak ${peak.toFixed(2)} of the last ${this.limits.drawdownWindowMinutes} min (RISK_MAX_DRAWDOWN_PCT ${max}); exits only for ${minutes} min`,
      now + minutes * minuteMs,
    );
  }

  async #checkStoplossGuard(): Promise<ProtectionTrip | null> {
    const count = this.limits.stoplossGuardCount;
    const now = this.#clock.now();
    const window = this.limits.stoplossGuardWindowMinutes;
    const windowStart = now - window * minuteMs;
    const kept = this.#stopOuts.filter((stopOut) => stopOut.at > windowStart);
    for (const dropped of this.#stopOuts) {
      if (dropped.at <= windowStart) this.#seen.delete(dropped.key);
    }
    this.#stopOuts = kept;
    if (count === null) return null;
    const counted = this.stopOutsCounted;
    if (counted < count) return null;
    this.#stoplossArmedAt = now;
    const minutes = this.limits.protectionPauseMinutes;
    return this.#trip(
      'stoploss_guard',
      `stop-loss guard: ${counted} stop-outs in the last ${window} min (RISK_STOPLOSS_GUARD_COUNT ${count}); exits only for ${minutes} min`,
      now + minutes * minuteMs,
    );
  }
}
