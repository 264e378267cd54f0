#!/usr/bin/env node
/**
 * `pnpm check:packages`: checks every public package the way a user will meet it, after
 * `turbo run build` (the root script runs the build first; run alone, this checks dist/ as it is).
 *
 *   1. Lint: `publint --strict` in each package directory and `attw --pack --profile esm-only`
 *      on each (attw packs it itself), a few packages at a time. Any problem fails.
 *   2. Consumer: `pnpm pack` each package (workspace:^ becomes a real version), install the
 *      tarballs with npm into a fresh ESM project under os.tmpdir() (outside the workspace, so
 *      nothing resolves from the workspace's node_modules), type-check and compile
 *      scripts/consumer/consumer.ts against the published .d.ts (strict, NodeNext,
 *      skipLibCheck false), and run it: it must end with `consumer: ok`.
 *   3. Examples: copy examples/*.ts (not tests) and examples/data/ into that project, type-check
 *      them against the published .d.ts, and run each with Node's type stripping; each must exit
 *      0 within a time limit (scripts/lib/examples.mjs; the convention is in examples/README.md).
 *   4. @lumenlink/strategies alone: installs without the SDKs of STRATEGIES_FORBIDDEN and runs
 *      packages/strategies/examples.
 *
 * Usage: node scripts/check-packages.mjs [--keep]
 *   --keep  keep the temporary directory (tarballs and consumer project) and print its path.
 *
 * Plain Node ESM without dependencies: publint and attw come from the root devDependencies.
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { copyExamples, runExamples } from './lib/examples.mjs';
import {
  checkFlags,
  cleanEnv,
  cleanUpOnSignals,
  indent,
  nodeHeadersDir,
  npmCli,
  npmGlobalConfig,
  phase,
  phases,
  publicPackages,
  root,
  run,
  seconds,
} from './lib/process.mjs';

const consumerSource = path.join(root, 'scripts', 'consumer', 'consumer.ts');

/**
 * Native modules that may end up in the consumer's tree. npm installs with --ignore-scripts, so
 * nothing is compiled a second time: a copy of one of these that builds at install gets the
 * workspace's already-built `build/` of the same version (checked to load in this Node), and is
 * built with `npm rebuild` only when there is none. Add any native dependency here.
 */
const NATIVE = ['better-sqlite3'];

/** What installing @lumenlink/strategies alone must not pull in (strategies do no I/O: docs/architecture/overview.md). */
const STRATEGIES_FORBIDDEN = [
  'ccxt',
  'kysely',
  'better-sqlite3',
  'grammy',
  'winston',
  'prom-client',
];

/** The packed tarball of each public package, filled by the consumer phase. */
/** @type {Map<string, string>} */
const tarballOf = new Map();

const usage = 'Usage: node scripts/check-packages.mjs [--keep]';
const options = checkFlags(usage);

const concurrency = Math.max(1, Math.min(os.availableParallelism(), 4));
const started = performance.now();
/** @type {string[]} */
const failures = [];
let tempDir = '';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * Runs `worker` over `items`, at most `limit` at a time.
 * @template T, R
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T) => Promise<R>} worker
 * @returns {Promise<R[]>}
 */
async function pool(items, limit, worker) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(/** @type {T} */ (items[index]));
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * @param {string} what
 * @param {string} [output]
 */
function fail(what, output) {
  failures.push(what);
  console.log(`\n✗ ${what}`);
  if (output !== undefined && output.trim() !== '') console.log(indent(output));
}

/** The bin script of a root devDependency, run with this Node (no pnpm exec start-up cost). */
function binOf(/** @type {string} */ pkg, /** @type {string} */ bin) {
  const dir = path.join(root, 'node_modules', pkg);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  if (typeof relative !== 'string') throw new Error(`${pkg} has no "${bin}" bin`);
  return path.join(dir, relative);
}

/** The version of a root devDependency as installed, else its specifier in package.json. */
function rootVersion(/** @type {string} */ pkg) {
  const installed = path.join(root, 'node_modules', pkg, 'package.json');
  if (existsSync(installed)) return JSON.parse(readFileSync(installed, 'utf8')).version;
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const spec = manifest.devDependencies?.[pkg] ?? manifest.dependencies?.[pkg];
  if (typeof spec !== 'string') throw new Error(`the root package.json does not depend on ${pkg}`);
  return spec;
}

// ---------------------------------------------------------------------------------------------
// 1. Public packages
// ---------------------------------------------------------------------------------------------

/** @typedef {{ name: string, dir: string, version: string }} Pkg */

