/**
 * @lumenlink/risk: the risk engine that stands between a signal and an order. `RiskEngine` sizes
 * the order and runs the 10 pre-trade checks (core's `PreTradeCheck`);
 * `TradingStateMachine` keeps the persisted trading state (active, reducing, halted) with the
 * `KILL_SWITCH` rule; `RiskProtections` switch trading to reducing on daily loss, drawdown and
 * repeated stop-outs.
 * @packageDocumentation
 */
export { RiskEngine } from './risk-engine.js';
export {
  riskConfigFromConfig,
  resolveRiskLimits,
  defaultRiskLimits,
  mandatoryRiskChecks,
  optionalRiskChecks,
  type RiskEngineOptions,
  type RiskLimits,
  type OptionalRiskCheckName,
} from './risk-options.js';
export {
  sizeOrder,
  meetsMarketMinimum,
  minimumQuantity,
  type OrderSize,
  type SizeOrderOptions,
  type SizingLimits,
} from './sizing.js';
export { roundDownToStep, roundUpToStep } from './rounding.js';
export {
  bestQuote,
  measureSpread,
  estimateSlippage,
  type BestQuote,
  type SpreadMeasure,
  type SlippageEstimate,
} from './market-guards.js';
export {
  TradingStateMachine,
  KillSwitchError,
  configChangedBy,
  expiryChangedBy,
  type TradingStateChange,
  type TradingStateMachineOptions,
  type ProtectionRequest,
} from './trading-state-machine.js';
export { SymbolPauses, type SymbolPausesOptions } from './symbol-pauses.js';
export {
  RiskProtections,
  protectionNames,
  nextUtcMidnight,
  type ProtectionName,
  type ProtectionTrip,
  type ProtectionFacts,
  type RiskProtectionsOptions,
} from './protections.js';
