import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';

describe('systemClock', () => {
  it('reads the wall clock and really sleeps', async () => {
    const before = systemClock.now();
    await systemClock.sleep(20);
    expect(systemClock.now() - before).toBeGreaterThanOrEqual(15);
  });

  it('rejects a sleep when its signal aborts', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(sleeping).rejects.toThrow('shutdown');
  });

  it('fires and cancels timers', async () => {
    const fired: string[] = [];
    const cancelled = systemClock.setTimeout(() => fired.push('cancelled'), 5);
    systemClock.setTimeout(() => fired.push('kept'), 5);
    systemClock.clearTimeout(cancelled);
    await systemClock.sleep(30);
    expect(fired).toEqual(['kept']);
  });
});
