import { describe, expect, it } from 'vitest';
import { ValidationError, seededRandom, silentLogger } from '@lumenlink/core';
import { loadConfig } from '@lumenlink/config';
import { ManualClock } from '@lumenlink/core/testing';
import { Scheduler, jitterRatio, standardLoops, type SchedulerOptions } from './scheduler.js';

/** The duration percentiles of a window of 100 runs, to the microsecond. */
function expectDurations(
  actual: { p50: number; p95: number; max: number; count: number } | null,
  expected: { p50: number; p95: number; max: number },
): void {
  expect(actual).not.toBeNull();
  expect(actual!.p50).toBeCloseTo(expected.p50, 6);
  expect(actual!.p95).toBeCloseTo(expected.p95, 6);
  expect(actual!.max).toBe(expected.max);
  expect(actual!.count).toBe(100);
}

/** A promise resolved from outside. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets queued promise callbacks and immediates run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function scheduler(clock: ManualClock, options: Partial<SchedulerOptions> = {}): Scheduler {
  return new Scheduler({ clock, logger: silentLogger, jitter: false, ...options });
}

describe('Scheduler', () => {
  it('runs each loop at start, then intervalMs after each run ends, never overlapping itself', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock);
    const starts: number[] = [];
    let active = 0;
    let maxActive = 0;
    runner.addLoop({
      name: 'slow',
      intervalMs: 1_000,
      run: async () => {
        starts.push(clock.now());
        active += 1;
        maxActive = Math.max(maxActive, active);
        await clock.sleep(300);
        active -= 1;
      },
    });
    runner.start();
    await clock.advanceTo(4_000);
    expect(starts).toEqual([0, 1_300, 2_600, 3_900]);
    expect(maxActive).toBe(1);
    expect(runner.loopHealth('slow')).toMatchObject({ runs: 3, running: true, nextRunAt: null });
    const stopping = runner.stop();
    await clock.advance(300);
    await stopping;
    expect(runner.loopHealth('slow')).toMatchObject({ runs: 4, running: false, nextRunAt: null });
  });

  it('runNow on a running loop waits for the run in flight, then runs once more', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock);
    const first = gate();
    let calls = 0;
    let active = 0;
    let maxActive = 0;
    runner.addLoop({
      name: 'gated',
      intervalMs: 1_000,
      run: async () => {
        calls += 1;
        active += 1;
        maxActive = Math.max(maxActive, active);
        if (calls === 1) await first.promise;
        active -= 1;
      },
    });
    runner.start();
    const extra = runner.runNow('gated');
    await clock.advance(5_000);
    // The first run still holds the gate: no timer fired a second run over it.
    expect(calls).toBe(1);
    expect(runner.loopHealth('gated').running).toBe(true);
    first.open();
    const health = await extra;
    expect(calls).toBe(2);
    expect(maxActive).toBe(1);
    expect(health).toMatchObject({ runs: 2, running: false, nextRunAt: clock.now() + 1_000 });
    await runner.stop();
  });

  it('backs off by interval x 2^failures up to the cap, and resets after a success', async () => {
    const clock = new ManualClock(0);
    const reported: [string, string, number][] = [];
    const runner = scheduler(clock, {
      onLoopError: (name, error, failures) =>
        reported.push([name, (error as Error).message, failures]),
    });
    const starts: number[] = [];
    runner.addLoop({
      name: 'flaky',
      intervalMs: 1_000,
      run: () => {
        starts.push(clock.now());
        return starts.length <= 5
          ? Promise.reject(new Error(`boom ${starts.length}`))
          : Promise.resolve();
      },
    });
    runner.start();
    await clock.advanceTo(35_000);
    // 2x, 4x, 8x, then the default cap of 10x interval, then back to the plain interval.
    expect(starts).toEqual([0, 2_000, 6_000, 14_000, 24_000, 34_000, 35_000]);
    expect(reported).toEqual([
      ['flaky', 'boom 1', 1],
      ['flaky', 'boom 2', 2],
      ['flaky', 'boom 3', 3],
      ['flaky', 'boom 4', 4],
      ['flaky', 'boom 5', 5],
    ]);
    expect(runner.loopHealth('flaky')).toMatchObject({
      consecutiveFailures: 0,
      lastSuccessAt: 35_000,
      lastErrorAt: 24_000,
      lastError: 'boom 5',
      runs: 7,
      nextRunAt: 36_000,
    });
    await runner.stop();
  });

  it('honours a per-loop maxBackoffMs', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock);
    const starts: number[] = [];
    runner.addLoop({
      name: 'capped',
      intervalMs: 1_000,
      maxBackoffMs: 3_000,
      run: () => {
        starts.push(clock.now());
        return Promise.reject(new Error('down'));
      },
    });
    runner.start();
    await clock.advanceTo(12_000);
    expect(starts).toEqual([0, 2_000, 5_000, 8_000, 11_000]);
    await runner.stop();
  });

  it('keeps the other loops running while one keeps failing, even if onLoopError throws', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock, {
      onLoopError: () => {
        throw new Error('alerting is down too');
      },
    });
    let healthyRuns = 0;
    let brokenRuns = 0;
    runner.addLoop({
      name: 'broken',
      intervalMs: 1_000,
      // Throws synchronously, not even a rejected promise.
      run: () => {
        brokenRuns += 1;
        throw new Error('sync failure');
      },
    });
    runner.addLoop({
      name: 'healthy',
      intervalMs: 1_000,
      run: () => {
        healthyRuns += 1;
        return Promise.resolve();
      },
    });
    runner.start();
    await clock.advanceTo(10_000);
    expect(healthyRuns).toBe(11);
    expect(brokenRuns).toBe(3); // at 0, 2 000 and 6 000; the next is due at 14 000
    const [broken, healthy] = runner.health();
    expect(broken).toMatchObject({
      name: 'broken',
      consecutiveFailures: 3,
      lastError: 'sync failure',
    });
    expect(healthy).toMatchObject({
      name: 'healthy',
      consecutiveFailures: 0,
      lastSuccessAt: 10_000,
    });
    await runner.stop();
  });

  it('keeps jittered pauses within ±10% of the interval, the same for the same seed', async () => {
    async function pauses(seed: number): Promise<number[]> {
      const clock = new ManualClock(0);
      const runner = scheduler(clock, { jitter: true, random: seededRandom(seed) });
      const starts: number[] = [];
      runner.addLoop({
        name: 'jittered',
        intervalMs: 10_000,
        run: () => {
          starts.push(clock.now());
          return Promise.resolve();
        },
      });
      runner.start();
      await clock.advanceTo(1_000_000);
      await runner.stop();
      return starts.slice(1).map((start, index) => start - (starts[index] ?? 0));
    }
    const first = await pauses(42);
    expect(first.length).toBeGreaterThan(80);
    for (const pause of first) {
      expect(pause).toBeGreaterThanOrEqual(10_000 * (1 - jitterRatio));
      expect(pause).toBeLessThanOrEqual(10_000 * (1 + jitterRatio));
    }
    // Spread over the band, not stuck at one value.
    expect(Math.min(...first)).toBeLessThan(9_300);
    expect(Math.max(...first)).toBeGreaterThan(10_700);
    expect(await pauses(42)).toEqual(first);
    expect(await pauses(43)).not.toEqual(first);
  });

  it('reaches exactly the ends of the jitter band and adds none when jitter is off', async () => {
    for (const [random, jitter, expected] of [
      [() => 0, true, 900],
      [() => 0.999_999_9, true, 1_100],
      [() => 0, false, 1_000],
    ] as const) {
      const clock = new ManualClock(0);
      const runner = scheduler(clock, { jitter, random });
      runner.addLoop({ name: 'loop', intervalMs: 1_000, run: () => Promise.resolve() });
      runner.start();
      await settle();
      expect(runner.loopHealth('loop').nextRunAt).toBe(expected);
      await runner.stop();
    }
  });

  it('stop clears the timers and waits for the run in flight', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock);
    const running = gate();
    let finished = false;
    let calls = 0;
    runner.addLoop({
      name: 'long',
      intervalMs: 1_000,
      run: async () => {
        calls += 1;
        await running.promise;
        finished = true;
      },
    });
    runner.addLoop({ name: 'quick', intervalMs: 1_000, run: () => Promise.resolve() });
    runner.start();
    await settle();
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    running.open();
    await stopping;
    expect(finished).toBe(true);
    expect(runner.started).toBe(false);
    await clock.advance(60_000);
    expect(calls).toBe(1);
    expect(clock.pendingTimers).toBe(0);
    expect(runner.health().map((loop) => loop.nextRunAt)).toEqual([null, null]);
  });

  it('runNow runs a loop once on a stopped scheduler, for replay drivers', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock);
    let calls = 0;
    runner.addLoop({
      name: 'market-data',
      intervalMs: 1_000,
      run: () => {
        calls += 1;
        return calls === 2 ? Promise.reject(new Error('no candle')) : Promise.resolve();
      },
    });
    expect(await runner.runNow('market-data')).toMatchObject({ runs: 1, consecutiveFailures: 0 });
    expect(await runner.runNow('market-data')).toMatchObject({
      runs: 2,
      consecutiveFailures: 1,
      lastError: 'no candle',
    });
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(calls).toBe(2);
  });

  it('never runs a disabled loop, and rejects unknown names, duplicates and bad intervals', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock);
    let reconciled = 0;
    runner.addLoop({
      name: 'reconcile',
      intervalMs: 1_000,
      enabled: false,
      run: () => {
        reconciled += 1;
        return Promise.resolve();
      },
    });
    runner.start();
    await clock.advance(10_000);
    expect(reconciled).toBe(0);
    expect(runner.loopHealth('reconcile')).toMatchObject({
      enabled: false,
      runs: 0,
      nextRunAt: null,
    });
    await expect(runner.runNow('reconcile')).rejects.toThrow(/disabled/);
    await expect(runner.runNow('nope')).rejects.toBeInstanceOf(ValidationError);
    expect(() =>
      runner.addLoop({ name: 'reconcile', intervalMs: 1_000, run: () => Promise.resolve() }),
    ).toThrow(/already registered/);
    expect(() =>
      runner.addLoop({ name: 'x', intervalMs: 0, run: () => Promise.resolve() }),
    ).toThrow(/intervalMs > 0/);
    await runner.stop();
  });

  it('starts a loop added while running at once', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock);
    runner.start();
    await clock.advance(500);
    const starts: number[] = [];
    runner.addLoop({
      name: 'late',
      intervalMs: 1_000,
      run: () => {
        starts.push(clock.now());
        return Promise.resolve();
      },
    });
    await clock.advance(2_000);
    expect(starts).toEqual([500, 1_500, 2_500]);
    await runner.stop();
  });

  it('reports p50, p95 and max run durations over a bounded window', async () => {
    const clock = new ManualClock(0);
    const runner = scheduler(clock, { durationWindow: 100 });
    let next = 0;
    runner.addLoop({
      name: 'timed',
      intervalMs: 1_000,
      run: () => {
        next += 1;
        return clock.sleep(next);
      },
    });
    for (let run = 0; run < 100; run += 1) await runNowWithTime(runner, clock);
    // Runs of 1..100 ms; percentiles interpolate between the nearest ranks (numpy's default).
    expectDurations(runner.loopHealth('timed').durationsMs, { p50: 50.5, p95: 95.05, max: 100 });
    // Ten more runs (101..110 ms) push the ten shortest out of the window.
    for (let run = 0; run < 10; run += 1) await runNowWithTime(runner, clock);
    expectDurations(runner.loopHealth('timed').durationsMs, { p50: 60.5, p95: 105.05, max: 110 });
  });

  it('has no durations before the first run', () => {
    const runner = scheduler(new ManualClock(0));
    runner.addLoop({ name: 'idle', intervalMs: 1_000, run: () => Promise.resolve() });
    expect(runner.loopHealth('idle')).toEqual({
      name: 'idle',
      enabled: true,
      optional: false,
      intervalMs: 1_000,
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
      consecutiveFailures: 0,
      runs: 0,
      running: false,
      nextRunAt: null,
      durationsMs: null,
    });
  });
});

/** Runs the `timed` loop once, moving the manual clock through its sleep. */
async function runNowWithTime(runner: Scheduler, clock: ManualClock): Promise<void> {
  const run = runner.runNow('timed');
  await clock.runAll();
  await run;
}

