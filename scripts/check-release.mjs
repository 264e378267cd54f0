#!/usr/bin/env node
/**
 * `pnpm check:release`: runs the real release path against a local npm registry, then installs
 * the packages by name from it as a stranger would and runs the examples there.
 *
 *   1. Registry: starts verdaccio (a root devDependency) on 127.0.0.1 at a free port, with a
 *      config and storage in a temporary directory. `@lumenlink/*` lives only there; every other
 *      package is proxied to the registry npm is configured with (`npm config get registry`).
 *      A user is created over the registry's API and its token goes into the release's .npmrc.
 *   2. Release: copies the workspace's files (tracked and untracked, not ignored: what a commit
 *      would hold) to a throwaway directory, installs it from pnpm's store, commits it in a
 *      fresh git repository on `main`, runs `changeset version` and commits that ("Version
 *      packages", as changesets/action does), then `pnpm release` (`turbo run build && changeset
 *      publish`). The repository's own files are never modified.
 *   3. Published: every public package of the copy, at its new version, must be on the registry.
 *   4. Stranger: a fresh project outside the workspace depends on each public package by name
 *      (`^version`) and installs with plain `npm install --registry <local>`; the installed
 *      versions must be the published ones. Then examples/ runs there as in check:packages
 *      (scripts/lib/examples.mjs).
 *
 * Verdaccio is stopped and the temporary directory removed at the end, on failure and on
 * SIGINT/SIGTERM.
 *
 * Usage: node scripts/check-release.mjs [--keep]
 *   --keep  keep the temporary directory (registry storage, release copy, project) and print it.
 *
 * Plain Node ESM; verdaccio comes from the root devDependencies.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { copyExamples, runExamples } from './lib/examples.mjs';
import {
  checkFlags,
  cleanEnv,
  cleanUpOnSignals,
  indent,
  killGroup,
  npmCli,
  npmGlobalConfig,
  phase,
  phases,
  publicPackages,
  root,
  run,
  seconds,
} from './lib/process.mjs';

const usage = 'Usage: node scripts/check-release.mjs [--keep]';
const options = checkFlags(usage);

const started = performance.now();
/** @type {string[]} */
const failures = [];
let tempDir = '';
/** @type {import('node:child_process').ChildProcess | undefined} */
let registryProcess;

/** A failed step: recorded for the summary and thrown to stop the check. */
class StepFailed extends Error {}

/**
 * @param {string} what
 * @param {string} [output]
 * @returns {never}
 */
function fail(what, output) {
  failures.push(what);
  console.log(`\n✗ ${what}`);
  if (output !== undefined && output.trim() !== '') console.log(indent(lastLines(output, 60)));
  throw new StepFailed(what);
}

/** The last `count` lines of a tool's output, without terminal control sequences. */
function lastLines(/** @type {string} */ text, /** @type {number} */ count) {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
  return plain.trimEnd().split('\n').slice(-count).join('\n');
}

// ---------------------------------------------------------------------------------------------
// 1. The registry
// ---------------------------------------------------------------------------------------------

/** A free TCP port on loopback. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The registry npm is configured with on this machine, where verdaccio proxies the rest. */
async function upstreamRegistry() {
  const globalConfig = npmGlobalConfig();
  const env = cleanEnv(globalConfig === undefined ? {} : { npm_config_globalconfig: globalConfig });
  const r = await run(process.execPath, [npmCli(), 'config', 'get', 'registry'], {
    cwd: os.tmpdir(),
    env,
    timeoutMs: 30_000,
  });
  const url = r.ok ? r.stdout.trim() : '';
  if (!/^https?:\/\//.test(url)) fail('`npm config get registry` gave no registry URL', r.output);
  return url;
}

/**
 * Starts verdaccio on 127.0.0.1 with its config and storage under `dir`; resolves with its URL
 * once it answers `/-/ping`.
 * @param {string} dir
 */
async function startRegistry(dir) {
  const port = await freePort();
  const upstream = await upstreamRegistry();
  const config = [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: 1',
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(upstream)}`,
    '    timeout: 60s',
    'packages:',
    "  '@lumenlink/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    'web:',
    '  enable: false',
    'max_body_size: 200mb',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
  const configFile = path.join(dir, 'config.yaml');
  await writeFile(configFile, config);
  const bin = path.join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (!existsSync(bin)) fail('verdaccio is not installed: run pnpm install at the root');
  const url = `http://127.0.0.1:${port}/`;
  // The process runs until stopRegistry(); `run` collects its output for a failure report.
  const exited = run(
    process.execPath,
    // --use-system-ca: verdaccio fetches what it proxies over TLS; trust the system's CA store
    // (where a machine behind an intercepting proxy keeps that proxy's CA) as npm itself does.
    ['--use-system-ca', bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    {
      cwd: dir,
      env: cleanEnv(),
      timeoutMs: 3_600_000,
      onSpawn: (child) => (registryProcess = child),
    },
  );
  let gone = /** @type {{ output: string } | undefined} */ (undefined);
  void exited.then((result) => (gone = result));
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    if (gone !== undefined) fail('verdaccio exited at start', gone.output);
    try {
      const response = await fetch(new URL('-/ping', url));
      if (response.ok) return { url, upstream, exited };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return fail('verdaccio did not answer /-/ping within 60 s');
}

/** Ends verdaccio and waits for it to exit (SIGKILL after 5 s). */
async function stopRegistry() {
  const child = registryProcess;
  registryProcess = undefined;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  killGroup(child);
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 5_000);
  await closed;
  clearTimeout(timer);
}

/** Creates the release user on the registry and returns its token. */
async function createUser(/** @type {string} */ url) {
  const name = 'lumenlink-release';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `check-release-${process.pid}` }),
  });
  const body = /** @type {{ token?: unknown }} */ (await response.json().catch(() => ({})));
  if (!response.ok || typeof body.token !== 'string') {
    fail(`creating a user on the local registry: HTTP ${response.status}`, JSON.stringify(body));
  }
  return /** @type {string} */ (body.token);
}

