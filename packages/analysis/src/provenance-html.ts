/**
 * The HTML report's "What produced this run" section: the strategy's source, its parameters,
 * every setting and the data, from core's `RunProvenance`. Every text is escaped.
 */
import {
  escapeHtml,
  type DataProvenance,
  type RunProvenance,
  type StrategyProvenance,
} from '@lumenlink/core';
import {
  flattenRecord,
  isoText,
  moduleSourceText,
  shortHash,
  valueText,
} from './provenance-text.js';

/** One row: a label and its value, already HTML. */
interface HtmlRow {
  readonly label: string;
  readonly html: string;
}

/** The section and a newline, or the empty string when the run's provenance was not given. */
export function provenanceSection(provenance: RunProvenance | undefined): string {
  if (provenance === undefined) return '';
  const params = flattenRecord(provenance.params);
  const settings = flattenRecord(provenance.settings);
  return `<section class="panel" id="provenance">
<h2>What produced this run</h2>
<div class="provenance">
${table('Strategy', 'provenance-strategy', strategyRows(provenance.strategy))}
${table('Parameters', 'provenance-params', valueRows(params), 'No parameters.')}
${table('Settings', 'provenance-settings', valueRows(settings), 'No settings recorded.')}
${table('Data', 'provenance-data', provenance.data === undefined ? [] : dataRows(provenance.data), 'The data was not recorded.')}
</div>
</section>
`;
}

function strategyRows(strategy: StrategyProvenance): HtmlRow[] {
  const rows: HtmlRow[] = [
    { label: 'Key', html: escapeHtml(strategy.key) },
    { label: 'Source', html: escapeHtml(sourceText(strategy)) },
  ];
  if (strategy.spec !== strategy.key) {
    rows.push({ label: 'Given as', html: escapeHtml(strategy.spec) });
  }
  if (strategy.kind === 'package' && strategy.path !== undefined) {
    rows.push({ label: 'File', html: escapeHtml(strategy.path) });
  }
  if (strategy.exportName !== undefined) {
    rows.push({ label: 'Export', html: escapeHtml(strategy.exportName) });
  }
  if (strategy.sha256 !== undefined) {
    rows.push({ label: 'SHA-256', html: hashHtml(strategy.sha256) });
  }
  return rows;
}

/** Where the strategy came from, in words. */
function sourceText(strategy: StrategyProvenance): string {
  return strategy.kind === 'builtin'
    ? 'built-in strategy of @lumenlink/strategies'
    : moduleSourceText(strategy);
}

function dataRows(data: DataProvenance): HtmlRow[] {
  return [
    { label: 'Source', html: escapeHtml(data.description) },
    { label: 'Symbols', html: escapeHtml(data.symbols.join(', ') || 'none') },
    { label: 'Interval', html: escapeHtml(data.interval) },
    { label: 'First candle', html: escapeHtml(isoText(data.first)) },
    { label: 'Last candle', html: escapeHtml(isoText(data.last)) },
    { label: 'Candles', html: escapeHtml(String(data.candles)) },
    { label: 'SHA-256', html: hashHtml(data.sha256) },
  ];
}

function valueRows(entries: readonly [string, unknown][]): HtmlRow[] {
  return entries.map(([label, value]) => ({ label, html: escapeHtml(valueText(value)) }));
}

/** The short hash, the full one in the title (hover) and for copying. */
function hashHtml(sha256: string): string {
  return `<code title="${escapeHtml(sha256)}">${escapeHtml(shortHash(sha256))}</code>`;
}

function table(title: string, id: string, rows: readonly HtmlRow[], empty = ''): string {
  const body =
    rows.length === 0
      ? `<p class="muted" id="${id}">${escapeHtml(empty)}</p>`
      : `<table id="${id}"><tbody>\n${rows.map(rowHtml).join('\n')}\n</tbody></table>`;
  return `<div>\n<h3>${escapeHtml(title)}</h3>\n${body}\n</div>`;
}

function rowHtml(row: HtmlRow): string {
  return `<tr><th scope="row">${escapeHtml(row.label)}</th><td>${row.html}</td></tr>`;
}
