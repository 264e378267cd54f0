import type { AccountSnapshot } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buy,
  checkOf,
  minute,
  noon,
  riskState,
  sell,
  btcPosition,
} from './__fixtures__/risk-state.js';
import { nextUtcMidnight, RiskProtections } from './protections.js';
import { RiskEngine } from './risk-engine.js';
import type { RiskEngineOptions } from './risk-options.js';
import { TradingStateMachine } from './trading-state-machine.js';

let store: LumenLinkStore;
let clock: ManualClock;
let trading: TradingStateMachine;

beforeEach(async () => {
  clock = new ManualClock(noon);
  store = await openStore({ path: ':memory:', clock });
  trading = await TradingStateMachine.open({ store: store.runtime, clock, killSwitch: false });
});

afterEach(async () => {
  await store.close();
});

const protect = (limits: RiskEngineOptions = {}) =>
  new RiskProtections({ tradingState: trading, clock, limits });
const flat = { equity: 10_000, dailyPnl: 0 };

describe('RiskProtections: daily loss', () => {
  it('switches to reducing until 00:00 UTC, and the engine then lets only exits through', async () => {
    const protections = protect();
    expect(await protections.update({ equity: 9_900, dailyPnl: -100 })).toEqual([]);
    const [trip, ...rest] = await protections.update({ equity: 9_850, dailyPnl: -150 });
    expect(rest).toEqual([]);
    const midnight = Date.UTC(2024, 0, 2);
    expect(trip).toMatchObject({ protection: 'daily_loss', until: midnight });
    expect(trip?.reason).toBe(
      'daily loss: P&L -150.00 is at or beyond -150.00 (RISK_MAX_DAILY_LOSS_USD); exits only until 2024-01-02T00:00:00.000Z',
    );
    expect(await store.runtime.getTradingState()).toMatchObject({
      state: 'reducing',
      changedBy: 'protection:daily_loss',
      until: midnight,
    });
    // The next update with the same loss changes nothing and reports nothing.
    expect(await protections.update({ equity: 9_800, dailyPnl: -200 })).toEqual([]);

    const engine = new RiskEngine();
    const state = riskState({ tradingState: trading.state, dailyPnl: 0 });
    expect(checkOf(engine.evaluate(buy(), state), 'trading_state').outcome).toBe('fail');
    const exit = { ...state, position: btcPosition(0.01), openPositions: 1 };
    expect(engine.evaluate(sell(), exit).allowed).toBe(true);

    await clock.advanceTo(midnight);
    expect(await protections.update(flat)).toEqual([]);
    expect(trading.state).toBe('active');
  });

  it('is off when the daily_loss check is switched off', async () => {
    const protections = protect({ disabledChecks: ['daily_loss'] });
    expect(await protections.update({ equity: 9_000, dailyPnl: -1_000 })).toEqual([]);
    expect(trading.state).toBe('active');
  });

  it('computes the next UTC midnight', () => {
    expect(nextUtcMidnight(Date.UTC(2024, 0, 1))).toBe(Date.UTC(2024, 0, 2));
    expect(nextUtcMidnight(Date.UTC(2024, 0, 1, 23, 59))).toBe(Date.UTC(2024, 0, 2));
  });
});

describe('RiskProtections: max drawdown', () => {
  it('trips at RISK_MAX_DRAWDOWN_PCT below the window peak, for the pause, then re-arms', async () => {
    const protections = protect({ maxDrawdownPct: 10, protectionPauseMinutes: 30 });
    await protections.update({ equity: 10_000, dailyPnl: 0 });
    await clock.advance(minute);
    expect(await protections.update({ equity: 9_500, dailyPnl: 0 })).toEqual([]);
    expect(protections.drawdownPct).toBeCloseTo(5, 9);
    await clock.advance(minute);
    const [trip] = await protections.update({ equity: 9_000, dailyPnl: 0 });
    expect(trip).toMatchObject({ protection: 'max_drawdown', until: noon + 32 * minute });
    expect(trip?.reason).toMatch(
      /^max drawdown: equity 9000\.00 is 10\.0% below the peak 10000\.00 of the last 1440 min/,
    );
    expect(trading.state).toBe('reducing');
    // Re-armed at 9,000: the pause ends, and 9,000 is no new trip.
    await clock.advance(30 * minute);
    expect(await protections.update({ equity: 9_000, dailyPnl: 0 })).toEqual([]);
    expect(trading.state).toBe('active');
    expect(protections.drawdownPct).toBe(0);
  });

  it('forgets a peak older than the window', async () => {
    const protections = protect({ maxDrawdownPct: 10, drawdownWindowMinutes: 60 });
    await protections.update({ equity: 10_000, dailyPnl: 0 });
    await clock.advance(30 * minute);
    await protections.update({ equity: 9_500, dailyPnl: 0 });
    await clock.advance(31 * minute);
    expect(await protections.update({ equity: 9_000, dailyPnl: 0 })).toEqual([]);
    expect(protections.drawdownPct).toBeCloseTo((500 / 9_500) * 100, 9);
  });

  it('is off without RISK_MAX_DRAWDOWN_PCT', async () => {
    const protections = protect();
    await protections.update(flat);
    expect(await protections.update({ equity: 1, dailyPnl: 0 })).toEqual([]);
    expect(protections.drawdownPct).toBeNull();
  });
});

