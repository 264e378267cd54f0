#!/usr/bin/env node
/**
 * `pnpm pack:lib <package...> [--out DIR] [--list]`: the tarballs to install LumenLink's
 * libraries from before they are on the registry. Each named package comes with every
 * `@lumenlink/*` package it depends on, directly or not, so one `npm install` of the folder's
 * tarballs gives a working set.
 *
 * 1. Resolves the names (`runtime` or `@lumenlink/runtime`) and their `@lumenlink/*` dependencies
 *    from the workspace's package.json files.
 * 2. Builds them (`turbo run build --filter=<package>...`, cached when nothing changed).
 * 3. `pnpm pack`s each into DIR (default `lumenlink-tarballs/` of the directory it was run from),
 *    with `workspace:^` replaced by the real versions, as `pnpm publish` would.
 * 4. Prints the `npm install` command that installs them together.
 *
 * `--list` prints the packages it would pack, one per line, and stops.
 *
 * Usage: node scripts/pack.mjs <package...> [--out DIR] [--list]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { publicPackages, root } from './lib/process.mjs';

const usage = 'Usage: pnpm pack:lib <package...> [--out DIR] [--list]';

/** @param {string} message */
function fail(message) {
  process.stderr.write(`pack:lib: ${message}\n${usage}\n`);
  process.exit(2);
}

/** The public workspace packages by name: their directory and `@lumenlink/*` dependencies. */
function workspacePackages() {
  return new Map(
    publicPackages().map(({ name, dir, manifest }) => [
      name,
      {
        dir,
        deps: Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@lumenlink/')),
      },
    ]),
  );
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean' } },
  });
} catch (error) {
  fail(/** @type {Error} */ (error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (positionals.length === 0) fail('name at least one package, e.g. runtime or @lumenlink/runtime');

const packages = workspacePackages();
/** @type {string[]} in dependency order: a package after everything it depends on */
const closure = [];
/** @param {string} name */
function add(name) {
  if (closure.includes(name)) return;
  for (const dep of packages.get(name)?.deps ?? []) add(dep);
  closure.push(name);
}
/** @type {string[]} */
const named = [];
for (const given of positionals) {
  const name = given.startsWith('@') ? given : `@lumenlink/${given}`;
  named.push(name);
  if (!packages.has(name)) {
    fail(
      `${given} is not a LumenLink library; the libraries are ${[...packages.keys()].join(', ')}`,
    );
  }
  add(name);
}
if (values.list) {
  process.stdout.write(`${closure.join('\n')}\n`);
  process.exit(0);
}

// Relative to where the user ran the command: the wrapper and pnpm run root scripts at the root.
const from = process.env.LUMENLINK_CWD ?? process.env.INIT_CWD ?? process.cwd();
const out = path.resolve(from, values.out ?? 'lumenlink-tarballs');
mkdirSync(out, { recursive: true });

const pnpm = process.env.npm_execpath;
/** @param {string[]} args @param {string} cwd */
function runPnpm(args, cwd) {
  const command = pnpm && pnpm.endsWith('.cjs') ? process.execPath : 'pnpm';
  const prefix = pnpm && pnpm.endsWith('.cjs') ? [pnpm] : [];
  return spawnSync(command, [...prefix, ...args], { cwd, encoding: 'utf8' });
}

const turbo = spawnSync(
  path.join(root, 'node_modules', '.bin', 'turbo'),
  ['run', 'build', '--output-logs=errors-only', ...named.map((name) => `--filter=${name}...`)],
  { cwd: root, stdio: 'inherit' },
);
if (turbo.status !== 0) process.exit(turbo.status ?? 1);

/** @type {string[]} */
const tarballs = [];
for (const name of closure) {
  const packed = runPnpm(
    ['pack', '--json', '--pack-destination', out],
    packages.get(name)?.dir ?? root,
  );
  if (packed.status !== 0) {
    process.stderr.write(
      `pack:lib: pnpm pack failed for ${name}:\n${packed.stdout}${packed.stderr}`,
    );
    process.exit(1);
  }
  tarballs.push(JSON.parse(packed.stdout).filename);
}
const shown = tarballs.map((file) => {
  const relative = path.relative(from, file);
  return relative.startsWith('..') ? file : `./${relative}`;
});
process.stdout.write(
  [
    `Packed ${closure.length} package${closure.length === 1 ? '' : 's'} into ${out}:`,
    ...closure.map((name) => `  ${name}`),
    '',
    'Install them together in your project (one command, so each finds the others):',
    `  npm install ${shown.join(' ')}`,
    '',
  ].join('\n'),
);
