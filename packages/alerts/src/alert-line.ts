/**
 * An alert as one console line, for a terminal that follows a run (the bot's demo): every fill
 * in columns (time, side, symbol, quantity, price, what it did to the trade), then its reason or
 * message in full, wrapped under itself when a width is given.
 */
import type { AlertEvent } from '@lumenlink/core';

/** Options of {@link formatAlertLine}. */
export interface AlertLineOptions {
  /**
   * Wrap the text (reason, message) to this many columns, continuing under where it starts
   * (a terminal's `columns`). Default: no wrapping, one line per alert (a file or a pipe).
   */
  readonly width?: number;
}

/** The text column needs this many characters to stay beside the columns; else it indents 4. */
const minTextWidth = 40;

/**
 * An alert as a console line: a fill as `time  SIDE  symbol  quantity @ price  effect  text`,
 * where the effect is `open`, `add` (a buy onto an open trade), `part` (a partial sell) or
 * `close`, and the text is the order's reason in full, after what is held and the P&L where they
 * apply. Other alerts are the time, a label and their text. Times are UTC.
 *
 * @example
 * ```ts
 * formatAlertLine(event);
 * // 2024-01-27 06:00  SELL  SOL-USDT      2.01565 @      91.55  close  P&L +6.99 (+3.95%) · trailing stop hit at 91.55
 * formatAlertLine(event, { width: process.stdout.columns });
 * ```
 */
export function formatAlertLine(event: AlertEvent, options: AlertLineOptions = {}): string {
  const [head, text] = lineParts(event);
  const prefix = `${new Date(event.at).toISOString().slice(0, 16).replace('T', ' ')}  ${head}`;
  return wrap(prefix, text, options.width);
}

function lineParts(event: AlertEvent): [head: string, text: string] {
  switch (event.type) {
    case 'trade_opened':
      return [fillColumns(event, 'open'), event.reason];
    case 'trade_resized': {
      const held = `holds ${quantity(event.held)}`;
      return event.side === 'buy'
        ? [fillColumns(event, 'add'), `${held} · ${event.reason}`]
        : [fillColumns(event, 'part'), `P&L ${signed(event.pnl)}, ${held} · ${event.reason}`];
    }
    case 'trade_closed': {
      const fill = { side: 'sell', price: event.exitPrice, ...event } as const;
      const pnl = `P&L ${signed(event.pnl)} (${signed(event.pnlPct)}%)`;
      return [fillColumns(fill, 'close'), `${pnl} · ${event.reason}`];
    }
    case 'stop_moved':
      return ['STOP  ', `${event.symbol} ${price(event.from)} -> ${price(event.to)}`];
    case 'risk_blocked':
      return [
        `BLOCK ${event.side.toUpperCase()} ${event.symbol} `,
        `${event.check.name}: ${event.check.reason}`,
      ];
    case 'trading_state_changed':
      return [
        `trading ${event.from} -> ${event.to} by ${event.changedBy}: `,
        event.to === 'halted' ? `${event.reason} (open positions are unprotected)` : event.reason,
      ];
    case 'error':
      return [`error ${event.code}: `, event.message];
    case 'daily_summary':
      return [
        `daily ${event.day}: `,
        `P&L ${signed(event.pnl)}, equity ${money(event.equity)}, ${event.trades} trades`,
      ];
  }
}

interface FillFields {
  readonly side: 'buy' | 'sell';
  readonly symbol: string;
  readonly quantity: number;
  readonly price: number;
}

function fillColumns(fill: FillFields, effect: string): string {
  const side = fill.side.toUpperCase().padEnd(5);
  return `${side} ${fill.symbol.padEnd(9)} ${quantity(fill.quantity).padStart(11)} @ ${price(fill.price).padStart(10)}  ${effect.padEnd(5)}  `;
}

/**
 * `prefix` + `text`, the text wrapped at spaces to `width` and continued under its first column;
 * when the prefix leaves it too little room, the text goes on the lines below, indented 4.
 */
function wrap(prefix: string, text: string, width: number | undefined): string {
  if (width === undefined || !(width > 0) || prefix.length + text.length <= width) {
    return `${prefix}${text}`;
  }
  const beside = width - prefix.length >= minTextWidth;
  const indent = beside ? prefix.length : 4;
  const lines = wrapWords(text, Math.max(width - indent, 1));
  const pad = ' '.repeat(indent);
  const body = lines.map((line, index) => (beside && index === 0 ? line : `${pad}${line}`));
  return beside ? `${prefix}${body.join('\n')}` : [prefix.trimEnd(), ...body].join('\n');
}

/** `text` in lines of at most `room` characters, broken at spaces (a longer word is cut). */
function wrapWords(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    let rest = word;
    while (rest.length > room) {
      if (line !== '') lines.push(line);
      lines.push(rest.slice(0, room));
      line = '';
      rest = rest.slice(room);
    }
    if (rest === '') continue;
    if (line === '') line = rest;
    else if (line.length + 1 + rest.length <= room) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function quantity(value: number): string {
  const text = value.toPrecision(6);
  return text.includes('.') && !text.includes('e')
    ? text.replace(/0+$/, '').replace(/\.$/, '')
    : text;
}

/** A price with decimals to its scale: `64,210.50`, `3.1416`, `0.00012345`. */
function price(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 2 : magnitude >= 1 ? 4 : 8;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: Math.min(digits, 2),
    maximumFractionDigits: digits,
  });
}

function money(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${money(value)}`;
}
