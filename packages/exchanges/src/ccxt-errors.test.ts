import {
  DataIntegrityError,
  ExchangeAuthError,
  ExchangeRequestError,
  ExchangeUnavailableError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  PermanentError,
  RateLimitError,
  TransientError,
  createRedactor,
} from '@lumenlink/core';
import ccxt, { errors } from 'ccxt';
import { describe, expect, it } from 'vitest';
import {
  ccxtErrorTable,
  mapCcxtError,
  retryAfterMs,
  type CcxtErrorContext,
} from './ccxt-errors.js';

const read: CcxtErrorContext = {
  exchange: 'binance',
  operation: 'fetchTicker(BTC-USDT)',
  kind: 'read',
  retryAfterMs: null,
};
const place: CcxtErrorContext = {
  exchange: 'binance',
  operation: 'createOrder(BTC-USDT, ll1)',
  kind: 'place',
  clientOrderId: 'll1',
  retryAfterMs: null,
};

/** Every error class ccxt exports, by name. */
const ccxtClasses = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, new (message: string) => Error] => {
    const value = entry[1];
    return (
      typeof value === 'function' &&
      (value === ccxt.BaseError || value.prototype instanceof ccxt.BaseError)
    );
  },
);

describe('the ccxt error table', () => {
  it('covers every ccxt error class, subclasses before their parents', () => {
    expect(ccxtClasses.length).toBeGreaterThan(30);
    for (const [name, ccxtClass] of ccxtClasses) {
      const row = ccxtErrorTable.findIndex(([rowClass]) => new ccxtClass('x') instanceof rowClass);
      expect(row, name).toBeGreaterThanOrEqual(0);
    }
    ccxtErrorTable.forEach(([rowClass], index) => {
      const shadowedBy = ccxtErrorTable
        .slice(0, index)
        .find(([earlier]) => rowClass.prototype instanceof earlier || rowClass === earlier);
      expect(shadowedBy, rowClass.name).toBeUndefined();
    });
  });

  it("keeps ccxt's split for reads: OperationFailed is retryable, ExchangeError is final", () => {
    for (const [name, ccxtClass] of ccxtClasses) {
      const error = new ccxtClass(`binance ${name}`);
      const mapped = mapCcxtError(error, read);
      if (error instanceof ccxt.ExchangeError) expect(mapped, name).toBeInstanceOf(PermanentError);
      else expect(mapped, name).toBeInstanceOf(TransientError);
      expect(mapped.cause, name).toBe(error);
    }
  });

  it('makes every failure without a definite refusal an unknown outcome for a placement', () => {
    for (const [name, ccxtClass] of ccxtClasses) {
      const error = new ccxtClass(`binance ${name}`);
      if (error instanceof ccxt.ExchangeError && error.constructor !== ccxt.ExchangeError) continue;
      const mapped = mapCcxtError(error, place);
      expect(mapped, name).toBeInstanceOf(OrderOutcomeUnknownError);
      expect((mapped as OrderOutcomeUnknownError).clientOrderId).toBe('ll1');
      expect(mapped.cause).toBe(error);
    }
  });

  it('maps refusals of an order to their rejection reasons', () => {
    const reasonOf = (error: Error): string => {
      const mapped = mapCcxtError(error, place);
      expect(mapped).toBeInstanceOf(OrderRejectedError);
      return (mapped as OrderRejectedError).reason;
    };
    expect(
      reasonOf(
        new ccxt.InsufficientFunds(
          'binance {"code":-2010,"msg":"Account has insufficient balance"}',
        ),
      ),
    ).toBe('insufficient_funds');
    expect(
      reasonOf(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}')),
    ).toBe('duplicate_client_id');
    expect(reasonOf(new ccxt.DuplicateOrderId('bybit orderLinkId is duplicate'))).toBe(
      'duplicate_client_id',
    );
    expect(
      reasonOf(
        new ccxt.InvalidOrder('binance {"code":-1013,"msg":"Filter failure: PRICE_FILTER"}'),
      ),
    ).toBe('invalid_order');
    expect(reasonOf(new ccxt.BadSymbol('binance does not have market symbol XYZ/USDT'))).toBe(
      'invalid_order',
    );
    expect(reasonOf(new ccxt.MarketClosed('market closed'))).toBe('market_closed');
    expect(reasonOf(new ccxt.OperationRejected('refused'))).toBe('rejected');
    expect(mapCcxtError(new ccxt.PermissionDenied('no trading permission'), place)).toBeInstanceOf(
      ExchangeAuthError,
    );
  });

  it('maps read failures to the intended core classes', () => {
    expect(mapCcxtError(new ccxt.OrderNotFound('binance {"code":-2013}'), read)).toBeInstanceOf(
      OrderNotFoundError,
    );
    expect(mapCcxtError(new ccxt.AuthenticationError('bad key'), read)).toBeInstanceOf(
      ExchangeAuthError,
    );
    expect(mapCcxtError(new ccxt.AccountSuspended('suspended'), read)).toBeInstanceOf(
      ExchangeAuthError,
    );
    for (const error of [
      new ccxt.BadSymbol('x'),
      new ccxt.BadRequest('x'),
      new ccxt.ArgumentsRequired('x'),
      new ccxt.NotSupported('x'),
      new ccxt.InsufficientFunds('x'),
    ]) {
      expect(mapCcxtError(error, read), error.name).toBeInstanceOf(ExchangeRequestError);
    }
    for (const error of [
      new ccxt.RequestTimeout('x'),
      new ccxt.ExchangeNotAvailable('x'),
      new ccxt.NetworkError('x'),
      new ccxt.BadResponse('x'),
    ]) {
      const mapped = mapCcxtError(error, read);
      expect(mapped.constructor, error.name).toBe(ExchangeUnavailableError);
    }
    const skew = mapCcxtError(new ccxt.InvalidNonce('binance {"code":-1021}'), read);
    expect(skew.constructor).toBe(ExchangeUnavailableError);
    expect(skew.message).toMatch(/clock is probably skewed/);
  });

  it('carries the Retry-After wait into RateLimitError for both of ccxt rate-limit classes', () => {
    for (const error of [
      new ccxt.DDoSProtection('binance 429'),
      new ccxt.RateLimitExceeded('bybit 10006'),
    ]) {
      const mapped = mapCcxtError(error, { ...read, retryAfterMs: 3_000 });
      expect(mapped).toBeInstanceOf(RateLimitError);
      expect((mapped as RateLimitError).retryAfterMs).toBe(3_000);
      expect(mapped.isRetryable).toBe(true);
      expect((mapCcxtError(error, read) as RateLimitError).retryAfterMs).toBeNull();
    }
  });

  it('treats anything that is not a ccxt error as unknown for a placement, unavailable for a read', () => {
    const notJson = new TypeError("Cannot read properties of undefined (reading 'orderId')");
    const placed = mapCcxtError(notJson, place);
    expect(placed).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(placed.cause).toBe(notJson);
    expect(placed.message).toMatch(/look it up by client order id/);
    expect(mapCcxtError('a thrown string', place)).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(mapCcxtError(notJson, read).constructor).toBe(ExchangeUnavailableError);
  });

  it('passes our own errors through for reads and wraps them for a placement', () => {
    const bad = new DataIntegrityError('binance ticker: last price is NaN');
    expect(mapCcxtError(bad, read)).toBe(bad);
    const placed = mapCcxtError(bad, place);
    expect(placed).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(placed.cause).toBe(bad);
  });

  it('names the exchange and the call, redacts URL signatures and cuts long bodies', () => {
    const error = new ccxt.ExchangeNotAvailable(
      `binance GET http://127.0.0.1/api/v3/account?timestamp=1&signature=abcdef0123 503 ${'<html>'.repeat(200)}`,
    );
    const mapped = mapCcxtError(error, read);
    expect(mapped.message).toMatch(
      /^binance fetchTicker\(BTC-USDT\) failed: ExchangeNotAvailable: /,
    );
    expect(mapped.message).toContain('signature=[REDACTED]');
    expect(mapped.message).not.toContain('abcdef0123');
    expect(mapped.message.length).toBeLessThan(600);
  });

  it('redacts before it cuts: a secret across the cut leaves no piece of itself', () => {
    const apiKey = 'Kx9Lq2Vm7Pz4Rt8Wc3Ny6Bd1';
    const secret = 'Sg5Hj0Fk3Ld8Ms2Na7Qp4Xz9';
    for (let offset = 0; offset < 40; offset += 3) {
      // ccxt's text of a refusal whose message echoes the key bare around the 400th character.
      const text = `binance {"code":-2010,"msg":"${'x'.repeat(360 + offset)} ${apiKey} ${secret}"}`;
      const context = { ...place, redact: createRedactor([apiKey, secret]) };
      const mapped = mapCcxtError(new ccxt.InsufficientFunds(text), context);
      expect(mapped).toBeInstanceOf(OrderRejectedError);
      for (const value of [apiKey, secret]) {
        expect(mapped.message).not.toContain(value.slice(0, 8));
        expect(mapped.message).not.toContain(value.slice(-8));
      }
    }
  });

  it('removes named secrets across the cut without a redactor', () => {
    for (let offset = 0; offset < 30; offset += 2) {
      const text = `binance GET /x 503 ${'y'.repeat(350 + offset)} X-MBX-APIKEY: Kx9Lq2Vm7Pz4Rt8Wc3Ny6Bd1 signature=0123456789abcdef0123456789abcdef`;
      const mapped = mapCcxtError(new ccxt.ExchangeNotAvailable(text), read);
      expect(mapped.message).not.toContain('Kx9Lq2Vm');
      expect(mapped.message).not.toContain('01234567');
    }
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  it('reads seconds and HTTP dates, and says null when there is nothing usable', () => {
    expect(retryAfterMs({ 'Retry-After': '3' }, now)).toBe(3_000);
    expect(retryAfterMs({ 'Retry-After': '0.5' }, now)).toBe(500);
    expect(retryAfterMs({ 'Retry-After': 'Wed, 01 Jan 2025 12:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'Retry-After': 'Wed, 01 Jan 2025 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'Retry-After': 'soon' }, now)).toBeNull();
    expect(retryAfterMs({ 'Content-Type': 'application/json' }, now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });
});
