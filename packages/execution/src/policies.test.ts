import {
  ExchangeUnavailableError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  RateLimitError,
  TransientError,
  ValidationError,
} from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  createExchangePolicies,
  type BreakerChange,
  type ExchangePolicyOptions,
} from './policies.js';
import { RefusalBackoffError } from './sell-guards.js';

// cockatiel reads the global clock: its delays and break times run on vitest's fake timers.
beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});

afterEach(() => {
  vi.useRealTimers();
});

/** A read that fails `failures` times, recording when each try happened. */
function flakyRead(failures: readonly Error[], answer = 'ok') {
  const at: number[] = [];
  let index = 0;
  const read = (): Promise<string> => {
    at.push(Date.now());
    const failure = failures[index++];
    return failure === undefined ? Promise.resolve(answer) : Promise.reject(failure);
  };
  return { read, at, delays: () => at.slice(1).map((time, i) => time - (at[i] ?? 0)) };
}

async function settle<T>(promise: Promise<T>): Promise<T> {
  const settled = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const outcome = await settled;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

describe('reads', () => {
  const outage = (): ExchangeUnavailableError => new ExchangeUnavailableError('HTTP 503');

  it('retries an outage with exponential backoff and jitter, then answers', async () => {
    const policies = createExchangePolicies({ initialDelayMs: 200, maxDelayMs: 10_000 });
    const flaky = flakyRead([outage(), outage(), outage()]);
    expect(await settle(policies.read(flaky.read))).toBe('ok');
    expect(flaky.at).toHaveLength(4);
    const [first, second, third] = flaky.delays();
    // Equal jitter: between half and all of 200, 400, 800 ms.
    expect(first).toBeGreaterThanOrEqual(100);
    expect(first).toBeLessThanOrEqual(200);
    expect(second).toBeGreaterThanOrEqual(200);
    expect(second).toBeLessThanOrEqual(400);
    expect(third).toBeGreaterThanOrEqual(400);
    expect(third).toBeLessThanOrEqual(800);
  });

  it('draws the jitter from its seed: the same seed, the same delays', async () => {
    const delaysWith = async (options: ExchangePolicyOptions): Promise<number[]> => {
      const flaky = flakyRead([outage(), outage(), outage(), outage()]);
      await settle(createExchangePolicies({ initialDelayMs: 1_000, ...options }).read(flaky.read));
      return flaky.delays();
    };
    const seeded = await delaysWith({ jitterSeed: 7 });
    expect(await delaysWith({ jitterSeed: 7 })).toEqual(seeded);
    expect(await delaysWith({ jitterSeed: 8 })).not.toEqual(seeded);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const flaky = flakyRead([outage(), outage(), outage(), outage()]);
    await settle(
      createExchangePolicies({ initialDelayMs: 1_000, maxDelayMs: 1_500 }).read(flaky.read),
    );
    for (const delay of flaky.delays()) expect(delay).toBeLessThanOrEqual(1_500);
  });

  it('waits at least what a rate limit asked for', async () => {
    const flaky = flakyRead([new RateLimitError('HTTP 429', { retryAfterMs: 5_000 })]);
    await settle(createExchangePolicies({ initialDelayMs: 100 }).read(flaky.read));
    expect(flaky.delays()[0]).toBeGreaterThanOrEqual(5_000);
  });

  it('does not wait out a ban longer than maxDelayMs: fails at once', async () => {
    const ban = new RateLimitError('HTTP 418', { retryAfterMs: 120_000 });
    const flaky = flakyRead([ban]);
    await expect(settle(createExchangePolicies().read(flaky.read))).rejects.toBe(ban);
    expect(flaky.at).toHaveLength(1);
  });

  it.each([
    ['a rejection', new OrderRejectedError('invalid_order', 'Filter failure')],
    ['not found', new OrderNotFoundError('Order does not exist.')],
    ['a bug', new TypeError('x is undefined')],
  ])('does not retry %s', async (_name, error) => {
    const flaky = flakyRead([error]);
    await expect(settle(createExchangePolicies().read(flaky.read))).rejects.toBe(error);
    expect(flaky.at).toHaveLength(1);
  });

  it('gives up after its retries with the last error', async () => {
    const errors = [outage(), outage(), new ExchangeUnavailableError('HTTP 502')];
    const flaky = flakyRead(errors);
    await expect(settle(createExchangePolicies({ retries: 2 }).read(flaky.read))).rejects.toBe(
      errors[2],
    );
    expect(flaky.at).toHaveLength(3);
  });
});

describe('entry circuit breaker', () => {
  const failing = (error: Error) => () => Promise.reject(error);

  it('opens after consecutive failures, refuses entries without calling them, then probes', async () => {
    const changes: BreakerChange[] = [];
    const policies = createExchangePolicies({
      breakerThreshold: 3,
      halfOpenAfterMs: 30_000,
      onBreakerChange: (change) => changes.push(change),
    });
    const breaker = policies.entryBreaker;
    const openedAt = Date.now();
    await expect(
      breaker.execute(failing(new ExchangeUnavailableError('HTTP 503'))),
    ).rejects.toThrow('HTTP 503');
    await expect(breaker.execute(failing(new RateLimitError('HTTP 429')))).rejects.toThrow();
    expect(policies.breakerState()).toBe('closed');
    await expect(
      breaker.execute(failing(new OrderOutcomeUnknownError('llx', 'ETIMEDOUT'))),
    ).rejects.toThrow('ETIMEDOUT');
    expect(policies.breakerState()).toBe('open');
    expect(breaker.state()).toBe('open');
    expect(changes).toEqual([{ state: 'open', at: openedAt, reason: 'ETIMEDOUT' }]);

    const placement = vi.fn(() => Promise.resolve('placed'));
    const refused = breaker.execute(placement);
    await expect(refused).rejects.toThrow(CircuitOpenError);
    await expect(refused).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      isRetryable: true,
      retryAt: openedAt + 30_000,
    });
    expect(placement).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(29_999);
    expect(policies.breakerState()).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    // The break time has passed: the next entry is the probe.
    expect(policies.breakerState()).toBe('half_open');
    expect(await breaker.execute(placement)).toBe('placed');
    expect(placement).toHaveBeenCalledTimes(1);
    expect(policies.breakerState()).toBe('closed');
    expect(changes.map((change) => change.state)).toEqual(['open', 'half_open', 'closed']);
  });

  it('opens again when the probe fails', async () => {
    const policies = createExchangePolicies({ breakerThreshold: 1, halfOpenAfterMs: 1_000 });
    const outage = new ExchangeUnavailableError('HTTP 503');
    await expect(policies.entryBreaker.execute(failing(outage))).rejects.toBe(outage);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(policies.breakerState()).toBe('half_open');
    await expect(policies.entryBreaker.execute(failing(outage))).rejects.toBe(outage);
    expect(policies.breakerState()).toBe('open');
  });

  it('counts a rejection as an answer: it resets the count and closes a half-open breaker', async () => {
    const policies = createExchangePolicies({ breakerThreshold: 2, halfOpenAfterMs: 1_000 });
    const breaker = policies.entryBreaker;
    const outage = new ExchangeUnavailableError('HTTP 503');
    const rejection = new OrderRejectedError('insufficient_funds', 'insufficient balance');
    await expect(breaker.execute(failing(outage))).rejects.toBe(outage);
    await expect(breaker.execute(failing(rejection))).rejects.toBe(rejection);
    await expect(breaker.execute(failing(outage))).rejects.toBe(outage);
    expect(policies.breakerState()).toBe('closed');
    await expect(breaker.execute(failing(outage))).rejects.toBe(outage);
    expect(policies.breakerState()).toBe('open');
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(breaker.execute(failing(rejection))).rejects.toBe(rejection);
    expect(policies.breakerState()).toBe('closed');
  });

  it('stops reporting after dispose', async () => {
    const changes: BreakerChange[] = [];
    const policies = createExchangePolicies({
      breakerThreshold: 1,
      onBreakerChange: (change) => changes.push(change),
    });
    policies.dispose();
    await expect(
      policies.entryBreaker.execute(failing(new ExchangeUnavailableError('HTTP 503'))),
    ).rejects.toThrow();
    expect(policies.breakerState()).toBe('open');
    expect(changes).toEqual([]);
  });
});

