/**
 * What the benchmarks (`bench/*.mjs` of the workspaces) share to report: the median of their
 * timed runs and the markdown table of their results file.
 */

/**
 * The median of `values` (the mean of the two middle ones for an even count).
 * @param {readonly number[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A markdown table padded as prettier formats it, so a results file passes `prettier --check`.
 * @param {readonly string[]} head
 * @param {readonly (readonly string[])[]} lines
 * @returns {string}
 */
export function markdownTable(head, lines) {
  const widths = head.map((cell, column) =>
    Math.max(3, cell.length, ...lines.map((line) => line[column].length)),
  );
  /** @param {readonly string[]} cells */
  const render = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    render(head),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...lines.map(render),
  ].join('\n');
}
