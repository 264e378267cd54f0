import { createHash } from 'node:crypto';
import type { Candle, SymbolId } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { candlesSha256, dataProvenanceOf } from './candle-hash.js';

const hour = 3_600_000;
const t0 = Date.UTC(2024, 0, 1);
const fields = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

function series(count: number, base: number, start = t0): Candle[] {
  return Array.from({ length: count }, (_, index) => ({
    time: start + index * hour,
    open: base + index,
    high: base + index + 2.5,
    low: base + index - 1.25,
    close: base + index + 0.5,
    volume: 10 + index / 8,
  }));
}

function market(): Map<SymbolId, Candle[]> {
  return new Map<SymbolId, Candle[]>([
    ['BTC-USD', series(5, 40_000)],
    ['ETH-USD', series(4, 2_000, t0 + hour)],
  ]);
}

const symbols: SymbolId[] = ['BTC-USD', 'ETH-USD'];

/** The documented encoding, written out again with Buffer's own writers. */
function independentHash(candles: ReadonlyMap<SymbolId, readonly Candle[]>, order: string[]) {
  const parts: Buffer[] = [Buffer.from('lumenlink-candles-v1\n', 'ascii')];
  for (const symbol of order) {
    const list = candles.get(symbol as SymbolId) ?? [];
    const name = Buffer.from(symbol, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(name.length);
    const count = Buffer.alloc(4);
    count.writeUInt32LE(list.length);
    parts.push(length, name, count);
    for (const candle of list) {
      const row = Buffer.alloc(48);
      fields.forEach((field, index) => row.writeDoubleLE(candle[field], index * 8));
      parts.push(row);
    }
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

describe('candlesSha256', () => {
  it('gives the same hash for the same candles, also from a copy', () => {
    const hash = candlesSha256(market(), symbols);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const copy = new Map(
      [...market()].map(([symbol, list]) => [symbol, list.map((c) => ({ ...c }))]),
    );
    expect(candlesSha256(copy, symbols)).toBe(hash);
  });

  it('equals the SHA-256 of the documented bytes computed independently', () => {
    const small = new Map<SymbolId, Candle[]>([
      ['BTC-USD', [{ time: t0, open: 1.5, high: 2, low: 1, close: 1.75, volume: 0.1 }]],
      ['ÉTH-USD', series(2, 3)],
    ]);
    const order: SymbolId[] = ['ÉTH-USD', 'BTC-USD'];
    expect(candlesSha256(small, order)).toBe(independentHash(small, order));
    expect(candlesSha256(market(), symbols)).toBe(independentHash(market(), symbols));
  });

  it('changes when any one field of any one candle changes', () => {
    const original = candlesSha256(market(), symbols);
    const seen = new Set([original]);
    for (const symbol of symbols) {
      const length = market().get(symbol)?.length ?? 0;
      for (let index = 0; index < length; index += 1) {
        for (const field of fields) {
          const changed = market();
          const list = changed.get(symbol) ?? [];
          const candle = list[index] as Candle;
          list[index] = { ...candle, [field]: candle[field] + 1e-9 * Math.max(1, candle[field]) };
          const hash = candlesSha256(changed, symbols);
          expect(hash, `${symbol} candle ${index} ${field}`).not.toBe(original);
          seen.add(hash);
        }
      }
    }
    // Every change gives its own hash.
    expect(seen.size).toBe(1 + (5 + 4) * fields.length);
  });

  it('depends on the symbol order, the symbol names and where a series is cut', () => {
    const candles = market();
    const hash = candlesSha256(candles, symbols);
    expect(candlesSha256(candles, ['ETH-USD', 'BTC-USD'])).not.toBe(hash);
    const renamed = new Map<SymbolId, Candle[]>([
      ['BTC-USDT', candles.get('BTC-USD') ?? []],
      ['ETH-USD', candles.get('ETH-USD') ?? []],
    ]);
    expect(candlesSha256(renamed, ['BTC-USDT', 'ETH-USD'])).not.toBe(hash);
    // The same nine candles split differently between two symbols.
    const all = [...(candles.get('BTC-USD') ?? []), ...(candles.get('ETH-USD') ?? [])];
    const moved = new Map<SymbolId, Candle[]>([
      ['BTC-USD', all.slice(0, 4)],
      ['ETH-USD', all.slice(4)],
    ]);
    expect(candlesSha256(moved, symbols)).not.toBe(hash);
  });

  it('hashes only the symbols asked for, a missing one as no candles', () => {
    const candles = market();
    const btcOnly = candlesSha256(candles, ['BTC-USD']);
    expect(candlesSha256(new Map([['BTC-USD', candles.get('BTC-USD') ?? []]]), ['BTC-USD'])).toBe(
      btcOnly,
    );
    const withMissing = candlesSha256(candles, ['BTC-USD', 'SOL-USD']);
    expect(withMissing).not.toBe(btcOnly);
    expect(withMissing).toBe(
      candlesSha256(new Map([...candles, ['SOL-USD', []]]), ['BTC-USD', 'SOL-USD']),
    );
  });

  it('treats -0 as 0 and hashes more than one chunk of candles the same as the plain bytes', () => {
    const zero = new Map<SymbolId, Candle[]>([['BTC-USD', [{ ...series(1, 5)[0]!, volume: 0 }]]]);
    const negativeZero = new Map<SymbolId, Candle[]>([
      ['BTC-USD', [{ ...series(1, 5)[0]!, volume: -0 }]],
    ]);
    expect(candlesSha256(negativeZero, ['BTC-USD'])).toBe(candlesSha256(zero, ['BTC-USD']));
    const long = new Map<SymbolId, Candle[]>([['BTC-USD', series(20_001, 100)]]);
    expect(candlesSha256(long, ['BTC-USD'])).toBe(independentHash(long, ['BTC-USD']));
  });

  it('hashes 100,000 candles well under a second', () => {
    const big = new Map<SymbolId, Candle[]>([
      ['BTC-USD', series(50_000, 40_000)],
      ['ETH-USD', series(50_000, 2_000)],
    ]);
    const started = performance.now();
    candlesSha256(big, symbols);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('dataProvenanceOf', () => {
  it('records the range over all symbols, the count and the hash', () => {
    const candles = market();
    const data = dataProvenanceOf({
      description: 'bundled Binance 1h of 2024',
      candles,
      symbols,
      interval: '1h',
    });
    expect(data).toEqual({
      description: 'bundled Binance 1h of 2024',
      symbols: ['BTC-USD', 'ETH-USD'],
      interval: '1h',
      first: t0,
      // ETH starts an hour later and runs 4 candles: t0 + 4h, BTC's last.
      last: t0 + 4 * hour,
      candles: 9,
      sha256: candlesSha256(candles, symbols),
    });
  });

  it('takes the earliest first and the latest last whichever symbol has them', () => {
    const candles = new Map<SymbolId, Candle[]>([
      ['BTC-USD', series(3, 10, t0 + 10 * hour)],
      ['ETH-USD', series(30, 10, t0)],
    ]);
    const data = dataProvenanceOf({ description: 'x', candles, symbols, interval: '1h' });
    expect(data.first).toBe(t0);
    expect(data.last).toBe(t0 + 29 * hour);
    expect(data.candles).toBe(33);
  });

  it('gives null times and zero candles for no candles', () => {
    const data = dataProvenanceOf({
      description: 'empty store',
      candles: new Map(),
      symbols: ['BTC-USD'],
      interval: '4h',
    });
    expect(data).toMatchObject({ first: null, last: null, candles: 0, symbols: ['BTC-USD'] });
    expect(data.sha256).toBe(independentHash(new Map(), ['BTC-USD']));
  });
});
