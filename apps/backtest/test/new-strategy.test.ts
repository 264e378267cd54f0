import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { JsonReport } from '@lumenlink/analysis';
import { afterEach, describe, expect, it } from 'vitest';
import { runNewStrategyCli } from '@lumenlink/strategy-loader';
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
  const code = await runNewStrategyCli(argv, { stdout, stderr, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const run = promisify(execFile);

/** Runs the test `pnpm new-strategy` wrote, and backtests the strategy on the bundled BTC. */
async function testAndBacktest(cwd: string, name: string, dir: string): Promise<JsonReport> {
  const file = name.replaceAll('_', '-');
  const test = await run(process.execPath, ['--test', `${dir}/${file}.test.ts`], { cwd });
  expect(test.stdout).toMatch(/pass 5/);
  const json = `${dir}/${file}.json`;
  const backtest = await runCli(
    ['--strategy', `${dir}/${file}.ts`, '--symbol', 'BTC-USDT', '--json', json],
    cwd,
  );
  expect(backtest.code, backtest.stderr).toBe(0);
  return JSON.parse(readFileSync(join(cwd, json), 'utf8')) as JsonReport;
}

describe('pnpm new-strategy', () => {
  it('writes a strategy and its test that run at once, in a folder outside the workspace', async () => {
    const folder = userFolder();
    cleanups.push(() => folder.remove());
    const made = await newStrategy(['my_idea'], folder.dir);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(
      /^Wrote strategies\/my-idea\.ts \(strategy my_idea\) and strategies\/my-idea\.test\.ts\.\nNext:\n {2}pnpm strategy-test strategies\/my-idea\.test\.ts\n {2}pnpm backtest --strategy strategies\/my-idea\.ts\n/,
    );
    const report = await testAndBacktest(folder.dir, 'my_idea', 'strategies');
    expect(report.run.strategy).toBe('my_idea');
    expect(report.provenance?.strategy).toMatchObject({ kind: 'file', key: 'my_idea' });
    expect(report.trades.length).toBeGreaterThan(0);
    expect(report.trades.some((trade) => trade.exitReason !== null)).toBe(true);
  });

  it('writes into the repository with pnpm new-strategy, importing the packages by name from the root', async () => {
    const name = `check_${process.pid}_${Date.now()}`;
    const file = name.replaceAll('_', '-');
    const dir = join(repoRoot, 'strategies');
    const existed = existsSync(dir);
    cleanups.push(() => {
      for (const end of ['.ts', '.test.ts', '.json'])
        rmSync(join(dir, `${file}${end}`), { force: true });
      if (!existed && readdirSync(dir).length === 0) rmdirSync(dir);
    });
    // What `pnpm new-strategy NAME` runs, from the root.
    const bin = join(repoRoot, 'packages/strategy-loader/dist/new-strategy-cli.js');
    const made = await run(process.execPath, [bin, name], { cwd: repoRoot });
    expect(made.stdout).toContain(`Wrote strategies/${file}.ts (strategy ${name})`);
    const report = await testAndBacktest(repoRoot, name, 'strategies');
    expect(report.run.strategy).toBe(name);
  });

  it('never overwrites: exit 2 naming the file', async () => {
    const folder = userFolder();
    cleanups.push(() => folder.remove());
    expect((await newStrategy(['my-idea'], folder.dir)).code).toBe(0);
    const again = await newStrategy(['myIdea'], folder.dir);
    expect(again.stderr).toMatch(
      /^Error: \/.*\/strategies\/my-idea\.ts already exists, and new-strategy never overwrites a file/,
    );
    expect(again.code).toBe(2);
  });
});