describe('options', () => {
  it('refuses counts and delays that make no sense', () => {
    expect(() => createExchangePolicies({ retries: -1 })).toThrow(ValidationError);
    expect(() => createExchangePolicies({ breakerThreshold: 0 })).toThrow(/breakerThreshold 0/);
    expect(() => createExchangePolicies({ halfOpenAfterMs: 1.5 })).toThrow(/halfOpenAfterMs/);
    expect(() => createExchangePolicies({ jitterSeed: Number.NaN })).toThrow(/jitterSeed/);
  });
});

describe('CircuitOpenError.isInstance', () => {
  it('recognises an open breaker by its marker, and no other transient error', () => {
    const open = new CircuitOpenError('breaker open', { retryAt: 5 });
    expect(CircuitOpenError.isInstance(open)).toBe(true);
    expect(TransientError.isInstance(open)).toBe(true);
    expect(CircuitOpenError.isInstance(new ExchangeUnavailableError('503'))).toBe(false);
    expect(
      CircuitOpenError.isInstance(new RefusalBackoffError('refused', { refusals: 2, retryAt: 5 })),
    ).toBe(false);
    const lookAlike = Object.assign(new Error('breaker open'), {
      name: 'CircuitOpenError',
      retryAt: 5,
    });
    expect(CircuitOpenError.isInstance(lookAlike)).toBe(false);
  });
});
