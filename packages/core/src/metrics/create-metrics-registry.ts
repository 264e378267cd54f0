/**
 * The prom-client implementation of core's {@link Metrics} port. Each registry owns its own
 * prom-client `Registry`; the global default registry is never touched.
 */
import * as promClient from 'prom-client';
import { ValidationError } from '../errors.js';
import type {
  Counter,
  Gauge,
  Histogram,
  HistogramOptions,
  MetricLabels,
  MetricOptions,
  Metrics,
} from '../metrics.js';

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Prepended to every metric name, e.g. `lumenlink_` (default none). */
  readonly prefix?: string;
  /** Labels added to every sample of the registry, e.g. `{ instance: 'bot-1' }`. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /** Also expose Node process metrics (CPU, memory, event loop lag); default false. */
  readonly collectDefaultMetrics?: boolean;
}

/** A {@link Metrics} registry that can render itself for a Prometheus scrape. */
export interface MetricsRegistry extends Metrics {
  /** Every metric of this registry in the Prometheus text exposition format. */
  exposition(): Promise<string>;
  /** The `Content-Type` header to serve {@link MetricsRegistry.exposition} with. */
  readonly contentType: string;
}

type MetricKind = 'counter' | 'gauge' | 'histogram';

interface RegisteredMetric {
  readonly kind: MetricKind;
  readonly labelNames: readonly string[];
  readonly buckets: readonly number[] | undefined;
  readonly metric: Counter | Gauge | Histogram;
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label names prom-client reserves for histograms. */
const reservedHistogramLabels = new Set(['le']);

function sameList(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function validateDefinition(name: string, kind: MetricKind, labelNames: readonly string[]): void {
  if (!metricNamePattern.test(name)) {
    throw new ValidationError(
      `Invalid metric name "${name}": use letters, digits, _ and :, not starting with a digit`,
    );
  }
  const seen = new Set<string>();
  for (const label of labelNames) {
    if (!labelNamePattern.test(label) || label.startsWith('__')) {
      throw new ValidationError(
        `Invalid label name "${label}" on metric ${name}: use letters, digits and _, not starting with a digit or __`,
      );
    }
    if (kind === 'histogram' && reservedHistogramLabels.has(label)) {
      throw new ValidationError(`Label name "${label}" is reserved on histogram ${name}`);
    }
    if (seen.has(label)) {
      throw new ValidationError(`Label name "${label}" appears twice on metric ${name}`);
    }
    seen.add(label);
  }
}

/** Checks a sample's labels against the metric's declared label names. */
function labelChecker(name: string, labelNames: readonly string[]) {
  const allowed = new Set(labelNames);
  const declared =
    labelNames.length === 0 ? 'it has no labels' : `its labels are: ${labelNames.join(', ')}`;
  return (labels: MetricLabels | undefined): Record<string, string | number> => {
    if (labels === undefined) return {};
    for (const label of Object.keys(labels)) {
      if (!allowed.has(label)) {
        throw new ValidationError(`Metric ${name} has no label "${label}"; ${declared}`);
      }
    }
    return labels;
  };
}

/**
 * Creates a Prometheus metrics registry implementing core's {@link Metrics} port, on its own
 * prom-client `Registry`. Creating a metric twice with the same name returns the same metric.
 *
 * @throws {ValidationError} for an invalid default label name; from `counter`/`gauge`/`histogram` for an invalid metric or label
 * name, or a name reused with another type, label set or buckets; from `inc`/`set`/`observe`
 * for a label the metric did not declare.
 * @example
 * ```ts
 * const metrics = createMetricsRegistry({ prefix: 'lumenlink_', collectDefaultMetrics: true });
 * const orders = metrics.counter({ name: 'orders_total', help: 'Orders sent', labelNames: ['side'] });
 * orders.inc({ side: 'buy' });
 * response.setHeader('Content-Type', metrics.contentType);
 * response.end(await metrics.exposition());
 * ```
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const registry = new promClient.Registry();
  const prefix = options.prefix ?? '';
  if (options.defaultLabels !== undefined) {
    for (const label of Object.keys(options.defaultLabels)) {
      if (!labelNamePattern.test(label) || label.startsWith('__')) {
        throw new ValidationError(
          `Invalid default label name "${label}": use letters, digits and _, not starting with a digit or __`,
        );
      }
    }
    registry.setDefaultLabels({ ...options.defaultLabels });
  }
  if (options.collectDefaultMetrics === true) {
    promClient.collectDefaultMetrics({ register: registry, prefix });
  }
  const metrics = new Map<string, RegisteredMetric>();

  function define<T extends Counter | Gauge | Histogram>(
    kind: MetricKind,
    definition: MetricOptions,
    buckets: readonly number[] | undefined,
    build: (name: string, labelNames: string[], check: ReturnType<typeof labelChecker>) => T,
  ): T {
    const name = `${prefix}${definition.name}`;
    const labelNames = [...(definition.labelNames ?? [])];
    const existing = metrics.get(name);
    if (existing !== undefined) {
      if (
        existing.kind !== kind ||
        !sameList(existing.labelNames, labelNames) ||
        (kind === 'histogram' && buckets !== undefined && !sameList(existing.buckets, buckets))
      ) {
        throw new ValidationError(
          `Metric ${name} already exists as a ${existing.kind} with labels [${existing.labelNames.join(', ')}]; ` +
            `it cannot be redefined as a ${kind} with labels [${labelNames.join(', ')}]` +
            (kind === 'histogram' ? ' or other buckets' : ''),
        );
      }
      return existing.metric as T;
    }
    validateDefinition(name, kind, labelNames);
    const metric = build(name, labelNames, labelChecker(name, labelNames));
    metrics.set(name, { kind, labelNames, buckets, metric });
    return metric;
  }

  return {
    counter(definition) {
      return define('counter', definition, undefined, (name, labelNames, check) => {
        const counter = new promClient.Counter({
          name,
          help: definition.help,
          labelNames,
          registers: [registry],
        });
        return { inc: (labels, value) => counter.inc(check(labels), value ?? 1) };
      });
    },
    gauge(definition) {
      return define('gauge', definition, undefined, (name, labelNames, check) => {
        const gauge = new promClient.Gauge({
          name,
          help: definition.help,
          labelNames,
          registers: [registry],
        });
        return {
          set: (value, labels) => gauge.set(check(labels), value),
          inc: (labels, value) => gauge.inc(check(labels), value ?? 1),
          dec: (labels, value) => gauge.dec(check(labels), value ?? 1),
        };
      });
    },
    histogram(definition: HistogramOptions) {
      const buckets = definition.buckets === undefined ? undefined : [...definition.buckets];
      return define('histogram', definition, buckets, (name, labelNames, check) => {
        const histogram = new promClient.Histogram({
          name,
          help: definition.help,
          labelNames,
          registers: [registry],
          ...(buckets === undefined ? {} : { buckets }),
        });
        return { observe: (value, labels) => histogram.observe(check(labels), value) };
      });
    },
    exposition: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