// ---------------------------------------------------------------------------------------------
// 2. The release, in a throwaway copy
// ---------------------------------------------------------------------------------------------

/** Git with a fixed identity, in `cwd`. */
function git(/** @type {string} */ cwd, /** @type {string[]} */ args) {
  return run(
    'git',
    [
      '-c',
      'user.name=LumenLink release check',
      '-c',
      'user.email=release-check@localhost',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    {
      cwd,
      env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1' }),
    },
  );
}

/** Copies what a commit of the workspace would hold into `copy` (tracked and untracked files). */
async function copyWorkspace(/** @type {string} */ copy) {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  )
    .toString('utf8')
    .split('\0')
    .filter((file) => file !== '' && existsSync(path.join(root, file)));
  for (const file of listed) {
    await mkdir(path.dirname(path.join(copy, file)), { recursive: true });
    await cp(path.join(root, file), path.join(copy, file), { verbatimSymlinks: true });
  }
  return listed.length;
}

/**
 * @param {string} copy
 * @param {string} registry
 * @param {string} token
 */
async function release(copy, registry, token) {
  const env = cleanEnv({ CI: 'true', FORCE_COLOR: '0', npm_config_registry: registry });
  const files = await phase('copy the workspace', () => copyWorkspace(copy));
  console.log(`    ${files} files`);
  const installed = await phase('pnpm install (from the store)', () =>
    run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], {
      cwd: copy,
      env,
      timeoutMs: 600_000,
    }),
  );
  if (!installed.ok) fail('pnpm install in the release copy', installed.output);

  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'release check'],
  ]) {
    const r = await git(copy, args);
    if (!r.ok) fail(`git ${args[0]} in the release copy`, r.output);
  }

  const versioned = await phase('changeset version', () =>
    run('pnpm', ['exec', 'changeset', 'version'], { cwd: copy, env }),
  );
  if (!versioned.ok) fail('changeset version', versioned.output);
  for (const args of [
    ['add', '-A'],
    ['commit', '-q', '-m', 'Version packages'],
  ]) {
    const r = await git(copy, args);
    if (!r.ok) fail(`git ${args[0]} after changeset version`, r.output);
  }
  const packages = publicPackages(copy);
  const unversioned = packages.filter((pkg) => pkg.version === '0.0.0');
  if (unversioned.length > 0) {
    fail(
      `changeset version left ${unversioned.map((pkg) => pkg.name).join(', ')} at 0.0.0`,
      'A public package needs a changeset (.changeset/*.md) to be released.',
    );
  }
  console.log(`    ${packages.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ')}`);

  const host = registry.replace(/^https?:/, '');
  await writeFile(path.join(copy, '.npmrc'), `registry=${registry}\n${host}:_authToken=${token}\n`);
  const published = await phase('pnpm release (turbo run build && changeset publish)', () =>
    run('pnpm', ['release'], { cwd: copy, env, timeoutMs: 900_000 }),
  );
  if (!published.ok) fail('pnpm release', published.output);
  return packages;
}

// ---------------------------------------------------------------------------------------------
// 3. Published, and 4. a stranger's project
// ---------------------------------------------------------------------------------------------

/**
 * @param {string} registry
 * @param {{ name: string, version: string }[]} packages
 */
