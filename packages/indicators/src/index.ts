/**
 * @lumenlink/indicators: Streaming and batch technical indicators for LumenLink, O(1) per update.
 *
 * This package is reserved and published empty until issue #3 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