// ---------------------------------------------------------------------------------------------
// 2. publint and attw
// ---------------------------------------------------------------------------------------------

/** @param {Pkg[]} packages */
async function lint(packages) {
  const publint = binOf('publint', 'publint');
  const attw = binOf('@arethetypeswrong/cli', 'attw');
  const width = Math.max(...packages.map((pkg) => pkg.name.length));
  /** @type {{ pkg: Pkg, tool: string, output: string }[]} */
  const problems = [];
  await pool(packages, concurrency, async (pkg) => {
    const env = cleanEnv({ FORCE_COLOR: '0', NO_COLOR: '1' });
    const start = performance.now();
    const p = await run(process.execPath, [publint, '--strict'], { cwd: pkg.dir, env });
    // publint exits 0 on suggestions; "any problem fails" includes them.
    const publintOk = p.ok && !/^(Suggestions|Warnings|Errors):/m.test(p.output);
    const a = await run(
      process.execPath,
      [attw, '--pack', '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
      { cwd: pkg.dir, env },
    );
    if (!publintOk) problems.push({ pkg, tool: 'publint --strict', output: p.output });
    if (!a.ok) problems.push({ pkg, tool: 'attw --pack --profile esm-only', output: a.output });
    const mark = (/** @type {boolean} */ ok) => (ok ? '✓' : '✗');
    console.log(
      `  ${mark(publintOk && a.ok)} ${pkg.name.padEnd(width)}  ` +
        `publint ${mark(publintOk)} ${seconds(p.ms).padStart(5)}  ` +
        `attw ${mark(a.ok)} ${seconds(a.ms).padStart(5)}  ` +
        `(${seconds(performance.now() - start)})`,
    );
  });
  for (const problem of problems) fail(`${problem.tool}: ${problem.pkg.name}`, problem.output);
}

// ---------------------------------------------------------------------------------------------
// 3. Consumer project
// ---------------------------------------------------------------------------------------------

/**
 * @param {Pkg[]} packages
 * @returns {Promise<boolean>} whether the consumer test passed
 */
async function consumer(packages) {
  const source = await readFile(consumerSource, 'utf8');
  const unnamed = packages.filter((pkg) => !source.includes(`'${pkg.name}'`));
  if (unnamed.length > 0) {
    fail(
      `scripts/consumer/consumer.ts does not import ${unnamed.map((pkg) => pkg.name).join(', ')}`,
      'Every public package must be imported and exercised by the consumer test.',
    );
    return false;
  }

  tempDir = await mkdtemp(path.join(os.tmpdir(), 'lumenlink-check-packages-'));
  if (!path.relative(root, realpathSync(tempDir)).startsWith('..')) {
    fail(`the temporary directory ${tempDir} is inside the workspace; set TMPDIR elsewhere`);
    return false;
  }
  const tarballs = path.join(tempDir, 'tarballs');
  const project = path.join(tempDir, 'consumer');
  await mkdir(tarballs);
  await mkdir(path.join(project, 'src'), { recursive: true });

  // pnpm pack: the tarball `pnpm publish` would upload, with workspace:^ replaced.
  const packed = await phase('pack', () =>
    pool(packages, concurrency, async (pkg) => {
      const r = await run('pnpm', ['pack', '--json', '--pack-destination', tarballs], {
        cwd: pkg.dir,
        env: cleanEnv(),
      });
      if (!r.ok) {
        fail(`pnpm pack: ${pkg.name}`, r.output);
        return false;
      }
      try {
        const filename = JSON.parse(r.stdout).filename;
        if (typeof filename !== 'string' || !existsSync(filename)) throw new Error('no filename');
        tarballOf.set(pkg.name, filename);
        return true;
      } catch {
        fail(`pnpm pack: ${pkg.name}: unexpected output`, r.output);
        return false;
      }
    }),
  );
  if (packed.includes(false)) return false;

  // The consumer's package.json: every package from its tarball, and the tarballs' own
  // @lumenlink dependencies overridden to the tarballs too (they are not on the registry).
  /** @type {Record<string, string>} */
  const dependencies = {};
  /** @type {Record<string, string>} */
  const overrides = {};
  for (const pkg of packages) {
    const tarball = /** @type {string} */ (tarballOf.get(pkg.name));
    dependencies[pkg.name] = `file:${path.relative(project, tarball).split(path.sep).join('/')}`;
    overrides[pkg.name] = `$${pkg.name}`;
  }
  // Optional peers (core's winston and prom-client): the consumer imports the subpaths that need
  // them, so it installs them as such a user would; npm never installs an optional peer itself.
  for (const pkg of packages) {
    const manifest = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8'));
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (!(name in dependencies)) dependencies[name] = String(range);
    }
  }
  const manifest = {
    name: 'lumenlink-consumer',
    version: '0.0.0',
    private: true,
    type: 'module',
    dependencies,
    devDependencies: {
      typescript: rootVersion('typescript'),
      '@types/node': rootVersion('@types/node'),
      // grammy's declarations import node-fetch's types; a grammy user installs them too.
      '@types/node-fetch': '^2.6.13',
    },
    overrides,
  };
  await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(
    path.join(project, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          // DOM: grammy's own declarations (alerts depends on it) name fetch's Body types.
          lib: ['ES2024', 'DOM'],
          types: ['node'],
          rootDir: 'src',
          outDir: 'dist',
          noEmit: false,
          noEmitOnError: true,
          // Our published .d.ts (and our dependencies') are checked as a user's build checks them.
          skipLibCheck: false,
          forceConsistentCasingInFileNames: true,
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
  await cp(consumerSource, path.join(project, 'src', 'consumer.ts'));

  // npm install, with this Node's npm and headers; install scripts are skipped (see NATIVE).
  const headers = nodeHeadersDir();
  const globalConfig = npmGlobalConfig();
  const npmEnv = cleanEnv({
    npm_config_update_notifier: 'false',
    ...(headers === undefined ? {} : { npm_config_nodedir: headers }),
    ...(globalConfig === undefined ? {} : { npm_config_globalconfig: globalConfig }),
  });
  const installed = await phase('npm install', () =>
    run(
      process.execPath,
      [
        npmCli(),
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--prefer-offline',
        '--loglevel=error',
      ],
      { cwd: project, env: npmEnv, timeoutMs: 300_000 },
    ),
  );
  if (!installed.ok) {
    fail('npm install in the consumer project', installed.output);
    return false;
  }

  const nativeOk = await phase('native modules', () => provideNativeBuilds(project, npmEnv));
  if (!nativeOk) return false;

  const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  const compiled = await phase('tsc (type-check + compile)', () =>
    run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: project,
      env: npmEnv,
    }),
  );
  if (!compiled.ok) {
    fail('tsc in the consumer project', compiled.output);
    return false;
  }

  const ran = await phase('run consumer', () =>
    run(process.execPath, [path.join('dist', 'consumer.js')], {
      cwd: project,
      env: npmEnv,
      timeoutMs: 60_000,
    }),
  );
  const lastLine = ran.stdout.trimEnd().split('\n').at(-1);
  if (!ran.ok || lastLine !== 'consumer: ok') {
    const why = ran.ok ? `its last line was ${JSON.stringify(lastLine)}` : `exit ${ran.code}`;
    fail(`the consumer (${why})`, ran.output);
    return false;
  }
  return true;
}

