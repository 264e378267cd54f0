import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runBacktestCommand, type CommandStream } from '../src/backtest-command.js';

export const hourMs = 3_600_000;
/** 2024-01-01T00:00Z. */
export const start = Date.UTC(2024, 0, 1);

/** A stream that keeps what is written, and says whether it is a terminal. */
export class Sink extends Writable implements CommandStream {
  text = '';
  readonly isTTY: boolean;

  constructor(isTTY = false) {
    super();
    this.isTTY = isTTY;
  }

  override _write(chunk: Buffer | string, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** What a command run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pnpm backtest` in-process with `cwd` as the working directory. */
export async function runCli(argv: readonly string[], cwd: string): Promise<CliRun> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runBacktestCommand(argv, { stdout, stderr, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lumenlink-backtest-'));
}

/**
 * Writes 1h candles from `[open, close]` pairs to a CSV file: the high and low 0.1 % beyond the
 * body, volume 100.
 */
export function writeCsv(path: string, rows: readonly (readonly [number, number])[]): string {
  const lines = rows.map(([open, close], index) => {
    const high = Math.max(open, close) * 1.001;
    const low = Math.min(open, close) * 0.999;
    return `${start + index * hourMs},${open},${high},${low},${close},100`;
  });
  writeFileSync(path, `time,open,high,low,close,volume\n${lines.join('\n')}\n`);
  return path;
}

/** `count` flat candles at `price`. */
export function flat(count: number, price: number): [number, number][] {
  return Array.from({ length: count }, (): [number, number] => [price, price]);
}

/**
 * Candles on which `ema_crossover` with `fastPeriod=1 slowPeriod=2` (the close against its
 * 2-period EMA) crosses exactly six times: buys on the closes of candles 5, 15 and 25, sells on
 * those of 10, 20 and 30. The candle after each signal opens away from the signal's close, so a
 * next-open fill and a close fill differ.
 */
export function threeTradeCandles(): [number, number][] {
  return [
    ...flat(5, 100), // 0..4
    [100, 110], // 5: buy
    [111, 111], // 6: fills at 111
    ...flat(3, 111), // 7..9
    [111, 105], // 10: sell
    [104, 104], // 11: fills at 104
    ...flat(3, 104), // 12..14
    [104, 115], // 15: buy
    [116, 130], // 16: fills at 116
    ...flat(3, 130), // 17..19
    [130, 121], // 20: sell
    [122, 99], // 21: fills at 122
    ...flat(3, 99), // 22..24
    [99, 102], // 25: buy
    [103, 108], // 26: fills at 103
    ...flat(3, 108), // 27..29
    [108, 104], // 30: sell
    [106, 104], // 31: fills at 106
    ...flat(3, 104), // 32..34
  ];
}

/** The flags that make `ema_crossover` trade the crossings of {@link threeTradeCandles}. */
export const crossoverFlags = [
  '--strategy',
  'ema_crossover',
  '--param',
  'fastPeriod=1',
  '--param',
  'slowPeriod=2',
  '--no-risk',
  '--max-position-usd',
  '1000',
  '--no-trailing-stop',
];
