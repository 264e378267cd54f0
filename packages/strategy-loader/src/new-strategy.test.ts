import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userFolder } from './__fixtures__/workspace.js';
import { runNewStrategyCli } from './new-strategy.js';

let folder: ReturnType<typeof userFolder>;
beforeEach(() => {
  folder = userFolder();
});
afterEach(() => folder.remove());

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runNewStrategyCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: folder.dir,
  });
  return { code, stdout, stderr };
}

describe('runNewStrategyCli', () => {
  it('writes the two files into --dir and prints the commands that run them', async () => {
    const result = await run(['--', 'trend pullback', '--dir', 'research/ideas']);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'Wrote research/ideas/trend-pullback.ts (strategy trend_pullback) and research/ideas/trend-pullback.test.ts.',
        'Next:',
        '  pnpm strategy-test research/ideas/trend-pullback.test.ts',
        '  pnpm backtest --strategy research/ideas/trend-pullback.ts',
        '  pnpm optimize --strategy research/ideas/trend-pullback.ts --range fastPeriod=10:30:5 --range slowPeriod=40:80:10',
        '  STRATEGY=research/ideas/trend-pullback.ts pnpm demo',
        '',
      ].join('\n'),
    });
    const file = readFileSync(join(folder.dir, 'research/ideas/trend-pullback.ts'), 'utf8');
    expect(file).toContain("key: 'trend_pullback'");
    expect(file).toContain(' *   pnpm strategy-test research/ideas/trend-pullback.test.ts\n');
  });

  it('exits 2 naming the file that exists, and for a bad name or command line', async () => {
    expect((await run(['my_idea'])).code).toBe(0);
    const cases: [string[], RegExp][] = [
      [
        ['myIdea'],
        /^Error: \/.*\/strategies\/my-idea\.ts already exists, and new-strategy never overwrites a file/,
      ],
      [['ema crossover'], /^Error: ema_crossover is a built-in strategy's key/],
      [['9lives'], /^Error: "9lives" is not a strategy name/],
      [[], /^Error: give one strategy name, such as my_idea \(got 0\)\n\nUsage: new-strategy NAME/],
      [['a', 'b'], /^Error: give one strategy name, such as my_idea \(got 2\)/],
      [['a', '--folder', 'x'], /^Error: Unknown option '--folder'/],
      [['a', '--dir'], /^Error: Option '--dir <value>' argument missing/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    }
    expect((await run(['--help'])).stdout).toMatch(/^Usage: new-strategy NAME \[--dir DIR\]/);
  });
});
