import { describe, expect, it } from 'vitest';
import { commandHint, editDistance, escapeHtml, shellQuote } from './text.js';

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>P&L</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;P&amp;L&lt;/a&gt;',
    );
  });

  it('escapes an ampersand once, so entities in the input stay visible as text', () => {
    expect(escapeHtml('&lt; 5')).toBe('&amp;lt; 5');
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('BTC-USD +12.50 ✓')).toBe('BTC-USD +12.50 ✓');
    expect(escapeHtml('')).toBe('');
  });
});

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

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest so a POSIX shell reads them back', () => {
    expect(shellQuote('strategies/my-idea.ts')).toBe('strategies/my-idea.ts');
    expect(shellQuote('fastPeriod=12,slow:26@x%')).toBe('fastPeriod=12,slow:26@x%');
    expect(shellQuote('{"fastPeriod":12}')).toBe(`'{"fastPeriod":12}'`);
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('')).toBe(`''`);
  });
});

describe('commandHint', () => {
  it('names the wrapper the user ran, or pnpm', () => {
    expect(commandHint('backtest', { LUMENLINK_RUNNER: './lumenlink' })).toBe(
      './lumenlink backtest',
    );
    expect(commandHint('demo --speed 50', { LUMENLINK_RUNNER: '/home/me/my bot/lumenlink' })).toBe(
      "'/home/me/my bot/lumenlink' demo --speed 50",
    );
    expect(commandHint('backtest', {})).toBe('pnpm backtest');
    expect(commandHint('backtest', { LUMENLINK_RUNNER: ' ' })).toBe('pnpm backtest');
  });
});
