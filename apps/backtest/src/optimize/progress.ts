/**
 * Progress of a sweep on stderr: a bar with the runs done, failures and an ETA, redrawn in
 * place on a terminal; a line at every tenth of the sweep otherwise (logs and CI).
 */
import type { ProgressStream } from '../progress.js';

/** Options of {@link createSweepProgress}. */
export interface SweepProgressOptions {
  readonly stream: ProgressStream;
  /** Runs in the sweep. */
  readonly total: number;
  /** A monotonic clock in ms (`performance.now`), for the elapsed time and the ETA. */
  readonly now: () => number;
  /** The first word of each line (default `Optimize`). */
  readonly label?: string;
  /** Width of the bar in characters (default 24). */
  readonly width?: number;
}

/** Receives the runs done as they end, and ends the display. */
export interface SweepProgress {
  /** `done` runs ended, `failed` of them without a result. */
  update(done: number, failed: number): void;
  /** Clears the bar (on a terminal); call once the sweep is over. */
  finish(): void;
}

/** `75_000` → `1m 15s`; `4_000_000` → `1h 06m`; `9_400` → `9s`. */
export function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/**
 * Creates the progress display of a sweep.
 *
 * @example
 * ```ts
 * const progress = createSweepProgress({ stream: process.stderr, total: jobs.length, now: () => performance.now() });
 * await pool.evaluate(jobs, () => progress.update(++done, failed));
 * progress.finish();
 * ```
 */
export function createSweepProgress(options: SweepProgressOptions): SweepProgress {
  const { stream, total, now } = options;
  const label = options.label ?? 'Optimize';
  const width = options.width ?? 24;
  const tty = stream.isTTY === true;
  const started = now();
  let drawn = false;
  let drawnAt = Number.NEGATIVE_INFINITY;
  let lastTenth = 0;
  const eta = (done: number): string => {
    if (done <= 0) return 'ETA --';
    const elapsed = now() - started;
    return done >= total
      ? `done in ${formatEta(elapsed)}`
      : `ETA ${formatEta((elapsed / done) * (total - done))}`;
  };
  return {
    update(done, failed) {
      if (total <= 0) return;
      const share = Math.min(1, done / total);
      const failures = failed > 0 ? `, ${failed} failed` : '';
      if (tty) {
        // At most 10 redraws a second: a fast sweep settles thousands of runs a second.
        if (now() - drawnAt < 100 && done < total) return;
        drawnAt = now();
        const cells = Math.round(share * width);
        drawn = true;
        stream.write(
          `\r\u001b[2K${label} [${'#'.repeat(cells)}${'.'.repeat(width - cells)}] ${done}/${total} runs ${Math.floor(share * 100)}%${failures} ${eta(done)}`,
        );
        return;
      }
      const tenth = Math.floor(share * 10);
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label} ${tenth * 10}% (${done}/${total} runs${failures}, ${eta(done)})\n`);
    },
    finish() {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
