/**
 * `@lumenlink/core/metrics`: the prom-client implementation of core's `Metrics` port, with a
 * Prometheus text exposition for the bot's `/metrics` endpoint. It needs `prom-client`, an
 * optional peer dependency of `@lumenlink/core`: install it beside core
 * (`npm install prom-client`) to use this subpath.
 *
 * @example
 * ```ts
 * import { createMetricsRegistry } from '@lumenlink/core/metrics';
 *
 * const metrics = createMetricsRegistry({ prefix: 'lumenlink_' });
 * metrics.gauge({ name: 'equity_usd', help: 'Portfolio equity in USD' }).set(10_250);
 * const text = await metrics.exposition();
 * ```
 */
export { createMetricsRegistry } from './create-metrics-registry.js';
export type { MetricsRegistry, MetricsRegistryOptions } from './create-metrics-registry.js';
