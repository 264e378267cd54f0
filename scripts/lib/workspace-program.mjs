/**
 * Every package and app of the workspace as one TypeScript program, shared by
 * `scripts/typecheck.mjs` and `scripts/lint.mjs`: the sources and tests of each (what its
 * tsconfig.json includes: `src/`, `test/` and top-level `*.ts`) with tsconfig.base.json's
 * options. Node's types, ccxt's declarations and the rest of node_modules are then parsed once
 * instead of once per package, and an `@lumenlink/*` import resolves to that package's sources
 * (each `exports` entry `./dist/X.js` to `src/X.ts`, through `paths`), so nothing waits for a
 * build. The builds still compile each package against the declarations of the others.
 *
 * Plain Node ESM; TypeScript comes from the root devDependencies.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { root } from './process.mjs';

/** @returns {string[]} the workspaces under packages/ and apps/ (those with a package.json), e.g. `packages/core` */
function workspaceDirs() {
  return ['packages', 'apps'].flatMap((parent) =>
    readdirSync(path.join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`)
      .filter((dir) => existsSync(path.join(root, dir, 'package.json')))
      .sort(),
  );
}

/**
 * `paths` from each workspace's `exports`: `@lumenlink/core/testing` → `packages/core/src/testing/index.ts`.
 * @param {readonly string[]} dirs
 * @returns {Record<string, string[]>}
 */
function sourcePaths(dirs) {
  /** @type {Record<string, string[]>} */
  const paths = {};
  for (const dir of dirs) {
    /** @type {{ name: string, exports?: Record<string, string | Record<string, string>> }} */
    const manifest = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const file = typeof target === 'string' ? target : target['default'];
      const stem = /^\.\/dist\/(.+)\.js$/.exec(file ?? '')?.[1];
      if (stem === undefined) continue;
      paths[`${manifest.name}${subpath === '.' ? '' : subpath.slice(1)}`] = [
        `./${dir}/src/${stem}.ts`,
      ];
    }
  }
  return paths;
}

/**
 * What a workspace's tsconfig.json includes, relative to the root. Its compiler options must be
 * tsconfig.base.json's with `noEmit`, as the one program has one set of options.
 * @param {string} dir
 * @returns {string[]}
 */
function includesOf(dir) {
  const file = path.join(root, dir, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.formatDiagnostics([error], formatHost));
  const options = Object.keys(config.compilerOptions ?? {}).filter((key) => key !== 'noEmit');
  if (config.extends !== '../../tsconfig.base.json' || options.length > 0 || config.files) {
    throw new Error(
      `${dir}/tsconfig.json: the workspace program (scripts/lib/workspace-program.mjs) takes only "include" and noEmit from it, over ../../tsconfig.base.json; put shared options in tsconfig.base.json (found extends ${JSON.stringify(config.extends)}${options.length > 0 ? `, compilerOptions ${options.join(', ')}` : ''}${config.files ? ', files' : ''})`,
    );
  }
  /** @type {string[]} */
  const include = config.include ?? ['**/*'];
  return include.map((pattern) => `${dir}/${pattern}`);
}

/**
 * The program over `dirs` (default every workspace): the files each one's tsconfig.json includes,
 * and the sources of the workspace packages they import. A file that imports a workspace's
 * `dist/` by path ends the process with code 1 (what is checked must not depend on a build).
 * @param {readonly string[]} [dirs]
 * @returns {ts.Program}
 */
export function workspaceProgram(dirs = workspaceDirs()) {
  const config = ts.parseJsonConfigFileContent(
    {
      extends: './tsconfig.base.json',
      compilerOptions: { noEmit: true, paths: sourcePaths(workspaceDirs()) },
      include: dirs.flatMap(includesOf),
      exclude: ['**/node_modules', '**/dist'],
    },
    ts.sys,
    root,
  );
  if (config.errors.length > 0) {
    throw new Error(ts.formatDiagnostics(config.errors, formatHost));
  }
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  // What is checked must not depend on whether a build ran: a file that imports a workspace's
  // dist/ by path would be checked against an old build, or not at all.
  const built = program
    .getSourceFiles()
    .map((file) => path.relative(root, file.fileName).replaceAll('\\', '/'))
    .filter((file) => /^(packages|apps)\/[^/]+\/dist\//.test(file));
  if (built.length > 0) {
    console.error(
      `A checked file imports build output (${built.slice(0, 3).join(', ')}); import the package by its name (\`@lumenlink/engine\`, not \`../dist/index.js\`) so the check reads its sources.`,
    );
    process.exit(1);
  }
  return program;
}

/**
 * Prints TypeScript's errors in `program` (syntax, options, types), as tsc does.
 * @param {ts.Program} program
 * @returns {number} how many there are
 */
export function reportTypeErrors(program) {
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    const format = process.stdout.isTTY
      ? ts.formatDiagnosticsWithColorAndContext
      : ts.formatDiagnostics;
    process.stdout.write(format(diagnostics, formatHost));
    const files = new Set(diagnostics.map((diagnostic) => diagnostic.file?.fileName));
    const count = diagnostics.length;
    console.log(
      `\nFound ${count} TypeScript error${count === 1 ? '' : 's'} in ${files.size} files.`,
    );
  }
  return diagnostics.length;
}

/** How diagnostics are printed: paths relative to the repository root. */
const formatHost = {
  getCanonicalFileName: (/** @type {string} */ file) => file,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

/**
 * The workspaces named on the command line (`packages/data`, `apps/bot`), or all of them; an
 * unknown one ends the process with code 2.
 * @param {readonly string[]} args
 * @returns {string[]}
 */
export function chosenDirs(args) {
  const all = workspaceDirs();
  if (args.length === 0) return all;
  const chosen = args.map((arg) => path.relative(root, path.resolve(arg)).replaceAll('\\', '/'));
  const unknown = chosen.filter((dir) => !all.includes(dir));
  if (unknown.length > 0) {
    console.error(
      `not a workspace under packages/ or apps/: ${unknown.join(', ')}; give one of ${all.join(', ')}`,
    );
    process.exit(2);
  }
  return chosen;
}
