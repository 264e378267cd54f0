/**
 * Optional feeds: what the node fetches besides the trade cycle (today the sentiment feeds that
 * fill the strategies' market context). One runs only when the strategy reads what it gives;
 * its failure marks it `degraded` in `/status` and `/health` but never makes the node unready,
 * and is alerted as a rate-limited warning (the first failure, then at most one per
 * `alertEveryMs` with the count of failures not alerted, and a notice when it works again).
 */
import type { Clock, Notifier } from '@lumenlink/core';

/**
 * A feed's state: `off` (it does not run, `why` says why), `starting` (no run finished yet),
 * `ok` (its last run got everything) or `degraded` (its last run failed, in whole or in part).
 */
export type FeedStatus = 'off' | 'starting' | 'ok' | 'degraded';

/** One source of a feed (e.g. Fear & Greed within the sentiment feed). */
export interface FeedPartHealth {
  /** The part it fills, e.g. `fearGreed`. */
  readonly name: string;
  /** Its provider, e.g. `fear-greed`. */
  readonly feed: string;
  readonly status: Exclude<FeedStatus, 'off'>;
  /** Code and message of its last failure, `null` after a success. */
  readonly lastError: string | null;
  /** Age of the value it holds, in ms; `null` when it holds none. */
  readonly ageMs: number | null;
}

/** A feed's health, for `/status` (in full) and `/health` (name and status). */
export interface FeedHealth {
  readonly name: string;
  readonly status: FeedStatus;
  /** Why it runs or does not, e.g. `smart_dca sizes its buys by Fear & Greed`. */
  readonly why: string;
  /** End of its last run without a failure, or `null`. */
  readonly lastSuccessAt: number | null;
  /** End of its last run with a failure, or `null`. */
  readonly lastErrorAt: number | null;
  /** What failed last (kept after a recovery), or `null`. */
  readonly lastError: string | null;
  /** Runs with a failure since the last one without. */
  readonly consecutiveFailures: number;
  /** Its sources, when it has several. */
  readonly parts: readonly FeedPartHealth[];
}

/** The default of {@link FeedMonitorOptions.alertEveryMs}: an hour. */
export const defaultFeedAlertEveryMs = 3_600_000;

/** Options of {@link FeedMonitor}. */
export interface FeedMonitorOptions {
  /** The feed's name, e.g. `sentiment`; its alert codes are `SENTIMENT_FEED_DEGRADED` and `..._RECOVERED`. */
  readonly name: string;
  /** Why it runs. */
  readonly why: string;
  readonly clock: Clock;
  readonly notifier: Notifier;
  /** While the feed fails, at most one warning per this many ms (default an hour). */
  readonly alertEveryMs?: number;
  /** The feed's sources now (default none). */
  readonly parts?: () => readonly FeedPartHealth[];
}

/**
 * The health and the alerts of one optional feed. Told of each run's outcome, it keeps the
 * feed's state and alerts: a warning at the first failure, then while it goes on failing at most
 * one warning per `alertEveryMs` saying how many failures were not alerted, and a notice when a
 * run succeeds again.
 *
 * @example
 * ```ts
 * const feed = new FeedMonitor({ name: 'sentiment', why, clock, notifier });
 * feed.failed('fear-greed: HTTP 500'); // one warning
 * feed.failed('fear-greed: HTTP 500'); // counted, not alerted
 * feed.succeeded(); // a notice: works again after 2 failures, 1 not alerted
 * ```
 */
export class FeedMonitor {
  readonly #options: FeedMonitorOptions;
  readonly #alertEveryMs: number;
  readonly #code: string;
  #lastSuccessAt: number | null = null;
  #lastErrorAt: number | null = null;
  #lastError: string | null = null;
  #consecutiveFailures = 0;
  #failingSince: number | null = null;
  #lastAlertAt: number | null = null;
  #notAlerted = 0;
  #notAlertedInAll = 0;

  constructor(options: FeedMonitorOptions) {
    this.#options = options;
    this.#alertEveryMs = options.alertEveryMs ?? defaultFeedAlertEveryMs;
    this.#code = `${options.name.toUpperCase().replaceAll('-', '_')}_FEED`;
  }

