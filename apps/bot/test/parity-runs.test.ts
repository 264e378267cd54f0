/**
 * Parity on a database whose runs traded different parameters (a demo resumed with others): one
 * replay cannot explain both, so it is refused unless --from picks the latest run's trades.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openStore } from '@lumenlink/data';
import { expect, it } from 'vitest';
import { runParityCli } from '../src/parity-cli.js';
import { seedDatabase, tempDir } from './helpers.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

const strategy = { spec: 'ema_crossover', kind: 'builtin', key: 'ema_crossover' } as const;

it('refuses runs with different parameters in one database, naming both and --from', async () => {
  const dir = tempDir('lumenlink-parity-runs-');
  const dbPath = join(dir, 'bot.db');
  await seedDatabase(dbPath, 300);
  const store = await openStore({ path: dbPath });
  const settings = { symbols: ['BTC-USDT'], interval: '1h' };
  await store.runs.recordRun({
    startedAt: Date.UTC(2026, 0, 1),
    mode: 'paper',
    provenance: { strategy, params: { fastPeriod: 9 }, settings },
  });
  await store.runs.recordRun({
    startedAt: Date.UTC(2026, 0, 2),
    mode: 'paper',
    provenance: { strategy, params: { fastPeriod: 12 }, settings },
  });
  await store.close();
  const err = collect();
  const code = await runParityCli({
    argv: ['--db', dbPath],
    envFile: join(dir, '.env'),
    processEnv: {},
    out: collect().stream,
    err: err.stream,
  });
  expect(code).toBe(2);
  expect(err.text()).toContain(
    '--from: the database holds runs with different strategies or parameters (2026-01-01T00:00:00.000Z: ema_crossover {"fastPeriod":9}; latest, 2026-01-02T00:00:00.000Z: ema_crossover {"fastPeriod":12}), and parity replays one. Give --from TIME',
  );
});
