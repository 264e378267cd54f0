/**
 * @lumenlink/risk: LumenLink risk engine: position sizing, the 10 pre-trade checks, protections and trading states.
 *
 * This package is reserved and published empty until issue #8 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
