import { describe, expect, it } from 'vitest';
import { parseTimeText } from './time-text.js';

describe('parseTimeText', () => {
  it('reads epoch ms, ISO dates and ISO date-times (UTC unless an offset is given)', () => {
    expect(parseTimeText('--from', '1704067200000', 'start')).toBe(1704067200000);
    expect(parseTimeText('--from', '2024-03-01', 'start')).toBe(Date.UTC(2024, 2, 1));
    expect(parseTimeText('--from', '2024-03-01T12:30', 'start')).toBe(Date.UTC(2024, 2, 1, 12, 30));
    expect(parseTimeText('--from', '2024-03-01 12:30:15.5', 'start')).toBe(
      Date.UTC(2024, 2, 1, 12, 30, 15, 500),
    );
    expect(parseTimeText('--from', '2024-03-01T12:00:00Z', 'start')).toBe(Date.UTC(2024, 2, 1, 12));
    expect(parseTimeText('--from', '2024-03-01T12:00+02:00', 'start')).toBe(
      Date.UTC(2024, 2, 1, 10),
    );
    expect(parseTimeText('--from', '2024-03-01T01:00-0230', 'start')).toBe(
      Date.UTC(2024, 2, 1, 3, 30),
    );
  });

  it('takes a bare date as the whole day for --to', () => {
    expect(parseTimeText('--to', '2024-03-31', 'end')).toBe(Date.UTC(2024, 3, 1) - 1);
    expect(parseTimeText('--to', '2024-03-31T00:00', 'end')).toBe(Date.UTC(2024, 2, 31));
  });

  it('names the flag for text that is not a time or not a real date', () => {
    expect(() => parseTimeText('--from', 'last week', 'start')).toThrow(
      '--from: "last week" is not a time. Accepted: an ISO date',
    );
    expect(() => parseTimeText('--to', '2023-02-29', 'end')).toThrow(
      '--to: "2023-02-29" is not a real date.',
    );
    expect(() => parseTimeText('--to', '2024-13-01', 'end')).toThrow('is not a real date');
    expect(() => parseTimeText('--to', '2024-01-01T25:00', 'end')).toThrow('is not a real date');
    expect(parseTimeText('--to', '2024-02-29', 'start')).toBe(Date.UTC(2024, 1, 29));
  });
});
