/**
 * The short chaos run inside `pnpm test` (the long one is `pnpm chaos`): the bot as real child
 * processes in live mode against the in-process exchange emulator, killed with SIGKILL three
 * times at scripted moments (after the exchange accepted an order and before the answer; while
 * halted; right after an exit reached the exchange, while reducing), with a lost response, a
 * partial fill, "not found" lookups, a short outage and random read errors, on an account that
 * holds coins of its own in every traded asset, with a manual trade and a forged order placed
 * while the bot is down. Every invariant of the run must hold.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReport, runChaos } from '../chaos/run.mjs';

const appDir = fileURLToPath(new URL('..', import.meta.url));

beforeAll(() => {
  // `pnpm test` builds every package and app first (`pnpm compile`); run alone, a test brings the
  // app's own dist up to date here.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: appDir });
}, 120_000);

describe('chaos, the quick run', () => {
  it('keeps every invariant through SIGKILLs, exchange faults, a halt and reducing', async () => {
    const progress: string[] = [];
    const report = await runChaos({ quick: true, seed: 7, log: (line) => progress.push(line) });
    const printed = `${progress.join('\n')}\n${formatReport(report)}`;

    expect(
      report.invariants.map((invariant) => invariant.name.slice(0, 3)),
      printed,
    ).toEqual(['(a)', '(b)', '(c)', '(d)', '(e)', '(f)', '(g)', '(h)', '(i)', '(j)', 'the']);
    for (const invariant of report.invariants) {
      expect(invariant.pass, `${invariant.name}\n${printed}`).toBe(true);
    }
    // The run did what it claims: three kills and restarts, orders on the exchange, a halt with a
    // restart inside it, and reducing.
    expect(report.figures.restarts, printed).toBe(3);
    expect(report.figures.ordersSent, printed).toBeGreaterThanOrEqual(1);
    // Every local row is on the exchange, except intents a kill stopped before their send: those
    // never reached it (no POST with their id) and never filled.
    const { localOnlyOrders } = report.figures;
    expect(report.figures.localOrders, printed).toBe(
      report.figures.exchangeOrders + localOnlyOrders.length,
    );
    for (const row of localOnlyOrders) {
      expect(row, printed).toMatchObject({ posted: 0, filledQuantity: 0 });
    }
    const halted = report.invariants.find((invariant) => invariant.name.startsWith('(d)'));
    expect(halted?.detail['restartsWhileHalted'], printed).toBe(1);
    const reducing = report.invariants.find((invariant) => invariant.name.startsWith('(e)'));
    expect(reducing?.detail['windows'], printed).toBe(1);
    // A manual trade by the user and a forged order were met, and nothing foreign was adopted.
    expect(report.figures.forgedOrders, printed).toBe(1);
    const foreign = report.invariants.find((invariant) => invariant.name.startsWith('(i)'));
    expect(foreign?.detail['foreignRowsStored'], printed).toBe(0);
    expect(report.passed, printed).toBe(true);
  }, 120_000);
});
