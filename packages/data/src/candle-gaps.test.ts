import type { Candle } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { findSeriesGaps, formatGapWarning, formatSeriesGap } from './candle-gaps.js';

const hour = 3_600_000;
const start = Date.UTC(2024, 0, 1);

/** Hourly candles at the given hour offsets from 2024-01-01 00:00 UTC. */
function at(hours: readonly number[]): Candle[] {
  return hours.map((offset) => ({
    time: start + offset * hour,
    open: 100,
    high: 101,
    low: 99,
    close: 100,
    volume: 1,
  }));
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('findSeriesGaps', () => {
  it('finds a run of 10 missing candles: the last candle before, the first after, its length', () => {
    const candles = at([...range(0, 19), ...range(30, 59)]);
    const gaps = findSeriesGaps(candles, '1h', { symbol: 'BTC-USD', source: 'db.sqlite' });
    expect(gaps).toEqual([
      {
        symbol: 'BTC-USD',
        timeframe: '1h',
        source: 'db.sqlite',
        lastBefore: start + 19 * hour,
        firstAfter: start + 30 * hour,
        missing: 10,
      },
    ]);
  });

  it('gives the file lines of the two candles around each gap', () => {
    const candles = at([0, 1, 3, 4, 10]);
    const lines = [2, 3, 5, 6, 9]; // a blank line at 4, two at 7 and 8
    const gaps = findSeriesGaps(candles, '1h', { symbol: 'ETH-USD', source: 'eth.csv', lines });
    expect(gaps.map((gap) => [gap.missing, gap.lines])).toEqual([
      [1, { before: 3, after: 5 }],
      [5, { before: 6, after: 9 }],
    ]);
  });

  it('finds none in contiguous candles, one candle or none', () => {
    const where = { symbol: 'BTC-USD', source: 'x' } as const;
    expect(findSeriesGaps(at(range(0, 99)), '1h', where)).toEqual([]);
    expect(findSeriesGaps(at([5]), '1h', where)).toEqual([]);
    expect(findSeriesGaps([], '1h', where)).toEqual([]);
    expect(findSeriesGaps(at([0, 4, 8]), '4h', where)).toEqual([]);
  });
});

describe('formatSeriesGap and formatGapWarning', () => {
  const inFile = findSeriesGaps(at([...range(0, 19), ...range(30, 31), 33]), '1h', {
    symbol: 'BTC-USD',
    source: '/data/BTC-USD.csv',
    lines: [...range(2, 21), 22, 23, 24],
  });

  it('names the file lines and times around a gap, and how many candles are missing', () => {
    expect(inFile.map(formatSeriesGap)).toEqual([
      '/data/BTC-USD.csv: 10 missing 1h candles between line 21 (2024-01-01 19:00) and line 22 (2024-01-02 06:00 UTC)',
      '/data/BTC-USD.csv: 1 missing 1h candle between line 23 (2024-01-02 07:00) and line 24 (2024-01-02 09:00 UTC)',
    ]);
    const stored = findSeriesGaps(at([0, 3]), '1h', { symbol: 'SOL-USD', source: 'l.db' });
    expect(stored.map(formatSeriesGap)).toEqual([
      'l.db SOL-USD: 2 missing 1h candles between 2024-01-01 00:00 and 2024-01-01 03:00 UTC',
    ]);
  });

  it('lists the gaps run over with --allow-gaps, the first 20 and how many more', () => {
    expect(formatGapWarning(inFile)).toBe(
      [
        '--allow-gaps: running over 2 gaps in the candles (11 missing 1h candles in all); indicators, fills and stops skip the missing time:',
        `  ${formatSeriesGap(inFile[0]!)}`,
        `  ${formatSeriesGap(inFile[1]!)}`,
      ].join('\n'),
    );
    const many = findSeriesGaps(at(range(0, 24).map((i) => i * 2)), '1h', {
      symbol: 'BTC-USD',
      source: 'x.csv',
    });
    expect(many).toHaveLength(24);
    const lines = formatGapWarning(many).split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[0]).toMatch(/^--allow-gaps: running over 24 gaps in the candles \(24 missing/);
    expect(lines.at(-1)).toBe('  ... and 4 more gaps');
  });
});
