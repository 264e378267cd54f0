import { describe, expect, it } from 'vitest';
import { editDistance, suggestConfigKey, unknownKeyIssues } from './unknown-keys.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', '', 3],
    ['POSITON', 'POSITION', 1],
    ['MAX', 'MXA', 1],
    ['kitten', 'sitting', 3],
  ])('%j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('suggestConfigKey', () => {
  it.each([
    ['RISK_MAX_POSITON_USD', 'RISK_MAX_POSITION_USD'],
    ['RISK_MAX_POSITION', 'RISK_MAX_POSITION_USD'],
    ['TELEGRAM_CHAT_ID', 'TELEGRAM_CHAT_IDS'],
    ['GAURD_MAX_SPREAD_BPS', 'GUARD_MAX_SPREAD_BPS'],
    ['paper_fee_bps', 'PAPER_FEE_BPS'],
    ['HTTP_TOKN', 'HTTP_TOKEN'],
  ])('suggests %s for %s', (typo, key) => {
    expect(suggestConfigKey(typo)).toBe(key);
  });

  it('suggests nothing for an unrelated key', () => {
    expect(suggestConfigKey('RISK_FOO')).toBeUndefined();
    expect(suggestConfigKey('DATA_DIRECTORY')).toBeUndefined();
  });
});

describe('unknownKeyIssues', () => {
  it('flags only keys of our families', () => {
    expect(
      unknownKeyIssues({
        DEMO_SPEEED: '2',
        SIGNAL_COOLDOWN: '10',
        LOG_FORMAT: 'json',
        EXCHANGE: 'binance',
      }).map((issue) => issue.key),
    ).toEqual(['DEMO_SPEEED', 'SIGNAL_COOLDOWN']);
  });

  it('does not flag a lower-case key that reads the same value (Windows env)', () => {
    expect(unknownKeyIssues({ mode: 'live', MODE: 'live' })).toEqual([]);
  });
});
