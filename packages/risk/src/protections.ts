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

/** A protection due to trip: what {@link RiskProtections} asks the trading state for. */
interface Trip {
  readonly protection: ProtectionName;
  readonly reason: string;
  readonly until: number;
}

const noTrips: readonly ProtectionTrip[] = Object.freeze([]);

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
  /**
   * Equity samples, a monotonic queue (times and equities side by side, numbers only): the front
   * is the peak of the window.
   */
  #equityAt: number[] = [];
  #equityValue: number[] = [];
  /** Stop-out times in the window, and the keys (`symbol@time`) of those seen. */
  #stopOuts: { key: string; at: number }[] = [];
  readonly #seen = new Set<string>();
  /** The last stop-out time remembered per symbol: a repeat of it is not looked up again. */
  readonly #lastRemembered = new Map<string, number>();
  #stoplossArmedAt = Number.NEGATIVE_INFINITY;

  /** @throws {ValidationError} for a limit out of range (as `RiskEngine`). */
  constructor(options: RiskProtectionsOptions) {
    this.limits = resolveRiskLimits(options.limits);
    this.#tradingState = options.tradingState;
    this.#clock = options.clock;
  }

  /** Drawdown from the window's equity peak, in percent; `null` before any equity or when off. */
  get drawdownPct(): number | null {
    const peak = this.#equityValue[0];
    const last = this.#equityValue.at(-1);
    if (peak === undefined || last === undefined || !(peak > 0)) return null;
    return ((peak - last) / peak) * 100;
  }

  /** Stop-outs counted by the stop-loss guard now (in the window, since its last trip). */
  get stopOutsCounted(): number {
    const since = Math.max(
      this.#clock.now() - this.limits.stoplossGuardWindowMinutes * minuteMs,
      this.#stoplossArmedAt,
    );
    let counted = 0;
    for (const stopOut of this.#stopOuts) if (stopOut.at > since) counted += 1;
    return counted;
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
    return [...(await this.updateNow(facts))];
  }

  /**
   * {@link update}, answered synchronously when nothing is stored: no pause ends and no
   * protection trips (the trade cycle calls it every candle with a position open). Otherwise
   * the promise of the trips, as `update`. The facts are read before it returns.
   *
   * @throws {ValidationError} for a non-finite equity or daily P&L (thrown, not a rejection).
   * @throws {StorageError} (the promise rejects) when storing the trading state fails.
   */
  updateNow(facts: ProtectionFacts): readonly ProtectionTrip[] | Promise<ProtectionTrip[]> {
    const { equity, dailyPnl } = facts;
    if (!Number.isFinite(equity) || !Number.isFinite(dailyPnl)) {
      throw new ValidationError(
        `RiskProtections.update: equity ${equity} and dailyPnl ${dailyPnl} must be finite numbers`,
      );
    }
    // What is read after an await is copied first: the caller may reuse its facts.
    const checked = this.#tradingState.checkNow();
    if (checked instanceof Promise) {
      const stopOuts = { ...facts.lastStopOutAt };
      return checked.then(() => this.#finish(equity, stopOuts, this.#dailyLoss(dailyPnl)));
    }
    const daily = this.#dailyLoss(dailyPnl);
    if (daily !== null) return this.#finish(equity, { ...facts.lastStopOutAt }, daily);
    const drawdown = this.#drawdown(equity);
    if (drawdown !== null) {
      return this.#finish(equity, { ...facts.lastStopOutAt }, null, drawdown);
    }
    this.#rememberAll(facts.lastStopOutAt);
    const guard = this.#stoplossGuard();
    if (guard !== null) return this.#trip(guard).then((trip) => (trip === null ? [] : [trip]));
    return noTrips;
  }

  /**
   * The rest of an update once something must be stored, in the order of the checks: the daily
   * loss trip, the drawdown (checked here unless given), the stop-outs and the stop-loss guard.
   */
  async #finish(
    equity: number,
    lastStopOutAt: ProtectionFacts['lastStopOutAt'],
    daily: Trip | null,
    drawdown: Trip | null | undefined = undefined,
  ): Promise<ProtectionTrip[]> {
    const trips: ProtectionTrip[] = [];
    const add = (trip: ProtectionTrip | null): void => {
      if (trip !== null) trips.push(trip);
    };
    if (daily !== null) add(await this.#trip(daily));
    const dropped = drawdown === undefined ? this.#drawdown(equity) : drawdown;
    if (dropped !== null) add(await this.#trip(dropped));
    this.#rememberAll(lastStopOutAt);
    const guard = this.#stoplossGuard();
    if (guard !== null) add(await this.#trip(guard));
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
    const guard = this.#stoplossGuard();
    return guard === null ? null : this.#trip(guard);
  }

  #rememberAll(lastStopOutAt: ProtectionFacts['lastStopOutAt']): void {
    if (lastStopOutAt === undefined) return;
    for (const symbol in lastStopOutAt) {
      const at = lastStopOutAt[symbol as SymbolId];
      if (typeof at === 'number' && this.#lastRemembered.get(symbol) !== at) {
        this.#remember(symbol, at);
      }
    }
  }

  #remember(symbol: string, at: number): void {
    this.#lastRemembered.set(symbol, at);
    const key = `${symbol}@${at}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#stopOuts.push({ key, at });
  }

  async #trip(trip: Trip): Promise<ProtectionTrip | null> {
    const { protection, reason, until } = trip;
    const record = await this.#tradingState.protect({ protection, reason, until });
    return record === null ? null : { protection, reason, until, record };
  }

  /** The daily loss trip due now, or `null`. */
  #dailyLoss(dailyPnl: number): Trip | null {
    const limit = -this.limits.maxDailyLossUsd;
    if (this.limits.disabledChecks.has('daily_loss') || dailyPnl > limit) return null;
    const until = nextUtcMidnight(this.#clock.now());
    return {
      protection: 'daily_loss',
      reason: `daily loss: P&L ${dailyPnl.toFixed(2)} is at or beyond ${limit.toFixed(2)} (RISK_MAX_DAILY_LOSS_USD); exits only until ${formatTime(until)}`,
      until,
    };
  }

  /** Adds an equity sample to the window; the drawdown trip due now (re-arming it), or `null`. */
  #drawdown(equity: number): Trip | null {
    const max = this.limits.maxDrawdownPct;
    if (max === null) return null;
    const now = this.#clock.now();
    const windowStart = now - this.limits.drawdownWindowMinutes * minuteMs;
    const times = this.#equityAt;
    const values = this.#equityValue;
    while (values.length > 0 && values[values.length - 1]! <= equity) {
      values.pop();
      times.pop();
    }
    values.push(equity);
    times.push(now);
    while (times[0]! < windowStart) {
      times.shift();
      values.shift();
    }
    const drawdown = this.drawdownPct;
    if (drawdown === null || drawdown < max) return null;
    const peak = values[0]!;
    this.#equityAt = [now];
    this.#equityValue = [equity];
    const minutes = this.limits.protectionPauseMinutes;
    return {
      protection: 'max_drawdown',
      reason: `max drawdown: equity ${equity.toFixed(2)} is ${drawdown.toFixed(1)}% below the peak ${peak.toFixed(2)} of the last ${this.limits.drawdownWindowMinutes} min (RISK_MAX_DRAWDOWN_PCT ${max}); exits only for ${minutes} min`,
      until: now + minutes * minuteMs,
    };
  }

  /** Drops stop-outs older than the window; the stop-loss guard trip due now (re-arming it), or `null`. */
  #stoplossGuard(): Trip | null {
    const count = this.limits.stoplossGuardCount;
    const now = this.#clock.now();
    const window = this.limits.stoplossGuardWindowMinutes;
    const windowStart = now - window * minuteMs;
    if (this.#stopOuts.some((stopOut) => stopOut.at <= windowStart)) {
      const kept = this.#stopOuts.filter((stopOut) => stopOut.at > windowStart);
      for (const dropped of this.#stopOuts) {
        if (dropped.at <= windowStart) this.#seen.delete(dropped.key);
      }
      this.#stopOuts = kept;
    }
    if (count === null) return null;
    const counted = this.stopOutsCounted;
    if (counted < count) return null;
    this.#stoplossArmedAt = now;
    const minutes = this.limits.protectionPauseMinutes;
    return {
      protection: 'stoploss_guard',
      reason: `stop-loss guard: ${counted} stop-outs in the last ${window} min (RISK_STOPLOSS_GUARD_COUNT ${count}); exits only for ${minutes} min`,
      until: now + minutes * minuteMs,
    };
  }
}
