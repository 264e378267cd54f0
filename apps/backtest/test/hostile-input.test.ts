/**
 * Candle files as users really give them, through the built command line (`node dist/cli.js`, as
 * `pnpm backtest` runs it): a bad file is a one-line error naming the file and what is wrong, exit
 * code 2, never a stack trace; a gap is refused unless --allow-gaps.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { seededRandom } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { hourMs, runCli, start, tempDir } from './cli-helpers.js';

const cli = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');
const help = 'pnpm backtest --help lists every flag.\n';

/** Runs the built command line in `cwd`. */
function backtest(args: readonly string[], cwd: string) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Rows of flat 1h candles at the given hour offsets from 2024-01-01 00:00 UTC. */
function rows(hours: readonly number[]): string {
  const lines = hours.map((hour) => `${start + hour * hourMs},100,101,99,100,5`);
  return `time,open,high,low,close,volume\n${lines.join('\n')}\n`;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

function noise(seed: number, length: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

describe('pnpm backtest on hostile candle files', () => {
  it('names a garbage, truncated, binary or empty file and what is wrong: exit 2, no stack', () => {
    const dir = tempDir();
    const whole = gzipSync(rows(range(0, 299)));
    const files: [string, Buffer, string][] = [
      [
        'BTC-USDT.csv.gz',
        Buffer.concat([Buffer.from([0xde, 0xad, 0xbe, 0xef]), noise(1, 300)]),
        'not a gzip file (it starts 0xde 0xad 0xbe 0xef; a gzip file starts 0x1f 0x8b): download or copy it again',
      ],
      [
        'ETH-USDT.csv.gz',
        whole.subarray(0, whole.length - 20),
        'truncated gzip: the compressed data ends early (zlib: unexpected end of file); download or copy it again',
      ],
      [
        'SOL-USDT.csv.gz',
        gzipSync(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), noise(2, 300)])),
        'is not CSV text: line 1, character 1 is U+FFFD (binary data); expected the header "time,open,high,low,close,volume" and one candle per line',
      ],
      [
        'XRP-USDT.csv',
        Buffer.alloc(0),
        'line 1 must be the header "time,open,high,low,close,volume" (time = candle open time in epoch ms), got nothing: the file is empty',
      ],
    ];
    for (const [name, bytes, problem] of files) {
      writeFileSync(join(dir, name), bytes);
      const run = backtest(['--data', name], dir);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`Error: --data: ${join(dir, name)}: ${problem}\n${help}`);
    }
  });

  it('names the line and column of a value that is not a decimal, in every column', () => {
    const dir = tempDir();
    const good = ['1704070800000', '100', '101', '99', '100', '5'];
    for (const [column, name] of ['time', 'open', 'high', 'low', 'close', 'volume'].entries()) {
      const fields = [...good];
      fields[column] = column === 0 ? '0x18CC6E5F400' : '0x10';
      const file = join(dir, 'BTC-USDT.csv');
      writeFileSync(file, `${rows([0]).trimEnd()}\n${fields.join(',')}\n`);
      const run = backtest(['--data', file], dir);
      expect(run.code).toBe(2);
      const what = column === 0 ? 'is not epoch milliseconds' : 'is not a decimal number';
      expect(run.stderr).toContain(
        `Error: --data: ${file}: line 3, column ${column + 1} (${name}): "${fields[column]}" ${what}; `,
      );
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('refuses a gap of 10 candles, naming where and how long; --allow-gaps runs over it with a warning', async () => {
    const dir = tempDir();
    const file = join(dir, 'BTC-USDT.csv');
    writeFileSync(file, rows([...range(0, 19), ...range(30, 79)]));
    const gap = `${file}: 10 missing 1h candles between line 21 (2024-01-01 19:00) and line 22 (2024-01-02 06:00 UTC)`;

    const refused = backtest(['--data', file, '--json', 'out.json'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `Error: --data: 1 gap in the candles (10 missing 1h candles); a backtest over missing candles shifts indicators, fills and stops by the missing time:\n  ${gap}\nFill the missing candles in the file, or pass --allow-gaps to run over them.\n${help}`,
    );

    const allowed = backtest(['--data', file, '--allow-gaps', '--json', 'out.json'], dir);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain(
      `Warning: --allow-gaps: running over 1 gap in the candles (10 missing 1h candles); indicators, fills and stops skip the missing time:\n  ${gap}\n`,
    );
    expect(allowed.stdout).toContain(
      `Candles: ${file}; 1 gap run over with --allow-gaps (10 missing candles)\n`,
    );
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
      provenance: { settings: { source: unknown } };
    };
    expect(report.provenance.settings.source).toEqual({
      kind: 'csv',
      files: [file],
      allowGaps: true,
    });
    const rerun = await runCli(['--rerun', 'out.json'], dir);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('Reproduced byte for byte');
  });
});
