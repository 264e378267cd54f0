import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DataIntegrityError,
  seededRandom,
  ValidationError,
  type Candle,
  type Timeframe,
} from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../test/temp-dir.js';
import { hour, hourlyCandles, t0 } from './__fixtures__/domain.js';
import {
  candleCsvHeader,
  exportCandlesCsv,
  formatCandlesCsv,
  importCandlesCsv,
  parseCandlesCsv,
  readCandlesCsv,
  writeCandlesCsv,
} from './csv.js';
import { openStore, type LumenLinkStore } from './open-store.js';

/** Candles with awkward numbers: long fractions, tiny and huge values, zero volume. */
const awkward: Candle[] = [
  { time: t0, open: 0.1 + 0.2, high: 1 / 3 + 1, low: 1e-8, close: 0.30000000000000004, volume: 0 },
  {
    time: t0 + hour,
    open: 42_283.58,
    high: 73_777,
    low: 42_261.02,
    close: 42_475.23,
    volume: 1271.68108,
  },
  { time: t0 + 2 * hour, open: 1e21, high: 2e21, low: 5e20, close: 1.5e21, volume: 123456789.123 },
];

function csv(...rows: string[]): string {
  return [candleCsvHeader, ...rows].join('\n');
}

describe('parseCandlesCsv and formatCandlesCsv', () => {
  it('round-trip every number exactly', () => {
    const text = formatCandlesCsv(awkward);
    expect(text.startsWith(`${candleCsvHeader}\n`)).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseCandlesCsv(text, { timeframe: '1h' })).toEqual(awkward);
    expect(formatCandlesCsv([])).toBe(`${candleCsvHeader}\n`);
    expect(parseCandlesCsv(formatCandlesCsv([]))).toEqual([]);
  });

  it('accepts CRLF line ends, a byte order mark, spaces and blank lines', () => {
    const text = `\uFEFF${formatCandlesCsv(awkward).replaceAll('\n', '\r\n')}\r\n\r\n`;
    expect(parseCandlesCsv(text)).toEqual(awkward);
    expect(parseCandlesCsv(csv(' 1704067200000 , 1, 2, 0.5, 1.5, 10 '))).toEqual([
      { time: t0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ]);
  });

  it('checks the header', () => {
    expect(() =>
      parseCandlesCsv('timestamp,open,high,low,close,volume\n1,1,1,1,1,1', { source: 'btc.csv' }),
    ).toThrow(/btc\.csv: line 1 must be the header "time,open,high,low,close,volume"/);
    expect(() =>
      parseCandlesCsv('<html><body>Not Found</body></html>', { source: 'btc.csv' }),
    ).toThrow('got "<html><body>Not Found</body></html>"');
    expect(() => parseCandlesCsv('TIME,Open,High,Low,Close,Volume\n')).not.toThrow();
  });

  it.each([
    [
      'a missing field',
      '1704070800000,1,2,0.5,1.5',
      /line 3: expected 6 comma-separated fields \(time,open,high,low,close,volume\), got 5$/,
    ],
    [
      'a thousands separator',
      '1704070800000,1,000,2,0.5,1.5,1',
      /line 3: expected 6 comma-separated fields .*, got 7; write numbers without thousands separators \(1000, not 1,000\) and with a decimal point \(1.5, not 1,5\)$/,
    ],
    ['high below low', '1704070800000,1,0.5,2,1,1', /line 3: low 2 is above high 0\.5/],
    ['a negative volume', '1704070800000,1,2,0.5,1.5,-1', /line 3: volume -1/],
  ])('names the line of a bad row: %s', (_name, row, message) => {
    const text = csv('1704067200000,1,2,0.5,1.5,1', row);
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(DataIntegrityError);
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(message);
  });

  const decimals =
    'write prices and volume as plain decimals such as 42283.58 or 1.5e-7 (no hex, Infinity, NaN, thousands separators, quotes or empty fields)';
  it.each([
    [2, 'open', '0x64'],
    [3, 'high', '0x66'],
    [4, 'low', '0b1100011'],
    [5, 'close', '0o144'],
    [6, 'volume', '0xA'],
    [3, 'high', 'Infinity'],
    [4, 'low', '-Infinity'],
    [5, 'close', 'NaN'],
    [2, 'open', 'abc'],
    [2, 'open', '1_000'],
    [2, 'open', '1 000'],
    [2, 'open', '"100"'],
    [6, 'volume', '1e'],
    [6, 'volume', '.'],
    [6, 'volume', '--1'],
  ])('names the line, column %i (%s) and the fix for %j', (column, name, value) => {
    const fields = ['1704070800000', '100', '102', '99', '101', '5'];
    fields[column - 1] = value;
    const text = csv('1704067200000,100,102,99,101,5', fields.join(','));
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(DataIntegrityError);
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(
      `btc.csv: line 3, column ${column} (${name}): ${JSON.stringify(value)} is not a decimal number; ${decimals}`,
    );
  });

  it('names an empty field', () => {
    const text = csv('1704067200000,100,102,99,101,5', '1704070800000,100,102,99,,5');
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(
      `btc.csv: line 3, column 5 (close): is empty; ${decimals}`,
    );
  });

  it('reads plain decimals with a sign, a point and an exponent, as exchanges and formatCandlesCsv write them', () => {
    const text = csv('1704067200000,+100,1.02E2,99.,.1e3,5e-7', '1704070800000, 100 ,102,99,101,0');
    expect(parseCandlesCsv(text, { timeframe: '1h' })).toEqual([
      { time: t0, open: 100, high: 102, low: 99, close: 100, volume: 5e-7 },
      { time: t0 + hour, open: 100, high: 102, low: 99, close: 101, volume: 0 },
    ]);
  });

  const epochMs =
    'write the candle open time as whole milliseconds since 1970-01-01 UTC, such as 1704067200000';
  it.each([
    ['0x18CC6E5F400', ''],
    ['1.7040708e12', ''],
    ['1704070800000.5', ''],
    ['+1704070800000', ''],
    ['-1', ''],
    ['Infinity', ''],
    ['', ''],
    ['2024-01-01T01:00:00Z', ' ("2024-01-01T01:00:00Z" is 1704070800000)'],
    ['2024-01-01 01:00', ' ("2024-01-01 01:00" is 1704070800000)'],
  ])('refuses the time %j, naming the fix', (time, hint) => {
    const text = csv('1704067200000,100,102,99,101,5', `${time},100,102,99,101,5`);
    const got = time === '' ? 'is empty' : `${JSON.stringify(time)} is not epoch milliseconds`;
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(
      `btc.csv: line 3, column 1 (time): ${got}; ${epochMs}${hint}`,
    );
  });

  it('says when times look like microseconds or seconds', () => {
    const micro = csv('1704067200000000,100,102,99,101,5');
    expect(() => parseCandlesCsv(micro, { source: 'btc.csv' })).toThrow(
      'btc.csv: line 2, column 1 (time): 1704067200000000 is after the year 9999: it looks like microseconds; write milliseconds (1704067200000)',
    );
    const nano = csv('1704067200000000000,100,102,99,101,5');
    expect(() => parseCandlesCsv(nano, { source: 'btc.csv' })).toThrow(
      'it looks like nanoseconds; write milliseconds (1704067200000)',
    );
    const seconds = csv('1704067200,100,102,99,101,5', '1704070800,100,102,99,101,5');
    expect(() => parseCandlesCsv(seconds, { source: 'btc.csv', timeframe: '1h' })).toThrow(
      'btc.csv: line 2: time 1704067200 is not the open time of a 1h candle; it looks like epoch seconds: write milliseconds (1704067200000)',
    );
  });

  it('says when the text is empty or binary', () => {
    expect(() => parseCandlesCsv('', { source: 'empty.csv' })).toThrow(
      `empty.csv: line 1 must be the header "${candleCsvHeader}" (time = candle open time in epoch ms), got nothing: the file is empty`,
    );
    expect(() => parseCandlesCsv('\u0000\u0001\u0002abc', { source: 'x.csv' })).toThrow(
      `x.csv: is not CSV text: line 1, character 1 is U+0000 (binary data); expected the header "${candleCsvHeader}" and one candle per line`,
    );
    expect(() =>
      parseCandlesCsv(`${candleCsvHeader}\n1704067200000,1,2,0.5,1.5,\uFFFD`, { source: 'x.csv' }),
    ).toThrow('x.csv: is not CSV text: line 2, character 27 is U+FFFD (binary data)');
  });

  it('rejects unsorted and duplicate times', () => {
    const unsorted = csv('1704070800000,1,2,0.5,1.5,1', '1704067200000,1,2,0.5,1.5,1');
    expect(() => parseCandlesCsv(unsorted)).toThrow(
      /CSV: line 3: time 1704067200000 does not come after 1704070800000; sort the file/,
    );
    const duplicate = csv('1704067200000,1,2,0.5,1.5,1', '1704067200000,1,2,0.5,1.5,1');
    expect(() => parseCandlesCsv(duplicate)).toThrow(/line 3: .*remove duplicates/);
  });

  it('rejects times that are not open times of the timeframe', () => {
    const text = csv('1704067200000,1,2,0.5,1.5,1', '1704069000000,1,2,0.5,1.5,1');
    expect(parseCandlesCsv(text)).toHaveLength(2);
    expect(parseCandlesCsv(text, { timeframe: '30m' })).toHaveLength(2);
    expect(() => parseCandlesCsv(text, { timeframe: '1h' })).toThrow(
      /line 3: time 1704069000000 is not the open time of a 1h candle/,
    );
  });
});

