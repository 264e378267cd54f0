import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marketContextFrom, parseSentiment, readSentimentFile } from './sentiment-file.js';

const day = 86_400_000;

describe('parseSentiment', () => {
  it('reads our array of readings, sorted by time', () => {
    expect(
      parseSentiment(
        [
          { time: 2 * day, value: 70, classification: 'Greed' },
          { time: day, value: 20, classification: 'Extreme Fear' },
        ],
        'fng.json',
      ),
    ).toEqual([
      { time: day, value: 20, classification: 'Extreme Fear' },
      { time: 2 * day, value: 70, classification: 'Greed' },
    ]);
  });

  it("reads alternative.me's /fng/ response (strings, epoch seconds, newest first)", () => {
    const body = {
      name: 'Fear and Greed Index',
      data: [
        { value: '55', value_classification: 'Greed', timestamp: '1704153600' },
        {
          value: '40',
          value_classification: 'Fear',
          timestamp: '1704067200',
          time_until_update: '3600',
        },
      ],
      metadata: { error: null },
    };
    expect(parseSentiment(body, 'fng.json')).toEqual([
      { time: 1704067200000, value: 40, classification: 'Fear' },
      { time: 1704153600000, value: 55, classification: 'Greed' },
    ]);
  });

  it('names the file and the reading at fault', () => {
    expect(() => parseSentiment([{ time: 1.5, value: 1, classification: 'x' }], 'f.json')).toThrow(
      '--sentiment: f.json: reading 0: time 1.5 is not epoch ms.',
    );
    expect(() => parseSentiment([{ time: 1, value: 101, classification: 'x' }], 'f.json')).toThrow(
      '--sentiment: f.json: reading 0: value 101 is not a number from 0 to 100.',
    );
    expect(() => parseSentiment([{ time: 1, value: 1, classification: '' }], 'f.json')).toThrow(
      '--sentiment: f.json: reading 0: classification "" is not a label such as "Fear".',
    );
    expect(() => parseSentiment(['x'], 'f.json')).toThrow('reading 0 is not an object');
    expect(() => parseSentiment({ readings: [] }, 'f.json')).toThrow(
      '--sentiment: f.json: a JSON array of { "time": epoch ms',
    );
    expect(() =>
      parseSentiment({ data: [{ value: 'high' }], metadata: { error: null } }, 'f.json'),
    ).toThrow('--sentiment: f.json: not a valid alternative.me response at data.0.value');
    expect(() =>
      parseSentiment(
        [
          { time: 5, value: 1, classification: 'a' },
          { time: 5, value: 2, classification: 'b' },
        ],
        'f.json',
      ),
    ).toThrow('--sentiment: f.json: two readings at time 5; give one per time');
  });
});

describe('readSentimentFile', () => {
  it('reads a file, and says when it is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-sentiment-'));
    writeFileSync(
      join(dir, 'ok.json'),
      JSON.stringify([{ time: 0, value: 50, classification: 'Neutral' }]),
    );
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    await expect(readSentimentFile(join(dir, 'ok.json'))).resolves.toHaveLength(1);
    await expect(readSentimentFile(join(dir, 'bad.json'))).rejects.toThrow(
      `--sentiment: ${join(dir, 'bad.json')}: not JSON`,
    );
    await expect(readSentimentFile(join(dir, 'none.json'))).rejects.toThrow('cannot be read');
  });
});

describe('marketContextFrom', () => {
  it('gives the latest reading at or before the time, nothing before the first', () => {
    const context = marketContextFrom([
      { time: day, value: 10, classification: 'Extreme Fear' },
      { time: 2 * day, value: 50, classification: 'Neutral' },
      { time: 3 * day, value: 90, classification: 'Extreme Greed' },
    ]);
    expect(context(day - 1)).toBeUndefined();
    expect(context(day)).toEqual({
      fearGreed: { value: 10, classification: 'Extreme Fear', updatedAt: day },
    });
    expect(context(2 * day + 5)?.fearGreed?.value).toBe(50);
    expect(context(3 * day - 1)?.fearGreed?.value).toBe(50);
    expect(context(30 * day)?.fearGreed).toEqual({
      value: 90,
      classification: 'Extreme Greed',
      updatedAt: 3 * day,
    });
    expect(marketContextFrom([])(day)).toBeUndefined();
  });
});
