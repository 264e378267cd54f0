/**
 * The store's migrations, in code: no directory is scanned, so they run the same from `src/`,
 * `dist/` and an installed tarball. Names sort in the order they run.
 */
import type { Migration, MigrationProvider } from 'kysely/migration';
import { initialSchemaMigration } from './0001-initial-schema.js';
import { runsMigration } from './0002-runs.js';

/** Every migration by name; append new ones with the next number. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial_schema': initialSchemaMigration,
  '0002_runs': runsMigration,
};

/** The provider kysely's `Migrator` reads {@link migrations} from. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrations }),
};
