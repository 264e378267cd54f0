import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function sink(isTTY: boolean): { text: string; isTTY: boolean; write(chunk: string): boolean } {
  return {
    text: '',
    isTTY,
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

describe('createProgress', () => {
  it('writes a line at each tenth of a long run when stderr is not a terminal', () => {
    const stream = sink(false);
    const progress = createProgress({ stream, minCandles: 100 });
    for (let done = 0; done <= 1_000; done += 50) progress.update(done, 1_000);
    progress.finish();
    const lines = stream.text.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('Backtest 10% (100/1,000 candles)');
    expect(lines.at(-1)).toBe('Backtest 100% (1,000/1,000 candles)');
  });

  it('redraws one bar in place on a terminal and clears it at the end', () => {
    const stream = sink(true);
    const progress = createProgress({ stream, minCandles: 100, width: 10 });
    progress.update(500, 1_000);
    progress.update(510, 1_000); // same cell count: not redrawn
    progress.update(1_000, 1_000);
    progress.finish();
    expect(stream.text).toBe(
      '\r\u001b[2KBacktest [#####.....] 50% 500/1,000 candles' +
        '\r\u001b[2KBacktest [##########] 100% 1,000/1,000 candles' +
        '\r\u001b[2K',
    );
  });

  it('shows nothing for short runs', () => {
    for (const isTTY of [true, false]) {
      const stream = sink(isTTY);
      const progress = createProgress({ stream });
      progress.update(10_000, 20_000);
      progress.update(20_000, 20_000);
      progress.finish();
      expect(stream.text).toBe('');
    }
  });
});
