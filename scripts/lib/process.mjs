/**
 * Process and npm helpers shared by scripts/check-packages.mjs and scripts/check-release.mjs:
 * running a command with a timeout in its own process group, an environment free of pnpm's
 * npm_config_* variables, and the npm CLI that matches the running Node.
 *
 * Plain Node ESM without dependencies.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Children still running, so a signal handler can end their process groups. */
/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

/** @param {number} ms */
export const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

/** @param {string} text */
export const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

/**
 * The environment for tools run outside the workspace: without the npm_config_* and npm_package_*
 * variables that `pnpm run` sets for its scripts, which npm would otherwise take as its own config.
 * @param {Record<string, string>} [extra]
 */
export function cleanEnv(extra = {}) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm|pnpm)_(config|package|lifecycle)_/i.test(key) || /^PNPM_/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a command and collects its stdout and stderr (interleaved), never throwing.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string | undefined>, timeoutMs?: number, onSpawn?: (child: import('node:child_process').ChildProcess) => void }} [opts]
 *   `onSpawn` receives the child, for a caller that ends a long-running one itself.
 * @returns {Promise<{ ok: boolean, code: number | null, output: string, stdout: string, ms: number }>}
 */
export function run(command, args, opts = {}) {
  const start = performance.now();
  const timeoutMs = opts.timeoutMs ?? 180_000;
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const all = [];
    /** @type {Buffer[]} */
    const out = [];
    let timedOut = false;
    const child = spawn(command, args, {
      cwd: opts.cwd ?? root,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout also ends what it started
    });
    running.add(child);
    opts.onSpawn?.(child);
    child.stdout.on('data', (chunk) => (all.push(chunk), out.push(chunk)));
    child.stderr.on('data', (chunk) => all.push(chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    const finish = (/** @type {number | null} */ code, /** @type {string} */ extra = '') => {
      clearTimeout(timer);
      running.delete(child);
      const suffix = timedOut ? `\n(timed out after ${seconds(timeoutMs)})` : '';
      resolve({
        ok: code === 0 && !timedOut,
        code,
        output: Buffer.concat(all).toString('utf8') + extra + suffix,
        stdout: Buffer.concat(out).toString('utf8'),
        ms: performance.now() - start,
      });
    };
    child.on('error', (error) => finish(null, `\n${command}: ${error.message}`));
    child.on('close', (code) => finish(code));
  });
}

/** @param {import('node:child_process').ChildProcess} child */
export function killGroup(child) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/**
 * npm's CLI script, run with this Node so it installs for this runtime: the npm that ships beside
 * this Node if it has one, else the `npm` on PATH.
 */
export function npmCli() {
  const home = path.dirname(path.dirname(process.execPath));
  const bundled = path.join(home, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(bundled)) return bundled;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (dir !== '' && existsSync(candidate)) return realpathSync(candidate);
  }
  throw new Error('npm was not found beside node nor on PATH');
}

/**
 * npm's global config file (`<prefix>/etc/npmrc`) for the npm CLI found by {@link npmCli}. npm
 * derives its prefix from the Node that runs it, so when the wrapper's Node 24 runs the system's
 * npm, npm would miss the system's global config (registry, cafile of a TLS-inspecting proxy):
 * point it there explicitly.
 * @returns {string | undefined}
 */
export function npmGlobalConfig() {
  // <prefix>/lib/node_modules/npm/bin/npm-cli.js -> <prefix>/etc/npmrc
  const prefix = path.resolve(path.dirname(npmCli()), '..', '..', '..', '..');
  const file = path.join(prefix, 'etc', 'npmrc');
  return existsSync(file) ? file : undefined;
}

/** The running Node's own headers for native builds, when it ships them. */
export function nodeHeadersDir() {
  const home = path.dirname(path.dirname(process.execPath));
  return existsSync(path.join(home, 'include', 'node')) ? home : undefined;
}

/**
 * The flags of a check script: `--keep` (keep its temporary directory) and `--help`. Prints
 * `usage` and exits 0 for `--help`, exits 2 with the problem and `usage` for an unknown flag.
 * @param {string} usage
 * @returns {{ keep: boolean }}
 */
export function checkFlags(usage) {
  /** @type {{ keep?: boolean, help?: boolean }} */
  let values;
  try {
    values = parseArgs({
      options: { keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return { keep: values.keep === true };
}

/** The timed phases of a check, in order, for its closing summary. */
/** @type {{ name: string, ms: number }[]} */
export const phases = [];

/**
 * Times a phase of a check, prints its duration and records it in {@link phases}.
 * @template R
 * @param {string} name
 * @param {() => Promise<R>} body
 * @returns {Promise<R>}
 */
export async function phase(name, body) {
  const start = performance.now();
  try {
    return await body();
  } finally {
    const ms = performance.now() - start;
    phases.push({ name, ms });
    console.log(`  ${name}: ${seconds(ms)}`);
  }
}

/**
 * On SIGINT or SIGTERM: kills every child still running, awaits `cleanUp` and exits 130.
 * @param {() => Promise<void>} cleanUp
 */
export function cleanUpOnSignals(cleanUp) {
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => {
      for (const child of running) killGroup(child);
      void cleanUp().finally(() => process.exit(130));
    });
  }
}

/**
 * The public (not `private`) packages of a workspace's packages/ folder, by folder name: their
 * name, folder, version and package.json.
 * @param {string} [workspace] the workspace's root (default: this repository)
 * @returns {{ name: string, dir: string, version: string, manifest: Record<string, any> }[]}
 */
export function publicPackages(workspace = root) {
  const base = path.join(workspace, 'packages');
  const found = [];
  for (const entry of readdirSync(base).sort()) {
    const manifestPath = path.join(base, entry, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    found.push({
      name: manifest.name,
      dir: path.join(base, entry),
      version: manifest.version,
      manifest,
    });
  }
  return found;
}
