/**
 * Small text helpers shared by the packages: HTML escaping for messages and reports, shell
 * quoting for the commands they print, and the edit distance behind "did you mean" suggestions.
 */

/**
 * Escapes `&`, `<`, `>`, `"` and `'` so that text is safe inside HTML element content and
 * quoted attribute values (Telegram's HTML parse mode accepts these entities too).
 *
 * @example
 * ```ts
 * import { escapeHtml } from '@lumenlink/core';
 *
 * escapeHtml('<b>P&L</b> "ok"'); // '&lt;b&gt;P&amp;L&lt;/b&gt; &quot;ok&quot;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
 * adjacent characters each cost 1. Symmetric; `0` only for equal strings.
 *
 * @example
 * ```ts
 * import { editDistance } from '@lumenlink/core';
 *
 * editDistance('POSITON', 'POSITION'); // 1
 * editDistance('MAX', 'MXA'); // 1 (a transposition)
 * ```
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const distance: number[] = Array.from({ length: rows * columns }, () => 0);
  const at = (i: number, j: number): number => distance[i * columns + j] ?? 0;
  for (let i = 0; i < rows; i += 1) distance[i * columns] = i;
  for (let j = 0; j < columns; j += 1) distance[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < columns; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      distance[i * columns + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * A command-line argument quoted for a POSIX shell when it needs it, so a printed command can be
 * pasted as it is.
 *
 * @example
 * ```ts
 * shellQuote('strategies/my-idea.ts'); // 'strategies/my-idea.ts' (as it is)
 * shellQuote('{"fastPeriod":12}'); // '\'{"fastPeriod":12}\''
 * ```
 */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * How the user runs a LumenLink command, for hints and usage lines: `./lumenlink backtest` when
 * the `./lumenlink` wrapper started the process (it sets `LUMENLINK_RUNNER` to how it was
 * called), else `pnpm backtest`.
 *
 * @example
 * ```ts
 * `fetch them with ${commandHint('fetch-history')}`; // "fetch them with ./lumenlink fetch-history"
 * ```
 */
export function commandHint(command: string, env: NodeJS.ProcessEnv = process.env): string {
  const runner = env.LUMENLINK_RUNNER?.trim();
  return `${runner ? shellQuote(runner) : 'pnpm'} ${command}`;
}
