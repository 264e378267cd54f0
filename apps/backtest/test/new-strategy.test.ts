import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { JsonReport } from '@lumenlink/analysis';
import { afterEach, describe, expect, it } from 'vitest';
import { runNewStrategyCommand } from '../src/new-strategy.js';
import { runCli, Sink } from './cli-helpers.js';
import { userFolder } from './user-folder.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function newStrategy(argv: string[], cwd: string) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runNewStrategyCommand(argv, { stdout, stderr, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Writes a strategy with `pnpm new-strategy`, runs its test and backtests it on the bundled BTC. */
async function writeTestAndBacktest(cwd: string, name: string, dir: string): Promise<JsonReport> {
  const file = name.replaceAll('_', '-');
  const made = await newStrategy([name, '--dir', dir], cwd);
  expect(made.code, made.stderr).toBe(0);
  expect(made.stdout).toBe(
    [
      `Wrote ${dir}/${file}.ts (strategy ${name}) and ${dir}/${file}.test.ts.`,
      'Next:',
      `  node --test ${dir}/${file}.test.ts`,
      `  pnpm backtest --strategy ${dir}/${file}.ts`,
      `  pnpm optimize --strategy ${dir}/${file}.ts --range fastPeriod=10:30:5 --range slowPeriod=40:80:10`,
      `  STRATEGY=${dir}/${file}.ts pnpm demo`,
      '',
    ].join('\n'),
  );
  const test = await promisify(execFile)(process.execPath, ['--test', `${dir}/${file}.test.ts`], {
    cwd,
  });
  expect(test.stdout).toMatch(/pass 5/);
  const argv = [
    '--strategy',
    `${dir}/${file}.ts`,
    '--symbol',
    'BTC-USDT',
    '--json',
    `${dir}/${file}.json`,
  ];
  const backtest = await runCli(argv, cwd);
  expect(backtest.code, backtest.stderr).toBe(0);
  return JSON.parse(readFileSync(join(cwd, dir, `${file}.json`), 'utf8')) as JsonReport;
}

describe('pnpm new-strategy', () => {
  it('writes a strategy and its test that run at once, in a folder outside the workspace', async () => {
    const folder = userFolder();
    cleanups.push(() => folder.remove());
    const report = await writeTestAndBacktest(folder.dir, 'my_idea', 'strategies');
    expect(report.run.strategy).toBe('my_idea');
    expect(report.trades.length).toBeGreaterThan(0);
    expect(report.trades.some((trade) => trade.exitReason !== null)).toBe(true);
  });

  it('writes into the repository, importing the packages by name from the root', async () => {
    const name = `check_${process.pid}_${Date.now()}`;
    const dir = 'strategies';
    const made = join(repoRoot, dir);
    const existed = existsSync(made);
    cleanups.push(() => {
      for (const end of ['.ts', '.test.ts', '.json']) {
        rmSync(join(made, `${name.replaceAll('_', '-')}${end}`), { force: true });
      }
      if (!existed && readdirSync(made).length === 0) rmdirSync(made);
    });
    const report = await writeTestAndBacktest(repoRoot, name, dir);
    expect(report.run.strategy).toBe(name);
  });

  it('never overwrites, and refuses a bad name, with exit 2', async () => {
    const folder = userFolder();
    cleanups.push(() => folder.remove());
    expect((await newStrategy(['my-idea'], folder.dir)).code).toBe(0);
    const again = await newStrategy(['myIdea'], folder.dir);
    expect(again.stderr).toMatch(
      /^Error: new-strategy: \/.*\/strategies\/my-idea\.ts already exists, and new-strategy never overwrites a file\. Choose another name/,
    );
    expect(again.code).toBe(2);
    const builtin = await newStrategy(['ema crossover'], folder.dir);
    expect(builtin.stderr).toMatch(
      /^Error: new-strategy: ema_crossover is a built-in strategy's key/,
    );
    expect(builtin.code).toBe(2);
    const none = await newStrategy(['--dir', 'x'], folder.dir);
    expect(none.stderr).toMatch(
      /^Error: \(arguments\): give one name, such as my_idea\nRun pnpm new-strategy -- --help/,
    );
    expect(none.code).toBe(2);
    const help = await newStrategy(['--help'], folder.dir);
    expect(help).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Usage: pnpm new-strategy NAME/) as unknown,
    });
  });
});
