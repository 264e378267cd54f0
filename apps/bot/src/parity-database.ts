/**
 * The parity report over the bot's SQLite database: `@lumenlink/analysis`'s `runParity` fed by
 * `@lumenlink/data`'s store and the strategy the config names (`pnpm parity` prints it).
 */
import { statSync } from 'node:fs';
import {
  checkParityPeriod,
  runParity,
  type ParityOptions,
  type ParityReport,
} from '@lumenlink/analysis';
import { ValidationError } from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import { createStrategy } from '@lumenlink/strategies';

/** What {@link parityOfDatabase} compares: the bot's SQLite database, which must exist. */
export type DatabaseParityOptions = Pick<ParityOptions, 'config' | 'from' | 'to'> & {
  readonly dbPath: string;
};

/** Fails clearly unless `path` is a file: the report never creates a database. */
function checkFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new ValidationError(`the database ${path} does not exist: give the bot's DB_PATH`);
  }
  if (!isFile) throw new ValidationError(`the database ${path} is not a file`);
}

/**
 * The parity report of the bot's SQLite database (`@lumenlink/analysis`'s `runParity` over it),
 * with the strategy the config names.
 *
 * @throws {ValidationError} for a database that does not exist, and whatever `runParity` throws.
 * @throws {StorageError} when the file is not a LumenLink database.
 */
export async function parityOfDatabase(options: DatabaseParityOptions): Promise<ParityReport> {
  const { dbPath, ...compared } = options;
  const { config } = compared;
  checkParityPeriod(compared); // before the database is looked at, as runParity would after
  checkFile(dbPath);
  const store = await openStore({ path: dbPath });
  try {
    return await runParity({
      ...compared,
      store, // its candles, orders, runtime and decisionLog are the parity store's ports
      db: dbPath,
      strategy: () => createStrategy(config.strategy, undefined, { interval: config.interval }),
    });
  } finally {
    await store.close();
  }
}
