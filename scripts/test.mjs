#!/usr/bin/env node
/**
 * `pnpm test` (and `./lumenlink test`): what CI runs, ending with one line that totals every
 * package's tests, `N passed, M failed`.
 *
 * 1. Looks for Chromium before any test runs (the HTML report tests open their pages in a real
 *    browser): `CHROMIUM_PATH`, else `chromium`, `chromium-browser`, `google-chrome` on the PATH.
 *    Missing, it prints one line saying how to install it and exits 1.
 * 2. Runs `turbo run typecheck lint test --concurrency=2` with the arguments given (`--force`
 *    re-runs what turbo has cached, `--filter @lumenlink/data` one package), and beside it
 *    prettier's check, sherif, knip and the app-size check (their output is printed whole when
 *    each ends); then the tests of these scripts and of `./lumenlink` (`node --test
 *    scripts/*.test.mjs`). Every step runs; the failed ones are named at the end.
 * 3. Totals the vitest summaries (`Tests  N passed | M failed (T)`) of every package turbo ran or
 *    replayed from its cache and node's (`ℹ pass N`, `ℹ fail M`), and prints them; a failed
 *    step or task is named above that line.
 *
 * Usage: node scripts/test.mjs [turbo arguments...]
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { root } from './lib/process.mjs';

/** The browsers the report tests can drive, by the names Debian and Google install them under. */
const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** @param {string} file @returns {boolean} */
function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @returns {string | undefined} the Chromium to test with */
function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of BROWSERS) {
      const file = path.join(dir, name);
      if (executable(file)) return file;
    }
  }
  return undefined;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Adds one vitest summary line to the totals.
 * @param {{ passed: number, failed: number }} totals
 * @param {string} line
 */
function countSummary(totals, line) {
  const text = line.replace(ANSI, '');
  const node = /^ℹ (pass|fail) (\d+)$/.exec(text);
  if (node) totals[node[1] === 'pass' ? 'passed' : 'failed'] += Number(node[2]);
  if (!/\bTests\s+\d/.test(text)) return;
  for (const match of text.matchAll(/(\d+) (passed|failed)/g)) {
    totals[match[2] === 'passed' ? 'passed' : 'failed'] += Number(match[1]);
  }
}

/**
 * Runs one step, echoing its output and feeding every line to `onLine`; `buffered` holds the
 * output back until the step ends, so steps that run beside another do not interleave lines.
 * @param {string} command @param {string[]} args @param {(line: string) => void} onLine
 * @returns {Promise<number>} the exit code
 */
function step(command, args, onLine, buffered = false) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ['inherit', 'pipe', 'pipe'],
      env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) },
    });
    /** @type {Buffer[]} */
    const held = [];
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      let rest = '';
      stream.on('data', (chunk) => {
        if (buffered) held.push(chunk);
        else out.write(chunk);
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      stream.on('end', () => rest && onLine(rest));
    }
    child.on('close', (code, signal) => {
      if (held.length > 0) process.stdout.write(Buffer.concat(held));
      resolve(code ?? (signal ? 1 : 0));
    });
    child.on('error', (error) => {
      process.stderr.write(`test: could not start ${command}: ${error.message}\n`);
      resolve(1);
    });
  });
}

async function main() {
  const chromium = findChromium();
  if (chromium === undefined) {
    const where = process.env.CHROMIUM_PATH
      ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable`
      : 'Chromium is not installed';
    process.stderr.write(
      `test: ${where}; the HTML report tests open their pages in it. Install it (Debian/Ubuntu: sudo apt-get install chromium) or point CHROMIUM_PATH at a Chromium or Chrome binary, then run the tests again.\n`,
    );
    process.exit(1);
  }
  process.env.CHROMIUM_PATH = chromium;
  // The tests check the hints commands print as `pnpm …`, however the suite was started.
  delete process.env.LUMENLINK_RUNNER;

  const totals = { passed: 0, failed: 0 };
  const failedTasks = new Set();
  const onLine = (line) => {
    countSummary(totals, line);
    const task = /^\s*(?:Failed:\s+)?((?:@lumenlink\/[\w-]+|\/\/)#\w+)/.exec(
      line.replace(ANSI, ''),
    );
    if (task && /Failed:/.test(line.replace(ANSI, ''))) failedTasks.add(task[1]);
  };
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  // The checks that only read the sources run beside turbo (each takes one core for a few
  // seconds while turbo compiles); the wrapper's tests after it, since pack:lib builds packages.
  const checks = [
    ['prettier', [bin('prettier'), ['--check', '.', '--cache']]],
    ['sherif', [bin('sherif'), ['--fail-on-warnings']]],
    ['knip', [bin('knip'), ['--no-progress']]],
    ['the app-size check', [process.execPath, [path.join(root, 'scripts/check-app-size.mjs')]]],
  ];
  const turbo = step(
    bin('turbo'),
    ['run', 'typecheck', 'lint', 'test', '--concurrency=2', ...process.argv.slice(2)],
    onLine,
  );
  const codes = await Promise.all(
    checks.map(([, [command, args]]) => step(command, args, onLine, true)),
  );
  const failed = checks.filter((_, index) => codes[index] !== 0).map(([name]) => name);
  if ((await turbo) !== 0) failed.push('turbo');
  const wrapperTests = ['--test', '--test-reporter=spec', 'scripts/*.test.mjs'];
  if ((await step(process.execPath, wrapperTests, onLine)) !== 0) failed.push('the wrapper tests');
  const failedStep = failed.length > 0 ? failed.join(', ') : undefined;
  if (failedStep !== undefined) {
    const tasks = failedTasks.size > 0 ? ` (${[...failedTasks].join(', ')})` : '';
    process.stdout.write(`\ntest: ${failedStep} failed${tasks}\n`);
  }
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`);
  process.exit(failedStep === undefined && totals.failed === 0 ? 0 : 1);
}

await main();