/**
 * Runs every example of examples/ in the consumer project, where each public package is
 * installed from its tarball (scripts/lib/examples.mjs and examples/README.md: the convention).
 */
async function examples() {
  const project = path.join(tempDir, 'consumer');
  const copied = await copyExamples(project);
  console.log(`  ${copied.length} example(s): ${copied.join(', ')}`);
  const env = cleanEnv({ npm_config_update_notifier: 'false' });
  const { problems } = await phase('examples', () => runExamples(project, env));
  for (const problem of problems) fail(problem.what, problem.output);
  return problems.length === 0;
}

/**
 * Installs @lumenlink/strategies alone (with its @lumenlink dependencies, from their tarballs) into
 * a second project, checks that none of STRATEGIES_FORBIDDEN is anywhere in its node_modules, and
 * runs every example of packages/strategies/examples there: each must end with `example: ok`.
 */
async function strategiesAlone() {
  const project = path.join(tempDir, 'strategies-only');
  await mkdir(project, { recursive: true });
  const wanted = ['@lumenlink/strategies', '@lumenlink/core', '@lumenlink/indicators'];
  /** @type {Record<string, string>} */
  const dependencies = {};
  /** @type {Record<string, string>} */
  const overrides = {};
  for (const name of wanted) {
    const tarball = tarballOf.get(name);
    if (tarball === undefined) {
      fail(`strategies alone: no tarball for ${name}`);
      return false;
    }
    dependencies[name] = `file:${path.relative(project, tarball).split(path.sep).join('/')}`;
    overrides[name] = `$${name}`;
  }
  const manifest = {
    name: 'strategies-only',
    private: true,
    type: 'module',
    dependencies,
    overrides,
  };
  await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const globalConfig = npmGlobalConfig();
  const env = cleanEnv({
    npm_config_update_notifier: 'false',
    ...(globalConfig === undefined ? {} : { npm_config_globalconfig: globalConfig }),
  });
  const installed = await phase('npm install (strategies alone)', () =>
    run(
      process.execPath,
      [
        npmCli(),
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--prefer-offline',
        '--loglevel=error',
      ],
      { cwd: project, env, timeoutMs: 300_000 },
    ),
  );
  if (!installed.ok) {
    fail('npm install of @lumenlink/strategies alone', installed.output);
    return false;
  }
  const found = await findPackages(
    path.join(project, 'node_modules'),
    new Set(STRATEGIES_FORBIDDEN),
  );
  if (found.length > 0) {
    fail(`installing @lumenlink/strategies pulled in ${found.join(', ')}`);
    return false;
  }
  console.log(`  strategies alone pulls none of ${STRATEGIES_FORBIDDEN.join(', ')}`);
  const examplesDir = path.join(root, 'packages', 'strategies', 'examples');
  const examples = existsSync(examplesDir)
    ? readdirSync(examplesDir).filter((f) => f.endsWith('.mjs'))
    : [];
  if (examples.length === 0) {
    fail('packages/strategies/examples has no .mjs example to run');
    return false;
  }
  for (const example of examples) {
    await cp(path.join(examplesDir, example), path.join(project, example));
    const ran = await phase(`example ${example}`, () =>
      run(process.execPath, [example], { cwd: project, env, timeoutMs: 60_000 }),
    );
    const lastLine = ran.stdout.trimEnd().split('\n').at(-1);
    if (!ran.ok || lastLine !== 'example: ok') {
      fail(
        `strategies example ${example} (${ran.ok ? `last line ${JSON.stringify(lastLine)}` : `exit ${ran.code}`})`,
        ran.output,
      );
      return false;
    }
    console.log(`  example ${example} ✓`);
  }
  return true;
}

