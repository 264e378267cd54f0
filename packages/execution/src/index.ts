/**
 * @lumenlink/execution: LumenLink execution: crash-safe order manager, paper and live brokers, reconciliation, trailing stops, portfolio.
 *
 * Orders: `OrderManager` (persist intent, then act; unknown outcomes resolved by client id),
 * `LiveBroker` with `createExchangePolicies` (retries, entry circuit breaker), `Reconciler`.
 * Paper and portfolio: `PaperBroker` (the fill model of docs/architecture/trade-cycle.md),
 * `Portfolio` (the sum of the fills), `TrailingStopManager`, `PositionStateMachine`,
 * `protectiveLevels` and `BracketTracker`.
 * @packageDocumentation
 */
export {
  clientOrderId,
  exitClientOrderId,
  isOurClientOrderId,
  clientOrderIdPrefix,
  clientOrderIdLength,
  type ClientOrderIdFields,
  type ClientOrderIdHash,
  type ExitClientOrderIdFields,
} from './client-order-id.js';
export {
  SellInFlightError,
  RefusalBackoffError,
  sellInFlightReason,
  type RefusalBackoff,
} from './sell-guards.js';
export {
  OrderManager,
  type OrderManagerOptions,
  type NotFoundGrace,
  type SubmitResult,
  type SubmitStatus,
  type OrderSync,
} from './order-manager.js';
export {
  createExchangePolicies,
  CircuitOpenError,
  type ExchangePolicies,
  type ExchangePolicyOptions,
  type EntryCircuitBreaker,
  type BreakerState,
  type BreakerChange,
} from './policies.js';
export { LiveBroker, type LiveBrokerOptions } from './live-broker.js';
export { holdingShortfalls, type HoldingShortfall } from './holdings.js';
export {
  Reconciler,
  ReconcileError,
  type ReconcilerOptions,
  type ReconcileReport,
  type ReconcileFailure,
} from './reconciler.js';
export {
  PaperBroker,
  type PaperBrokerOptions,
  type PaperBrokerHistory,
  type PaperFillMode,
  type OcoOrderRequest,
  type OcoOrders,
} from './paper-broker.js';
export {
  isDustRest,
  slippedPrice,
  feeFor,
  stopFillPrice,
  limitFillPrice,
  walkBook,
  type BookFill,
} from './fill-model.js';
export {
  Portfolio,
  replayOrder,
  stopOutRoles,
  type ReplayStep,
  type PortfolioOptions,
  type PortfolioRestoreOptions,
  type PortfolioFillIssue,
  type RoleFill,
  type PositionChange,
  type PositionChangeKind,
} from './portfolio.js';
export {
  TrailingStopManager,
  type TrailingStopManagerOptions,
  type TrailingStopBar,
  type TrailingStopCheck,
} from './trailing-stop.js';
export { PositionStateMachine, type PositionTransition } from './position-machine.js';
export {
  protectiveLevels,
  BracketTracker,
  type ProtectiveLevelsInput,
  type ProtectiveLevels,
  type Bracket,
  type BracketTrigger,
  type BracketTrackerOptions,
} from './protective-orders.js';
