import { describe, expect, it } from 'vitest';
import { createSweepProgress, formatEta } from './progress.js';

function sink(isTTY: boolean): {
  text: () => string;
  stream: { isTTY: boolean; write(text: string): void };
} {
  let written = '';
  return {
    text: () => written,
    stream: {
      isTTY,
      write(text: string) {
        written += text;
      },
    },
  };
}

describe('formatEta', () => {
  it('writes seconds, minutes and hours', () => {
    expect(formatEta(9_400)).toBe('9s');
    expect(formatEta(75_000)).toBe('1m 15s');
    expect(formatEta(4_000_000)).toBe('1h 06m');
    expect(formatEta(Number.NaN)).toBe('--');
  });
});

describe('createSweepProgress', () => {
  it('redraws a bar with the runs done, failures and an ETA from the pace so far', () => {
    let now = 1_000;
    const out = sink(true);
    const progress = createSweepProgress({
      stream: out.stream,
      total: 10,
      now: () => now,
      width: 10,
    });
    now += 4_000;
    progress.update(2, 0);
    expect(out.text()).toBe('\r\u001b[2KOptimize [##........] 2/10 runs 20% ETA 16s');
    now += 4_000;
    progress.update(5, 1);
    expect(out.text().endsWith('[#####.....] 5/10 runs 50%, 1 failed ETA 8s')).toBe(true);
    now += 2_000;
    progress.update(10, 1);
    expect(out.text().endsWith('10/10 runs 100%, 1 failed done in 10s')).toBe(true);
    progress.finish();
    expect(out.text().endsWith('\r\u001b[2K')).toBe(true);
  });

  it('redraws the bar at most 10 times a second, and always at the end', () => {
    let now = 0;
    const out = sink(true);
    const progress = createSweepProgress({ stream: out.stream, total: 1_000, now: () => now });
    for (let done = 1; done <= 1_000; done++) {
      now += 1;
      progress.update(done, 0);
    }
    const draws = out.text().split('\r').length - 1;
    expect(draws).toBe(11);
    expect(out.text().endsWith('1000/1000 runs 100% done in 1s')).toBe(true);
  });

  it('writes a line at every tenth when stderr is not a terminal', () => {
    let now = 0;
    const out = sink(false);
    const progress = createSweepProgress({ stream: out.stream, total: 20, now: () => now });
    for (let done = 1; done <= 20; done++) {
      now += 500;
      progress.update(done, 0);
    }
    progress.finish();
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('Optimize 10% (2/20 runs, ETA 9s)');
    expect(lines.at(-1)).toBe('Optimize 100% (20/20 runs, done in 10s)');
    expect(out.text()).not.toContain('\u001b');
  });
});
