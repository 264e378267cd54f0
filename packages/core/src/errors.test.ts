import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  ExchangeAuthError,
  ExchangeRequestError,
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
import type * as errorsModule from './errors.js';

type ErrorsModule = typeof errorsModule;

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

describe('isInstance across copies of the module', () => {
  /** A second, independent copy of this module, as a duplicate install would load it. */
  async function loadSecondCopy(): Promise<ErrorsModule> {
    const source = await readFile(fileURLToPath(new URL('./errors.ts', import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext },
    });
    const directory = await mkdtemp(join(tmpdir(), 'lumenlink-errors-'));
    const file = join(directory, 'errors.mjs');
    await writeFile(file, outputText);
    return (await import(pathToFileURL(file).href)) as ErrorsModule;
  }

  it('recognises an error thrown by another copy, which instanceof does not', async () => {
    const copy = await loadSecondCopy();
    expect(copy.OrderOutcomeUnknownError).not.toBe(OrderOutcomeUnknownError);
    const unknown = new copy.OrderOutcomeUnknownError('llabc', 'timed out');
    expect(unknown).not.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(OrderOutcomeUnknownError.isInstance(unknown)).toBe(true);
    expect(TransientError.isInstance(unknown)).toBe(true);
    expect(LumenLinkError.isInstance(unknown)).toBe(true);
    expect(PermanentError.isInstance(unknown)).toBe(false);
    expect(OrderRejectedError.isInstance(unknown)).toBe(false);
    expect(isRetryableError(unknown)).toBe(true);
    expect(isRetryableError(new copy.OrderRejectedError('rejected', 'no'))).toBe(false);
    expect(copy.isRetryableError(new StorageError('locked'))).toBe(true);
    const limited = new copy.RateLimitError('429', { retryAfterMs: 500 });
    expect(RateLimitError.isInstance(limited)).toBe(true);
    expect(ExchangeUnavailableError.isInstance(limited)).toBe(true);
    expect(ExchangeUnavailableError.isInstance(new copy.ExchangeUnavailableError('503'))).toBe(
      true,
    );
    expect(RateLimitError.isInstance(new copy.ExchangeUnavailableError('503'))).toBe(false);
  });

  it('tells each class apart and refuses look-alikes that carry the same name', () => {
    const classes = [
      ConfigError,
      ValidationError,
      DataIntegrityError,
      StrategyError,
      StorageError,
      OrderTransitionError,
      ExchangeUnavailableError,
      RateLimitError,
      OrderOutcomeUnknownError,
      OrderRejectedError,
      OrderNotFoundError,
      ExchangeAuthError,
      ExchangeRequestError,
    ] as const;
    const samples = [
      new ConfigError([{ key: 'MODE', problem: 'bad' }]),
      new ValidationError('x'),
      new DataIntegrityError('x'),
      new StrategyError('s', 'x'),
      new StorageError('x'),
      new OrderTransitionError('x'),
      new ExchangeUnavailableError('x'),
      new RateLimitError('x'),
      new OrderOutcomeUnknownError('id', 'x'),
      new OrderRejectedError('rejected', 'x'),
      new OrderNotFoundError('x'),
      new ExchangeAuthError('x'),
      new ExchangeRequestError('x'),
    ];
    const matrix = classes.map((errorClass) =>
      samples.map((sample) => errorClass.isInstance(sample)),
    );
    const expected = classes.map((errorClass) =>
      samples.map((sample) => sample instanceof errorClass),
    );
    expect(matrix).toEqual(expected);
    expect(matrix.flat().filter(Boolean)).toHaveLength(samples.length + 1); // RateLimit is also Unavailable

    const lookAlike = Object.assign(new Error('timed out'), {
      name: 'OrderOutcomeUnknownError',
      code: 'ORDER_OUTCOME_UNKNOWN',
      isRetryable: true,
      clientOrderId: 'llabc',
    });
    expect(OrderOutcomeUnknownError.isInstance(lookAlike)).toBe(false);
    expect(LumenLinkError.isInstance(lookAlike)).toBe(false);
    expect(isRetryableError(lookAlike)).toBe(false);
    for (const value of [null, undefined, 'OrderOutcomeUnknownError', 42, {}]) {
      expect(LumenLinkError.isInstance(value)).toBe(false);
    }
  });

  it('keeps the marker off the error itself: nothing extra to log or compare', () => {
    const error = new StorageError('locked');
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(Object.keys(error)).not.toContain('lumenlink.error');
  });
});
