/**
 * Progress of a long backtest on stderr: a bar redrawn in place on a terminal, a line at every
 * tenth of the run otherwise (logs and CI). Short runs show nothing.
 */

/** A stream progress is written to: stderr, or a test's sink. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly stream: ProgressStream;
  /** Runs with fewer candles than this show no progress (default 50 000). */
  readonly minCandles?: number;
  /** Width of the bar in characters (default 30). */
  readonly width?: number;
}

/** Receives the engine's progress calls, and ends the display. */
export interface Progress {
  update(processed: number, total: number): void;
  /** Clears the bar (on a terminal); call once the run is over. */
  finish(): void;
}

/** The default of {@link ProgressOptions.minCandles}. */
const defaultProgressMinCandles = 50_000;

/**
 * Creates a progress display for `runBacktest`'s `onProgress(processed, total)`.
 *
 * @example
 * ```ts
 * const progress = createProgress({ stream: process.stderr });
 * await runBacktest({ ...options, onProgress: (done, total) => progress.update(done, total) });
 * progress.finish();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const { stream } = options;
  const minCandles = options.minCandles ?? defaultProgressMinCandles;
  const width = options.width ?? 30;
  const tty = stream.isTTY === true;
  let drawn = false;
  let lastTenth = 0;
  let lastCells = -1;
  return {
    update(processed, total) {
      if (total < minCandles || total <= 0) return;
      const share = Math.min(1, processed / total);
      const count = `${processed.toLocaleString('en-US')}/${total.toLocaleString('en-US')} candles`;
      if (tty) {
        const cells = Math.round(share * width);
        if (cells === lastCells && processed < total) return;
        lastCells = cells;
        drawn = true;
        stream.write(
          `\r\u001b[2KBacktest [${'#'.repeat(cells)}${'.'.repeat(width - cells)}] ${Math.floor(share * 100)}% ${count}`,
        );
        return;
      }
      const tenth = Math.floor(share * 10);
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      stream.write(`Backtest ${tenth * 10}% (${count})\n`);
    },
    finish() {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