/**
 * Names from `names` installed anywhere below a node_modules folder.
 * @param {string} nodeModules
 * @param {Set<string>} names
 * @returns {Promise<string[]>}
 */
async function findPackages(nodeModules, names) {
  /** @type {string[]} */
  const found = [];
  /** @param {string} dir */
  const walk = async (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const scoped = entry.name.startsWith('@');
      const children = scoped
        ? (await readdir(path.join(dir, entry.name))).map((child) => `${entry.name}/${child}`)
        : [entry.name];
      for (const name of children) {
        if (names.has(name)) found.push(name);
        await walk(path.join(dir, name, 'node_modules'));
      }
    }
  };
  await walk(nodeModules);
  return [...new Set(found)];
}

/**
 * For each copy of a NATIVE module in the consumer's tree that builds at install time (npm
 * skipped that with --ignore-scripts): copies the workspace's build of the same version, checks
 * that it loads in this Node, and otherwise builds it with `npm rebuild` as a last resort.
 * A module that ships its binaries prebuilt (no install script, no node-gyp build) needs nothing.
 * @param {string} project
 * @param {Record<string, string>} env
 */
async function provideNativeBuilds(project, env) {
  for (const name of NATIVE) {
    for (const target of await installedCopies(path.join(project, 'node_modules'), name)) {
      const manifest = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8'));
      const label = `${name}@${manifest.version} (${path.relative(project, target)})`;
      if (!buildsAtInstall(manifest, target)) {
        console.log(`    ${label}: no install-time build (ships its binaries)`);
        continue;
      }
      let how = 'already built';
      if ((await addons(target)).length === 0) {
        const source = workspaceCopy(name, manifest.version);
        if (source !== undefined) {
          await cp(path.join(source, 'build'), path.join(target, 'build'), { recursive: true });
          how = `copied the workspace's build from ${path.relative(root, source)}`;
        }
      }
      if (!(await loads(target, env))) {
        how = 'built by npm rebuild (no workspace build of this version loads here)';
        const rebuilt = await run(process.execPath, [npmCli(), 'rebuild', name], {
          cwd: project,
          env,
          timeoutMs: 300_000,
        });
        if (!rebuilt.ok || !(await loads(target, env))) {
          fail(`native module ${label} does not load in Node ${process.version}`, rebuilt.output);
          return false;
        }
      }
      console.log(`    ${label}: ${how}`);
    }
  }
  return true;
}

/** Whether npm would build this package at install: an install script, or node-gyp's default. */
function buildsAtInstall(
  /** @type {{ scripts?: Record<string, string>, gypfile?: boolean }} */ manifest,
  /** @type {string} */ dir,
) {
  const scripts = manifest.scripts ?? {};
  if (scripts.preinstall || scripts.install || scripts.postinstall) return true;
  return manifest.gypfile !== false && existsSync(path.join(dir, 'binding.gyp'));
}

