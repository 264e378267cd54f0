/**
 * docs/architecture/exchange-port.md documents the error table; this checks every row of it
 * against `ccxtErrorTable`, in order, by mapping an instance of each class for a read and for a
 * placement.
 */
import { readFileSync } from 'node:fs';
import { OrderRejectedError, type LumenLinkError } from '@lumenlink/core';
import { exchangeIds } from '@lumenlink/config';
import { describe, expect, it } from 'vitest';
import { ccxtErrorTable, mapCcxtError, type CcxtCallKind } from '../src/ccxt-errors.js';
import { createExchangeProfile } from '../src/exchange-profiles.js';

const doc = readFileSync(
  new URL('../../../docs/architecture/exchange-port.md', import.meta.url),
  'utf8',
);

/** The rows of the markdown table under "## The error table": [class, read, placement]. */
function documentedRows(): [string, string, string][] {
  const section = doc.split('## The error table')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) => {
      const cells = line.split('|').slice(1, 4);
      const [name, read, place] = cells.map((cell) => /`([^`]+)`/.exec(cell)?.[1] ?? cell.trim());
      return [name ?? '', read ?? '', place ?? ''];
    });
}

function described(error: LumenLinkError): string {
  return OrderRejectedError.isInstance(error)
    ? `OrderRejectedError(${error.reason})`
    : error.constructor.name;
}

function mapped(error: unknown, kind: CcxtCallKind): string {
  return described(
    mapCcxtError(error, {
      exchange: 'binance',
      operation: 'doc',
      kind,
      clientOrderId: 'll-doc',
      retryAfterMs: null,
    }),
  );
}

describe('docs/architecture/exchange-port.md', () => {
  it('documents every row of the error table, in order, as the code maps it', () => {
    const rows = documentedRows();
    const fromCode = ccxtErrorTable.map(([ccxtClass]) => {
      const error = new (ccxtClass as unknown as new (message: string) => Error)('x');
      return [ccxtClass.name, mapped(error, 'read'), mapped(error, 'place')];
    });
    const notCcxt = new TypeError('x');
    fromCode.push(['not a ccxt error', mapped(notCcxt, 'read'), mapped(notCcxt, 'place')]);
    expect(rows).toEqual(fromCode);
  });

  it('names the client order id parameter each exchange profile sends', () => {
    const section = doc.split('## Client order ids per exchange')[1] ?? '';
    for (const id of exchangeIds) {
      const row = section.split('\n').find((line) => line.startsWith(`| ${id} `));
      const param = /`([^`]+)`/.exec(row?.split('|')[2] ?? '')?.[1];
      expect(param, id).toBe(createExchangeProfile(id, { timeoutMs: 1_000 }).clientOrderIdParam);
    }
  });
});
