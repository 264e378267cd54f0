import {
  ValidationError,
  riskCheckNames,
  type RiskCheckName,
  type RiskVerdict,
} from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import {
  btcBook,
  btcPosition,
  btcTicker,
  buy,
  checkOf,
  minute,
  namesWith,
  noon,
  riskState,
  sell,
} from './__fixtures__/risk-state.js';
import { RiskEngine } from './risk-engine.js';
import { optionalRiskChecks } from './risk-options.js';

const engine = new RiskEngine();

/** Denied by exactly `name`, whose reason matches, and the verdict says so first. */
function expectBlockedBy(verdict: RiskVerdict, name: RiskCheckName, reason: RegExp): void {
  expect(verdict.allowed).toBe(false);
  expect(namesWith(verdict, 'fail')).toEqual([name]);
  expect(checkOf(verdict, name).reason).toMatch(reason);
  expect(verdict.reason.startsWith(`${name}: `)).toBe(true);
}

describe('RiskEngine: a buy that passes', () => {
  it('sizes it and runs the 10 checks in the documented order, each with value, limit and reason', () => {
    const verdict = engine.evaluate(buy(0.8), riskState());
    expect(verdict.checks.map((check) => check.name)).toEqual([...riskCheckNames]);
    expect(verdict).toMatchObject({ allowed: true, quantity: 0.004, side: 'buy' });
    expect(namesWith(verdict, 'skip')).toEqual(['phantom_sell', 'volume']);
    expect(verdict.reason).toBe(
      'buy 0.004 BTC (200.00 USD): 8 checks passed, 2 skipped (phantom_sell, volume)',
    );
    expect(checkOf(verdict, 'position_size')).toMatchObject({ value: 200, limit: 250 });
    expect(checkOf(verdict, 'spread').value).toBeCloseTo(2, 9);
    expect(checkOf(verdict, 'slippage').value).toBe(0);
    for (const check of verdict.checks) expect(check.reason.length).toBeGreaterThan(0);
  });

  it('stores in the real decision store with every check', async () => {
    const store = await openStore({ path: ':memory:' });
    const verdict = engine.evaluate(buy(), riskState({ orderBook: null }));
    const decision = {
      symbol: 'BTC-USD',
      strategy: 'test',
      candleTime: noon - 60 * minute,
      decidedAt: noon,
      signal: buy(),
      verdict,
      outcome: 'submitted',
      clientOrderId: null,
      note: verdict.reason,
    } as const;
    await store.decisions.recordDecision(decision);
    expect((await store.decisions.recentDecisions('BTC-USD', 1))[0]?.verdict).toEqual(verdict);
    await store.close();
  });
});

