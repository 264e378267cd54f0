/**
 * @lumenlink/core: the domain types, ports, configuration, errors and clock shared by every
 * LumenLink package. The winston logger lives in `@lumenlink/core/logging`, the Prometheus
 * metrics in `@lumenlink/core/metrics` and the port fakes in `@lumenlink/core/testing`.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './clock.js';
export * from './logger.js';
export * from './metrics.js';
export * from './timeframe.js';
export * from './symbol.js';
