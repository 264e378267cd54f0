/**
 * The node's metrics: candles processed, decisions, orders by status, equity, trading state and
 * loop runs, on core's `Metrics` port (a Prometheus registry from `@lumenlink/core/metrics` in
 * the bot, served at `/metrics`; `noopMetrics` anywhere else).
 */
import {
  orderStatuses,
  tradingStates,
  type AccountSnapshot,
  type DecisionOutcome,
  type Order,
  type SymbolId,
  type Metrics,
  type TradingState,
} from '@lumenlink/core';

/**
 * The node's metrics, named without prefix (the registry adds one, e.g. `lumenlink_`).
 *
 * @example
 * ```ts
 * const registry = createMetricsRegistry({ prefix: 'lumenlink_' }); // @lumenlink/core/metrics
 * const metrics = new NodeMetrics(registry);
 * metrics.candleProcessed('BTC-USDT', candle.time);
 * ```
 */
export class NodeMetrics {
  readonly #candles;
  readonly #decisions;
  readonly #orders;
  readonly #equity;
  readonly #cash;
  readonly #positions;
  readonly #tradingState;
  readonly #lastCandle;
  readonly #loopDuration;
  readonly #loopFailures;
  readonly #tickFailures;

  constructor(registry: Metrics) {
    this.#candles = registry.counter({
      name: 'candles_processed_total',
      help: 'Closed candles run through the trade cycle, per symbol',
      labelNames: ['symbol'],
    });
    this.#decisions = registry.counter({
      name: 'decisions_total',
      help: 'Non-hold decisions of the trade cycle, per outcome (submitted, blocked, cooldown, error)',
      labelNames: ['outcome'],
    });
    this.#orders = registry.gauge({
      name: 'orders',
      help: 'Stored orders per status',
      labelNames: ['status'],
    });
    this.#equity = registry.gauge({
      name: 'equity',
      help: 'Account equity in the quote currency, positions at their last mark',
    });
    this.#cash = registry.gauge({ name: 'cash', help: 'Cash in the quote currency' });
    this.#positions = registry.gauge({ name: 'open_positions', help: 'Open positions' });
    this.#tradingState = registry.gauge({
      name: 'trading_state',
      help: 'The trading state: 1 for the current one (active, reducing, halted), 0 for the others',
      labelNames: ['state'],
    });
    this.#lastCandle = registry.gauge({
      name: 'last_candle_time_seconds',
      help: 'Open time of the last processed candle, per symbol (Unix seconds)',
      labelNames: ['symbol'],
    });
    this.#loopDuration = registry.histogram({
      name: 'loop_duration_seconds',
      help: 'Duration of scheduler loop runs',
      labelNames: ['loop'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2, 10, 60],
    });
    this.#loopFailures = registry.counter({
      name: 'loop_failures_total',
      help: 'Failed scheduler loop runs',
      labelNames: ['loop'],
    });
    this.#tickFailures = registry.counter({
      name: 'tick_check_failures_total',
      help: 'Tick checks of stops between candles that could not get a price',
      labelNames: ['symbol'],
    });
  }

  candleProcessed(symbol: SymbolId, time: number): void {
    this.#candles.inc({ symbol });
    this.#lastCandle.set(Math.floor(time / 1000), { symbol });
  }

  decision(outcome: DecisionOutcome): void {
    this.#decisions.inc({ outcome });
  }

  loopRun(loop: string, seconds: number): void {
    this.#loopDuration.observe(seconds, { loop });
  }

  loopFailed(loop: string): void {
    this.#loopFailures.inc({ loop });
  }

  tickFailed(symbol: SymbolId): void {
    this.#tickFailures.inc({ symbol });
  }

  /** Sets the gauges read at scrape time: orders by status, the account, the trading state. */
  refresh(orders: readonly Order[], account: AccountSnapshot, state: TradingState): void {
    const counts = new Map<string, number>(orderStatuses.map((status) => [status, 0]));
    for (const order of orders) counts.set(order.status, (counts.get(order.status) ?? 0) + 1);
    for (const [status, count] of counts) this.#orders.set(count, { status });
    this.#equity.set(account.equity);
    this.#cash.set(account.cash);
    this.#positions.set(account.positions.filter((position) => position.quantity > 0).length);
    for (const candidate of tradingStates) {
      this.#tradingState.set(candidate === state ? 1 : 0, { state: candidate });
    }
  }
}
