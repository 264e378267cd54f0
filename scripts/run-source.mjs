#!/usr/bin/env node
/**
 * Runs a workspace program from its TypeScript sources, with no build: `pnpm demo` is
 * `node scripts/run-source.mjs apps/bot/src/demo.ts`. A first run from a fresh clone then costs
 * Node's type stripping (milliseconds a file) instead of compiling every package first.
 *
 * Node 24 strips the types itself (`erasableSyntaxOnly` in tsconfig.base.json keeps the sources
 * within what it can erase). Two things it does not do, done here by a resolve hook
 * (`module.registerHooks`, in this thread):
 * - a relative `./x.js` imported by a `.ts` file (how the sources are written, for tsc's
 *   NodeNext output) resolves to `./x.ts` when that exists;
 * - an `@lumenlink/*` package, resolved through its `exports` to `packages/<name>/dist/….js`,
 *   runs from `packages/<name>/src/….ts` instead, when that exists.
 *
 * Worker threads do not inherit the hook: a program that starts workers from their own files
 * (optimize) runs from its build, as `pnpm optimize` does.
 *
 * Without type stripping or `module.registerHooks` (Node older than 22.18), it builds the
 * program's package with turbo and runs its `dist/` twin, as before.
 *
 * Usage: node scripts/run-source.mjs <program.ts> [args...]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (entry === undefined || !entry.endsWith('.ts')) {
  process.stderr.write('Usage: node scripts/run-source.mjs <program.ts> [args...]\n');
  process.exit(2);
}
const entryFile = path.resolve(root, entry);

/**
 * `…/packages/x/dist/a/b.js` → `…/packages/x/src/a/b.ts` when it exists, for workspace files;
 * also through a `node_modules/@lumenlink/x` link, whose `dist/` may not be built yet.
 */
function sourceTwin(given) {
  let file = given;
  const linked = /^(.*[\\/]node_modules[\\/]@lumenlink[\\/][^\\/]+)([\\/].*)$/.exec(file);
  if (linked !== null) {
    try {
      file = realpathSync(linked[1]) + linked[2];
    } catch {
      return undefined;
    }
  }
  const match = /^(.*[\\/](?:packages|apps)[\\/][^\\/]+)[\\/]dist[\\/](.+)\.js$/.exec(file);
  if (match === null || !file.startsWith(root + path.sep)) return undefined;
  const twin = path.join(match[1], 'src', `${match[2]}.ts`);
  return existsSync(twin) ? twin : undefined;
}

/** @type {import('node:module').ResolveHookSync} */
function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
    const candidate = new URL(`${specifier.slice(0, -3)}.ts`, parent);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  let resolved;
  try {
    resolved = nextResolve(specifier, context);
  } catch (error) {
    // Not built yet: a package's `exports` point into dist/, which a fresh clone does not have.
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' ? error.url : undefined;
    const twin = typeof missing === 'string' ? sourceTwin(fileURLToPath(missing)) : undefined;
    if (twin === undefined) throw error;
    return { url: pathToFileURL(twin).href, shortCircuit: true };
  }
  if (resolved.url.startsWith('file:')) {
    const twin = sourceTwin(fileURLToPath(resolved.url));
    if (twin !== undefined) return { url: pathToFileURL(twin).href, shortCircuit: true };
  }
  return resolved;
}

if (process.features.typescript && typeof module.registerHooks === 'function') {
  module.registerHooks({ resolve });
  // The program sees itself as run directly (its `import.meta.url === argv[1]` check holds).
  process.argv = [process.argv[0], entryFile, ...args];
  await import(pathToFileURL(entryFile).href);
} else {
  // Older Node: build the program's workspace, then run its compiled twin.
  const workspace = /^(.*[\\/](?:packages|apps)[\\/][^\\/]+)[\\/]src[\\/]/.exec(entryFile)?.[1];
  const built =
    workspace && entryFile.replace(/[\\/]src[\\/](.+)\.ts$/, `${path.sep}dist${path.sep}$1.js`);
  if (!workspace || !built) {
    process.stderr.write(`run-source: ${entry} is not a workspace program under src/\n`);
    process.exit(2);
  }
  const name = JSON.parse(readFileSync(path.join(workspace, 'package.json'), 'utf8')).name;
  const turbo = spawnSync(
    path.join(root, 'node_modules', '.bin', 'turbo'),
    ['run', 'build', `--filter=${name}`, '--output-logs=errors-only'],
    { cwd: root, stdio: 'inherit' },
  );
  if (turbo.status !== 0) process.exit(turbo.status ?? 1);
  const run = spawnSync(process.execPath, [built, ...args], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
