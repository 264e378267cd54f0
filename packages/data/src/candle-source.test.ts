import { describe, expect, it } from 'vitest';
import { candleSourceOf, type CandleSourceFlags } from './candle-source.js';
import { DataInputError } from './input-error.js';

const none: CandleSourceFlags = {
  data: undefined,
  sourceDb: undefined,
  symbols: undefined,
  symbolFlag: '--symbols',
  interval: undefined,
  allowGaps: false,
};

describe('candleSourceOf', () => {
  it('reads --data files, --source-db, or the bundled data, with --allow-gaps', () => {
    expect(candleSourceOf(none)).toEqual({ kind: 'bundled' });
    expect(candleSourceOf({ ...none, data: ['a.csv', 'b.csv'], allowGaps: true })).toEqual({
      kind: 'csv',
      files: ['a.csv', 'b.csv'],
      allowGaps: true,
    });
    expect(candleSourceOf({ ...none, sourceDb: 'l.db', symbols: ['BTC-USD'] })).toEqual({
      kind: 'db',
      path: 'l.db',
    });
    expect(candleSourceOf({ ...none, symbols: ['ETH-USDT'], interval: '1h' })).toEqual({
      kind: 'bundled',
    });
  });

  it.each<[Partial<CandleSourceFlags>, string]>([
    [
      { data: ['a.csv'], sourceDb: 'x.db' },
      '--source-db: give candles either from --data files or from --source-db, not both',
    ],
    [{ data: [' '] }, '--data: is empty. Accepted: a CSV file path'],
    [
      { data: ['a.csv', 'b.csv'], symbols: ['BTC-USD'], symbolFlag: '--symbol' },
      '--symbol: names 1 symbol(s) for 2 --data file(s): give one symbol per file, in the same order, or leave it out to name each by its file',
    ],
    [
      { sourceDb: 'x.db' },
      '--source-db: needs --symbols (or --symbol): which stored symbols to run on',
    ],
    [{ sourceDb: '', symbols: ['BTC-USD'] }, '--source-db: is empty. Accepted: a SQLite file path'],
    [
      { symbols: ['DOGE-USDT'] },
      "--symbols: no bundled data for DOGE-USDT: the bundled symbols are BTC-USDT, ETH-USDT, SOL-USDT; give other symbols' candles with --data FILE or --source-db FILE",
    ],
    [
      { interval: '4h' },
      '--interval: the bundled data is 1h only; give 4h candles with --data FILE or --source-db FILE',
    ],
  ])('names the flag at fault: %j', (flags, message) => {
    expect(() => candleSourceOf({ ...none, ...flags })).toThrow(DataInputError);
    expect(() => candleSourceOf({ ...none, ...flags })).toThrow(message);
  });
});