describe('RiskEngine: each check blocks an entry in its own scenario', () => {
  it('1 trading_state: halted blocks everything', () => {
    expectBlockedBy(
      engine.evaluate(buy(), riskState({ tradingState: 'halted' })),
      'trading_state',
      /halted \(kill switch\): no orders at all, exits included/,
    );
  });

  it('1 trading_state: reducing blocks entries', () => {
    expectBlockedBy(
      engine.evaluate(buy(), riskState({ tradingState: 'reducing' })),
      'trading_state',
      /reducing: exits only, no new entries/,
    );
  });

  it('1 trading_state: an open circuit breaker blocks entries (a live fact in the state)', () => {
    const verdict = engine.evaluate(buy(), riskState({ circuitOpen: true }));
    expectBlockedBy(verdict, 'trading_state', /circuit breaker open/);
    expect(checkOf(verdict, 'trading_state').value).toBe('active, circuit open');
  });

  it('2 live_gate: live mode with ALLOW_LIVE_TRADING=false is a dry run', () => {
    const live = riskState({ mode: 'live', allowLiveTrading: false });
    expectBlockedBy(engine.evaluate(buy(), live), 'live_gate', /live dry run, no order is sent/);
    const allowed = riskState({ mode: 'live', allowLiveTrading: true });
    expect(engine.evaluate(buy(), allowed).allowed).toBe(true);
    // The configured flag is a second lock, whatever the state says.
    const locked = new RiskEngine({ allowLiveTrading: false });
    expectBlockedBy(locked.evaluate(buy(), allowed), 'live_gate', /ALLOW_LIVE_TRADING=false/);
    expect(locked.evaluate(buy(), riskState()).allowed).toBe(true); // paper
  });

  it('3 phantom_sell: a sell without a position, or with less than one step', () => {
    const none = engine.evaluate(sell(), riskState());
    expectBlockedBy(none, 'phantom_sell', /sell without a position in BTC-USD/);
    expect(none).toMatchObject({ quantity: 0, side: 'sell' });
    const zero = engine.evaluate(sell(), riskState({ position: btcPosition(0) }));
    expectBlockedBy(zero, 'phantom_sell', /sell without a position/);
    const dust = engine.evaluate(sell(), riskState({ position: btcPosition(0.000004) }));
    expectBlockedBy(dust, 'phantom_sell', /0\.000004 BTC is below the amount step 0\.00001/);
  });

  it('3 phantom_sell: a sell never exceeds the position nor the free balance on the exchange', () => {
    // The account holds more than the bot bought: the sell is the position, not the balance.
    const rich = engine.evaluate(
      sell(),
      riskState({ position: btcPosition(0.00824), freeBase: 5 }),
    );
    expect(rich.allowed).toBe(true);
    expect(rich.quantity).toBe(0.00824);
    // Someone sold part of the bot's coins on the exchange: the sell is capped at what is free.
    const short = engine.evaluate(
      sell(),
      riskState({ position: btcPosition(0.00824), freeBase: 0.005003 }),
    );
    expect(short.allowed).toBe(true);
    expect(short.quantity).toBe(0.005);
    expect(checkOf(short, 'phantom_sell').reason).toMatch(/capped at the 0\.005003 free/);
    // Nothing free: refused with a reason, never sent.
    const none = engine.evaluate(
      sell(),
      riskState({ position: btcPosition(0.00824), freeBase: 0 }),
    );
    expectBlockedBy(none, 'phantom_sell', /holds 0 BTC free, less than one step/);
    expect(() =>
      engine.evaluate(sell(), riskState({ position: btcPosition(1), freeBase: Number.NaN })),
    ).toThrow(/state\.freeBase must be a finite number/);
  });

  it('1 trading_state: a paused symbol blocks its entries and lets its exits go', () => {
    const paused = riskState({
      position: btcPosition(0.001),
      symbolPaused: 'stored fills sell more than held',
    });
    expectBlockedBy(
      engine.evaluate(buy(), paused),
      'trading_state',
      /BTC-USD is paused \(exits only\) until an operator resumes it: stored fills sell more/,
    );
    expect(engine.evaluate(sell(), paused).allowed).toBe(true);
  });

  it('4 daily_loss: realized plus unrealized P&L at the limit', () => {
    const verdict = engine.evaluate(buy(), riskState({ dailyPnl: -150 }));
    expectBlockedBy(verdict, 'daily_loss', /-150\.00 USD is at or beyond the loss limit/);
    expect(checkOf(verdict, 'daily_loss')).toMatchObject({ value: -150, limit: -150 });
    expect(engine.evaluate(buy(), riskState({ dailyPnl: -149.99 })).allowed).toBe(true);
  });

  it('5 max_open_positions: a new position beyond the limit; an add is no new position', () => {
    expectBlockedBy(
      engine.evaluate(buy(), riskState({ openPositions: 2 })),
      'max_open_positions',
      /2 positions open, the most allowed is 2/,
    );
    const add = riskState({ openPositions: 2, position: btcPosition(0.001) });
    expect(engine.evaluate(buy(0.5), add).allowed).toBe(true);
  });

  it('6 position_size: the room under the max position is below the market minimum', () => {
    // 0.00494 BTC x 50,000 = 247 USD held: 3 USD of room, the minimum order is 5 USD.
    const verdict = engine.evaluate(buy(1), riskState({ position: btcPosition(0.00494) }));
    expectBlockedBy(
      verdict,
      'position_size',
      /room under the max position is 3\.00 USD \(position 247\.00 USD of 250\.00 USD\), below the market minimum 5\.00 USD/,
    );
    const full = engine.evaluate(buy(1), riskState({ position: btcPosition(0.006) }));
    expectBlockedBy(full, 'position_size', /room under the max position is 0\.00 USD/);
    const broke = engine.evaluate(buy(1), riskState({ cash: 3 }));
    expectBlockedBy(broke, 'position_size', /cash 3\.00 USD is below the market minimum/);
    const nothing = engine.evaluate(buy(0), riskState());
    expectBlockedBy(nothing, 'position_size', /nothing to buy: confidence 0/);
  });

  it('7 stopout_cooldown: a stop-out within RISK_COOLDOWN_MINUTES', () => {
    const verdict = engine.evaluate(buy(), riskState({ lastStopOutAt: noon - 5 * minute }));
    expectBlockedBy(verdict, 'stopout_cooldown', /5\.0 min ago .* cooldown is 15 min/);
    expect(checkOf(verdict, 'stopout_cooldown')).toMatchObject({ value: 5, limit: 15 });
    const later = riskState({ lastStopOutAt: noon - 15 * minute });
    expect(engine.evaluate(buy(), later).allowed).toBe(true);
    const noWait = new RiskEngine({ cooldownMinutes: 0 });
    expect(noWait.evaluate(buy(), riskState({ lastStopOutAt: noon })).allowed).toBe(true);
  });

  it('8 volume: 24h quote volume below GUARD_MIN_VOLUME; skipped without a ticker', () => {
    const picky = new RiskEngine({ minVolume: 100_000_000 });
    expectBlockedBy(
      picky.evaluate(buy(), riskState()),
      'volume',
      /24h volume 50000000\.00 USD is below 100000000\.00 USD/,
    );
    const baseOnly = riskState({ ticker: { ...btcTicker, quoteVolume24h: null } });
    expect(checkOf(picky.evaluate(buy(), baseOnly), 'volume').value).toBe(50_000_000);
    const noTicker = picky.evaluate(buy(), riskState({ ticker: null }));
    expect(checkOf(noTicker, 'volume')).toMatchObject({
      outcome: 'skip',
      reason: 'no 24h volume: no ticker',
    });
    expect(noTicker.allowed).toBe(true);
  });

  it('9 spread: a quote wider than GUARD_MAX_SPREAD_BPS, from the ticker without a book', () => {
    const wide = riskState({
      orderBook: null,
      ticker: { ...btcTicker, bid: 49_900, ask: 50_100 },
    });
    const verdict = engine.evaluate(buy(), wide);
    expectBlockedBy(verdict, 'spread', /spread 40\.0 bps .*from the ticker.* wider than 25\.0 bps/);
    expect(checkOf(verdict, 'spread').value).toBeCloseTo(40, 9);
    const quoteless = engine.evaluate(buy(), riskState({ orderBook: null, ticker: null }));
    expect(checkOf(quoteless, 'spread').reason).toBe(
      'no bid/ask: no order book and no ticker quote',
    );
  });

  it('10 slippage: walking the book for the order size is too expensive, or the book too thin', () => {
    // 0.004 BTC: 0.001 at 50,005 and 0.003 at 50,500 average 50,376.25, 74.2 bps worse.
    const shallow = riskState({
      orderBook: {
        ...btcBook,
        asks: [
          [50_005, 0.001],
          [50_500, 1],
        ],
      },
    });
    const verdict = engine.evaluate(buy(0.8), shallow);
    expectBlockedBy(verdict, 'slippage', /expected slippage 74\.2 bps \(walking 2 asks levels/);
    const thin = riskState({ orderBook: { ...btcBook, asks: [[50_005, 0.001]] } });
    expectBlockedBy(
      engine.evaluate(buy(0.8), thin),
      'slippage',
      /holds only 0\.001 of 0\.004 BTC on the asks/,
    );
  });

  it('10 slippage and 9 spread: backtests have no order book, and say so', () => {
    const verdict = engine.evaluate(buy(), riskState({ orderBook: null, ticker: null }));
    expect(checkOf(verdict, 'slippage')).toMatchObject({
      outcome: 'skip',
      reason: 'no order book',
    });
    expect(verdict.allowed).toBe(true);
  });
});

describe('RiskEngine: exits', () => {
  const held = riskState({ position: btcPosition(0.01), openPositions: 1 });

  it('sizes an exit to portion x the position', () => {
    expect(engine.evaluate(sell(), held)).toMatchObject({ allowed: true, quantity: 0.01 });
    expect(engine.evaluate(sell({ portion: 0.25 }), held).quantity).toBe(0.0025);
  });

  it('passes in reducing and with the circuit breaker open', () => {
    expect(engine.evaluate(sell(), { ...held, tradingState: 'reducing' }).allowed).toBe(true);
    const open = engine.evaluate(sell(), { ...held, circuitOpen: true });
    expect(open.allowed).toBe(true);
    expect(checkOf(open, 'trading_state').reason).toMatch(/exits bypass it/);
  });

  it('are only warned by the seven other checks', () => {
    const hostile = {
      ...held,
      dailyPnl: -1_000,
      openPositions: 9,
      lastStopOutAt: noon - minute,
      ticker: { ...btcTicker, bid: 45_000, ask: 55_000, quoteVolume24h: 1 },
      orderBook: { ...btcBook, bids: [[45_000, 0.001]] as const },
    };
    const picky = new RiskEngine({ minVolume: 1_000_000 });
    const verdict = picky.evaluate(sell(), hostile);
    expect(verdict.allowed).toBe(true);
    expect(namesWith(verdict, 'warn')).toEqual([
      'daily_loss',
      'stopout_cooldown',
      'volume',
      'spread',
      'slippage',
    ]);
    expect(checkOf(verdict, 'daily_loss').reason).toMatch(/^would block an entry, not an exit: /);
    expect(verdict.reason).toMatch(/5 warned \(daily_loss, stopout_cooldown/);
    // An exit below the market minimum is warned too: 0.00008 BTC is 4 USD, under 5.
    const dust = engine.evaluate(sell(), riskState({ position: btcPosition(0.00008) }));
    expect(dust).toMatchObject({ allowed: true, quantity: 0.00008 });
    expect(checkOf(dust, 'position_size').outcome).toBe('warn');
  });

  it('are blocked by halted and by the live gate', () => {
    expectBlockedBy(
      engine.evaluate(sell(), { ...held, tradingState: 'halted' }),
      'trading_state',
      /halted/,
    );
    expectBlockedBy(
      engine.evaluate(sell(), { ...held, mode: 'live' }),
      'live_gate',
      /live dry run/,
    );
  });
});

describe('RiskEngine: switching checks off', () => {
  it('reports switched-off checks as skip, so a backtest can compare', () => {
    const free = new RiskEngine({ disabledChecks: optionalRiskChecks });
    const verdict = free.evaluate(
      buy(),
      riskState({
        dailyPnl: -1_000,
        openPositions: 5,
        lastStopOutAt: noon,
        ticker: { ...btcTicker, bid: 40_000, ask: 60_000 },
      }),
    );
    expect(verdict.allowed).toBe(true);
    expect(namesWith(verdict, 'skip')).toEqual(['phantom_sell', ...optionalRiskChecks]);
    expect(checkOf(verdict, 'daily_loss').reason).toBe('switched off (disabledChecks)');
  });

  it('refuses to switch off trading_state, live_gate and phantom_sell, naming the check', () => {
    for (const name of ['trading_state', 'live_gate', 'phantom_sell'] as const) {
      expect(() => new RiskEngine({ disabledChecks: [name] })).toThrow(ValidationError);
      expect(() => new RiskEngine({ disabledChecks: [name] })).toThrow(
        `The ${name} risk check cannot be switched off`,
      );
    }
    expect(() => new RiskEngine({ disabledChecks: ['spred' as RiskCheckName] })).toThrow(
      /Unknown risk check "spred"/,
    );
  });

  it('without position_size, adds may pass the max position, but 0 is still no order', () => {
    const free = new RiskEngine({ disabledChecks: ['position_size'] });
    const over = free.evaluate(buy(1), riskState({ position: btcPosition(0.006) }));
    expect(over).toMatchObject({ allowed: true, quantity: 0.005 });
    expect(checkOf(over, 'position_size').outcome).toBe('skip');
    expectBlockedBy(free.evaluate(buy(1), riskState({ cash: 0 })), 'position_size', /cash/);
  });
});

describe('RiskEngine: input', () => {
  it('does not evaluate a hold: a ValidationError, since the trade cycle ends at a hold', () => {
    expect(() =>
      engine.evaluate({ action: 'hold', confidence: 0, reason: 'x' }, riskState()),
    ).toThrow(/a hold is not evaluated/);
  });

  it('throws a ValidationError for a signal or state that breaks its type', () => {
    expect(() => engine.evaluate(buy(1.5), riskState())).toThrow(ValidationError);
    expect(() => engine.evaluate(buy(0.5, { portion: 0 }), riskState())).toThrow(/portion/);
    expect(() => engine.evaluate(buy(), riskState({ price: Number.NaN }))).toThrow(/state.price/);
    expect(() => engine.evaluate(buy(), riskState({ price: 0 }))).toThrow(/not positive/);
    expect(() => engine.evaluate(buy(), riskState({ openPositions: -1 }))).toThrow(/openPositions/);
    expect(() => new RiskEngine({ maxPositionUsd: 0 })).toThrow(
      'RiskEngine option maxPositionUsd must be a finite number > 0, got 0',
    );
  });
});
