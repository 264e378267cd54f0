/**
 * The `runs` table: one row per start of a bot or the demo with the `RunProvenance` (core) of
 * what produced its results, so a database says which strategy file, parameters and settings
 * made its orders (`pnpm parity` replays with them).
 */
import {
  DataIntegrityError,
  ValidationError,
  type RunProvenance,
  type StrategyProvenance,
} from '@lumenlink/core';
import type { Kysely, Selectable } from 'kysely';
import { Checker, type CheckError } from './checks.js';
import type { Database, RunTable } from './database.js';
import { guarded } from './store-errors.js';

/** The modes a run is recorded under. */
const modes = { paper: true, live: true } as const;
const kinds: Record<StrategyProvenance['kind'], true> = {
  builtin: true,
  file: true,
  package: true,
};

/** One start of a bot, as recorded. */
export interface RunRecord {
  /** Assigned on insert, increasing. */
  readonly id: number;
  /** When the run started, epoch ms. */
  readonly startedAt: number;
  readonly mode: 'paper' | 'live';
  /** What produced the run's results: strategy source, parameters, settings, data. */
  readonly provenance: RunProvenance;
}

/** A run to record: {@link RunRecord} without its id. */
export type NewRun = Omit<RunRecord, 'id'>;

/** The store's `runs`: each start of a bot with its provenance. */
export interface RunStore {
  /**
   * Records a start. The provenance is stored as given (JSON); it must be plain JSON data.
   *
   * @throws {ValidationError} for a bad time, mode or provenance (naming the field).
   * @throws {StorageError} when SQLite fails.
   */
  recordRun(run: NewRun): Promise<RunRecord>;
  /** The latest start, or `null` when none is recorded (a database of an older version). */
  latestRun(): Promise<RunRecord | null>;
  /** The latest `limit` starts (default 20), newest first. */
  listRuns(limit?: number): Promise<RunRecord[]>;
}

function checkStrategy(value: unknown, check: Checker): StrategyProvenance {
  const strategy = check.record('provenance.strategy', value);
  const optional = (name: keyof StrategyProvenance) =>
    strategy[name] === undefined
      ? {}
      : { [name]: check.string(`strategy.${name}`, strategy[name]) };
  return {
    spec: check.string('strategy.spec', strategy.spec),
    kind: check.oneOf('strategy.kind', strategy.kind, kinds),
    key: check.string('strategy.key', strategy.key),
    ...optional('path'),
    ...optional('exportName'),
    ...optional('packageName'),
    ...optional('packageVersion'),
    ...optional('sha256'),
  };
}

function checkProvenance(value: unknown, check: Checker): RunProvenance {
  const provenance = check.record('provenance', value);
  const strategy = checkStrategy(provenance.strategy, check);
  const params = check.record('provenance.params', provenance.params);
  const settings = check.record('provenance.settings', provenance.settings);
  if (provenance.data !== undefined) check.record('provenance.data', provenance.data);
  return { ...(provenance as unknown as RunProvenance), strategy, params, settings };
}

function fromRow(row: Selectable<RunTable>, error: CheckError): RunRecord {
  const check = new Checker(error, `run ${row.id}`);
  return {
    id: row.id,
    startedAt: check.integer('started_at', row.started_at),
    mode: check.oneOf('mode', row.mode, modes),
    provenance: checkProvenance(check.json('provenance', row.provenance), check),
  };
}

/** {@link RunStore} over the `runs` table. */
export class SqliteRunStore implements RunStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async recordRun(run: NewRun): Promise<RunRecord> {
    const check = new Checker(ValidationError, 'recordRun');
    const startedAt = check.integer('startedAt', run.startedAt);
    const mode = check.oneOf('mode', run.mode, modes);
    let text: string;
    try {
      text = JSON.stringify(run.provenance);
    } catch (error) {
      return check.fail(
        `provenance is not JSON data (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const provenance = checkProvenance(JSON.parse(text) as unknown, check);
    const row = await guarded('recordRun', () =>
      this.#db
        .insertInto('runs')
        .values({
          started_at: startedAt,
          mode,
          strategy: provenance.strategy.key,
          provenance: text,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    return { id: row.id, startedAt, mode, provenance };
  }

  async latestRun(): Promise<RunRecord | null> {
    const [latest] = await this.listRuns(1);
    return latest ?? null;
  }

  async listRuns(limit = 20): Promise<RunRecord[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new ValidationError(`listRuns: limit ${limit} is not a non-negative integer`);
    }
    const rows = await guarded('listRuns', () =>
      this.#db.selectFrom('runs').selectAll().orderBy('id', 'desc').limit(limit).execute(),
    );
    return rows.map((row) => fromRow(row, DataIntegrityError));
  }
}
