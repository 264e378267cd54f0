/**
 * Pure message formats: an {@link AlertEvent} as Telegram HTML, as plain text, and as a Discord
 * embed. No I/O; every value from an event is escaped for its target.
 */
import { escapeHtml, type AlertEvent, type AlertSeverity } from '@lumenlink/core';

/** A Discord embed field. */
export interface DiscordEmbedField {
  readonly name: string;
  readonly value: string;
  readonly inline?: boolean;
}

/** A Discord embed, as posted to a webhook. */
export interface DiscordEmbed {
  readonly title: string;
  readonly description?: string;
  /** RGB colour as an integer (`0x2ecc71`). */
  readonly color: number;
  readonly fields: readonly DiscordEmbedField[];
  /** ISO 8601 time of the event. */
  readonly timestamp: string;
}

/** Embed colours by meaning. */
export const embedColors = {
  good: 0x2ecc71,
  bad: 0xe74c3c,
  warn: 0xf39c12,
  info: 0x3498db,
} as const;

/** A number with up to `digits` decimals and no exponent noise. */
export function formatNumber(value: number, digits = 8): string {
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toFixed(digits)).toString();
}

/** A signed money amount with two decimals: `+12.50`, `-3.10`. */
export function formatSigned(value: number, digits = 2): string {
  const text = Math.abs(value).toFixed(digits);
  return value < 0 ? `-${text}` : `+${text}`;
}

/** The title word and colour of each severity of an `error` event. */
export const severities: Readonly<Record<AlertSeverity, { title: string; color: number }>> = {
  error: { title: 'Error', color: embedColors.bad },
  warning: { title: 'Warning', color: embedColors.warn },
  info: { title: 'Notice', color: embedColors.info },
};

interface Line {
  readonly label: string;
  readonly value: string;
}

interface Parts {
  readonly title: string;
  readonly color: number;
  readonly lines: readonly Line[];
}

function parts(event: AlertEvent): Parts {
  switch (event.type) {
    case 'trade_opened':
      return {
        title: `Trade opened: ${event.side.toUpperCase()} ${event.symbol}`,
        color: embedColors.info,
        lines: [
          { label: 'Quantity', value: formatNumber(event.quantity) },
          { label: 'Price', value: formatNumber(event.price) },
          { label: 'Reason', value: event.reason },
        ],
      };
    case 'trade_closed':
      return {
        title: `Trade closed: ${event.symbol} ${formatSigned(event.pnl)} (${formatSigned(event.pnlPct)}%)`,
        color: event.pnl >= 0 ? embedColors.good : embedColors.bad,
        lines: [
          { label: 'Quantity', value: formatNumber(event.quantity) },
          { label: 'Entry', value: formatNumber(event.entryPrice) },
          { label: 'Exit', value: formatNumber(event.exitPrice) },
          { label: 'P&L', value: `${formatSigned(event.pnl)} (${formatSigned(event.pnlPct)}%)` },
          { label: 'Reason', value: event.reason },
        ],
      };
    case 'trade_resized': {
      const buy = event.side === 'buy';
      return {
        title: `${buy ? 'Added to' : 'Partly sold'}: ${event.side.toUpperCase()} ${event.symbol}`,
        color: embedColors.info,
        lines: [
          { label: 'Quantity', value: formatNumber(event.quantity) },
          { label: 'Price', value: formatNumber(event.price) },
          { label: 'Now held', value: formatNumber(event.held) },
          ...(buy ? [] : [{ label: 'P&L', value: formatSigned(event.pnl) }]),
          { label: 'Reason', value: event.reason },
        ],
      };
    }
    case 'stop_moved':
      return {
        title: `Stop moved: ${event.symbol}`,
        color: embedColors.info,
        lines: [
          { label: 'From', value: formatNumber(event.from) },
          { label: 'To', value: formatNumber(event.to) },
        ],
      };
    case 'risk_blocked':
      return {
        title: `Risk blocked: ${event.side.toUpperCase()} ${event.symbol}`,
        color: embedColors.warn,
        lines: [
          { label: 'Check', value: event.check.name },
          { label: 'Reason', value: event.check.reason },
          { label: 'Value', value: String(event.check.value ?? 'n/a') },
          { label: 'Limit', value: String(event.check.limit ?? 'n/a') },
        ],
      };
    case 'trading_state_changed':
      return {
        title: `Trading state: ${event.from} -> ${event.to}`,
        color:
          event.to === 'active'
            ? embedColors.good
            : event.to === 'halted'
              ? embedColors.bad
              : embedColors.warn,
        lines: [
          { label: 'Reason', value: event.reason },
          { label: 'Changed by', value: event.changedBy },
          ...(event.to === 'halted'
            ? [{ label: 'Warning', value: 'open positions are unprotected' }]
            : []),
        ],
      };
    case 'error': {
      const severity = severities[event.severity ?? 'error'];
      return {
        title: `${severity.title}: ${event.code}`,
        color: severity.color,
        lines: [{ label: 'Message', value: event.message }],
      };
    }
    case 'daily_summary':
      return {
        title: `Daily P&L ${event.day}: ${formatSigned(event.pnl)}`,
        color: event.pnl >= 0 ? embedColors.good : embedColors.bad,
        lines: [
          { label: 'P&L', value: formatSigned(event.pnl) },
          { label: 'Equity', value: event.equity.toFixed(2) },
          { label: 'Trades', value: String(event.trades) },
        ],
      };
  }
}

/**
 * An alert as Telegram HTML (`parse_mode: 'HTML'`): a bold title, then one line per field.
 *
 * @example
 * ```ts
 * await api.sendMessage(chatId, formatTelegramHtml(event), { parse_mode: 'HTML' });
 * ```
 */
export function formatTelegramHtml(event: AlertEvent): string {
  const { title, lines } = parts(event);
  return [
    `<b>${escapeHtml(title)}</b>`,
    // Values are clipped before escaping, so the text stays under Telegram's 4096 characters.
    ...lines.map((line) => `${escapeHtml(line.label)}: ${escapeHtml(clip(line.value, 1000))}`),
  ].join('\n');
}

/** An alert as plain text: the title, then one `Label: value` line per field. */
export function formatPlainText(event: AlertEvent): string {
  const { title, lines } = parts(event);
  return [title, ...lines.map((line) => `${line.label}: ${line.value}`)].join('\n');
}

/** Discord limits: title 256, field name 256, field value 1024 characters. */
function clip(text: string, max: number): string {
  const value = text.length === 0 ? '-' : text;
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** An alert as a Discord embed: title, colour (green gain, red loss or error, amber risk), fields. */
export function formatDiscordEmbed(event: AlertEvent): DiscordEmbed {
  const { title, color, lines } = parts(event);
  return {
    title: clip(title, 256),
    color,
    fields: lines.map((line) => ({
      name: clip(line.label, 256),
      value: clip(line.value, 1024),
      inline: line.label !== 'Reason' && line.label !== 'Message',
    })),
    timestamp: new Date(event.at).toISOString(),
  };
}
