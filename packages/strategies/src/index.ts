/**
 * @lumenlink/strategies: The LumenLink strategy API, the six strategies and the multi-timeframe analyzer. No I/O.
 *
 * This package is reserved and published empty until issue #4 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
