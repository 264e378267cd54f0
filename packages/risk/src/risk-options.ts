import { ValidationError, riskCheckNames, type RiskCheckName } from '@lumenlink/core';
import { type Config, type RiskSizingMethod } from '@lumenlink/config';

/**
 * The checks that cannot be switched off: a halted bot, the live-trading gate and the
 * phantom-sell block guard against losing money by accident, not against a bad trade.
 */
export const mandatoryRiskChecks = ['trading_state', 'live_gate', 'phantom_sell'] as const;

/** A check that may be switched off (for comparisons in backtests). */
export type OptionalRiskCheckName = Exclude<RiskCheckName, (typeof mandatoryRiskChecks)[number]>;

/** The checks that may be switched off with {@link RiskEngineOptions.disabledChecks}. */
export const optionalRiskChecks: readonly OptionalRiskCheckName[] = riskCheckNames.filter(
  (name): name is OptionalRiskCheckName =>
    !(mandatoryRiskChecks as readonly RiskCheckName[]).includes(name),
);

/**
 * Every limit of the risk engine and its protections, resolved. Money is in the quote currency
 * of the symbol traded (USD for the default symbols), as the config keys name it.
 */
export interface RiskLimits {
  /** `RISK_MAX_DAILY_LOSS_USD`: daily P&L (realized + unrealized) at which entries stop. */
  readonly maxDailyLossUsd: number;
  /** `RISK_MAX_POSITION_USD`: the largest position per symbol, and the confidence sizing base. */
  readonly maxPositionUsd: number;
  /** `RISK_MAX_OPEN_POSITIONS`: positions open at once, across symbols. */
  readonly maxOpenPositions: number;
  /** `RISK_COOLDOWN_MINUTES`: minutes a symbol waits after a stop-out; 0 = no wait. */
  readonly cooldownMinutes: number;
  /** `RISK_SIZING`: `confidence` or `atr`. */
  readonly sizing: RiskSizingMethod;
  /** `RISK_PER_TRADE_PCT`: percent of equity risked per trade with ATR sizing. */
  readonly perTradePct: number;
  /** ATR multiple of the stop distance in ATR sizing (from `TRAILING_STOP_ATR_MULT`, default 2). */
  readonly atrMultiplier: number;
  /** `GUARD_MAX_SPREAD_BPS`. */
  readonly maxSpreadBps: number;
  /** `GUARD_MAX_SLIPPAGE_BPS`. */
  readonly maxSlippageBps: number;
  /** `GUARD_MIN_VOLUME`: smallest 24h quote volume; 0 = off. */
  readonly minVolume: number;
  /** `RISK_MAX_DRAWDOWN_PCT`; `null`: no drawdown protection. */
  readonly maxDrawdownPct: number | null;
  /** Minutes over which the drawdown protection takes its equity peak (no env key yet). */
  readonly drawdownWindowMinutes: number;
  /** `RISK_STOPLOSS_GUARD_COUNT`; `null`: no stop-loss guard. */
  readonly stoplossGuardCount: number | null;
  /** `RISK_STOPLOSS_GUARD_WINDOW_MINUTES`. */
  readonly stoplossGuardWindowMinutes: number;
  /** `RISK_PROTECTION_PAUSE_MINUTES`: how long a drawdown or stop-loss guard trip lasts. */
  readonly protectionPauseMinutes: number;
  /**
   * `ALLOW_LIVE_TRADING` as configured; `false` blocks live orders whatever the risk state says
   * (a second lock on the live gate). `null`: the risk state alone decides.
   */
  readonly allowLiveTrading: boolean | null;
  /** Checks switched off; they report `skip`. */
  readonly disabledChecks: ReadonlySet<OptionalRiskCheckName>;
}

/** Options of `RiskEngine` and `RiskProtections`: any limit left out takes its default. */
export type RiskEngineOptions = Partial<Omit<RiskLimits, 'disabledChecks'>> & {
  /** Checks to switch off, by name; `trading_state`, `live_gate` and `phantom_sell` cannot be. */
  readonly disabledChecks?: Iterable<RiskCheckName>;
};

/** The defaults of {@link RiskLimits}: the defaults of the `RISK_*` and `GUARD_*` config keys. */
export const defaultRiskLimits: RiskLimits = Object.freeze({
  maxDailyLossUsd: 150,
  maxPositionUsd: 250,
  maxOpenPositions: 2,
  cooldownMinutes: 15,
  sizing: 'confidence',
  perTradePct: 1,
  atrMultiplier: 2,
  maxSpreadBps: 25,
  maxSlippageBps: 20,
  minVolume: 0,
  maxDrawdownPct: null,
  drawdownWindowMinutes: 1440,
  stoplossGuardCount: null,
  stoplossGuardWindowMinutes: 1440,
  protectionPauseMinutes: 60,
  allowLiveTrading: null,
  disabledChecks: new Set<OptionalRiskCheckName>(),
});

type NumberRule = 'positive' | 'nonNegative' | 'positiveInteger' | 'percent';

