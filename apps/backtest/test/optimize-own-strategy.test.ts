/**
 * pnpm optimize on a strategy file of the user's own, in a folder outside the workspace that
 * imports the LumenLink packages by name: the sweep on worker threads, the winner written as a
 * params file, and the lines that trade it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStrategy, resolveStrategyParams } from '@lumenlink/strategy-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  momentumStrategySource,
  userFolder,
  type UserFolder,
} from '../../../test-support/user-folder.js';
import { runOptimizeCommand } from '../src/optimize/command.js';

let user: UserFolder;
let dir: string;

beforeAll(() => {
  user = userFolder();
  dir = user.dir;
  user.write('strategies/my-idea.ts', momentumStrategySource);
});

afterAll(() => user.remove());

/** Runs the command in the user's folder, collecting what it writes. */
async function command(argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runOptimizeCommand(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

const sweep = [
  '--strategy',
  'strategies/my-idea.ts',
  '--range',
  'minRise=0.002,0.005,0.01',
  '--range',
  'maxFall=0.005,0.01',
  '--symbol',
  'BTC-USDT',
  '--from',
  '2024-03-01',
  '--to',
  '2024-03-21',
  '--mc-runs',
  '50',
];

describe('pnpm optimize --strategy FILE', { timeout: 120_000 }, () => {
  it('ranks as on 1 worker, writes the winner as a params file and prints how to trade it', async () => {
    const one = await command([...sweep, '--workers', '1', '--json', 'one/sweep.json']);
    const two = await command([...sweep, '--workers', '2', '--json', 'reports/sweep.json']);
    expect(one.stderr).toContain(
      'Optimizing my_idea (strategies/my-idea.ts): 6 backtest run(s) on 1 worker thread(s)',
    );
    expect(two.stderr).toContain('6 backtest run(s) on 2 worker thread(s)');
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'reports/sweep.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'one/sweep.json'), 'utf8'),
    );
    expect(readFileSync(join(dir, 'reports/my_idea.params.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'one/my_idea.params.json'), 'utf8'),
    );
    // The winner is traded from its params file, not from --param flags.
    expect(two.stdout).not.toMatch(/--param[ =]/);
    expect(
      two.stdout.endsWith(`JSON results: ${join(dir, 'reports/sweep.json')}

Best parameters: reports/my_idea.params.json
Trade them — add to .env:
  STRATEGY=strategies/my-idea.ts
  STRATEGY_PARAMS=reports/my_idea.params.json
  SYMBOLS=BTC-USDT
  INTERVAL=1h
Then: pnpm backtest --strategy strategies/my-idea.ts --params-file reports/my_idea.params.json
      pnpm demo    (replay, paper)   ·   pnpm paper   ·   pnpm live
`),
    ).toBe(true);

    const json = JSON.parse(readFileSync(join(dir, 'reports/sweep.json'), 'utf8')) as {
      best: { params: Record<string, unknown> };
      provenance: { strategy: { kind: string; path: string; sha256: string } };
    };
    expect(json.provenance.strategy).toMatchObject({
      kind: 'file',
      path: join(dir, 'strategies/my-idea.ts'),
    });
    const file = JSON.parse(readFileSync(join(dir, 'reports/my_idea.params.json'), 'utf8')) as {
      strategy: string;
      key: string;
      sha256: string;
      note: string;
    };
    expect(file).toMatchObject({
      strategy: 'strategies/my-idea.ts',
      key: 'my_idea',
      sha256: json.provenance.strategy.sha256,
    });
    expect(file.note).toMatch(/^pnpm optimize: grid search of 6 parameter sets on BTC-USDT 1h/);
    // What the .env lines give the bot: the winner's parameters, read back and validated.
    const loaded = await loadStrategy('strategies/my-idea.ts', { cwd: dir });
    const traded = await resolveStrategyParams(loaded, {
      params: 'reports/my_idea.params.json',
      cwd: dir,
    });
    expect(traded.params).toEqual(json.best.params);
    expect(traded.warnings).toEqual([]);
  });

  it('takes fixed parameters from --params-file and writes the winner to --params-out', async () => {
    user.write('base.json', JSON.stringify({ maxFall: 0.02 }));
    const result = await command([
      ...sweep.slice(0, 4), // minRise searched, maxFall fixed
      ...sweep.slice(6),
      '--params-file',
      'base.json',
      '--params-out',
      'best/mine.json',
    ]);
    expect(result.code).toBe(0);
    const file = JSON.parse(readFileSync(join(dir, 'best/mine.json'), 'utf8')) as {
      params: Record<string, unknown>;
    };
    expect(file.params.maxFall).toBe(0.02);
    expect(result.stdout).toContain('  STRATEGY_PARAMS=best/mine.json\n');

    // The same strategy, edited since: its params file still loads, with a warning.
    user.write('strategies/edited.ts', `${momentumStrategySource}// edited\n`);
    const edited = await command([
      ...['--strategy', 'strategies/edited.ts', ...sweep.slice(2, 4), ...sweep.slice(6)],
      ...['--params-file', 'best/mine.json', '--params-out', 'best/edited.json'],
    ]);
    expect(edited.code).toBe(0);
    expect(edited.stderr).toContain(
      'Warning: --params-file best/mine.json was written for an earlier version of my_idea (strategies/edited.ts)',
    );
  });

  it('exits 2 naming the file and the fix for a module without a strategy', async () => {
    user.write('strategies/empty.ts', 'export const answer = 42;\n');
    const result = await command([...sweep.slice(2), '--strategy', 'strategies/empty.ts']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'Error: --strategy: strategies/empty.ts: exports no strategy definition. Write export default defineStrategy(',
    );
    expect(result.stderr).toContain('pnpm optimize --help lists every flag.');
  });
});