describe('standardLoops', () => {
  it('takes the four intervals from config, enables reconcile only in live mode and makes sentiment optional', () => {
    const env = {
      DATA_POLLING_MS: '1000',
      POLL_INTERVAL_MS: '2000',
      RECONCILE_INTERVAL_MS: '3000',
      SENTIMENT_INTERVAL_MS: '4000',
    };
    expect(standardLoops(loadConfig(env))).toEqual([
      {
        name: 'market-data',
        intervalMs: 1_000,
        enabled: true,
        optional: false,
        intervalKey: 'DATA_POLLING_MS',
      },
      {
        name: 'strategy',
        intervalMs: 2_000,
        enabled: true,
        optional: false,
        intervalKey: 'POLL_INTERVAL_MS',
      },
      {
        name: 'reconcile',
        intervalMs: 3_000,
        enabled: false,
        optional: false,
        intervalKey: 'RECONCILE_INTERVAL_MS',
      },
      {
        name: 'sentiment',
        intervalMs: 4_000,
        enabled: true,
        optional: true,
        intervalKey: 'SENTIMENT_INTERVAL_MS',
      },
    ]);
    const live = standardLoops(loadConfig({ ...env, MODE: 'live' }));
    expect(live.find((loop) => loop.name === 'reconcile')?.enabled).toBe(true);
  });

  it('uses the documented defaults: 5 s, 5 s, 10 s and 15 min', () => {
    expect(standardLoops(loadConfig({})).map((loop) => loop.intervalMs)).toEqual([
      5_000, 5_000, 10_000, 900_000,
    ]);
  });
});