const numberRules: Readonly<Record<string, NumberRule>> = {
  maxDailyLossUsd: 'positive',
  maxPositionUsd: 'positive',
  maxOpenPositions: 'positiveInteger',
  cooldownMinutes: 'nonNegative',
  perTradePct: 'percent',
  atrMultiplier: 'positive',
  maxSpreadBps: 'nonNegative',
  maxSlippageBps: 'nonNegative',
  minVolume: 'nonNegative',
  maxDrawdownPct: 'percent',
  drawdownWindowMinutes: 'positive',
  stoplossGuardCount: 'positiveInteger',
  stoplossGuardWindowMinutes: 'positive',
  protectionPauseMinutes: 'positive',
};

const ruleText: Readonly<Record<NumberRule, string>> = {
  positive: 'a finite number > 0',
  nonNegative: 'a finite number >= 0',
  positiveInteger: 'an integer >= 1',
  percent: 'a number > 0 and <= 100',
};

function obeys(rule: NumberRule, value: number): boolean {
  switch (rule) {
    case 'positive':
      return Number.isFinite(value) && value > 0;
    case 'nonNegative':
      return Number.isFinite(value) && value >= 0;
    case 'positiveInteger':
      return Number.isSafeInteger(value) && value >= 1;
    case 'percent':
      return Number.isFinite(value) && value > 0 && value <= 100;
  }
}

/**
 * Fills the defaults into risk options and checks every value.
 *
 * @example
 * ```ts
 * const limits = resolveRiskLimits({ maxPositionUsd: 500, disabledChecks: ['spread'] });
 * limits.maxDailyLossUsd; // 150
 * ```
 * @throws {ValidationError} naming the option and what it accepts, or naming a check that
 *   cannot be switched off (`trading_state`, `live_gate`, `phantom_sell`) or is unknown.
 */
export function resolveRiskLimits(options: RiskEngineOptions = {}): RiskLimits {
  const { disabledChecks, ...limits } = options;
  const resolved = { ...defaultRiskLimits, ...stripUndefined(limits) };
  for (const [key, rule] of Object.entries(numberRules)) {
    const value = resolved[key as keyof RiskLimits] as unknown;
    if (value === null && (key === 'maxDrawdownPct' || key === 'stoplossGuardCount')) continue;
    if (typeof value !== 'number' || !obeys(rule, value)) {
      throw new ValidationError(
        `RiskEngine option ${key} must be ${ruleText[rule]}${key === 'maxDrawdownPct' || key === 'stoplossGuardCount' ? ' or null (off)' : ''}, got ${String(value)}`,
      );
    }
  }
  if (resolved.sizing !== 'confidence' && resolved.sizing !== 'atr') {
    throw new ValidationError(
      `RiskEngine option sizing must be confidence or atr, got ${String(resolved.sizing)}`,
    );
  }
  if (resolved.allowLiveTrading !== null && typeof resolved.allowLiveTrading !== 'boolean') {
    throw new ValidationError(
      `RiskEngine option allowLiveTrading must be a boolean or null, got ${String(resolved.allowLiveTrading)}`,
    );
  }
  return Object.freeze({ ...resolved, disabledChecks: checkDisabled(disabledChecks ?? []) });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}

function checkDisabled(names: Iterable<RiskCheckName>): ReadonlySet<OptionalRiskCheckName> {
  const disabled = new Set<OptionalRiskCheckName>();
  for (const name of names) {
    if ((mandatoryRiskChecks as readonly string[]).includes(name)) {
      throw new ValidationError(
        `The ${name} risk check cannot be switched off: only ${optionalRiskChecks.join(', ')} can`,
      );
    }
    if (!(optionalRiskChecks as readonly string[]).includes(name)) {
      throw new ValidationError(
        `Unknown risk check ${JSON.stringify(name)} in disabledChecks: expected one of ${optionalRiskChecks.join(', ')}`,
      );
    }
    disabled.add(name as OptionalRiskCheckName);
  }
  return disabled;
}

/**
 * Builds the risk options from the validated config: every `RISK_*` and `GUARD_*` key, the ATR
 * multiple of `TRAILING_STOP_ATR_MULT` (2 when trailing stops are off) and `ALLOW_LIVE_TRADING`.
 * `KILL_SWITCH` goes to `TradingStateMachine.open`, not here.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * const engine = new RiskEngine(riskConfigFromConfig(config));
 * ```
 */
export function riskConfigFromConfig(config: Config): RiskEngineOptions {
  const { risk, guards, trading } = config;
  return {
    maxDailyLossUsd: risk.maxDailyLossUsd,
    maxPositionUsd: risk.maxPositionUsd,
    maxOpenPositions: risk.maxOpenPositions,
    cooldownMinutes: risk.cooldownMinutes,
    sizing: risk.sizing,
    perTradePct: risk.perTradePct,
    atrMultiplier:
      trading.trailingStopAtrMult > 0
        ? trading.trailingStopAtrMult
        : defaultRiskLimits.atrMultiplier,
    maxSpreadBps: guards.maxSpreadBps,
    maxSlippageBps: guards.maxSlippageBps,
    minVolume: guards.minVolume,
    maxDrawdownPct: risk.maxDrawdownPct ?? null,
    stoplossGuardCount: risk.stoplossGuardCount ?? null,
    stoplossGuardWindowMinutes: risk.stoplossGuardWindowMinutes,
    protectionPauseMinutes: risk.protectionPauseMinutes,
    allowLiveTrading: config.allowLiveTrading,
  };
}
