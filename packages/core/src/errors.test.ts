import { describe, expect, it } from 'vitest';
import {
  ExchangeAuthError,
  ExchangeUnavailableError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  RateLimitError,
  ConfigError,
  DataIntegrityError,
  LumenLinkError,
  OrderTransitionError,
  PermanentError,
  StorageError,
  StrategyError,
  TransientError,
  ValidationError,
  isRetryableError,
} from './errors.js';

describe('errors', () => {
  it('carries a stable code, a cause and whether a retry can help', () => {
    const cause = new Error('SQLITE_BUSY');
    const error = new StorageError('orders table locked', { cause });
    expect(error).toBeInstanceOf(LumenLinkError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('STORAGE_UNAVAILABLE');
    expect(error.isRetryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('StorageError');
    expect(isRetryableError(error)).toBe(true);
  });

  it('puts bad config, bad data, strategy bugs and illegal transitions on the permanent branch', () => {
    const errors = [
      new ConfigError([{ key: 'MODE', problem: 'bad' }]),
      new ValidationError('bad symbol'),
      new DataIntegrityError('high below low'),
      new StrategyError('ema_crossover', 'threw'),
      new OrderTransitionError('filled -> open'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.isRetryable).toBe(false);
      expect(isRetryableError(error)).toBe(false);
    }
    expect(new Set(errors.map((error) => error.code)).size).toBe(errors.length);
    expect(isRetryableError(new Error('plain'))).toBe(false);
  });

  it('lists every config issue in one message', () => {
    const error = new ConfigError([
      { key: 'MODE', problem: '"papr" is not allowed', accepted: 'paper | live' },
      { key: 'HTTP_PORT', problem: '"x" is not a number' },
    ]);
    expect(error.message).toBe(
      'Invalid configuration (2 problems):\n' +
        '  - MODE: "papr" is not allowed. Accepted: paper | live\n' +
        '  - HTTP_PORT: "x" is not a number',
    );
    expect(error.issues).toHaveLength(2);
  });

  it('names the strategy that failed', () => {
    const error = new StrategyError('grid_trading', 'division by zero', {
      cause: new RangeError('x'),
    });
    expect(error.strategy).toBe('grid_trading');
    expect(error.message).toBe('Strategy grid_trading: division by zero');
  });
});

describe('exchange errors', () => {
  it('tell an unknown order outcome, a rate limit and an outage (retryable) from a rejection (final)', () => {
    const unknown = new OrderOutcomeUnknownError('llabc', 'timed out after 10000 ms');
    const limited = new RateLimitError('429', { retryAfterMs: 2000 });
    const down = new ExchangeUnavailableError('503');
    const rejected = new OrderRejectedError('insufficient_funds', 'balance too low');
    expect([unknown, limited, down].map((error) => error.isRetryable)).toEqual([true, true, true]);
    expect(unknown.clientOrderId).toBe('llabc');
    expect(limited).toBeInstanceOf(ExchangeUnavailableError);
    expect(limited.retryAfterMs).toBe(2000);
    expect(new RateLimitError('418').retryAfterMs).toBeNull();
    expect(
      [rejected, new OrderNotFoundError('x'), new ExchangeAuthError('x')].map(isRetryableError),
    ).toEqual([false, false, false]);
    expect(rejected.reason).toBe('insufficient_funds');
    expect([down.code, limited.code, unknown.code, rejected.code]).toEqual([
      'EXCHANGE_UNAVAILABLE',
      'EXCHANGE_RATE_LIMITED',
      'ORDER_OUTCOME_UNKNOWN',
      'ORDER_REJECTED',
    ]);
  });
});
