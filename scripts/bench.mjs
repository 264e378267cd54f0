#!/usr/bin/env node
/**
 * `pnpm bench` (and `./lumenlink bench`): every workspace's benchmark, one after the other (two
 * at once would time each other), then one summary of every goal they printed.
 *
 * 1. Finds the workspaces under `packages/` and `apps/` whose package.json has a `bench` script
 *    (packages first, then apps, each by name), or those named on the command line.
 * 2. Builds them and what they depend on (`turbo run build`): the benchmarks read `dist/`.
 * 3. Runs each one's `bench` script (`pnpm run bench` in its folder), its output shown as it
 *    comes, and collects the `GOAL` and `CHECK` lines of its stdout (docs/benchmarks.md).
 * 4. Prints the summary: Node, the CPU and the load average at the start and the end, then each
 *    goal with its ratio and PASS or FAIL, and exits 1 when a goal or a check failed or a
 *    benchmark exited with another code than 0.
 *
 * Usage: node scripts/bench.mjs [--quick] [workspace...]
 *   --quick      sets BENCH_QUICK=1: each benchmark that knows it runs a smaller case
 *   workspace    a package name or its folder's name (`indicators`, `@lumenlink/backtest`)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseBenchOutput, summarize } from './lib/bench-lines.mjs';
import { root } from './lib/process.mjs';

/**
 * The workspaces with a `bench` script, packages first.
 * @returns {{ name: string, dir: string }[]}
 */
function benchmarks() {
  return ['packages', 'apps'].flatMap((parent) =>
    readdirSync(path.join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(root, parent, entry.name))
      .filter((dir) => existsSync(path.join(dir, 'package.json')))
      .map((dir) => ({
        dir,
        manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')),
      }))
      .filter(({ manifest }) => typeof manifest.scripts?.bench === 'string')
      .map(({ dir, manifest }) => ({ name: String(manifest.name), dir }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
}

/**
 * Runs a command with stdin and stderr inherited, echoing its stdout and returning it.
 * @param {string} command @param {string[]} args @param {string} cwd
 * @param {Record<string, string | undefined>} env
 * @returns {Promise<{ code: number, stdout: string }>}
 */
function runEchoed(command, args, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['inherit', 'pipe', 'inherit'] });
    /** @type {Buffer[]} */
    const out = [];
    child.stdout.on('data', (chunk) => {
      out.push(chunk);
      process.stdout.write(chunk);
    });
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 1 : 0), stdout: Buffer.concat(out).toString('utf8') }),
    );
    child.on('error', (error) => {
      process.stderr.write(`bench: could not start ${command}: ${error.message}\n`);
      resolve({ code: 1, stdout: '' });
    });
  });
}

/** pnpm as it was started (`pnpm bench` sets npm_execpath), else the one on the PATH. */
function pnpm() {
  const execPath = process.env.npm_execpath;
  return execPath !== undefined && /pnpm/.test(path.basename(execPath))
    ? { command: process.execPath, args: [execPath] }
    : { command: 'pnpm', args: [] };
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main() {
  const { values, positionals } = parseArgs({
    options: { quick: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const all = benchmarks();
  const chosen =
    positionals.length === 0
      ? all
      : all.filter((bench) =>
          positionals.some((want) => bench.name === want || path.basename(bench.dir) === want),
        );
  if (chosen.length === 0) {
    process.stderr.write(
      `bench: no benchmark named ${positionals.join(', ')}; there are ${all.map((bench) => bench.name).join(', ')}\n`,
    );
    process.exit(1);
  }
  const cpu = cpus();
  const machine = `Node ${process.version}; ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}`;
  const loadAtStart = load();
  process.stdout.write(
    `bench: ${chosen.map((bench) => bench.name).join(', ')}; ${machine}; load average ${loadAtStart}\n`,
  );

  const turbo = path.join(root, 'node_modules', '.bin', 'turbo');
  const filters = chosen.map((bench) => `--filter=${bench.name}`);
  const built = await runEchoed(
    turbo,
    ['run', 'build', '--output-logs=errors-only', ...filters],
    root,
    process.env,
  );
  if (built.code !== 0) {
    process.stderr.write('bench: the build failed; no benchmark ran\n');
    process.exit(1);
  }

  const env = { ...process.env, ...(values.quick ? { BENCH_QUICK: '1' } : {}) };
  const { command, args } = pnpm();
  /** @type {import('./lib/bench-lines.mjs').BenchRun[]} */
  const runs = [];
  for (const bench of chosen) {
    process.stdout.write(`\nbench: ${bench.name} (load average ${load()})\n`);
    const begin = performance.now();
    const { code, stdout } = await runEchoed(command, [...args, 'run', 'bench'], bench.dir, env);
    const seconds = (performance.now() - begin) / 1000;
    runs.push({ name: bench.name, code, seconds, lines: parseBenchOutput(stdout) });
  }

  const { ok, text } = summarize(runs);
  const times = runs.map((run) => `${run.name} ${run.seconds.toFixed(0)} s`).join(', ');
  process.stdout.write(
    [
      '',
      '== pnpm bench summary ==',
      `${machine}; load average (1, 5, 15 min) ${loadAtStart} at the start, ${load()} at the end; ${times}.`,
      '',
      text,
      '',
    ].join('\n'),
  );
  process.exit(ok ? 0 : 1);
}

await main();
