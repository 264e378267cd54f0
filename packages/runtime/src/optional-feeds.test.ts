import { describe, expect, it } from 'vitest';
import { ManualClock, RecordingNotifier } from '@lumenlink/core/testing';
import {
  FeedMonitor,
  defaultFeedAlertEveryMs,
  feedOff,
  marketContextUse,
} from './optional-feeds.js';

const minute = 60_000;

function monitor(alertEveryMs?: number) {
  const clock = new ManualClock(1_700_000_000_000);
  const notifier = new RecordingNotifier();
  const feed = new FeedMonitor({
    name: 'sentiment',
    why: 'smart_dca sizes its buys by Fear & Greed',
    clock,
    notifier,
    ...(alertEveryMs === undefined ? {} : { alertEveryMs }),
  });
  const alerts = () => notifier.ofType('error').map((event) => [event.severity, event.code]);
  return { clock, notifier, feed, alerts };
}

describe('FeedMonitor', () => {
  it('is starting until a run ends, ok after a success, degraded after a failure with its error', async () => {
    const { clock, feed } = monitor();
    expect(feed.health()).toMatchObject({ name: 'sentiment', status: 'starting', lastError: null });
    feed.succeeded();
    expect(feed.health()).toMatchObject({ status: 'ok', lastSuccessAt: clock.now() });
    await clock.advance(minute);
    feed.failed('fear-greed: HTTP 500');
    expect(feed.health()).toMatchObject({
      status: 'degraded',
      lastErrorAt: clock.now(),
      lastError: 'fear-greed: HTTP 500',
      consecutiveFailures: 1,
      why: 'smart_dca sizes its buys by Fear & Greed',
    });
  });

  it('warns at the first failure, then at most once per window with the count not alerted, and notices the recovery', async () => {
    const { clock, notifier, feed, alerts } = monitor(60 * minute);
    feed.failed('fear-greed: HTTP 500');
    expect(alerts()).toEqual([['warning', 'SENTIMENT_FEED_DEGRADED']]);
    expect(notifier.ofType('error')[0]?.message).toBe(
      'the sentiment feed failed: fear-greed: HTTP 500. Trading goes on without it (the node stays ready); it is retried with backoff, at most one alert about it per 60 min while it fails',
    );
    // Every 10 minutes for 55 minutes: counted, not alerted.
    for (let i = 0; i < 5; i++) {
      await clock.advance(11 * minute);
      feed.failed('fear-greed: HTTP 500');
    }
    expect(alerts()).toHaveLength(1);
    // An hour after the first warning: one more, with the count.
    await clock.advance(6 * minute);
    feed.failed('coingecko: timed out');
    expect(alerts()).toEqual([
      ['warning', 'SENTIMENT_FEED_DEGRADED'],
      ['warning', 'SENTIMENT_FEED_DEGRADED'],
    ]);
    expect(notifier.events[1]).toMatchObject({
      message:
        'the sentiment feed still fails (7 failed runs in a row, 5 not alerted since the last alert): coingecko: timed out',
    });
    await clock.advance(10 * minute);
    feed.failed('coingecko: timed out');
    await clock.advance(10 * minute);
    feed.succeeded();
    expect(alerts()).toEqual([
      ['warning', 'SENTIMENT_FEED_DEGRADED'],
      ['warning', 'SENTIMENT_FEED_DEGRADED'],
      ['info', 'SENTIMENT_FEED_RECOVERED'],
    ]);
    expect(notifier.events[2]).toMatchObject({
      message:
        'the sentiment feed works again after 8 failed runs over 81 min (6 of them not alerted)',
    });
    expect(feed.health()).toMatchObject({ status: 'ok', consecutiveFailures: 0 });
    // A new failure later is a new episode: alerted at once.
    await clock.advance(minute);
    feed.failed('fear-greed: HTTP 500');
    expect(alerts()).toHaveLength(4);
  });

  it('sends nothing while the feed works, and waits an hour between warnings by default', async () => {
    const { feed, alerts, clock } = monitor();
    feed.succeeded();
    feed.succeeded();
    expect(alerts()).toEqual([]);
    feed.failed('x');
    await clock.advance(defaultFeedAlertEveryMs - 1);
    feed.failed('x');
    expect(alerts()).toHaveLength(1);
    await clock.advance(1);
    feed.failed('x');
    expect(alerts()).toHaveLength(2);
  });

  it('reports a feed that does not run as off, with why', () => {
    expect(feedOff('sentiment', 'ema_crossover does not read the market context')).toMatchObject({
      name: 'sentiment',
      status: 'off',
      why: 'ema_crossover does not read the market context',
      parts: [],
    });
  });
});

describe('marketContextUse', () => {
  it('runs the feeds for the strategies that read the market context, and says why', () => {
    expect(marketContextUse({ key: 'ema_crossover', kind: 'builtin' })).toEqual({
      uses: false,
      why: 'ema_crossover does not read the market context',
    });
    expect(marketContextUse({ key: 'smart_dca', kind: 'builtin' }).uses).toBe(true);
    expect(marketContextUse({ key: 'advanced_composite', kind: 'builtin', params: {} })).toEqual({
      uses: true,
      why: 'advanced_composite weighs sentiment (weights.sentiment = its default)',
    });
    expect(
      marketContextUse({ key: 'advanced_composite', params: { weights: { sentiment: 0.5 } } }).why,
    ).toBe('advanced_composite weighs sentiment (weights.sentiment = 0.5)');
    expect(
      marketContextUse({ key: 'advanced_composite', params: { weights: { sentiment: 0 } } }),
    ).toEqual({ uses: false, why: 'advanced_composite has weights.sentiment = 0' });
  });

  it('runs them for a strategy from a file or a package, or an unknown key: it may read them', () => {
    for (const strategy of [
      { key: 'my_idea', kind: 'file' },
      { key: 'trend', kind: 'package' },
      { key: 'ema_crossover', kind: 'file' },
      { key: 'not_known' },
    ] as const) {
      expect(marketContextUse(strategy)).toMatchObject({ uses: true });
    }
    expect(marketContextUse({ key: 'my_idea', kind: 'file' }).why).toBe(
      'my_idea is not a built-in strategy, so it may read context.market',
    );
  });
});
