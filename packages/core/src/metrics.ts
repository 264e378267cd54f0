/**
 * The metrics port: what library code needs to count and time things. The Prometheus
 * implementation lives in `@lumenlink/core/metrics`; {@link noopMetrics} records nothing.
 */

/** Label values of one sample, e.g. `{ symbol: 'BTC-USD', side: 'buy' }`. */
export type MetricLabels = Readonly<Record<string, string | number>>;

/** A monotonically increasing count. */
export interface Counter {
  inc(labels?: MetricLabels, value?: number): void;
}

/** A value that goes up and down. */
export interface Gauge {
  set(value: number, labels?: MetricLabels): void;
  inc(labels?: MetricLabels, value?: number): void;
  dec(labels?: MetricLabels, value?: number): void;
}

/** A distribution of observed values, bucketed. */
export interface Histogram {
  observe(value: number, labels?: MetricLabels): void;
}

/** Definition of one metric. */
export interface MetricOptions {
  /** Prometheus metric name, e.g. `lumenlink_orders_submitted_total`. */
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/** Options of a histogram: its bucket upper bounds. */
export interface HistogramOptions extends MetricOptions {
  readonly buckets?: readonly number[];
}

/** Creates metrics. Creating the same name twice returns the same metric. */
export interface Metrics {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions): Gauge;
  histogram(options: HistogramOptions): Histogram;
}

const noop = {
  inc: () => undefined,
  dec: () => undefined,
  set: () => undefined,
  observe: () => undefined,
};

/** Metrics that record nothing, for code run without a registry (backtests, tests). */
export const noopMetrics: Metrics = {
  counter: () => noop,
  gauge: () => noop,
  histogram: () => noop,
};
