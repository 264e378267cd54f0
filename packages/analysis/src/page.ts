/**
 * What both HTML reports (a backtest's and an optimisation's) build their self-contained pages
 * with: escaping for text, inline JSON and inline scripts, the CSP hash of an inline script, and
 * where the lightweight-charts build they inline is installed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the standalone build of lightweight-charts is installed. The package's `exports` map
 * does not expose `dist/`, so this resolves its `package.json` and goes from there.
 */
export function chartLibraryPath(): string {
  // A named `require` so that knip sees the dependency.
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('lightweight-charts/package.json');
  return join(dirname(packageJson), 'dist', 'lightweight-charts.standalone.production.js');
}

/**
 * The lightweight-charts standalone build as both HTML reports inline it: read from `path`
 * (default {@link chartLibraryPath}) and made safe inside a `<script>` element.
 *
 * @throws {Error} when the build cannot be read.
 */
export function chartLibraryScript(path: string = chartLibraryPath()): string {
  return escapeScript(readFileSync(path, 'utf8'));
}

/**
 * JSON made safe inside a `<script>` element: `<`, `>` and `&` become `\u003c`, `\u003e` and
 * `\u0026` (still the same JSON), so no `</script>` or `<!--` can end or change the element.
 */
export function escapeJsonForHtml(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Script source made safe to inline: `</script` and `<!--` can only appear in its strings,
 * regular expressions or comments, where `<\/script` and `<\!--` mean the same.
 */
export function escapeScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** The CSP hash source of an inline script. */
export function scriptHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}
