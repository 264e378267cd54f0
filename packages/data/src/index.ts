/**
 * @lumenlink/data: LumenLink SQLite store, market data collection, history backfill, bundled sample data and sentiment feeds.
 *
 * This package is reserved and published empty until issue #5 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
