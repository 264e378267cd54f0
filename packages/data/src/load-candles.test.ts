import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candle } from '@lumenlink/core';
import { candleCsvHeader, formatCandlesCsv } from './csv.js';
import { openStore } from './open-store.js';
import { describe, expect, it } from 'vitest';
import { DataInputError } from './input-error.js';
import {
  candlePeriod,
  inferInterval,
  loadCandles,
  symbolFromFileName,
  type LoadCandlesOptions,
} from './load-candles.js';

const hour = 3_600_000;
const start = Date.UTC(2024, 0, 1);

function candles(count: number, stepMs = hour, from = start): Candle[] {
  return Array.from({ length: count }, (_, i) => ({
    time: from + i * stepMs,
    open: 100 + i,
    high: 102 + i,
    low: 99 + i,
    close: 101 + i,
    volume: 10,
  }));
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'lumenlink-load-'));
}

const base: Omit<LoadCandlesOptions, 'source'> = {
  symbols: undefined,
  interval: undefined,
  from: undefined,
  to: undefined,
  warmupCandles: 0,
};

describe('symbolFromFileName', () => {
  it('reads a bare symbol or a BASE-QUOTE pair inside the name', () => {
    expect(symbolFromFileName('/data/BTC-USD.csv')).toBe('BTC-USD');
    expect(symbolFromFileName('eth_usdt.csv.gz')).toBe('ETH-USDT');
    expect(symbolFromFileName('binance-BTC-USDT-1h-2024.csv.gz')).toBe('BTC-USDT');
    expect(symbolFromFileName('kraken_sol_usd_15m.csv')).toBe('SOL-USD');
    expect(symbolFromFileName('eth-btc.csv')).toBe('ETH-BTC');
    expect(symbolFromFileName('prices.csv')).toBeUndefined();
    expect(symbolFromFileName('usdt.csv')).toBeUndefined();
  });
});

describe('inferInterval', () => {
  it('names the smallest gap between candles as a timeframe', () => {
    expect(inferInterval(candles(3, 60_000), 'x')).toBe('1m');
    expect(inferInterval(candles(3, 15 * 60_000), 'x')).toBe('15m');
    expect(inferInterval(candles(3, 4 * hour), 'x')).toBe('4h');
    expect(inferInterval(candles(3, 86_400_000), 'x')).toBe('1d');
    expect(inferInterval(candles(3, 7 * 86_400_000), 'x')).toBe('1w');
    // A gap in the data does not change the interval.
    const gapped = candles(5);
    gapped.splice(2, 1);
    expect(inferInterval(gapped, 'x')).toBe('1h');
  });

  it('says when it cannot tell', () => {
    expect(() => inferInterval(candles(1), 'one.csv')).toThrow(
      'one.csv: needs at least two candles to tell their interval; give --interval',
    );
    expect(() => inferInterval(candles(3, 90_000), 'odd.csv')).toThrow(
      'odd.csv: candles 90000 ms apart are not a whole number of minutes; give --interval',
    );
    expect(() => inferInterval(candles(3, 3600, 1_704_067_200), 'seconds.csv')).toThrow(
      'seconds.csv: candles 3600 ms apart are not a whole number of minutes; it looks like epoch seconds: write milliseconds (1704067200000)',
    );
  });
});

describe('loadCandles from CSV', () => {
  it('loads one symbol per file, in order, the interval from the first', async () => {
    const folder = dir();
    writeFileSync(join(folder, 'SOL-USD.csv'), formatCandlesCsv(candles(10, 4 * hour)));
    writeFileSync(join(folder, 'btc.csv'), formatCandlesCsv(candles(5, 4 * hour)));
    const loaded = await loadCandles({
      ...base,
      source: { kind: 'csv', files: [join(folder, 'SOL-USD.csv'), join(folder, 'btc.csv')] },
      symbols: ['SOL-USD', 'BTC-EUR'],
    });
    expect(loaded.interval).toBe('4h');
    expect([...loaded.candles.keys()]).toEqual(['SOL-USD', 'BTC-EUR']);
    expect(loaded.candles.get('BTC-EUR')).toEqual(candles(5, 4 * hour));
  });

  it('rejects files of another interval, candles off the interval, and two files of one symbol', async () => {
    const folder = dir();
    writeFileSync(join(folder, 'A-USD.csv'), formatCandlesCsv(candles(5)));
    writeFileSync(join(folder, 'B-USD.csv'), formatCandlesCsv(candles(5, 60_000)));
    writeFileSync(join(folder, 'C-USD.csv'), formatCandlesCsv(candles(5, hour, start + 60_000)));
    const files = (...names: string[]) => ({
      kind: 'csv' as const,
      files: names.map((name) => join(folder, name)),
    });
    await expect(loadCandles({ ...base, source: files('A-USD.csv', 'B-USD.csv') })).rejects.toThrow(
      'B-USD.csv: line 3: time 1704067260000 is not the open time of a 1h candle',
    );
    await expect(loadCandles({ ...base, source: files('C-USD.csv') })).rejects.toThrow(
      'C-USD.csv: candle time 1704067260000 is not the open time of a 1h candle',
    );
    await expect(
      loadCandles({ ...base, source: files('A-USD.csv'), interval: '4h' }),
    ).rejects.toThrow('is not the open time of a 4h candle');
    await expect(
      loadCandles({
        ...base,
        source: files('A-USD.csv', 'C-USD.csv'),
        symbols: ['A-USD', 'A-USD'],
      }),
    ).rejects.toThrow('C-USD.csv: A-USD is given by two files; give one file per symbol');
  });
});