describe('CSV files', () => {
  const temp = useTempDir();
  let store: LumenLinkStore;

  beforeEach(async () => {
    store = await openStore({ path: ':memory:' });
  });

  afterEach(async () => {
    await store.close();
  });

  it('writes and reads plain and gzip files', async () => {
    const plain = path.join(temp.dir(), 'btc.csv');
    const gzipped = path.join(temp.dir(), 'btc.csv.gz');
    await writeCandlesCsv(plain, awkward);
    await writeCandlesCsv(gzipped, awkward);
    expect(readFileSync(plain, 'utf8')).toBe(formatCandlesCsv(awkward));
    expect(gunzipSync(readFileSync(gzipped)).toString('utf8')).toBe(formatCandlesCsv(awkward));
    expect(await readCandlesCsv(plain, { timeframe: '1h' })).toEqual(awkward);
    expect(await readCandlesCsv(gzipped)).toEqual(awkward);
  });

  it('names a .gz file that is not gzip, with its first bytes and what to do', async () => {
    const random = seededRandom(21);
    const noise = Array.from({ length: 300 }, () => Math.floor(random() * 256));
    const cases: [string, Buffer, string][] = [
      [
        'garbage.csv.gz',
        Buffer.from([0xde, 0xad, 0xbe, 0xef, ...noise]),
        'not a gzip file (it starts 0xde 0xad 0xbe 0xef; a gzip file starts 0x1f 0x8b): download or copy it again',
      ],
      [
        'zipped.csv.gz',
        Buffer.from([0x50, 0x4b, 0x03, 0x04, ...noise]),
        'not a gzip file (it starts 0x50 0x4b 0x03 0x04; a gzip file starts 0x1f 0x8b): it is a zip archive: unzip it and give the CSV inside',
      ],
      [
        'plain.csv.gz',
        Buffer.from(formatCandlesCsv(hourlyCandles(3))),
        'not a gzip file (it starts 0x74 0x69 0x6d 0x65; a gzip file starts 0x1f 0x8b): it is plain text: rename it without .gz',
      ],
      ['empty.csv.gz', Buffer.alloc(0), 'is empty (0 bytes); expected gzip-compressed CSV'],
    ];
    for (const [name, bytes, problem] of cases) {
      const file = path.join(temp.dir(), name);
      writeFileSync(file, bytes);
      await expect(readCandlesCsv(file)).rejects.toThrow(DataIntegrityError);
      await expect(readCandlesCsv(file)).rejects.toThrow(`${file}: ${problem}`);
    }
  });

  it('names a truncated or corrupt gzip file', async () => {
    const whole = gzipSync(formatCandlesCsv(hourlyCandles(500)));
    const truncated = path.join(temp.dir(), 'truncated.csv.gz');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(readCandlesCsv(truncated)).rejects.toThrow(
      `${truncated}: truncated gzip: the compressed data ends early (zlib: unexpected end of file); download or copy it again`,
    );
    const corrupt = path.join(temp.dir(), 'corrupt.csv.gz');
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 8]! ^= 0xff; // the CRC-32 of the trailer
    writeFileSync(corrupt, flipped);
    await expect(readCandlesCsv(corrupt)).rejects.toThrow(
      `${corrupt}: corrupt gzip data (zlib: incorrect data check); download or copy it again`,
    );
  });

  it('names a gzip file of binary data, and reads gzip content whatever the name', async () => {
    const random = seededRandom(12);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const binary = path.join(temp.dir(), 'binary.csv.gz');
    const noise = Array.from({ length: 500 }, () => Math.floor(random() * 256));
    writeFileSync(binary, gzipSync(Buffer.concat([png, Buffer.from(noise)])));
    await expect(readCandlesCsv(binary)).rejects.toThrow(
      `${binary}: is not CSV text: line 1, character 1 is U+FFFD (binary data)`,
    );
    const misnamed = path.join(temp.dir(), 'btc.csv');
    writeFileSync(misnamed, gzipSync(formatCandlesCsv(awkward)));
    expect(await readCandlesCsv(misnamed)).toEqual(awkward);
  });

  it('imports a file into the store once, and names the file and line of a bad row', async () => {
    const file = path.join(temp.dir(), 'btc.csv');
    const candles = hourlyCandles(50);
    writeFileSync(file, formatCandlesCsv(candles));
    expect(await importCandlesCsv(file, store.candles, 'BTC-USD', '1h')).toEqual({
      rows: 50,
      stored: 50,
    });
    expect(await importCandlesCsv(file, store.candles, 'BTC-USD', '1h')).toEqual({
      rows: 50,
      stored: 0,
    });
    expect(await store.candles.getRecentCandles('BTC-USD', '1h', 100)).toEqual(candles);

    const bad = path.join(temp.dir(), 'bad.csv');
    writeFileSync(
      bad,
      `${formatCandlesCsv(hourlyCandles(3, t0, 500))}${t0 + 3 * hour},1,2,3,4,5\n`,
    );
    await expect(importCandlesCsv(bad, store.candles, 'ETH-USD', '1h')).rejects.toThrow(
      `${bad}: line 5: low 3 is above high 2`,
    );
    expect(await store.candles.latestCandleTime('ETH-USD', '1h')).toBeNull();
    await expect(
      importCandlesCsv(file, store.candles, 'BTC-USD', '1x' as Timeframe),
    ).rejects.toThrow(ValidationError);
  });

  it('exports stored candles, all of them or a range, and the export imports back', async () => {
    const candles = hourlyCandles(24);
    await store.candles.saveCandles('BTC-USD', '1h', candles);
    const all = path.join(temp.dir(), 'all.csv');
    const part = path.join(temp.dir(), 'part.csv.gz');
    expect(await exportCandlesCsv(all, store.candles, 'BTC-USD', '1h')).toBe(24);
    expect(readFileSync(all, 'utf8')).toBe(formatCandlesCsv(candles));
    expect(
      await exportCandlesCsv(part, store.candles, 'BTC-USD', '1h', t0 + 5 * hour, t0 + 9 * hour),
    ).toBe(5);
    expect(await readCandlesCsv(part)).toEqual(candles.slice(5, 10));
    expect(
      await exportCandlesCsv(path.join(temp.dir(), 'none.csv'), store.candles, 'SOL-USD', '1h'),
    ).toBe(0);

    expect(await importCandlesCsv(all, store.candles, 'BTC-EUR', '1h')).toEqual({
      rows: 24,
      stored: 24,
    });
    expect(await store.candles.getRecentCandles('BTC-EUR', '1h', 100)).toEqual(candles);
  });
});