describe('RiskProtections: stop-loss guard', () => {
  const guard = {
    stoplossGuardCount: 3,
    stoplossGuardWindowMinutes: 60,
    protectionPauseMinutes: 45,
  };

  it('trips at RISK_STOPLOSS_GUARD_COUNT stop-outs within the window', async () => {
    const protections = protect(guard);
    expect(await protections.recordStopOut('BTC-USD', noon - 50 * minute)).toBeNull();
    expect(await protections.recordStopOut('ETH-USD', noon - 20 * minute)).toBeNull();
    const trip = await protections.recordStopOut('BTC-USD', noon);
    expect(trip).toMatchObject({ protection: 'stoploss_guard', until: noon + 45 * minute });
    expect(trip?.reason).toBe(
      'stop-loss guard: 3 stop-outs in the last 60 min (RISK_STOPLOSS_GUARD_COUNT 3); exits only for 45 min',
    );
    expect(trip?.record).toMatchObject({
      from: 'active',
      state: 'reducing',
      changedBy: 'protection:stoploss_guard',
    });
    // Re-armed: the three no longer count; after the pause trading resumes.
    expect(protections.stopOutsCounted).toBe(0);
    await clock.advance(45 * minute);
    expect(await protections.update(flat)).toEqual([]);
    expect(trading.state).toBe('active');
  });

  it('does not count stop-outs outside the window, nor the same one twice', async () => {
    const protections = protect(guard);
    await protections.recordStopOut('BTC-USD', noon - 61 * minute);
    const snapshot = { ...flat, lastStopOutAt: { 'BTC-USD': noon - 10 * minute } };
    expect(await protections.update(snapshot)).toEqual([]);
    expect(await protections.update(snapshot)).toEqual([]);
    expect(
      await protections.update({ ...flat, lastStopOutAt: { 'ETH-USD': noon - minute } }),
    ).toEqual([]);
    expect(protections.stopOutsCounted).toBe(2);
    expect(trading.state).toBe('active');
  });

  it('reads core AccountSnapshots as they are', async () => {
    const protections = protect({ ...guard, stoplossGuardCount: 1 });
    const snapshot: AccountSnapshot = {
      at: noon,
      cash: 10_000,
      equity: 10_000,
      positions: [],
      realizedPnl: 0,
      unrealizedPnl: 0,
      dailyPnl: 0,
      peakEquity: 10_000,
      lastStopOutAt: { 'SOL-USDT': noon - minute },
    };
    const [trip] = await protections.update(snapshot);
    expect(trip?.protection).toBe('stoploss_guard');
  });

  it('never lifts a halt', async () => {
    const protections = protect(guard);
    await trading.halt('operator', 'http');
    for (const at of [noon - 2, noon - 1, noon]) await protections.recordStopOut('BTC-USD', at);
    expect(trading.state).toBe('halted');
    expect(trading.history.at(-1)?.changedBy).toBe('http');
  });
});

describe('RiskProtections: answered at once when nothing is stored', () => {
  it('updateNow returns the trips synchronously until one trips, then a promise of them', async () => {
    const protections = protect({ maxDrawdownPct: 10 });
    const quiet = protections.updateNow({ equity: 10_000, dailyPnl: 0 });
    expect(quiet).not.toBeInstanceOf(Promise);
    expect(quiet).toEqual([]);
    expect(protections.updateNow({ equity: 9_500, dailyPnl: -50 })).toEqual([]);
    const tripping = protections.updateNow({ equity: 8_900, dailyPnl: -60 });
    expect(tripping).toBeInstanceOf(Promise);
    const [trip] = await tripping;
    expect(trip?.protection).toBe('max_drawdown');
    expect(trading.state).toBe('reducing');
    // The pause ends: that store write is a promise too, then quiet again.
    await clock.advance(24 * 60 * minute);
    const ending = protections.updateNow({ equity: 8_900, dailyPnl: 0 });
    expect(ending).toBeInstanceOf(Promise);
    expect(await ending).toEqual([]);
    expect(trading.state).toBe('active');
    expect(protections.updateNow({ equity: 8_900, dailyPnl: 0 })).not.toBeInstanceOf(Promise);
    expect(() => protections.updateNow({ equity: Number.NaN, dailyPnl: 0 })).toThrow(
      'must be finite numbers',
    );
  });

  it('updateNow and update agree on every trip and state, step by step', async () => {
    const other = await openStore({ path: ':memory:', clock });
    try {
      const twin = await TradingStateMachine.open({
        store: other.runtime,
        clock,
        killSwitch: false,
      });
      const limits = {
        maxDrawdownPct: 8,
        drawdownWindowMinutes: 120,
        maxDailyLossUsd: 300,
        stoplossGuardCount: 2,
        stoplossGuardWindowMinutes: 90,
        protectionPauseMinutes: 30,
      };
      const now = new RiskProtections({ tradingState: trading, clock, limits });
      const awaited = new RiskProtections({ tradingState: twin, clock, limits });
      // A seeded walk: equity drifting, daily P&L, stop-outs now and then.
      let seed = 7;
      const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      let equity = 10_000;
      const stopOuts: Record<string, number> = {};
      for (let step = 0; step < 400; step++) {
        await clock.advance(Math.floor(next() * 20) * minute);
        equity *= 1 + (next() - 0.52) * 0.02;
        if (next() < 0.05) stopOuts[next() < 0.5 ? 'BTC-USD' : 'ETH-USD'] = clock.now();
        const facts = { equity, dailyPnl: equity - 10_000, lastStopOutAt: { ...stopOuts } };
        const [fast, slow] = [await now.updateNow(facts), await awaited.update(facts)];
        expect(fast.map((trip) => [trip.protection, trip.reason, trip.until])).toEqual(
          slow.map((trip) => [trip.protection, trip.reason, trip.until]),
        );
        expect(trading.record).toEqual(twin.record);
        expect(now.drawdownPct).toBe(awaited.drawdownPct);
        expect(now.stopOutsCounted).toBe(awaited.stopOutsCounted);
      }
      expect(trading.history.length).toBeGreaterThan(4);
    } finally {
      await other.close();
    }
  });
});
