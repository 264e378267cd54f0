import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hour, hourlyCandles, t0 } from '../src/__fixtures__/domain.js';
import { migrations, openStore } from '../src/index.js';

/** Every migration, in the order a new database gets them. */
const allMigrations = Object.keys(migrations);
import { useTempDir } from './temp-dir.js';

const temp = useTempDir();
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const readerScript = path.join(fixtures, 'wal-reader.mjs');
const openerScript = path.join(fixtures, 'open-store-child.mjs');

/** Runs the opener child on `file`; resolves with its one JSON line. */
function openInChild(
  file: string,
  volume: number,
): Promise<{ applied?: string[]; error?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [openerScript, file, String(volume)], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && stdout.trim() !== '') {
        resolve(JSON.parse(stdout) as { applied?: string[]; error?: string });
      } else reject(new Error(`opener exited with ${String(code)}: ${stderr}`));
    });
  });
}

interface ReaderMessage {
  readonly ready?: boolean;
  readonly journalMode?: string;
  readonly count?: number;
  readonly latest?: number | null;
  readonly ms?: number;
  readonly error?: string;
  readonly stopped?: boolean;
}

/** The reader process, driven line by line. */
class Reader {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #queue: ReaderMessage[] = [];
  #waiting: ((message: ReaderMessage) => void) | undefined;
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(file: string) {
    this.#child = spawn(process.execPath, [readerScript, file], { stdio: 'pipe' });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as ReaderMessage;
      const waiting = this.#waiting;
      if (waiting === undefined) this.#queue.push(message);
      else {
        this.#waiting = undefined;
        waiting(message);
      }
    });
    this.exited = new Promise((resolve) => this.#child.on('exit', (code) => resolve(code)));
  }

  send(command: 'read' | 'poll' | 'stop' | 'quit'): void {
    this.#child.stdin.write(`${command}\n`);
  }

  next(): Promise<ReaderMessage> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reader did not answer; stderr: ${this.stderr}`)),
        10_000,
      );
      this.#waiting = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }

  async read(): Promise<ReaderMessage> {
    this.send('read');
    return this.next();
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill();
  }
}

describe('a second process', () => {
  it('reads committed candles while this process writes, without being blocked', async () => {
    const file = path.join(temp.dir(), 'lumenlink.db');
    const store = await openStore({ path: file });
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(100));
    const reader = new Reader(file);
    try {
      expect(await reader.next()).toEqual({ ready: true, journalMode: 'wal' });
      expect(await reader.read()).toMatchObject({ count: 100, latest: t0 + 99 * hour });

      // A write transaction is open here: the reader is not blocked (its busy timeout is 0)
      // and sees the last committed state only.
      await store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('candles')
          .values(
            hourlyCandles(50, t0 + 100 * hour).map((candle) => ({
              symbol: 'BTC-USD',
              interval: '1h',
              ...candle,
            })),
          )
          .execute();
        const during = await reader.read();
        expect(during.error).toBeUndefined();
        expect(during).toMatchObject({ count: 100, latest: t0 + 99 * hour });
      });
      expect(await reader.read()).toMatchObject({ count: 150, latest: t0 + 149 * hour });

      // The reader polls continuously while batches are written: it only ever sees whole batches.
      reader.send('poll');
      const batches = 20;
      const batchSize = 1_000;
      for (let batch = 0; batch < batches; batch++) {
        const start = t0 + (150 + batch * batchSize) * hour;
        await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(batchSize, start));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      reader.send('stop');
      const seen: ReaderMessage[] = [];
      for (let message = await reader.next(); !message.stopped; message = await reader.next()) {
        seen.push(message);
      }
      expect(seen.filter((message) => message.error !== undefined)).toEqual([]);
      const counts = seen.map((message) => message.count ?? -1);
      expect(counts.every((count) => (count - 150) % batchSize === 0)).toBe(true);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(new Set(counts).size).toBeGreaterThan(2);
      const total = 150 + batches * batchSize;
      expect(await reader.read()).toMatchObject({ count: total, latest: t0 + (total - 1) * hour });

      reader.send('quit');
      expect(await reader.exited).toBe(0);
    } finally {
      reader.kill();
      await store.close();
    }
  }, 30_000);

  it('migrates a fresh file exactly once when several processes open it at the same time', async () => {
    const file = path.join(temp.dir(), 'fresh.db');
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, index) => openInChild(file, index)),
    );
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
    expect(results.flatMap((result) => result.applied ?? [])).toEqual(allMigrations);
    const store = await openStore({ path: file });
    expect(store.appliedMigrations).toEqual([]);
    expect(await store.candles.getRecentCandles('BTC-USD', '1h', 10)).toHaveLength(1);
    await store.close();
  }, 30_000);
});
