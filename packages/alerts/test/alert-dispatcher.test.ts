import { silentLogger } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { describe, expect, it } from 'vitest';
import { AlertDeliveryError, createAlertDispatcher } from '../src/index.js';
import { fastClock, memoryChannel, sampleEvents } from './helpers.js';

describe('createAlertDispatcher', () => {
  it('sends every alert to every channel, after notify returned', async () => {
    const a = memoryChannel('a');
    const b = memoryChannel('b');
    const alerts = createAlertDispatcher({
      channels: [a, b],
      clock: fastClock(),
      logger: silentLogger,
    });
    alerts.notify(sampleEvents.opened);
    expect(a.attempts).toBe(0);
    await alerts.flush();
    expect(a.sent).toEqual([sampleEvents.opened]);
    expect(b.sent).toEqual([sampleEvents.opened]);
  });

  it('isolates a failing channel and retries with doubling backoff', async () => {
    const good = memoryChannel('good');
    const bad = memoryChannel('bad');
    bad.failures.push(
      new AlertDeliveryError('down', { retryable: true }),
      new AlertDeliveryError('down', { retryable: true }),
    );
    const clock = fastClock();
    const alerts = createAlertDispatcher({
      channels: [bad, good],
      clock,
      logger: silentLogger,
      baseDelayMs: 100,
    });
    alerts.notify(sampleEvents.closed);
    await alerts.flush();
    expect(good.sent).toHaveLength(1);
    expect(bad.sent).toHaveLength(1);
    expect(bad.attempts).toBe(3);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('waits at least retry_after, and gives up after maxAttempts or a permanent error', async () => {
    const channel = memoryChannel();
    channel.failures.push(
      new AlertDeliveryError('429', { retryable: true, retryAfterMs: 7_000 }),
      new AlertDeliveryError('400', { retryable: false }),
    );
    const clock = fastClock();
    const alerts = createAlertDispatcher({
      channels: [channel],
      clock,
      logger: silentLogger,
      baseDelayMs: 100,
    });
    alerts.notify(sampleEvents.stop);
    await alerts.flush();
    expect(clock.sleeps).toEqual([7_000]);
    expect(channel.sent).toHaveLength(0);
    expect(channel.attempts).toBe(2);
  });

  it('never throws into the caller, even when a channel throws synchronously', async () => {
    const alerts = createAlertDispatcher({
      channels: [
        {
          name: 'broken',
          send: () => {
            throw new Error('sync');
          },
        },
      ],
      clock: fastClock(),
      logger: silentLogger,
      maxAttempts: 2,
    });
    expect(() => alerts.notify(sampleEvents.error)).not.toThrow();
    await alerts.flush();
  });

  it('collapses repeats of a risk block within the window and summarises them', async () => {
    const clock = new ManualClock(0);
    const channel = memoryChannel();
    const alerts = createAlertDispatcher({
      channels: [channel],
      clock,
      logger: silentLogger,
      repeatWindowMs: 60_000,
    });
    for (let i = 0; i < 5; i++) alerts.notify(sampleEvents.blocked);
    alerts.notify(sampleEvents.error);
    alerts.notify(sampleEvents.error);
    alerts.notify(sampleEvents.opened);
    alerts.notify(sampleEvents.opened);
    await alerts.flush();
    expect(channel.sent.map((event) => event.type)).toEqual([
      'risk_blocked',
      'error',
      'trade_opened',
      'trade_opened',
    ]);
    await clock.advance(60_000);
    await alerts.flush();
    const summaries = channel.sent.slice(4);
    expect(summaries).toHaveLength(2);
    expect(summaries[0]).toMatchObject({
      type: 'risk_blocked',
      check: { reason: 'daily loss 260 > 250 (repeated 4 more times in 1 min)' },
    });
    expect(summaries[1]).toMatchObject({
      type: 'error',
      message: 'timeout (repeated 1 more time in 1 min)',
    });
    alerts.notify(sampleEvents.blocked);
    await alerts.flush();
    expect(channel.sent).toHaveLength(7);
  });

  it('close sends pending summaries, then ignores new alerts; a timeout cuts retries short', async () => {
    const clock = new ManualClock(0);
    const channel = memoryChannel();
    const alerts = createAlertDispatcher({ channels: [channel], clock, logger: silentLogger });
    alerts.notify(sampleEvents.error);
    alerts.notify(sampleEvents.error);
    await alerts.close();
    expect(channel.sent).toHaveLength(2);
    alerts.notify(sampleEvents.opened);
    await alerts.flush();
    expect(channel.sent).toHaveLength(2);

    const down = memoryChannel();
    for (let i = 0; i < 5; i++)
      down.failures.push(new AlertDeliveryError('x', { retryable: true }));
    const stuck = createAlertDispatcher({
      channels: [down],
      clock,
      logger: silentLogger,
      baseDelayMs: 60_000,
    });
    stuck.notify(sampleEvents.opened);
    await clock.advance(0);
    expect(down.attempts).toBe(1);
    const closing = stuck.close({ timeoutMs: 1_000 });
    await clock.advance(1_000);
    await closing;
    expect(down.sent).toHaveLength(0);
    expect(stuck.pending()).toEqual({ memory: 0 });
  });
});
