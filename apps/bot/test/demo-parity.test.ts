/**
 * The parity report on the demo's database: the bot's trades in paper mode over the bundled
 * candles are exactly what the backtest gives on the candles it stored (`pnpm parity` exits 0).
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import type { ParityReport } from '@lumenlink/analysis';
import { runDemo } from '../src/demo.js';
import { runParityCli } from '../src/parity-cli.js';
import { tempDir } from './helpers.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

it("reports zero differences on the demo's database", async () => {
  const dir = tempDir('lumenlink-demo-parity-');
  const dbPath = join(dir, 'demo.db');
  const demoOut = collect();
  const demoCode = await runDemo({
    argv: ['--candles', '1000', '--db', dbPath],
    processEnv: { HTTP_PORT: '0' },
    envFile: join(dir, '.env'),
    out: demoOut.stream,
    log: collect().stream,
  });
  expect(demoCode).toBe(0);
  // The command the demo prints for the comparison.
  const printed = /Parity +SYMBOLS=(\S+) INTERVAL=(\S+) STRATEGY=(\S+) pnpm parity --db (\S+)/.exec(
    demoOut.text(),
  );
  expect(printed?.[4]).toBe(dbPath);
  const [, symbols, interval, strategy] = printed!;
  const out = collect();
  const err = collect();
  const code = await runParityCli({
    argv: ['--db', dbPath, '--json'],
    envFile: join(dir, '.env'),
    processEnv: { SYMBOLS: symbols!, INTERVAL: interval!, STRATEGY: strategy! },
    out: out.stream,
    err: err.stream,
  });
  expect(err.text()).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(out.text()) as ParityReport;
  expect(report.differences).toEqual([]);
  expect(report.bot.trades).toBeGreaterThan(10);
  expect(report.matched).toBe(report.bot.trades);
  expect(report.backtest.trades).toBe(report.bot.trades);
});
