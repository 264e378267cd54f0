/**
 * @lumenlink/execution: LumenLink execution: crash-safe order manager, paper and live brokers, reconciliation, trailing stops, portfolio.
 *
 * This package is reserved and published empty until issue #9 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