  /** A run got everything: the feed is `ok`; after failures, a notice says it works again. */
  succeeded(): void {
    const { clock, notifier, name } = this.#options;
    const now = clock.now();
    if (this.#consecutiveFailures > 0) {
      const minutes = Math.round((now - (this.#failingSince ?? now)) / 60_000);
      const silent = this.#notAlertedInAll;
      notifier.notify({
        type: 'error',
        severity: 'info',
        code: `${this.#code}_RECOVERED`,
        message: `the ${name} feed works again after ${plural(this.#consecutiveFailures, 'failed run')} over ${minutes} min${silent > 0 ? ` (${silent} of them not alerted)` : ''}`,
        at: now,
      });
    }
    this.#lastSuccessAt = now;
    this.#consecutiveFailures = 0;
    this.#failingSince = null;
    this.#lastAlertAt = null;
    this.#notAlerted = 0;
    this.#notAlertedInAll = 0;
  }

  /**
   * A run failed, in whole or in part (`error` says what): the feed is `degraded`. The first
   * failure is alerted as a warning; later ones at most once per `alertEveryMs`.
   */
  failed(error: string): void {
    const { clock, notifier, name } = this.#options;
    const now = clock.now();
    this.#lastErrorAt = now;
    this.#lastError = error;
    this.#consecutiveFailures += 1;
    this.#failingSince ??= now;
    if (this.#lastAlertAt !== null && now - this.#lastAlertAt < this.#alertEveryMs) {
      this.#notAlerted += 1;
      this.#notAlertedInAll += 1;
      return;
    }
    const every = `at most one alert about it per ${Math.round(this.#alertEveryMs / 60_000)} min`;
    const message =
      this.#lastAlertAt === null
        ? `the ${name} feed failed: ${error}. Trading goes on without it (the node stays ready); it is retried with backoff, ${every} while it fails`
        : `the ${name} feed still fails (${plural(this.#consecutiveFailures, 'failed run')} in a row, ${this.#notAlerted} not alerted since the last alert): ${error}`;
    notifier.notify({
      type: 'error',
      severity: 'warning',
      code: `${this.#code}_DEGRADED`,
      message,
      at: now,
    });
    this.#lastAlertAt = now;
    this.#notAlerted = 0;
  }

  /** The feed's health now. */
  health(): FeedHealth {
    const status: FeedStatus =
      this.#consecutiveFailures > 0 ? 'degraded' : this.#lastSuccessAt === null ? 'starting' : 'ok';
    return {
      name: this.#options.name,
      status,
      why: this.#options.why,
      lastSuccessAt: this.#lastSuccessAt,
      lastErrorAt: this.#lastErrorAt,
      lastError: this.#lastError,
      consecutiveFailures: this.#consecutiveFailures,
      parts: this.#options.parts?.() ?? [],
    };
  }
}

/** The health of a feed that does not run. */
export function feedOff(name: string, why: string): FeedHealth {
  return {
    name,
    status: 'off',
    why,
    lastSuccessAt: null,
    lastErrorAt: null,
    lastError: null,
    consecutiveFailures: 0,
    parts: [],
  };
}

/** Whether a strategy reads the market context (`context.market`), and why the node thinks so. */
export interface MarketContextUse {
  readonly uses: boolean;
  readonly why: string;
}

/**
 * The built-in strategies whose decisions depend on the market context, and when. A test runs
 * every built-in strategy with and without a market context and checks this table against what
 * they decide.
 */
const builtinReaders: Readonly<
  Record<string, (params: Readonly<Record<string, unknown>>) => MarketContextUse>
> = {
  smart_dca: () => ({ uses: true, why: 'smart_dca sizes its buys by Fear & Greed' }),
  advanced_composite: (params) => {
    const weights = params['weights'];
    const weight =
      typeof weights === 'object' && weights !== null
        ? (weights as Record<string, unknown>)['sentiment']
        : undefined;
    return weight === 0
      ? { uses: false, why: 'advanced_composite has weights.sentiment = 0' }
      : {
          uses: true,
          why: `advanced_composite weighs sentiment (weights.sentiment = ${typeof weight === 'number' ? weight : 'its default'})`,
        };
  },
};

/** The built-in strategies that never read the market context. */
const builtinNonReaders: ReadonlySet<string> = new Set([
  'ema_crossover',
  'rsi_mean_reversion',
  'composite',
  'grid_trading',
]);

/**
 * Whether a strategy reads the market context, so the node runs the sentiment feeds for it:
 * `smart_dca`, `advanced_composite` unless `weights.sentiment` is 0; not the other built-in
 * strategies; a strategy from a file or a package (or any other key) may, so yes.
 *
 * @example
 * ```ts
 * marketContextUse({ key: 'ema_crossover', kind: 'builtin' }); // { uses: false, why: '...' }
 * marketContextUse({ key: 'advanced_composite', params: { weights: { sentiment: 0 } } }).uses; // false
 * ```
 */
export function marketContextUse(strategy: {
  readonly key: string;
  readonly kind?: 'builtin' | 'file' | 'package' | undefined;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}): MarketContextUse {
  const { key, kind } = strategy;
  if (kind !== 'file' && kind !== 'package') {
    const reader = builtinReaders[key];
    if (reader !== undefined) return reader(strategy.params ?? {});
    if (builtinNonReaders.has(key)) {
      return { uses: false, why: `${key} does not read the market context` };
    }
  }
  return {
    uses: true,
    why: `${key} is not a built-in strategy, so it may read context.market`,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
