/**
 * knip: unused files, exports and dependencies across the workspace (`pnpm knip`, part of
 * `pnpm test`). Every finding fails the run; fix it rather than ignore it.
 *
 * How the entries are found, so that a new package or app needs no change here:
 * - every workspace in `packages/*` and `apps/*` gets its entries from its own package.json:
 *   each `exports` and `bin` target `./dist/X.js` maps to `src/X.ts`, and each script that runs
 *   `node dist/X.js` maps to `src/X.ts` (see {@link entriesOf}). Exports of these entry files are
 *   the package's public API and so count as used.
 * - the vitest plugin adds every `*.test.ts`; scripts such as `node bench/run.mjs` are entries
 *   through package.json `scripts`.
 * - the shared patterns below add what nothing imports by name: worker-thread scripts, child
 *   process fixtures, runnable examples and benches.
 *
 * So a new package or app under packages/ or apps/ is covered as soon as its package.json names
 * its exports, bin and scripts. A file loaded by path under a new convention goes into
 * `loadedByPath` with a comment saying who loads it. Every ignore below says why. Paths are
 * relative to the repository root, where `pnpm knip` runs.
 */
import { existsSync, globSync, readdirSync, readFileSync } from 'node:fs';
import type { KnipConfig } from 'knip';

/** The parts of a package.json that name entry files. */
interface Manifest {
  readonly exports?: string | Readonly<Record<string, string | Readonly<Record<string, string>>>>;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly scripts?: Readonly<Record<string, string>>;
}

/** `./dist/a/b.js` (or `./dist/a/b.d.ts`) → `src/a/b.ts`; a target outside dist/ → undefined. */
function sourceOf(target: string): string | undefined {
  const stem = /^(?:\.\/)?dist\/(.+?)(?:\.d\.ts|\.js)$/.exec(target)?.[1];
  return stem === undefined ? undefined : `src/${stem}.ts`;
}

/** Every string inside an `exports` or `bin` field (conditions and subpaths flattened). */
function targetsOf(field: Manifest['exports'] | Manifest['bin']): readonly string[] {
  if (field === undefined) return [];
  if (typeof field === 'string') return [field];
  return Object.values(field).flatMap((value) => targetsOf(value));
}

/**
 * The source entry files of the workspace at `dir`: its `exports` and `bin` targets and the
 * `node dist/X.js` commands of its scripts, mapped from dist/ back to src/.
 */
function entriesOf(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as Manifest;
  const scriptTargets = Object.values(manifest.scripts ?? {}).flatMap((script) =>
    [...script.matchAll(/\bnode\s+(?:--\S+\s+)*(dist\/\S+\.js)/g)].map((m) => m[1] ?? ''),
  );
  const targets = [...targetsOf(manifest.exports), ...targetsOf(manifest.bin), ...scriptTargets];
  const sources = targets.map(sourceOf).filter((s): s is string => s !== undefined);
  // An app has no src/index.ts; keep only the files that exist.
  return [...new Set(['src/index.ts', ...sources])].filter((s) => existsSync(`${dir}/${s}`));
}

/** Files that no module imports by name but that run all the same. */
const loadedByPath = [
  // Worker-thread scripts, started with `new Worker(new URL('./worker.js', import.meta.url))`.
  'src/**/worker.ts',
  // Scripts a test starts as a child process by path.
  'test/fixtures/*.mjs',
  // Runnable examples a README tells the reader to run with `node examples/...`.
  'examples/*.{mjs,ts}',
  // Benchmarks (also reached through the `bench` scripts).
  'bench/*.mjs',
];

/** Knip's config for one workspace under `packages/` or `apps/`. */
function workspace(dir: string): { entry: string[] } {
  return {
    // Only the patterns that match here: knip reports a pattern without matches as a hint.
    entry: [
      ...entriesOf(dir),
      ...loadedByPath.filter((pattern) => globSync(pattern, { cwd: dir }).length > 0),
    ],
  };
}

/** The workspace directories under `parent` (those with a package.json), e.g. `packages/core`. */
function workspacesIn(parent: string): string[] {
  return readdirSync(parent, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${parent}/${d.name}/package.json`))
    .map((d) => `${parent}/${d.name}`);
}

const config: KnipConfig = {
  // A pattern or ignore that no longer matches anything fails the run too, so the config stays
  // in step with the tree.
  treatConfigHintsAsErrors: true,
  // Hand-written declarations of the plain-JavaScript `.mjs` beside them (apps/bot's chaos and
  // soak harnesses): TypeScript reads them when a test imports the `.mjs`, while knip follows
  // that import to the `.mjs` itself, so nothing imports the `.d.mts` by name.
  ignoreFiles: ['**/*.d.mts'],
  workspaces: {
    '.': {
      entry: [
        // check-packages.mjs, and the consumer project it copies scripts/consumer/consumer.ts into.
        'scripts/*.mjs',
        'scripts/consumer/consumer.ts',
        // Your own strategies and their tests (`pnpm new-strategy`): loaded by path by
        // `--strategy` and STRATEGY, or run with `node --test`. Only when there are some.
        ...['strategies/**/*.ts'].filter((pattern) => globSync(pattern).length > 0),
      ],
      ignoreDependencies: [
        // check-packages.mjs runs their bin scripts by path (`binOf('publint', 'publint')`),
        // which knip cannot follow.
        'publint',
        '@arethetypeswrong/cli',
        // check-release.mjs starts node_modules/verdaccio/bin/verdaccio by path.
        'verdaccio',
      ],
    },
    // The runnable examples (a private workspace): every top-level `*.ts` is a program that
    // check:packages and check:release run with `node`; their tests come through vitest.
    examples: { entry: ['*.ts'] },
    ...Object.fromEntries(
      [...workspacesIn('packages'), ...workspacesIn('apps')].map((dir) => [dir, workspace(dir)]),
    ),
  },
};

export default config;
