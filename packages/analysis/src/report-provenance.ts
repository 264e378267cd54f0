/**
 * Reading back what produced a run from its JSON report, to run it again
 * (`pnpm backtest --rerun report.json`).
 */
import { commandHint, ValidationError, type RunProvenance } from '@lumenlink/core';
import { isPlainRecord } from './provenance-text.js';

/**
 * The provenance a JSON report records (`formatJsonReport` of an input with `provenance`): the
 * strategy's source, its parameters, the settings and the data, as plain JSON.
 *
 * @example
 * ```ts
 * const provenance = reportProvenance(readFileSync('report.json', 'utf8'), 'report.json');
 * provenance.strategy.sha256; // the strategy file's hash when the report was written
 * ```
 * @throws {ValidationError} naming `name`, with the fix: a text that is not JSON, not a
 *   LumenLink JSON report, or a report without provenance (written before reports recorded it).
 */
export function reportProvenance(text: string, name: string): RunProvenance {
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(
      `${name}: is not JSON (${reason}). Give the JSON report a backtest wrote with --json`,
    );
  }
  if (!isPlainRecord(report) || report.schemaVersion !== 1) {
    throw new ValidationError(
      `${name}: is not a LumenLink JSON report (schemaVersion 1). Give the JSON report a backtest wrote with --json`,
    );
  }
  if (report.kind === 'optimize') {
    throw new ValidationError(
      `${name}: is an optimize result, not a backtest report. Backtest its winner with ${commandHint('backtest')} --strategy <its strategy> --params-file <the params file optimize wrote> --json report.json, and rerun that report`,
    );
  }
  const { provenance } = report;
  if (
    !isPlainRecord(provenance) ||
    !isPlainRecord(provenance.strategy) ||
    !isPlainRecord(provenance.params) ||
    !isPlainRecord(provenance.settings)
  ) {
    throw new ValidationError(
      `${name}: records no provenance (it was written before reports recorded what produced them), so it cannot be run again. Run the backtest again with its flags and --json, and use that report`,
    );
  }
  return provenance as unknown as RunProvenance;
}
