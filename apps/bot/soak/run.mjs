/**
 * `pnpm soak`: the bot replays 30 days of seeded random-walk 1m candles for 20 symbols (43,200
 * candle times, 864,000 candles) in paper mode at full speed, and the run reports heap, open
 * handles, loop latencies as percentiles and throughput (see soak.mjs for what is measured and
 * how). Reads the BUILT bot (`pnpm soak` builds it first). Flags: --days, --symbols, --quick
 * (2 days), --strategy, --samples, --keep-db, --json; `--help` prints them.
 *
 * Prints a markdown table to stdout and progress to stderr. Exit codes: 0 pass, 1 the heap grew
 * more than 20% or 50 MB after the warm-up, the handles grew, or the bot failed; 2 a bad flag.
 */
import { performance } from 'node:perf_hooks';
import { formatSoakReport, parseSoakArgs, runSoak, soakProblems, soakUsage } from './soak.mjs';

let options;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${soakUsage}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(soakUsage);
  process.exit(0);
}

let startBot;
try {
  ({ startBot } = await import('../dist/bot.js'));
} catch (error) {
  process.stderr.write(
    `Cannot load the built bot (run \`pnpm --filter @lumenlink/bot build\` first): ${String(error)}\n`,
  );
  process.exit(1);
}

if (typeof globalThis.gc !== 'function') {
  process.stderr.write(
    'note: node runs without --expose-gc; heap samples include garbage not yet collected\n',
  );
}
const started = performance.now();
const progress = (message) =>
  process.stderr.write(
    `[soak ${((performance.now() - started) / 1000).toFixed(0)} s] ${message}\n`,
  );
progress(
  `${options.days} days x ${options.symbols} symbols of 1m candles, ${options.strategy}: seeding the database`,
);

try {
  const report = await runSoak(options, { startBot, onProgress: progress });
  const problems = soakProblems(report);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...report, problems }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatSoakReport(report, problems)}\n`);
  }
  process.exitCode = problems.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(
    `The soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
