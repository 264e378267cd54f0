/**
 * The README's config reference, generated from the `configKeys` table so it cannot drift.
 */
import { configKeyList, formatConfigValue } from './config-keys.js';

/** Escapes text for a GFM table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** Inline code, or `(unset)` for an empty value. */
function code(text: string): string {
  return text === '' ? '(unset)' : `\`${text}\``;
}

/**
 * A markdown table (Key, Default, Accepted, Description) of every env key, columns padded as
 * prettier pads them; secret keys' descriptions start with `Secret.`. `README-config.md` holds its output; a test keeps them equal.
 *
 * @example
 * ```ts
 * await writeFile('README-config.md', configReferenceMarkdown());
 * ```
 */
export function configReferenceMarkdown(): string {
  const header = ['Key', 'Default', 'Accepted', 'Description'];
  const rows = configKeyList.map((spec) =>
    [
      code(spec.key),
      code(formatConfigValue(spec.defaultValue)),
      spec.accepted,
      spec.secret ? `Secret. ${spec.description}` : spec.description,
    ].map(cell),
  );
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const divider = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line(header), divider, ...rows.map(line)].join('\n') + '\n';
}
