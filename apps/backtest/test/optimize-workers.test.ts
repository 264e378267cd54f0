/**
 * pnpm optimize on real worker threads: @lumenlink/optimize's pool runs its compiled worker, which
 * the build of the app's dependencies made.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOptimizeCommand } from '../src/optimize/command.js';

/** Runs the command, collecting what it writes. */
async function command(
  argv: readonly string[],
  hooks: Parameters<typeof runOptimizeCommand>[2] = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runOptimizeCommand(
    argv,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: mkdtempSync(join(tmpdir(), 'lumenlink-optimize-')),
    },
    hooks,
  );
  return { code, stdout, stderr };
}

describe('pnpm optimize', { timeout: 120_000 }, () => {
  const argv = [
    '--strategy',
    'ema_crossover',
    '--range',
    'fastPeriod=5:15:5',
    '--range',
    'slowPeriod=30,40',
    '--symbol',
    'BTC-USDT',
    '--from',
    '2024-03-01',
    '--to',
    '2024-03-21',
    '--mc-runs',
    '100',
  ];

  it('gives the same results on 1 worker and on 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-optimize-json-'));
    const one = await command([...argv, '--workers', '1', '--json', join(dir, 'one.json')]);
    const two = await command([...argv, '--workers', '2', '--json', join(dir, 'two.json')]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.stderr).toContain(
      'Optimizing ema_crossover: 6 backtest run(s) on 1 worker thread(s)',
    );
    expect(two.stderr).toContain('on 2 worker thread(s)');
    expect(one.stderr).toContain('Optimize 100% (6/6 runs, done in');
    expect(readFileSync(join(dir, 'two.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'one.json'), 'utf8'),
    );
    expect(two.stdout).toBe(one.stdout.replace(join(dir, 'one.json'), join(dir, 'two.json')));
  });

  it('reports a worker crash with its parameters and finishes the sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-optimize-crash-'));
    const result = await command([...argv, '--workers', '2', '--json', join(dir, 'out.json')], {
      faultInjection: { params: { fastPeriod: 10, slowPeriod: 40 }, mode: 'exit' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'A worker crashed running fastPeriod=10 slowPeriod=40: the worker exited with code 70. It was replaced; the sweep goes on.',
    );
    expect(result.stderr).toContain('Optimize 100% (6/6 runs, 1 failed, done in');
    expect(result.stdout).toContain('Failed runs: 1 (1 worker crash, replaced)');
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
      results: { rank: number | null }[];
      failures: { point: unknown; crashed: boolean }[];
    };
    expect(json.results.filter((row) => row.rank !== null)).toHaveLength(5);
    expect(json.failures).toEqual([
      expect.objectContaining({ point: { fastPeriod: 10, slowPeriod: 40 }, crashed: true }),
    ]);
  });

  it('exits 2 with the flag at fault on a bad command line', async () => {
    const result = await command(['--strategy', 'ema_crossover', '--range', 'fastPeriod=0:5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Error: --range: fastPeriod: min 0 is out of bounds');
    expect(result.stderr).toContain('pnpm optimize --help lists every flag.');
  });
});
