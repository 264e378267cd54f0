/** The parity report as text, the way `pnpm parity` prints it. */
import { formatParityTime } from './numbers.js';
import {
  parityCauses,
  tradeFieldLabels,
  type FieldDifference,
  type ParityReport,
  type ParityTrade,
  type TradeDifference,
  type TradeField,
} from './types.js';

const timeFields: ReadonlySet<TradeField> = new Set([
  'entrySignalTime',
  'entryTime',
  'exitSignalTime',
  'exitTime',
]);

function number(value: number): string {
  return String(Number(value.toPrecision(10)));
}

function signed(value: number): string {
  const text = String(Number(value.toPrecision(6)));
  return value > 0 ? `+${text}` : text;
}

function duration(ms: number): string {
  const sign = ms > 0 ? '+' : '-';
  const size = Math.abs(ms);
  if (size % 3_600_000 === 0) return `${sign}${size / 3_600_000}h`;
  if (size % 60_000 === 0) return `${sign}${size / 60_000}m`;
  return `${sign}${size} ms`;
}

function fieldValue(field: TradeField, value: number | string | null): string {
  if (value === null) return field.startsWith('exit') ? 'open' : '-';
  if (typeof value === 'string') return value;
  return timeFields.has(field) ? formatParityTime(value) : number(value);
}

function fieldLine(difference: FieldDifference): string {
  const { field, bot, backtest, delta } = difference;
  const change = delta === null ? '' : timeFields.has(field) ? duration(delta) : signed(delta);
  return `     ${tradeFieldLabels[field].padEnd(13)} bot ${fieldValue(field, bot).padEnd(17)} backtest ${fieldValue(field, backtest).padEnd(17)} ${change.padEnd(10)} ${difference.cause}: ${difference.note}`;
}

function tradeLine(label: string, trade: ParityTrade): string {
  const exit =
    trade.exitTime === null
      ? 'still open'
      : `exit ${formatParityTime(trade.exitTime)} at ${number(trade.exitPrice ?? 0)} (${trade.exitReason ?? 'exit'})`;
  return `     ${label.padEnd(9)} entry ${formatParityTime(trade.entryTime)} at ${number(trade.entryPrice)}, ${exit}, quantity ${number(trade.quantity)}, fees ${number(trade.fees)}, P&L ${signed(trade.pnl)}`;
}

const kindLabels: Readonly<Record<TradeDifference['kind'], string>> = {
  missing_in_bot: 'missing in bot',
  extra_in_bot: 'extra in bot',
  changed: 'changed',
};

/** The report's header: what was compared, and how many trades each side has. */
function header(report: ParityReport): string[] {
  const { period } = report;
  return [
    `LumenLink parity report for ${report.db}`,
    `  config    ${report.strategy} on ${report.symbols.join(', ')} ${report.interval}; cash ${report.startingCash}, fee ${report.feeBps} bps, slippage ${report.slippageBps} bps`,
    `  candles   ${formatParityTime(period.firstCandle)} to ${formatParityTime(period.to)} UTC: ${report.candles} replayed, warm-up included (end: ${period.toSource})`,
    `  trading   ${period.from === null ? 'from the first candle on, once the strategy is warm' : `from ${formatParityTime(period.from)} (--from)`}`,
    `  bot       ${report.bot.trades} trades from ${report.bot.orders} orders and ${report.bot.fills} fills`,
    `  backtest  ${report.backtest.trades} trades from ${report.backtest.orders} orders and ${report.backtest.fills} fills`,
    `  matched   ${report.matched} trades`,
    ...report.notes.map((note) => `  note      ${note}`),
  ];
}

/** One difference: its heading, then its fields or the two trades with the cause. */
function differenceLines(difference: TradeDifference, index: number): string[] {
  const lines = [
    '',
    `${index + 1}. ${difference.symbol}, signalled ${formatParityTime(difference.time)}: ${kindLabels[difference.kind]} (${difference.cause})`,
  ];
  if (difference.kind === 'changed') return [...lines, ...difference.fields.map(fieldLine)];
  if (difference.backtest !== null) lines.push(tradeLine('backtest', difference.backtest));
  if (difference.bot !== null) lines.push(tradeLine('bot', difference.bot));
  lines.push(`     ${difference.cause}: ${difference.note}`);
  return lines;
}

/**
 * The report as text, the way `pnpm parity` prints it.
 *
 * @example
 * ```ts
 * process.stdout.write(formatParityReport(await runParity(options)));
 * ```
 */
export function formatParityReport(report: ParityReport): string {
  const lines = [...header(report), ''];
  if (report.differences.length === 0) {
    lines.push(
      "No differences: replaying the stored candles through the backtest gives exactly the bot's trades.",
    );
    return `${lines.join('\n')}\n`;
  }
  const counts = parityCauses
    .filter((cause) => report.causes[cause] > 0)
    .map((cause) => `${cause} ${report.causes[cause]}`);
  lines.push(
    `${report.differences.length} ${report.differences.length === 1 ? 'difference' : 'differences'}: ${counts.join(', ')}`,
  );
  report.differences.forEach((difference, index) => {
    lines.push(...differenceLines(difference, index));
  });
  return `${lines.join('\n')}\n`;
}
