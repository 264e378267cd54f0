#!/usr/bin/env node
/**
 * `pnpm test` (and `./lumenlink test`): what CI runs, ending with one line that totals every
 * package's tests, `N passed, M failed`.
 *
 * 1. Looks for Chromium before any test runs (the HTML report tests open their pages in a real
 *    browser): `CHROMIUM_PATH`, else `chromium`, `chromium-browser`, `google-chrome` on the PATH.
 *    Missing, it prints one line saying how to install it and exits 1.
 * 2. Runs, stopping at the first that fails: prettier's check, sherif, knip, the app-size check,
 *    the tests of these scripts and of `./lumenlink` (`node --test scripts/*.test.mjs`), then `turbo run typecheck lint test --concurrency=2` with the arguments given (`--force`
 *    re-runs what turbo has cached, `--filter @lumenlink/data` one package).
 * 3. Totals the vitest summaries (`Tests  N passed | M failed (T)`) of every package turbo ran or
 *    replayed from its cache and node's (`ℹ pass N`, `ℹ fail M`), and prints them; a failed step or task is named above that line.
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
 * Runs one step, echoing its output and feeding every line to `onLine`.
 * @param {string} command @param {string[]} args @param {(line: string) => void} onLine
 * @returns {Promise<number>} the exit code
 */
function step(command, args, onLine) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ['inherit', 'pipe', 'pipe'],
      env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) },
    });
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      let rest = '';
      stream.on('data', (chunk) => {
        out.write(chunk);
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      stream.on('end', () => rest && onLine(rest));
    }
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
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
    const task = /^\s*(?:Failed:\s+)?(@lumenlink\/[\w-]+#\w+)/.exec(line.replace(ANSI, ''));
    if (task && /Failed:/.test(line.replace(ANSI, ''))) failedTasks.add(task[1]);
  };
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  const steps = [
    ['prettier', [bin('prettier'), ['--check', '.']]],
    ['sherif', [bin('sherif'), ['--fail-on-warnings']]],
    ['knip', [bin('knip'), ['--no-progress']]],
    ['the app-size check', [process.execPath, [path.join(root, 'scripts/check-app-size.mjs')]]],
    [
      'the wrapper tests',
      [process.execPath, ['--test', '--test-reporter=spec', 'scripts/*.test.mjs']],
    ],
    [
      'turbo',
      [
        bin('turbo'),
        ['run', 'typecheck', 'lint', 'test', '--concurrency=2', ...process.argv.slice(2)],
      ],
    ],
  ];
  let failedStep;
  for (const [name, [command, args]] of steps) {
    if ((await step(command, args, onLine)) !== 0) {
      failedStep = name;
      break;
    }
  }
  if (failedStep !== undefined) {
    const tasks = failedTasks.size > 0 ? ` (${[...failedTasks].join(', ')})` : '';
    process.stdout.write(`\ntest: ${failedStep} failed${tasks}\n`);
  }
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`);
  process.exit(failedStep === undefined && totals.failed === 0 ? 0 : 1);
}

await main();
