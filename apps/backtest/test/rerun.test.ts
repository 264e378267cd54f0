import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonReport } from '@lumenlink/analysis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, threeTradeCandles, writeCsv } from './cli-helpers.js';
import { riseStrategy, userFolder } from './user-folder.js';

let folder: ReturnType<typeof userFolder>;
let report: string;
/** The recorded run: a strategy file with a params file, a CSV file and a sentiment file. */
const recordedFlags = [
  '--data',
  'BTC-USD.csv',
  '--strategy',
  'strategies/rise.ts',
  '--params-file',
  'rise.params.json',
  '--param',
  'confidence=0.5',
  '--sentiment',
  'fng.json',
  '--max-position-usd',
  '1000',
  '--fee-bps',
  '7',
  '--close-at-end',
];

beforeEach(async () => {
  folder = userFolder();
  writeCsv(join(folder.dir, 'BTC-USD.csv'), threeTradeCandles());
  folder.write('strategies/rise.ts', riseStrategy);
  folder.write('rise.params.json', JSON.stringify({ minRise: 0.02 }));
  folder.write('fng.json', JSON.stringify([{ time: 0, value: 40, classification: 'Fear' }]));
  const run = await runCli([...recordedFlags, '--json', 'reports/a.json'], folder.dir);
  expect(run.code, run.stderr).toBe(0);
  report = join(folder.dir, 'reports/a.json');
});
afterEach(() => folder.remove());

const read = (path: string): string => readFileSync(join(folder.dir, path), 'utf8');

describe('pnpm backtest --rerun', () => {
  it('records what produced the run: strategy file, params, settings and data', () => {
    const { provenance } = JSON.parse(read('reports/a.json')) as JsonReport;
    expect(provenance?.strategy).toMatchObject({
      spec: 'strategies/rise.ts',
      kind: 'file',
      key: 'rise_fall',
      path: join(folder.dir, 'strategies/rise.ts'),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    expect(provenance?.params).toEqual({ minRise: 0.02, confidence: 0.5 });
    expect(provenance?.settings).toMatchObject({
      source: { kind: 'csv', files: [join(folder.dir, 'BTC-USD.csv')] },
      feeBps: 7,
      slippageBps: 5,
      closeAtEnd: true,
      risk: { maxPositionUsd: 1000, atrMultiplier: 2 },
      sentimentFile: join(folder.dir, 'fng.json'),
      sentimentSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    expect(provenance?.data).toMatchObject({ symbols: ['BTC-USD'], interval: '1h', candles: 35 });
  });

  it('reproduces the report byte for byte from anywhere, with nothing but the report', async () => {
    const run = await runCli(['--rerun', report], folder.dir);
    expect(run.stdout).toContain(`Reproduced byte for byte: ${report}\n`);
    expect(run.code).toBe(0);
    expect(read('reports/a.rerun.json')).toBe(read('reports/a.json'));

    const elsewhere = await runCli(
      ['--rerun', report, '--json', 'b.json', '--html', 'b.html'],
      join(folder.dir, 'strategies'),
    );
    expect(elsewhere.code, elsewhere.stdout).toBe(0);
    expect(read('strategies/b.json')).toBe(read('reports/a.json'));
    // The HTML page shows what produced the run too: the strategy file and its full hash.
    const { provenance } = JSON.parse(read('reports/a.json')) as JsonReport;
    expect(read('strategies/b.html')).toContain(`title="${provenance!.strategy.sha256!}"`);
    expect(read('strategies/b.html')).toContain(join(folder.dir, 'strategies/rise.ts'));
  });

  it('says the strategy file changed, and what that changed, exit 1', async () => {
    const file = join(folder.dir, 'strategies/rise.ts');
    writeFileSync(file, riseStrategy.replace('change < -minRise', 'change < -2 * minRise'));
    const run = await runCli(['--rerun', report], folder.dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        `Not reproduced: ${report}\\n  - the strategy file changed: sha256 [0-9a-f]+… → [0-9a-f]+…\\n`,
      ),
    );
    // Then what the change did to the results.
    expect(run.stdout).toMatch(/\n {2}- metric totalReturn: /);
  });

  it('names a changed setting file and changed data', async () => {
    folder.write('fng.json', JSON.stringify([{ time: 0, value: 41, classification: 'Fear' }]));
    writeCsv(join(folder.dir, 'BTC-USD.csv'), threeTradeCandles().slice(0, 30));
    const run = await runCli(['--rerun', report], folder.dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ {2}- setting sentimentSha256: "[0-9a-f]{64}" → "[0-9a-f]{64}"\n/);
    expect(run.stdout).toMatch(/ {2}- the data range changed: /);
  });

  it('exits 2 for a report without provenance, a file that is not a report, and a strategy file that is gone', async () => {
    const { provenance: _, ...old } = JSON.parse(read('reports/a.json')) as JsonReport;
    folder.write('old.json', JSON.stringify(old));
    folder.write('notes.txt', 'not json');
    folder.write('sweep.json', JSON.stringify({ schemaVersion: 1, kind: 'optimize', rows: [] }));
    const { settings } = (JSON.parse(read('reports/a.json')) as JsonReport).provenance!;
    const { source: __, ...sourceless } = settings as Record<string, unknown>;
    const bare = JSON.parse(read('reports/a.json')) as JsonReport;
    folder.write(
      'bare.json',
      JSON.stringify({ ...bare, provenance: { ...bare.provenance, settings: sourceless } }),
    );
    const cases: [string, RegExp][] = [
      [
        'sweep.json',
        /^Error: --rerun: .*sweep\.json: is an optimize result, not a backtest report\. Backtest its winner with pnpm backtest --strategy/,
      ],
      [
        'bare.json',
        /^Error: --rerun: .*bare\.json: records no backtest settings; give a backtest's/,
      ],
      [
        'old.json',
        /^Error: --rerun: .*old\.json: records no provenance \(it was written before reports recorded what produced them\), so it cannot be run again/,
      ],
      ['notes.txt', /^Error: --rerun: .*notes\.txt: is not JSON/],
      ['none.json', /^Error: --rerun: .*none\.json: cannot be read \(Error: ENOENT/],
    ];
    for (const [file, message] of cases) {
      const run = await runCli(['--rerun', file], folder.dir);
      expect(run.stderr).toMatch(message);
      expect(run.code).toBe(2);
    }
    const over = await runCli(['--rerun', report, '--json', 'reports/a.json'], folder.dir);
    expect(over.stderr).toMatch(
      /^Error: --json: .*reports\/a\.json is the report rerun; give another/,
    );
    expect(over.code).toBe(2);
    expect(read('reports/a.json')).toBe(readFileSync(report, 'utf8'));
    rmSync(join(folder.dir, 'strategies/rise.ts'));
    const gone = await runCli(['--rerun', report], folder.dir);
    expect(gone.stderr).toMatch(/^Error: --rerun: .*strategies\/rise\.ts: no such file/);
    expect(gone.code).toBe(2);
  });
});
