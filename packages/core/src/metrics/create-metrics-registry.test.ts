import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { createMetricsRegistry } from './index.js';

/** The sample lines of an exposition (no HELP/TYPE comments). */
function samples(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
}

describe('createMetricsRegistry', () => {
  it('exposes counters with labels and values', async () => {
    const metrics = createMetricsRegistry();
    const orders = metrics.counter({
      name: 'lumenlink_orders_total',
      help: 'Orders sent',
      labelNames: ['symbol', 'side'],
    });
    orders.inc({ symbol: 'BTC-USD', side: 'buy' });
    orders.inc({ symbol: 'BTC-USD', side: 'buy' }, 2);
    orders.inc({ symbol: 'ETH-USD', side: 'sell' });
    const text = await metrics.exposition();
    expect(text).toContain('# HELP lumenlink_orders_total Orders sent');
    expect(text).toContain('# TYPE lumenlink_orders_total counter');
    expect(samples(text)).toEqual([
      'lumenlink_orders_total{symbol="BTC-USD",side="buy"} 3',
      'lumenlink_orders_total{symbol="ETH-USD",side="sell"} 1',
    ]);
  });

  it('exposes gauges that go up, down and are set', async () => {
    const metrics = createMetricsRegistry();
    const open = metrics.gauge({ name: 'open_positions', help: 'Open positions' });
    open.inc();
    open.inc(undefined, 4);
    open.dec();
    const equity = metrics.gauge({
      name: 'equity_usd',
      help: 'Equity in USD',
      labelNames: ['account'],
    });
    equity.set(10_250.5, { account: 'paper' });
    const lines = samples(await metrics.exposition());
    expect(lines).toContain('open_positions 4');
    expect(lines).toContain('equity_usd{account="paper"} 10250.5');
    expect(await metrics.exposition()).toContain('# TYPE equity_usd gauge');
  });

  it('exposes histograms with buckets, sum and count', async () => {
    const metrics = createMetricsRegistry();
    const latency = metrics.histogram({
      name: 'order_latency_seconds',
      help: 'Order round trip',
      labelNames: ['exchange'],
      buckets: [0.1, 0.5, 1],
    });
    latency.observe(0.05, { exchange: 'binance' });
    latency.observe(0.3, { exchange: 'binance' });
    latency.observe(2, { exchange: 'binance' });
    const text = await metrics.exposition();
    expect(text).toContain('# TYPE order_latency_seconds histogram');
    expect(samples(text)).toEqual([
      'order_latency_seconds_bucket{le="0.1",exchange="binance"} 1',
      'order_latency_seconds_bucket{le="0.5",exchange="binance"} 2',
      'order_latency_seconds_bucket{le="1",exchange="binance"} 2',
      'order_latency_seconds_bucket{le="+Inf",exchange="binance"} 3',
      'order_latency_seconds_sum{exchange="binance"} 2.35',
      'order_latency_seconds_count{exchange="binance"} 3',
    ]);
  });

  it('applies the prefix and default labels', async () => {
    const metrics = createMetricsRegistry({
      prefix: 'lumenlink_',
      defaultLabels: { instance: 'bot-1' },
    });
    metrics.counter({ name: 'ticks_total', help: 'Ticks' }).inc();
    expect(samples(await metrics.exposition())).toEqual([
      'lumenlink_ticks_total{instance="bot-1"} 1',
    ]);
  });

  it('returns the same metric for the same name', async () => {
    const metrics = createMetricsRegistry();
    const definition = { name: 'fills_total', help: 'Fills', labelNames: ['side'] };
    const first = metrics.counter(definition);
    const second = metrics.counter({ ...definition, labelNames: ['side'] });
    expect(second).toBe(first);
    first.inc({ side: 'buy' });
    second.inc({ side: 'buy' });
    expect(samples(await metrics.exposition())).toEqual(['fills_total{side="buy"} 2']);
  });

  it('refuses to redefine a name with another type or label set', () => {
    const metrics = createMetricsRegistry();
    metrics.counter({ name: 'errors_total', help: 'Errors', labelNames: ['code'] });
    expect(() => metrics.gauge({ name: 'errors_total', help: 'Errors' })).toThrow(
      /errors_total already exists as a counter/,
    );
    expect(() =>
      metrics.counter({ name: 'errors_total', help: 'Errors', labelNames: ['kind'] }),
    ).toThrow(ValidationError);
  });

  it('keeps registries apart, and away from the global registry', async () => {
    const first = createMetricsRegistry();
    const second = createMetricsRegistry();
    first.counter({ name: 'shared_name_total', help: 'First' }).inc(undefined, 5);
    second.counter({ name: 'shared_name_total', help: 'Second' }).inc();
    second.gauge({ name: 'only_second', help: 'Second only' }).set(1);
    expect(samples(await first.exposition())).toEqual(['shared_name_total 5']);
    expect(samples(await second.exposition())).toEqual(['shared_name_total 1', 'only_second 1']);
    expect(globalRegistry.getSingleMetric('shared_name_total')).toBeUndefined();
  });

  it('throws a clear error for a label the metric did not declare', () => {
    const metrics = createMetricsRegistry();
    const orders = metrics.counter({
      name: 'orders_total',
      help: 'Orders',
      labelNames: ['symbol', 'side'],
    });
    expect(() => orders.inc({ symbol: 'BTC-USD', sid: 'buy' })).toThrow(ValidationError);
    expect(() => orders.inc({ symbol: 'BTC-USD', sid: 'buy' })).toThrow(
      'Metric orders_total has no label "sid"; its labels are: symbol, side',
    );
    const plain = metrics.histogram({ name: 'latency_seconds', help: 'Latency' });
    expect(() => plain.observe(1, { symbol: 'BTC-USD' })).toThrow(
      'Metric latency_seconds has no label "symbol"; it has no labels',
    );
  });

  it('rejects invalid metric and label names at definition', () => {
    const metrics = createMetricsRegistry();
    expect(() => metrics.counter({ name: 'orders-total', help: 'x' })).toThrow(
      /Invalid metric name "orders-total"/,
    );
    expect(() =>
      metrics.counter({ name: 'a_total', help: 'x', labelNames: ['bad-label'] }),
    ).toThrow(/Invalid label name "bad-label" on metric a_total/);
    expect(() => metrics.gauge({ name: 'b', help: 'x', labelNames: ['__reserved'] })).toThrow(
      ValidationError,
    );
    expect(() => metrics.histogram({ name: 'c', help: 'x', labelNames: ['le'] })).toThrow(
      /reserved/,
    );
    expect(() => metrics.counter({ name: 'd_total', help: 'x', labelNames: ['a', 'a'] })).toThrow(
      /appears twice/,
    );
    expect(() => createMetricsRegistry({ defaultLabels: { 'bad-label': 'x' } })).toThrow(
      ValidationError,
    );
  });

  it('collects default process metrics only when asked, and serves the Prometheus content type', async () => {
    const plain = createMetricsRegistry();
    expect(await plain.exposition()).not.toContain('process_cpu');
    const withDefaults = createMetricsRegistry({ collectDefaultMetrics: true, prefix: 'bot_' });
    expect(await withDefaults.exposition()).toContain('bot_process_cpu_user_seconds_total');
    expect(withDefaults.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
