/**
 * @lumenlink/indicators: streaming technical indicators (O(1), no allocation per update) and
 * batch functions that agree with them exactly, at TA-Lib conventions. No I/O.
 * @packageDocumentation
 */
export type { StreamingIndicator, RangeInput } from './indicator.js';
export { SMA, sma } from './sma.js';
export { EMA, ema } from './ema.js';
