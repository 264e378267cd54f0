#!/usr/bin/env node
/**
 * `pnpm check:app-size` (part of `pnpm test`): the apps stay wiring. Each app's non-test
 * TypeScript under `src/` may hold at most {@link LIMIT} lines; logic another bot could reuse
 * belongs in a package (CONTRIBUTING.md). ESLint's `max-lines-per-function` keeps each function of
 * an app under 80 lines.
 *
 * Usage: node scripts/check-app-size.mjs
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 2000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} dir @returns {string[]} the non-test `.ts` files under `dir` */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts'))
    .map((d) => path.join(d.parentPath, d.name));
}

let failed = false;
for (const app of readdirSync(path.join(root, 'apps')).sort()) {
  const files = sources(path.join(root, 'apps', app, 'src'));
  const lines = files.reduce(
    (sum, file) => sum + readFileSync(file, 'utf8').split('\n').length - 1,
    0,
  );
  const ok = lines <= LIMIT;
  failed ||= !ok;
  console.log(
    `${ok ? '✓' : '✗'} apps/${app}/src: ${lines} lines in ${files.length} files (limit ${LIMIT})`,
  );
  if (!ok) {
    console.log(`  move what another bot could reuse into a package (see CONTRIBUTING.md)`);
  }
}
process.exitCode = failed ? 1 : 0;
