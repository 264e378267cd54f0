import type { BacktestMetrics } from './metrics.js';
import {
  blockedRows,
  metricSections,
  settingRows,
  type ReportRow,
  type ReportSection,
} from './rows.js';
import type { ReportInput } from './types.js';

/** How to print the summary. */
export interface SummaryOptions {
  /** ANSI colours and bold headings; pass `process.stdout.isTTY === true`. Default: none. */
  readonly color?: boolean;
}

const ansi = { bold: '\u001b[1m', dim: '\u001b[2m', green: '\u001b[32m', red: '\u001b[31m' };
const reset = '\u001b[0m';

/**
 * The terminal summary of a run: its settings, the metrics next to buy-and-hold, the trade
 * statistics and the signals risk blocked per check, as one table whose columns line up across
 * sections (labels left, values right-aligned, notes after them).
 *
 * @example
 * ```ts
 * process.stdout.write(formatSummary(result, computeMetrics(result), { color: process.stdout.isTTY === true }));
 * ```
 */
export function formatSummary(
  input: ReportInput,
  metrics: BacktestMetrics,
  options: SummaryOptions = {},
): string {
  const color = options.color === true;
  const paint = (code: string, text: string): string =>
    color && code !== '' && text !== '' ? `${code}${text}${reset}` : text;
  const blocked = blockedRows(metrics);
  const sections: ReportSection[] = [
    { title: 'Run', rows: settingRows(input, metrics) },
    ...metricSections(metrics),
    {
      title: 'Signals blocked by risk',
      rows: blocked.length > 0 ? blocked : [{ label: 'none', value: '' }],
    },
  ];
  const rows = sections.flatMap((section) => section.rows);
  const labelWidth = Math.max(...rows.map((row) => row.label.length));
  // The settings hold long free text (parameters, period): they are left-aligned and do not
  // widen the value column of the numbers.
  const numberWidth = Math.max(
    ...sections.slice(1).flatMap((section) => section.rows.map((row) => row.value.length)),
  );

  const lines = [paint(ansi.bold, `LumenLink backtest: ${input.title}`)];
  for (const [index, section] of sections.entries()) {
    lines.push('', paint(ansi.bold, section.title));
    for (const row of section.rows) {
      const value = index === 0 ? row.value : row.value.padStart(numberWidth);
      lines.push(
        `  ${row.label.padEnd(labelWidth)}  ${paint(toneCode(row), value)}${note(row, paint)}`.trimEnd(),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function toneCode(row: ReportRow): string {
  if (row.tone === 'up') return ansi.green;
  if (row.tone === 'down') return ansi.red;
  return '';
}

function note(row: ReportRow, paint: (code: string, text: string) => string): string {
  return row.note === undefined ? '' : `  ${paint(ansi.dim, row.note)}`;
}
