import { describe, expect, it } from 'vitest';
import {
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
