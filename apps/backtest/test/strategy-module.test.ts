import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonReport } from '@lumenlink/analysis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, threeTradeCandles, writeCsv } from './cli-helpers.js';
import { riseStrategy, userFolder } from './user-folder.js';

let folder: ReturnType<typeof userFolder>;
let csv: string;
beforeEach(() => {
  folder = userFolder();
  csv = writeCsv(join(folder.dir, 'BTC-USD.csv'), threeTradeCandles());
  folder.write('strategies/rise.ts', riseStrategy);
});
afterEach(() => folder.remove());

/** The flags of a backtest of `strategies/rise.ts` on the CSV, risk out of the way. */
const flags = (): string[] => [
  '--data',
  csv,
  '--strategy',
  'strategies/rise.ts',
  '--no-risk',
  '--max-position-usd',
  '1000',
  '--no-trailing-stop',
];

function readJson(path: string): JsonReport {
  return JSON.parse(readFileSync(join(folder.dir, path), 'utf8')) as JsonReport;
}

describe('pnpm backtest --strategy FILE', () => {
  it('backtests a TypeScript file outside the workspace with a params file and --param', async () => {
    const defaults = await runCli([...flags(), '--json', 'defaults.json'], folder.dir);
    expect(defaults.code, defaults.stderr).toBe(0);
    // minRise 0.07: buys the 10 % rise of candle 5, holds through the 5 % fall of candle 10 and
    // sells the 18 % fall of candle 21. minRise 0.02 trades all three rises and falls.
    expect(readJson('defaults.json').trades).toHaveLength(1);

    folder.write('rise.params.json', JSON.stringify({ minRise: 0.02, confidence: 0.9 }));
    const tuned = await runCli(
      [
        ...flags(),
        '--params-file',
        'rise.params.json',
        '--param',
        'confidence=0.5',
        '--json',
        'tuned.json',
      ],
      folder.dir,
    );
    expect(tuned.code, tuned.stderr).toBe(0);
    const report = readJson('tuned.json');
    expect(report.trades).toHaveLength(3);
    expect(report.run).toMatchObject({
      strategy: 'rise_fall',
      params: { minRise: 0.02, confidence: 0.5 },
    });
    expect(tuned.stderr).not.toMatch(/Warning/);
  });

  it('warns on stderr when the params file was written for an earlier version of the file', async () => {
    const file = join(folder.dir, 'strategies/rise.ts');
    folder.write(
      'old.params.json',
      JSON.stringify({
        strategy: 'strategies/rise.ts',
        key: 'rise_fall',
        sha256: 'f'.repeat(64),
        params: { minRise: 0.02 },
      }),
    );
    const run = await runCli([...flags(), '--params-file', 'old.params.json'], folder.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /^Warning: --params-file old\.params\.json was written for an earlier version of rise_fall \(strategies\/rise\.ts\)/m,
    );
    expect(readFileSync(file, 'utf8')).toBe(riseStrategy);
  });

  const badCases: [string, (dir: string) => string[], RegExp][] = [
    [
      'a file that does not exist',
      () => ['--strategy', 'strategies/nope.ts'],
      /^Error: --strategy: strategies\/nope\.ts: no such file \(looked in /,
    ],
    [
      'a typo in a built-in key',
      () => ['--strategy', 'macd'],
      /^Error: --strategy: macd: not a built-in strategy, not a file, and no installed package of that name\. Give a built-in key/,
    ],
    [
      'a syntax error',
      () => ['--strategy', 'strategies/broken.mjs'],
      // Node says "does not parse"; vitest's module loader words it its own way.
      /^Error: --strategy: strategies\/broken\.mjs: (does not parse|failed while loading: Failed to parse source)/,
    ],
    [
      'a module exporting no strategy',
      () => ['--strategy', 'strategies/empty.ts'],
      /^Error: --strategy: strategies\/empty\.ts: exports no strategy definition\. Write export default defineStrategy/,
    ],
    [
      'an import that is not installed',
      () => ['--strategy', 'strategies/imports.ts'],
      /^Error: --strategy: strategies\/imports\.ts: an import cannot be found .*Install the packages it imports/,
    ],
    [
      'a module exporting two strategies',
      () => ['--strategy', 'strategies/two.ts'],
      /^Error: --strategy: strategies\/two\.ts: exports 2 strategies \(a, b\)\. Choose one: strategies\/two\.ts#a/,
    ],
    [
      'a parameter without a default',
      () => ['--strategy', 'strategies/no-default.ts'],
      /^Error: --strategy: strategies\/no-default\.ts: its parameter schema rejects empty parameters, so it has no defaults [\s\S]*minRise: got nothing\)\. Give every parameter a \.default/,
    ],
    [
      'a built-in key reused',
      () => ['--strategy', 'strategies/builtin-key.ts'],
      /^Error: --strategy: strategies\/builtin-key\.ts: its key ema_crossover is a built-in strategy's/,
    ],
    // A built-in key's parameters are checked when the run starts too, in the same words.
    [
      'a --param that is not key=value',
      () => ['--strategy', 'ema_crossover', '--param', 'fastPeriod'],
      /^Error: --param: "fastPeriod" is not key=value, such as fastPeriod=9; ema_crossover takes fastPeriod, slowPeriod, confidence\n/,
    ],
    [
      "a bad value of a built-in strategy's parameter",
      () => ['--strategy', 'ema_crossover', '--param', 'fastPeriod=0'],
      /^Error: --param: Invalid parameters for strategy ema_crossover \(1 problem\):\n {2}- fastPeriod: got 0\. Accepted: an integer from 1 to 500 \(default 9\)\n/,
    ],
    [
      'bad parameter values, every one listed',
      () => ['--strategy', 'strategies/rise.ts', '--param', 'minRise=2', '--param', 'confidence=0'],
      /^Error: --param: Invalid parameters for strategy rise_fall \(2 problems\):\n {2}- minRise: .*\n {2}- confidence: /,
    ],
    [
      'an unknown parameter',
      () => ['--strategy', 'strategies/rise.ts', '--param', 'minrise=0.1'],
      /^Error: --param: Invalid parameters for strategy rise_fall \(1 problem\):\n {2}- minrise: unknown parameter/,
    ],
    [
      'a params file that is not JSON',
      () => ['--strategy', 'strategies/rise.ts', '--params-file', 'bad.json'],
      /^Error: --params-file: bad\.json: is not valid JSON/,
    ],
    [
      'a params file that does not exist',
      () => ['--strategy', 'strategies/rise.ts', '--params-file', 'none.json'],
      /^Error: --params-file: none\.json: no such file/,
    ],
    [
      'a params file of another strategy',
      () => ['--strategy', 'strategies/rise.ts', '--params-file', 'other.json'],
      /^Error: --params-file: other\.json: holds parameters of strategy ema_crossover \(ema_crossover\), but the strategy run is rise_fall \(strategies\/rise\.ts\)/,
    ],
    [
      'a bad value in a params file',
      () => ['--strategy', 'strategies/rise.ts', '--params-file', 'bad-value.json'],
      /^Error: --params-file\/--param: Invalid parameters for strategy rise_fall \(1 problem\):\n {2}- minRise: /,
    ],
  ];
  it.each(badCases)('exits 2 naming the file and the fix for %s', async (_name, args, message) => {
    folder.write('strategies/broken.mjs', 'export default {');
    folder.write('strategies/empty.ts', 'export const x = 1;\n');
    folder.write('strategies/imports.ts', "import 'not-installed-anywhere';\nexport default 1;\n");
    folder.write(
      'strategies/builtin-key.ts',
      riseStrategy.replace("'rise_fall'", "'ema_crossover'"),
    );
    const two = riseStrategy.replace('export default', 'export const a =');
    folder.write('strategies/two.ts', `${two}\nexport const b = a;\n`);
    folder.write(
      'strategies/no-default.ts',
      riseStrategy.replace('.max(1).default(0.07)', '.max(1)'),
    );
    folder.write('bad.json', '{ minRise: 0.1 }');
    folder.write(
      'other.json',
      JSON.stringify({ strategy: 'ema_crossover', key: 'ema_crossover', params: {} }),
    );
    folder.write('bad-value.json', JSON.stringify({ minRise: -1 }));
    const run = await runCli(['--data', csv, ...args(folder.dir)], folder.dir);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/pnpm backtest --help lists every flag\.\n$/);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});
