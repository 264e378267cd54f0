import { describe, expect, it } from 'vitest';
import {
  embedColors,
  formatDiscordEmbed,
  formatPlainText,
  formatTelegramHtml,
} from '../src/index.js';
import { sampleEvents } from './helpers.js';

describe('message formats', () => {
  it('escapes HTML in Telegram text and bolds the title', () => {
    const text = formatTelegramHtml(sampleEvents.opened);
    expect(text).toBe(
      '<b>Trade opened: BUY BTC-USD</b>\nQuantity: 0.015\nPrice: 64250.5\nReason: EMA cross &lt;up&gt; &amp; RSI 55',
    );
  });

  it('shows P&L with sign on a closed trade, red on a loss', () => {
    expect(formatPlainText(sampleEvents.closed)).toContain('P&L: -18.76 (-1.95%)');
    const embed = formatDiscordEmbed(sampleEvents.closed);
    expect(embed.color).toBe(embedColors.bad);
    expect(embed.title).toBe('Trade closed: BTC-USD -18.76 (-1.95%)');
    expect(embed.timestamp).toBe('2023-11-14T23:13:20.000Z');
  });

  it('names an add-on buy and a partial sell, with what is held after it', () => {
    expect(formatPlainText(sampleEvents.resized)).toBe(
      'Partly sold: SELL BTC-USD\nQuantity: 0.005\nPrice: 66000\nNow held: 0.01\nP&L: +8.62\nReason: take half off at RSI 75',
    );
    const added = { ...sampleEvents.resized, side: 'buy', pnl: 0, held: 0.02 } as const;
    expect(formatPlainText(added)).toBe(
      'Added to: BUY BTC-USD\nQuantity: 0.005\nPrice: 66000\nNow held: 0.02\nReason: take half off at RSI 75',
    );
  });

  it('formats every alert type as text and embed', () => {
    expect(formatPlainText(sampleEvents.stop)).toBe('Stop moved: ETH-USD\nFrom: 3000\nTo: 3050.25');
    expect(formatPlainText(sampleEvents.blocked)).toContain('Check: daily_loss');
    expect(formatPlainText(sampleEvents.state)).toContain('open positions are unprotected');
    expect(formatPlainText(sampleEvents.error)).toBe('Error: EXCHANGE_DOWN\nMessage: timeout');
    expect(formatPlainText(sampleEvents.daily)).toContain('Daily P&L 2023-11-14: +42.50');
    expect(formatDiscordEmbed(sampleEvents.daily).color).toBe(embedColors.good);
    expect(formatDiscordEmbed(sampleEvents.blocked).fields).toContainEqual({
      name: 'Limit',
      value: '-250',
      inline: true,
    });
  });

  it('titles and colours an error event by its severity: a warning and a notice are no errors', () => {
    const warning = {
      ...sampleEvents.error,
      code: 'SENTIMENT_FEED_DEGRADED',
      severity: 'warning',
    } as const;
    expect(formatPlainText(warning)).toBe('Warning: SENTIMENT_FEED_DEGRADED\nMessage: timeout');
    expect(formatDiscordEmbed(warning).color).toBe(embedColors.warn);
    const notice = { ...sampleEvents.error, code: 'BOT_STARTING', severity: 'info' } as const;
    expect(formatTelegramHtml(notice)).toBe('<b>Notice: BOT_STARTING</b>\nMessage: timeout');
    expect(formatDiscordEmbed(notice).color).toBe(embedColors.info);
    expect(formatDiscordEmbed({ ...sampleEvents.error, severity: 'error' }).color).toBe(
      embedColors.bad,
    );
  });

  it('keeps embed fields inside Discord limits', () => {
    const embed = formatDiscordEmbed({ ...sampleEvents.error, message: 'x'.repeat(5_000) });
    expect(embed.fields[0]?.value).toHaveLength(1024);
    const html = formatTelegramHtml({ ...sampleEvents.error, message: '<'.repeat(5_000) });
    expect(html.length).toBeLessThan(4096);
    expect(html.endsWith('&lt;…')).toBe(true);
  });
});
