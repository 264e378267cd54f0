/**
 * The lines a benchmark prints for `pnpm bench`'s summary (docs/benchmarks.md):
 *
 *     GOAL <PASS|FAIL|SKIP> <name>: <ratio>x (goal >= <target>x)
 *     CHECK <PASS|FAIL> <name>: <detail>
 *
 * anywhere in a line of its stdout (so a prefix such as turbo's `pkg:bench: ` does not matter).
 * The name runs to the first `: `; a GOAL's ratio is the first `<number>x` after it and its goal
 * the text inside `(goal ...)`, both optional (a goal without a ratio, such as "0 bytes per
 * update", still counts by its PASS or FAIL).
 *
 * Plain Node ESM without dependencies.
 */

/**
 * @typedef {{ kind: 'GOAL' | 'CHECK', result: 'PASS' | 'FAIL' | 'SKIP', name: string,
 *   detail: string, ratio: number | null, goal: string | null }} BenchLine
 */

const LINE = /(?:^|\s)(GOAL|CHECK) (PASS|FAIL|SKIP) (.+?): (.*)$/;
const RATIO = /(?:^|[\s(])(\d+(?:\.\d+)?(?:e[-+]?\d+)?)x(?![\w])/;
const GOAL = /\(goal ([^)]*)\)/;
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * A GOAL or CHECK line, or `null` for any other line.
 * @param {string} text
 * @returns {BenchLine | null}
 */
export function parseBenchLine(text) {
  const match = LINE.exec(text.replace(ANSI, '').trimEnd());
  if (match === null) return null;
  const [, kind, result, name, detail] = /** @type {string[]} */ (match);
  const ratio = kind === 'GOAL' ? RATIO.exec(detail ?? '') : null;
  return {
    kind: /** @type {'GOAL' | 'CHECK'} */ (kind),
    result: /** @type {'PASS' | 'FAIL' | 'SKIP'} */ (result),
    name: name ?? '',
    detail: detail ?? '',
    ratio: ratio === null ? null : Number(ratio[1]),
    goal: GOAL.exec(detail ?? '')?.[1] ?? null,
  };
}

/**
 * Every GOAL and CHECK line of a benchmark's output.
 * @param {string} output
 * @returns {BenchLine[]}
 */
export function parseBenchOutput(output) {
  return output
    .split('\n')
    .map(parseBenchLine)
    .filter((line) => line !== null);
}

/**
 * @typedef {{ name: string, code: number, seconds: number, lines: BenchLine[] }} BenchRun
 *   One benchmark that ran: its package, its exit code, how long it took and what it printed.
 */

/**
 * The summary of a `pnpm bench` run: every GOAL and CHECK line by benchmark, then the
 * benchmarks that failed without saying which goal, and the verdict. `ok` is false when a goal
 * or a check failed or a benchmark exited with another code than 0.
 * @param {BenchRun[]} runs
 * @returns {{ ok: boolean, text: string }}
 */
export function summarize(runs) {
  /** @type {string[][]} */
  const rows = [];
  const notes = [];
  for (const run of runs) {
    for (const line of run.lines) {
      rows.push([
        run.name,
        `${line.kind === 'CHECK' ? 'check: ' : ''}${line.name}`,
        // A check's detail up to its first parenthesis (`5552 trades`); a goal's ratio.
        line.kind === 'CHECK' || line.ratio === null
          ? (line.detail.split(' (')[0] ?? '')
          : `${line.ratio}x`,
        line.goal ?? '',
        line.result,
      ]);
    }
    const failedLines = run.lines.filter((line) => line.result === 'FAIL').length;
    if (run.code !== 0 && failedLines === 0) {
      notes.push(`${run.name}: exited with code ${run.code} without a failed goal (it broke)`);
    } else if (run.lines.length === 0) {
      notes.push(`${run.name}: printed no GOAL line (see docs/benchmarks.md)`);
    }
  }
  const goals = runs.flatMap((run) => run.lines.filter((line) => line.kind === 'GOAL'));
  const missed = goals.filter((line) => line.result === 'FAIL').length;
  const checksFailed = runs.flatMap((run) =>
    run.lines.filter((line) => line.kind === 'CHECK' && line.result === 'FAIL'),
  ).length;
  const broke = runs.filter(
    (run) => run.code !== 0 && !run.lines.some((line) => line.result === 'FAIL'),
  ).length;
  const ok = missed === 0 && checksFailed === 0 && broke === 0;
  const verdict = ok
    ? `PASS: ${goals.length} goal(s) met.`
    : `FAIL: ${[
        missed > 0 ? `${missed} of ${goals.length} goal(s) missed` : '',
        checksFailed > 0 ? `${checksFailed} check(s) failed` : '',
        broke > 0 ? `${broke} benchmark(s) broke` : '',
      ]
        .filter(Boolean)
        .join(', ')}.`;
  const head = ['benchmark', 'goal', 'ratio', 'target', 'result'];
  const widths = head.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (/** @type {string[]} */ cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const table =
    rows.length > 0 ? [render(head), ...rows.map(render)] : ['(no GOAL or CHECK line printed)'];
  return { ok, text: [...table, ...notes.map((note) => `note: ${note}`), verdict].join('\n') };
}
