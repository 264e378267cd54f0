import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('stands still until advanced', async () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(500);
    expect(clock.now()).toBe(1_500);
  });

  it('fires timers in time order, FIFO at equal times, each at its own time', async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 200);
    await clock.advance(150);
    expect(fired).toEqual(['a@100']);
    await clock.advance(100);
    expect(fired).toEqual(['a@100', 'b@200', 'c@200']);
    expect(clock.now()).toBe(250);
  });

  it('runs a chain of sleeps within one advance (a retry loop with backoff)', async () => {
    const clock = new ManualClock();
    const attempts: number[] = [];
    const retry = (async () => {
      for (const delay of [100, 200, 400]) {
        attempts.push(clock.now());
        await clock.sleep(delay);
      }
      attempts.push(clock.now());
    })();
    await clock.advance(700);
    await retry;
    expect(attempts).toEqual([0, 100, 300, 700]);
  });

  it('does not fire a timer before its time', async () => {
    const clock = new ManualClock();
    let done = false;
    void clock.sleep(1_000).then(() => (done = true));
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });

  it('cancels timers and aborted sleeps', async () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(handle);
    const controller = new AbortController();
    const sleeping = clock.sleep(10, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await clock.advance(20);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses to go back in time and catches runaway timers', async () => {
    const clock = new ManualClock(100);
    await expect(clock.advanceTo(50)).rejects.toThrow('cannot go back');
    const again = (): void => void clock.setTimeout(again, 1);
    again();
    await expect(clock.runAll(50)).rejects.toThrow('more than 50 timers');
  });
});

describe('ManualClock.moveTo', () => {
  it('moves time synchronously while no timer is due, and refuses to skip one', async () => {
    const clock = new ManualClock(1_000);
    expect(clock.nextTimerAt).toBeNull();
    clock.moveTo(2_000);
    expect(clock.now()).toBe(2_000);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 500);
    expect(clock.nextTimerAt).toBe(2_500);
    clock.moveTo(2_400);
    expect(() => clock.moveTo(2_500)).toThrow(/timer is due at 2500/);
    expect(() => clock.moveTo(1_000)).toThrow(/cannot go back/);
    await clock.advanceTo(2_500);
    expect(fired).toBe(true);
  });
});
