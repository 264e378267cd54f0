/**
 * `pnpm bench`'s lines and summary (scripts/lib/bench-lines.mjs), and a short run of the
 * backtest benchmark (`node --test`, part of `pnpm test`). The short run checks correctness
 * only: the engine, the bare loop and grademark make identical trades on a few thousand candles,
 * and the goal lines parse. Timings of so small a run mean nothing and are not asserted. It reads
 * the built packages (`pnpm compile` first; `pnpm test` compiles before it runs these tests).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseBenchLine, parseBenchOutput, summarize } from './lib/bench-lines.mjs';
import { root } from './lib/process.mjs';

const run = promisify(execFile);

describe('parseBenchLine', () => {
  it('reads a goal: result, name, ratio and target', () => {
    assert.deepEqual(
      parseBenchLine(
        'GOAL FAIL engine vs bare loop, SMA crossover, no fees: 0.0038x (goal >= 0.2x)',
      ),
      {
        kind: 'GOAL',
        result: 'FAIL',
        name: 'engine vs bare loop, SMA crossover, no fees',
        detail: '0.0038x (goal >= 0.2x)',
        ratio: 0.0038,
        goal: '>= 0.2x',
      },
    );
  });

  it('finds the line after a prefix and a ratio inside words, and takes the name to the first ": "', () => {
    const line = parseBenchLine(
      '@lumenlink/indicators:bench: GOAL PASS SMA batch: 0.61x the speed of the bare loop (goal >= 0.5x)',
    );
    assert.equal(line?.name, 'SMA batch');
    assert.equal(line?.ratio, 0.61);
    assert.equal(line?.goal, '>= 0.5x');
  });

  it('reads checks and skips, and a goal without a ratio', () => {
    assert.equal(parseBenchLine('CHECK PASS trades identical: 12 trades')?.kind, 'CHECK');
    assert.equal(parseBenchLine('CHECK PASS trades identical: 12 trades')?.ratio, null);
    assert.equal(
      parseBenchLine('GOAL SKIP allocation-free streaming: not measured')?.result,
      'SKIP',
    );
    const noRatio = parseBenchLine(
      'GOAL PASS allocation-free streaming: all 23 under 1 byte/update (goal < 1 byte)',
    );
    assert.equal(noRatio?.ratio, null);
    assert.equal(noRatio?.goal, '< 1 byte');
  });

  it('ignores every other line', () => {
    for (const text of [
      'PASS: every goal met.',
      '| GOAL | x |',
      'GOALS PASS a: 1x',
      'GOAL MAYBE a: 1x',
      '',
    ]) {
      assert.equal(parseBenchLine(text), null, text);
    }
  });
});

describe('summarize', () => {
  const pass = parseBenchOutput(
    'GOAL PASS a vs b: 1.5x (goal >= 1x)\nCHECK PASS same trades: 3 trades',
  );
  const fail = parseBenchOutput('GOAL FAIL c vs d: 0.1x (goal >= 0.2x)');

  it('passes when every goal and check passed and every benchmark exited 0', () => {
    const { ok, text } = summarize([{ name: 'x', code: 0, seconds: 1, lines: pass }]);
    assert.equal(ok, true);
    assert.match(text, /^x\s+a vs b\s+1\.5x\s+>= 1x\s+PASS$/m);
    assert.match(text, /^x\s+check: same trades\s+3 trades\s+PASS$/m);
    assert.match(text, /^PASS: 1 goal\(s\) met\.$/m);
  });

  it('fails on a missed goal, and on a benchmark that exits non-zero without one', () => {
    const missed = summarize([
      { name: 'x', code: 0, seconds: 1, lines: pass },
      { name: 'y', code: 1, seconds: 1, lines: fail },
    ]);
    assert.equal(missed.ok, false);
    assert.match(missed.text, /^FAIL: 1 of 2 goal\(s\) missed\.$/m);
    const broke = summarize([{ name: 'z', code: 2, seconds: 1, lines: pass }]);
    assert.equal(broke.ok, false);
    assert.match(broke.text, /z: exited with code 2 without a failed goal/);
  });

  it('fails on a failed check, and notes a benchmark that printed no goal', () => {
    const check = summarize([
      {
        name: 'x',
        code: 1,
        seconds: 1,
        lines: parseBenchOutput('CHECK FAIL same trades: 3 against 4'),
      },
    ]);
    assert.equal(check.ok, false);
    assert.match(check.text, /1 check\(s\) failed/);
    const silent = summarize([{ name: 'quiet', code: 0, seconds: 1, lines: [] }]);
    assert.equal(silent.ok, true);
    assert.match(silent.text, /quiet: printed no GOAL line/);
  });
});

describe('the backtest benchmark, short', () => {
  it(
    'makes identical trades through the engine, the bare loop and grademark, and prints parseable goals',
    { timeout: 60_000 },
    async () => {
      let stdout;
      let code = 0;
      try {
        ({ stdout } = await run(process.execPath, ['bench/run.mjs', '--quick'], {
          cwd: path.join(root, 'apps', 'backtest'),
          env: { ...process.env, BENCH_CANDLES: '6000', BENCH_ONLY: 'sma', BENCH_RESULTS: '-' },
        }));
      } catch (error) {
        // Exit code 1: a goal missed (timing, not asserted here) or a check failed (asserted below).
        ({ stdout, code } = /** @type {{ stdout: string, code: number }} */ (error));
      }
      const lines = parseBenchOutput(stdout);
      const check = lines.find((line) => line.kind === 'CHECK');
      assert.equal(check?.result, 'PASS', `${check?.detail ?? 'no CHECK line'}\n${stdout}`);
      assert.ok(Number.parseInt(check.detail, 10) > 10, check.detail);
      const goals = lines.filter((line) => line.kind === 'GOAL');
      assert.deepEqual(
        goals.map((line) => [line.name, line.goal]),
        [
          ['engine vs bare loop, SMA crossover, no fees', '>= 0.2x'],
          ['engine vs grademark, SMA crossover, no fees', '>= 1x'],
          ['engine with defaults vs bare loop, SMA crossover', '>= 0.1x'],
        ],
      );
      for (const line of goals) assert.ok(line.ratio !== null && line.ratio > 0, line.detail);
      assert.equal(code, goals.some((line) => line.result === 'FAIL') ? 1 : 0);
    },
  );
});
