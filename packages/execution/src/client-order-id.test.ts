import { createHash } from 'node:crypto';
import { ValidationError, type SymbolId } from '@lumenlink/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientOrderId,
  clientOrderIdLength,
  exitClientOrderId,
  isOurClientOrderId,
  type ClientOrderIdFields,
} from './client-order-id.js';

const fields: ClientOrderIdFields = {
  strategy: 'rsi_mean_reversion',
  symbol: 'BTC-USD',
  candleTime: Date.UTC(2026, 0, 1),
  action: 'buy',
  role: 'entry',
  attempt: 0,
};

/** Base32 by way of a bit string: a second, independent implementation of RFC 4648. */
function base32ByBits(bytes: Buffer): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bits = [...bytes].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  let output = '';
  for (let index = 0; index < bits.length; index += 5) {
    output += alphabet[parseInt(bits.slice(index, index + 5).padEnd(5, '0'), 2)];
  }
  return output;
}

describe('clientOrderId', () => {
  it('is ll + the first 30 base32 characters of the SHA-256 of the fields', () => {
    const digest = createHash('sha256')
      .update(
        JSON.stringify(['rsi_mean_reversion', 'BTC-USD', fields.candleTime, 'buy', 'entry', 0]),
      )
      .digest();
    const id = clientOrderId(fields);
    expect(id).toBe(`ll${base32ByBits(digest).slice(0, 30)}`);
    expect(id).toHaveLength(clientOrderIdLength);
    expect(id).toMatch(/^ll[a-z2-7]{30}$/);
  });

  it('gives the same id as an independent SHA-256 for any fields, asked once or again (a memo of recent ids)', () => {
    const expected = (value: ClientOrderIdFields) =>
      `ll${base32ByBits(
        createHash('sha256')
          .update(
            JSON.stringify([
              value.strategy,
              value.symbol,
              value.candleTime,
              value.action,
              value.role,
              value.attempt,
            ]),
          )
          .digest(),
      ).slice(0, 30)}`;
    const asked: ClientOrderIdFields[] = [];
    fc.assert(
      fc.property(
        fc.record({
          candleTime: fc.integer({ min: 0, max: 2 ** 42 }),
          attempt: fc.integer({ min: 0, max: 5 }),
          action: fc.constantFrom('buy' as const, 'sell' as const),
        }),
        (changes) => {
          const value = { ...fields, ...changes };
          asked.push(value);
          expect(clientOrderId(value)).toBe(expected(value));
          expect(clientOrderId(value)).toBe(expected(value));
        },
      ),
      { numRuns: 600 },
    );
    // Again, after more ids than the memo keeps.
    for (const value of asked.slice(0, 50)) expect(clientOrderId(value)).toBe(expected(value));
  });

  it('fast: ids of the same shape, deterministic, and distinct over many orders of a long run', () => {
    const seen = new Set<string>();
    const count = 60_000;
    for (let index = 0; index < count; index++) {
      const value = {
        ...fields,
        candleTime: fields.candleTime + Math.floor(index / 3) * 60_000,
        attempt: index % 3,
      };
      const id = clientOrderId(value, 'fast');
      expect(isOurClientOrderId(id)).toBe(true);
      seen.add(id);
      const exit = exitClientOrderId(
        {
          strategy: fields.strategy,
          symbol: fields.symbol,
          positionOpenedAt: value.candleTime,
          sequence: index % 3,
          attempt: 0,
        },
        'fast',
      );
      seen.add(exit);
    }
    expect(seen.size).toBe(2 * count);
    expect(clientOrderId(fields, 'fast')).toBe(clientOrderId({ ...fields }, 'fast'));
    expect(clientOrderId(fields, 'fast')).not.toBe(clientOrderId(fields));
  });

  it('is deterministic and changes with every field', () => {
    const id = clientOrderId(fields);
    expect(clientOrderId({ ...fields })).toBe(id);
    const variants = [
      { strategy: 'grid' },
      { symbol: 'ETH-USD' },
      { candleTime: fields.candleTime + 3_600_000 },
      { action: 'sell' },
      { role: 'exit' },
      { attempt: 1 },
    ] as const;
    const ids = variants.map((change) => clientOrderId({ ...fields, ...change }));
    expect(new Set([id, ...ids]).size).toBe(variants.length + 1);
  });

  it('keeps fields apart: moving a character between fields changes the id', () => {
    expect(clientOrderId({ ...fields, strategy: 'ab', symbol: 'c-USD' })).not.toBe(
      clientOrderId({ ...fields, strategy: 'a', symbol: 'bc-USD' }),
    );
  });

  it('gives distinct, well-formed ids for distinct fields', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            strategy: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''),
            candleTime: fc.integer({ min: 0, max: 2 ** 42 }),
            attempt: fc.nat(5),
          }),
          {
            minLength: 2,
            maxLength: 20,
            selector: (value) => JSON.stringify(value),
          },
        ),
        (records) => {
          const ids = records.map((record) => clientOrderId({ ...fields, ...record }));
          expect(new Set(ids).size).toBe(ids.length);
          for (const id of ids) expect(isOurClientOrderId(id)).toBe(true);
        },
      ),
    );
  });

  it('refuses fields that cannot make a stable id', () => {
    expect(() => clientOrderId({ ...fields, strategy: ' ' })).toThrow(ValidationError);
    expect(() => clientOrderId({ ...fields, symbol: '' as SymbolId })).toThrow(/symbol is empty/);
    expect(() => clientOrderId({ ...fields, candleTime: 1.5 })).toThrow(/candleTime 1.5/);
    expect(() => clientOrderId({ ...fields, attempt: -1 })).toThrow(/attempt -1/);
  });
});

describe('isOurClientOrderId', () => {
  it('recognises exactly the shape of our ids', () => {
    expect(isOurClientOrderId(clientOrderId(fields))).toBe(true);
    expect(isOurClientOrderId(`ll${'a'.repeat(29)}`)).toBe(false);
    expect(isOurClientOrderId(`ll${'a'.repeat(31)}`)).toBe(false);
    expect(isOurClientOrderId(`ll${'A'.repeat(30)}`)).toBe(false);
    expect(isOurClientOrderId(`ll${'1'.repeat(30)}`)).toBe(false);
    expect(isOurClientOrderId(`xx${'a'.repeat(30)}`)).toBe(false);
    expect(isOurClientOrderId('x-TKT5PX2F-abc')).toBe(false);
    expect(isOurClientOrderId(null)).toBe(false);
    expect(isOurClientOrderId(undefined)).toBe(false);
  });
});
