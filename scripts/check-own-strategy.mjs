#!/usr/bin/env node
/**
 * `pnpm check:own-strategy` (run by `.ci/run` on a fresh clone): a user's own strategy, end to
 * end, exactly as the README and docs/own-strategy.md tell a user to do it, through the real
 * commands:
 *
 *   1. pnpm new-strategy ci_probe            (the template and its test)
 *   2. pnpm strategy-test <its test>         (node --test)
 *   3. pnpm backtest --strategy <file> --json report.json, then --rerun report.json
 *   4. pnpm optimize --strategy <file> ...   (writes the winner's params file, prints .env lines)
 *   5. pnpm demo with those .env lines       (paper over replayed candles)
 *   6. pnpm parity --db <the demo's database>: zero differences, and the demo ran the params file
 *
 * Files go to `.own-strategy-check/` (git-ignored), removed at the end unless `--keep`.
 *
 * Usage: node scripts/check-own-strategy.mjs [--keep]
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workName = '.own-strategy-check';
const work = path.join(root, workName);
const keep = process.argv.includes('--keep');
const started = Date.now();

/** @param {string} message */
function fail(message) {
  console.error(`check:own-strategy: FAILED: ${message}`);
  process.exit(1);
}

/**
 * Runs `pnpm args...` at the root; resolves with its output, fails the check on a non-zero exit.
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 * @returns {Promise<string>}
 */
function pnpm(args, env = {}) {
  const shown = `${Object.entries(env)
    .map(([key, value]) => `${key}=${value} `)
    .join('')}pnpm ${args.join(' ')}`;
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn('pnpm', args, {
      cwd: root,
      env: { ...process.env, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      if (code !== 0) fail(`${shown} exited ${code} after ${seconds} s:\n${output}`);
      console.log(`  ✓ ${shown}  (${seconds} s)`);
      resolve(output);
    });
  });
}

/**
 * The value printed after `label` on a line of `output`.
 * @param {string} output @param {RegExp} pattern @param {string} what
 */
function printed(output, pattern, what) {
  const match = pattern.exec(output);
  if (match === null) fail(`no ${what} in the output:\n${output}`);
  return /** @type {string} */ (match[1]);
}

rmSync(work, { recursive: true, force: true });
console.log('check:own-strategy: your own strategy from the template to the demo and parity');
try {
  const dir = `${workName}/strategies`;
  const strategy = `${dir}/ci-probe.ts`;
  await pnpm(['new-strategy', 'ci_probe', '--dir', dir]);
  await pnpm(['strategy-test', `${dir}/ci-probe.test.ts`]);

  const report = `${workName}/backtest.json`;
  await pnpm(['backtest', '--strategy', strategy, '--json', report]);
  const rerun = await pnpm(['backtest', '--rerun', report]);
  if (!rerun.includes('Reproduced byte for byte')) fail(`--rerun did not reproduce:\n${rerun}`);

  const optimized = await pnpm([
    'optimize',
    '--strategy',
    strategy,
    '--range',
    'fastPeriod=10:20:10',
    '--range',
    'buyBelow=35:45:5',
    '--json',
    `${workName}/optimize.json`,
  ]);
  // Every .env line optimize printed (STRATEGY, STRATEGY_PARAMS, SYMBOLS, INTERVAL).
  const trade = optimized.slice(optimized.indexOf('Trade them'));
  const envLines = Object.fromEntries(
    [...trade.matchAll(/^ {2}([A-Z_]+)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
  );
  const envStrategy = printed(trade, /^\s*STRATEGY=(\S+)$/m, 'STRATEGY= line');
  const envParams = printed(trade, /^\s*STRATEGY_PARAMS=(\S+)$/m, 'STRATEGY_PARAMS= line');
  if (envStrategy !== strategy) fail(`optimize printed STRATEGY=${envStrategy}, not ${strategy}`);
  const paramsFile = JSON.parse(readFileSync(path.resolve(root, envParams), 'utf8'));

  // The printed lines, as a user pastes them into .env (the demo reads .env from the root; this
  // check passes them through the environment so that a developer's own .env is never touched).
  const db = `${workName}/demo.db`;
  const demo = await pnpm(['demo', '--candles', '5000', '--db', db], {
    ...envLines,
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  });
  const logged = demo
    .split('\n')
    .filter((line) => line.includes('"strategy"') && line.includes('"params"'))
    .map((line) => {
      try {
        return JSON.parse(line.slice(line.indexOf('{')));
      } catch {
        return null;
      }
    })
    .find((entry) => entry !== null && typeof entry.params === 'object');
  const ranWith = JSON.stringify(logged?.params ?? null);
  const found = JSON.stringify(paramsFile.params);
  const sortedRan = logged === undefined ? 'null' : JSON.stringify(sortKeys(logged.params));
  if (sortedRan !== JSON.stringify(sortKeys(paramsFile.params))) {
    fail(`the demo ran with ${ranWith}, not the optimized ${found}:\n${demo}`);
  }
  console.log(`    the demo traded the optimized parameters: ${found}`);

  const parity = await pnpm(['parity', '--db', db, '--json']);
  const result = JSON.parse(parity.slice(parity.search(/^\{/m)));
  if (result.differences.length !== 0) fail(`parity found differences:\n${parity}`);
  if (result.bot.trades < 5)
    fail(`the demo made ${result.bot.trades} trades: too few to prove parity`);
  console.log(
    `    parity: ${result.bot.trades} trades of the bot, ${result.matched} matched, 0 differences`,
  );
  writeFileSync(path.join(work, 'ok'), 'ok\n');
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
console.log(`check:own-strategy: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);

/** @param {unknown} value @returns {unknown} */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(/** @type {Record<string, unknown>} */ (value)[key])]),
  );
}
