/**
 * The runnable examples of `examples/` as a stranger meets them: copied into a project that has
 * the public packages installed (from the packed tarballs in check:packages, by name from a
 * registry in check:release), type-checked against the published declarations, then each run with
 * Node's type stripping; each must exit 0 within {@link EXAMPLE_TIMEOUT_MS}.
 *
 * The convention (examples/README.md): an example is a top-level `examples/<name>.ts` (not
 * `*.test.ts`); it imports only public `@lumenlink/*` packages, Node's built-ins and what those
 * packages depend on; it reads its data files under `examples/data/`, by a path relative to
 * itself (`new URL('./data/…', import.meta.url)`). The project gets `examples/<name>.ts` and
 * `examples/data/` with the same layout, so the relative paths hold there too.
 */
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { root, run, seconds } from './process.mjs';

/** How long one example may run. */
const EXAMPLE_TIMEOUT_MS = 120_000;

const examplesDir = path.join(root, 'examples');

/** The examples: top-level `examples/*.ts` files that are not tests, declarations or configs. */
function exampleFiles() {
  if (!existsSync(examplesDir)) return [];
  return readdirSync(examplesDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => entry.name)
    .filter((name) => !/\.(test|d|config)\.ts$/.test(name))
    .sort();
}

/**
 * Copies the examples and `examples/data/` into `<project>/examples/`, with a tsconfig that
 * type-checks them as Node runs them (erasable syntax only, `.ts` imports).
 * @param {string} project
 * @returns {Promise<string[]>} the examples copied
 */
export async function copyExamples(project) {
  const files = exampleFiles();
  const target = path.join(project, 'examples');
  await mkdir(target, { recursive: true });
  for (const file of files) await cp(path.join(examplesDir, file), path.join(target, file));
  const data = path.join(examplesDir, 'data');
  if (existsSync(data)) await cp(data, path.join(target, 'data'), { recursive: true });
  const tsconfig = {
    compilerOptions: {
      strict: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2023',
      lib: ['ES2024', 'DOM'],
      types: ['node'],
      noEmit: true,
      erasableSyntaxOnly: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
    },
    include: files,
  };
  await writeFile(path.join(target, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return files;
}

/**
 * @typedef {{ what: string, output: string }} Problem
 * @typedef {{ name: string, ok: boolean, ms: number }} ExampleRun
 */

/**
 * Type-checks the copied examples with the project's TypeScript (when it has one), then runs each
 * with `node examples/<name>.ts` from the project, one at a time, printing each with its duration.
 * @param {string} project
 * @param {Record<string, string>} env
 * @returns {Promise<{ runs: ExampleRun[], problems: Problem[] }>}
 */
export async function runExamples(project, env) {
  const files = exampleFiles();
  /** @type {Problem[]} */
  const problems = [];
  /** @type {ExampleRun[]} */
  const runs = [];
  if (files.length === 0) {
    problems.push({ what: 'examples/ has no example (*.ts that is not a test)', output: '' });
    return { runs, problems };
  }
  const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  if (existsSync(tsc)) {
    const checked = await run(
      process.execPath,
      [tsc, '-p', path.join('examples', 'tsconfig.json'), '--pretty', 'false'],
      { cwd: project, env },
    );
    console.log(`  ${checked.ok ? '✓' : '✗'} tsc examples/ ${seconds(checked.ms)}`);
    if (!checked.ok) problems.push({ what: 'tsc over the examples', output: checked.output });
  }
  const width = Math.max(...files.map((file) => file.length));
  for (const file of files) {
    const ran = await run(process.execPath, [path.join('examples', file)], {
      cwd: project,
      env,
      timeoutMs: EXAMPLE_TIMEOUT_MS,
    });
    runs.push({ name: file, ok: ran.ok, ms: ran.ms });
    console.log(`  ${ran.ok ? '✓' : '✗'} ${file.padEnd(width)}  ${seconds(ran.ms).padStart(6)}`);
    if (!ran.ok) problems.push({ what: `example ${file} (exit ${ran.code})`, output: ran.output });
  }
  return { runs, problems };
}
