import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  candleCloseTime,
  candleOpenTime,
  isCandleAligned,
  isCandleClosed,
  parseTimeframe,
  timeframeMs,
} from './timeframe.js';

const hour = 3_600_000;

describe('timeframes', () => {
  it('parses counts and units and normalises leading whitespace', () => {
    expect(parseTimeframe('1m')).toBe('1m');
    expect(parseTimeframe(' 4h ')).toBe('4h');
    expect(parseTimeframe('1w')).toBe('1w');
  });

  it.each(['', '0h', '1M', '1y', 'h', '01h', '1.5h', '1 h', '-1h'])(
    'rejects %j with a helpful error',
    (text) => {
      expect(() => parseTimeframe(text)).toThrow(ValidationError);
      expect(() => parseTimeframe(text)).toThrow(/1m, 15m, 1h, 4h, 1d or 1w/);
    },
  );

  it('knows each duration', () => {
    expect(timeframeMs('1m')).toBe(60_000);
    expect(timeframeMs('15m')).toBe(900_000);
    expect(timeframeMs('4h')).toBe(4 * hour);
    expect(timeframeMs('1d')).toBe(24 * hour);
    expect(timeframeMs('1w')).toBe(7 * 24 * hour);
  });

  it('aligns times to candle open times', () => {
    const t = Date.UTC(2026, 2, 4, 13, 27, 5);
    expect(candleOpenTime(t, '1h')).toBe(Date.UTC(2026, 2, 4, 13));
    expect(candleOpenTime(t, '4h')).toBe(Date.UTC(2026, 2, 4, 12));
    expect(candleOpenTime(t, '1d')).toBe(Date.UTC(2026, 2, 4));
    expect(candleOpenTime(t, '15m')).toBe(Date.UTC(2026, 2, 4, 13, 15));
  });

  it('opens weekly candles on Monday 00:00 UTC, as exchanges do', () => {
    // 2026-03-04 is a Wednesday; its week opened on Monday 2026-03-02.
    expect(candleOpenTime(Date.UTC(2026, 2, 4, 10), '1w')).toBe(Date.UTC(2026, 2, 2));
    expect(new Date(candleOpenTime(Date.UTC(2026, 2, 8, 23), '1w')).getUTCDay()).toBe(1);
  });

  it('tells closed candles from the forming one', () => {
    const open = Date.UTC(2026, 0, 1, 10);
    expect(candleCloseTime(open, '1h')).toBe(open + hour);
    expect(isCandleClosed(open, '1h', open + hour - 1)).toBe(false);
    expect(isCandleClosed(open, '1h', open + hour)).toBe(true);
    expect(isCandleAligned(open, '1h')).toBe(true);
    expect(isCandleAligned(open + 1, '1h')).toBe(false);
  });
});