describe('loadCandles: bad files are input errors naming --data and the file', () => {
  it('a garbage .gz file, a bad value, a directory', async () => {
    const folder = dir();
    const garbage = join(folder, 'BTC-USD.csv.gz');
    writeFileSync(garbage, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]));
    const load = (file: string) => loadCandles({ ...base, source: { kind: 'csv', files: [file] } });
    await expect(load(garbage)).rejects.toThrow(DataInputError);
    await expect(load(garbage)).rejects.toThrow(
      `--data: ${garbage}: not a gzip file (it starts 0xde 0xad 0xbe 0xef; a gzip file starts 0x1f 0x8b)`,
    );
    const hex = join(folder, 'ETH-USD.csv');
    writeFileSync(hex, `${candleCsvHeader}\n${start},100,0x66,99,101,5\n`);
    await expect(load(hex)).rejects.toThrow(
      `--data: ${hex}: line 2, column 3 (high): "0x66" is not a decimal number`,
    );
    const folderNamed = join(folder, 'SOL-USD.csv');
    mkdirSync(folderNamed);
    await expect(load(folderNamed)).rejects.toThrow(
      `--data: ${folderNamed}: cannot be read (EISDIR: illegal operation on a directory, read)`,
    );
  });
});

describe('loadCandles refuses gaps unless allowed, from every source', () => {
  /** Hourly candles 0..19 and 30..59: 10 missing. */
  const gapped = (): Candle[] => [...candles(20), ...candles(30, hour, start + 30 * hour)];
  const refusal = (field: string, place: string, between: string, fix: string): string =>
    `${field}: 1 gap in the candles (10 missing 1h candles); a backtest over missing candles shifts indicators, fills and stops by the missing time:\n  ${place}: 10 missing 1h candles between ${between}\n${fix}`;

  it('a CSV file: the lines and times around the gap and its length; --allow-gaps runs over it', async () => {
    const file = join(dir(), 'BTC-USD.csv');
    const [head, tail] = [formatCandlesCsv(candles(20)), formatCandlesCsv(gapped().slice(20))];
    writeFileSync(file, `${head}\n${tail.slice(candleCsvHeader.length + 1)}`); // a blank line 22
    const source = { kind: 'csv', files: [file] } as const;
    const error = await loadCandles({ ...base, source }).catch((caught: unknown) => caught);
    expect(DataInputError.isInstance(error) && error.field).toBe('--data');
    expect((error as Error).message).toBe(
      refusal(
        '--data',
        file,
        'line 21 (2024-01-01 19:00) and line 23 (2024-01-02 06:00 UTC)',
        'Fill the missing candles in the file, or pass --allow-gaps to run over them.',
      ),
    );
    const loaded = await loadCandles({ ...base, source: { ...source, allowGaps: true } });
    expect(loaded.candles.get('BTC-USD')).toHaveLength(50);
    expect(loaded.gaps).toEqual([
      {
        symbol: 'BTC-USD',
        timeframe: '1h',
        source: file,
        lastBefore: start + 19 * hour,
        firstAfter: start + 30 * hour,
        missing: 10,
        lines: { before: 21, after: 23 },
      },
    ]);
    expect(loaded.description).toBe(
      `${file}; 1 gap run over with --allow-gaps (10 missing candles)`,
    );
  });

  it('only gaps among the candles the run reads: the warm-up before --from, up to --to', async () => {
    const file = join(dir(), 'BTC-USD.csv');
    writeFileSync(file, formatCandlesCsv(gapped()));
    const source = { kind: 'csv', files: [file] } as const;
    const from = start + 40 * hour;
    const clear = await loadCandles({ ...base, source, from, warmupCandles: 10 });
    expect(clear.gaps).toEqual([]);
    await expect(loadCandles({ ...base, source, from, warmupCandles: 11 })).rejects.toThrow(
      '--data: 1 gap',
    );
    const early = await loadCandles({ ...base, source, to: start + 19 * hour });
    expect(early.gaps).toEqual([]);
  });

  it('a SQLite store: the times around the gap, and fetch-history as the fix', async () => {
    const path = join(dir(), 'store.db');
    const store = await openStore({ path });
    await store.candles.saveCandles('ETH-USD', '1h', gapped());
    await store.close();
    const source = { kind: 'db', path } as const;
    await expect(loadCandles({ ...base, source, symbols: ['ETH-USD'] })).rejects.toThrow(
      refusal(
        '--source-db',
        `${path} ETH-USD`,
        '2024-01-01 19:00 and 2024-01-02 06:00 UTC',
        'Fetch them again with pnpm fetch-history (an exchange outage stays a gap), or pass --allow-gaps to run over them.',
      ),
    );
    const loaded = await loadCandles({
      ...base,
      source: { ...source, allowGaps: true },
      symbols: ['ETH-USD'],
    });
    expect(loaded.gaps?.map((gap) => gap.missing)).toEqual([10]);
  });

  it('the bundled data has no gap: 2024 BTC, ETH and SOL are contiguous', async () => {
    const loaded = await loadCandles({ ...base, source: { kind: 'bundled' } });
    expect(loaded.gaps).toEqual([]);
  });
});