async function checkPublished(registry, packages) {
  /** @type {string[]} */
  const missing = [];
  for (const pkg of packages) {
    const response = await fetch(new URL(pkg.name.replace('/', '%2f'), registry));
    const body = response.ok
      ? /** @type {{ versions?: Record<string, unknown> }} */ (await response.json())
      : {};
    if (body.versions?.[pkg.version] === undefined) missing.push(`${pkg.name}@${pkg.version}`);
  }
  if (missing.length > 0) fail(`not on the local registry after publish: ${missing.join(', ')}`);
  console.log(`  ✓ all ${packages.length} public packages are on the registry`);
}

/**
 * @param {string} project
 * @param {string} registry
 * @param {{ name: string, version: string }[]} packages
 */
async function stranger(project, registry, packages) {
  await mkdir(project, { recursive: true });
  const manifest = {
    name: 'lumenlink-stranger',
    version: '0.0.0',
    private: true,
    type: 'module',
    dependencies: Object.fromEntries(packages.map((pkg) => [pkg.name, `^${pkg.version}`])),
    // For type-checking the examples against the published declarations.
    devDependencies: { typescript: '5.9.3', '@types/node': '^24.19.2' },
  };
  await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const globalConfig = npmGlobalConfig();
  const env = cleanEnv({
    npm_config_update_notifier: 'false',
    ...(globalConfig === undefined ? {} : { npm_config_globalconfig: globalConfig }),
  });
  const installed = await phase('npm install --registry (by name)', () =>
    run(
      process.execPath,
      [npmCli(), 'install', '--registry', registry, '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: project, env, timeoutMs: 600_000 },
    ),
  );
  if (!installed.ok) fail('npm install from the local registry', installed.output);
  /** @type {string[]} */
  const wrong = [];
  for (const pkg of packages) {
    const file = path.join(project, 'node_modules', pkg.name, 'package.json');
    const version = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : 'none';
    if (version !== pkg.version) wrong.push(`${pkg.name}: ${version} (published ${pkg.version})`);
  }
  if (wrong.length > 0)
    fail(`installed versions differ from the published ones: ${wrong.join(', ')}`);

  const copied = await copyExamples(project);
  console.log(`  ${copied.length} example(s): ${copied.join(', ')}`);
  const { problems } = await phase('examples', () => runExamples(project, env));
  if (problems.length > 0) {
    for (const problem of problems.slice(0, -1)) {
      failures.push(problem.what);
      console.log(`\n✗ ${problem.what}\n${indent(lastLines(problem.output, 60))}`);
    }
    const last = /** @type {{ what: string, output: string }} */ (problems.at(-1));
    fail(last.what, last.output);
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function cleanUp() {
  await stopRegistry();
  if (tempDir === '') return;
  if (options.keep) console.log(`\nkept ${tempDir}`);
  else await rm(tempDir, { recursive: true, force: true });
}

cleanUpOnSignals(cleanUp);

try {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'lumenlink-check-release-'));
  if (!path.relative(root, realpathSync(tempDir)).startsWith('..')) {
    fail(`the temporary directory ${tempDir} is inside the workspace; set TMPDIR elsewhere`);
  }
  console.log(`check:release: Node ${process.version}`);

  console.log('\nlocal registry (verdaccio on loopback)');
  const registryDir = path.join(tempDir, 'registry');
  await mkdir(registryDir);
  const { url, upstream } = await phase('start verdaccio', () => startRegistry(registryDir));
  console.log(`    ${url} (@lumenlink/* local, the rest proxied to ${upstream})`);
  const token = await createUser(url);

  console.log('\nrelease from a throwaway copy of the workspace');
  const packages = await release(path.join(tempDir, 'release'), url, token);
  await checkPublished(url, packages);

  console.log('\na fresh project installs the packages by name and runs examples/');
  await stranger(path.join(tempDir, 'stranger'), url, packages);
} catch (error) {
  if (!(error instanceof StepFailed)) {
    failures.push('check:release crashed');
    console.log(
      `\n✗ check:release crashed\n${indent(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
    );
  }
} finally {
  await cleanUp();
}

const total = seconds(performance.now() - started);
const breakdown = phases.map((p) => `${p.name} ${seconds(p.ms)}`).join(', ');
if (failures.length > 0) {
  console.log(`\ncheck:release: FAILED in ${total} (${failures.length} problem(s)):`);
  for (const what of failures) console.log(`  ✗ ${what}`);
  if (!options.keep) console.log('  (rerun with --keep to inspect the registry, copy and project)');
  process.exit(1);
}
console.log(`\ncheck:release: ok in ${total} (${breakdown})`);