/**
 * Every installed copy of a package in a node_modules tree (hoisted or nested).
 * @param {string} nodeModules
 * @param {string} name
 * @returns {Promise<string[]>}
 */
async function installedCopies(nodeModules, name) {
  if (!existsSync(nodeModules)) return [];
  /** @type {string[]} */
  const found = [];
  const here = path.join(nodeModules, name);
  if (existsSync(path.join(here, 'package.json'))) found.push(here);
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const packages = entry.startsWith('@')
      ? (await readdir(path.join(nodeModules, entry))).map((sub) => path.join(entry, sub))
      : [entry];
    for (const pkg of packages) {
      found.push(...(await installedCopies(path.join(nodeModules, pkg, 'node_modules'), name)));
    }
  }
  return found;
}

/** The workspace's installed copy of a native module at this version that has a build, if any. */
function workspaceCopy(/** @type {string} */ name, /** @type {string} */ version) {
  const store = path.join(root, 'node_modules', '.pnpm');
  if (!existsSync(store)) return undefined;
  const prefix = `${name.replace('/', '+')}@${version}`;
  for (const entry of readdirSync(store)) {
    if (entry !== prefix && !entry.startsWith(`${prefix}_`)) continue;
    const dir = path.join(store, entry, 'node_modules', name);
    if (existsSync(path.join(dir, 'build')) && statSync(path.join(dir, 'build')).isDirectory()) {
      return dir;
    }
  }
  return undefined;
}

/** The compiled addons (.node files) under a module's build/ folder. */
async function addons(/** @type {string} */ moduleDir) {
  const build = path.join(moduleDir, 'build');
  if (!existsSync(build)) return [];
  const entries = await readdir(build, { recursive: true });
  return entries.filter((entry) => entry.endsWith('.node')).map((entry) => path.join(build, entry));
}

/**
 * Whether a module's addons load in this Node, in a child process (a bad one may crash it): at
 * least one must, and none may fail for another reason than not being a Node addon at all (such
 * as better-sqlite3's SQLite test extension, which "did not self-register").
 */
async function loads(/** @type {string} */ moduleDir, /** @type {Record<string, string>} */ env) {
  const files = await addons(moduleDir);
  if (files.length === 0) return false;
  const script = `
    let loaded = 0;
    for (const file of process.argv.slice(1)) {
      try {
        process.dlopen({ exports: {} }, file);
        loaded++;
      } catch (error) {
        if (/did not self-register/.test(error.message)) continue;
        console.error(error.message);
        process.exitCode = 1;
      }
    }
    if (loaded === 0) process.exitCode = 1;`;
  return (await run(process.execPath, ['-e', script, ...files], { env, timeoutMs: 30_000 })).ok;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function cleanUp() {
  if (tempDir === '') return;
  if (options.keep) console.log(`\nkept ${tempDir}`);
  else await rm(tempDir, { recursive: true, force: true });
}

cleanUpOnSignals(cleanUp);

try {
  const packages = publicPackages();
  if (packages.length === 0) throw new Error('no public package found under packages/');
  console.log(
    `check:packages: ${packages.length} public packages, Node ${process.version}, ${concurrency} at a time`,
  );

  console.log('\npublint --strict and attw --pack --profile esm-only');
  await phase('lint', () => lint(packages));

  console.log('\nconsumer project (pnpm pack, npm install, tsc, node)');
  const consumerStart = performance.now();
  const ok = await consumer(packages);
  console.log(`  consumer ${ok ? '✓' : '✗'} ${seconds(performance.now() - consumerStart)}`);
  if (ok) {
    console.log('\nexamples/ from the tarballs (node with type stripping)');
    await examples();
    console.log('\n@lumenlink/strategies alone (npm install, forbidden SDKs, examples)');
    await strategiesAlone();
  }
} catch (error) {
  fail(
    'check:packages crashed',
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
} finally {
  await cleanUp();
}

const total = seconds(performance.now() - started);
const breakdown = phases.map((p) => `${p.name} ${seconds(p.ms)}`).join(', ');
if (failures.length > 0) {
  console.log(`\ncheck:packages: FAILED in ${total} (${failures.length} problem(s)):`);
  for (const what of failures) console.log(`  ✗ ${what}`);
  if (!options.keep && tempDir !== '')
    console.log('  (rerun with --keep to inspect the consumer project)');
  process.exit(1);
}
console.log(`\ncheck:packages: ok in ${total} (${breakdown})`);