describe('loadCandles from a SQLite store', () => {
  it('reads the symbols asked for, from the warm-up before --from to --to', async () => {
    const path = join(dir(), 'store.db');
    const store = await openStore({ path });
    await store.candles.saveCandles('BTC-USD', '1h', candles(100));
    await store.candles.saveCandles('ETH-USD', '1h', candles(100));
    await store.close();
    const loaded = await loadCandles({
      ...base,
      source: { kind: 'db', path },
      symbols: ['ETH-USD', 'BTC-USD'],
      from: start + 50 * hour,
      to: start + 79 * hour,
      warmupCandles: 20,
    });
    expect(loaded.interval).toBe('1h');
    expect([...loaded.candles.keys()]).toEqual(['ETH-USD', 'BTC-USD']);
    const eth = loaded.candles.get('ETH-USD')!;
    expect(eth[0]?.time).toBe(start + 30 * hour);
    expect(eth.at(-1)?.time).toBe(start + 79 * hour);
    expect(loaded.description).toBe(`${path} (1h)`);
  });

  it('says which symbol is missing and how to fetch it, and when the file does not exist', async () => {
    const path = join(dir(), 'store.db');
    const store = await openStore({ path });
    await store.candles.saveCandles('BTC-USD', '1h', candles(10));
    await store.close();
    await expect(
      loadCandles({ ...base, source: { kind: 'db', path }, symbols: ['BTC-USD'], interval: '4h' }),
    ).rejects.toThrow(
      `--source-db: ${path} holds no BTC-USD 4h candles; fetch them with SYMBOLS=BTC-USD TIMEFRAMES=4h DB_PATH=${path} pnpm fetch-history`,
    );
    await expect(
      loadCandles({ ...base, source: { kind: 'db', path: `${path}.nope` }, symbols: ['BTC-USD'] }),
    ).rejects.toThrow(`--source-db: ${path}.nope: no such file`);
  });
});

describe('loadCandles from the bundled data', () => {
  it('loads every bundled symbol, or those asked for', async () => {
    const all = await loadCandles({ ...base, source: { kind: 'bundled' } });
    expect([...all.candles.keys()]).toEqual(['BTC-USDT', 'ETH-USDT', 'SOL-USDT']);
    expect(all.candles.get('SOL-USDT')).toHaveLength(6002);
    const one = await loadCandles({ ...base, source: { kind: 'bundled' }, symbols: ['ETH-USDT'] });
    expect([...one.candles.keys()]).toEqual(['ETH-USDT']);
    expect(one.description).toBe('the bundled Binance 1h data (ETH-USDT, 2024)');
  });
});

describe('candlePeriod', () => {
  const data = new Map([
    ['BTC-USD', candles(48)],
    ['ETH-USD', candles(24, hour, start + 12 * hour)],
  ] as const);

  it('gives the first and last candle in the period and the candles in it, over every symbol', () => {
    expect(candlePeriod(data, undefined, undefined)).toEqual({
      from: start,
      to: start + 47 * hour,
      candles: 72,
    });
    expect(candlePeriod(data, start + 10 * hour, start + 13 * hour)).toEqual({
      from: start + 10 * hour,
      to: start + 13 * hour,
      candles: 6,
    });
  });

  it('names --from (or --to without a start) and what the data covers when no candle is in it', () => {
    const late = Date.UTC(2025, 0, 1);
    expect(() => candlePeriod(data, late, undefined)).toThrow(
      '--from: no candles between --from and --to; the data covers 2024-01-01 00:00 → 2024-01-02 23:00 UTC',
    );
    expect(() => candlePeriod(data, undefined, start - 1)).toThrow(/^--to: no candles/);
    expect(() => candlePeriod(new Map(), undefined, undefined)).toThrow(DataInputError);
    expect(() => candlePeriod(new Map(), undefined, undefined)).toThrow('the data covers nothing');
  });
});
