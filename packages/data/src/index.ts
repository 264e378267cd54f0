/**
 * @lumenlink/data: LumenLink's SQLite store (kysely over better-sqlite3, WAL, migrations on
 * open) and the repositories implementing core's store ports. The market data service, history
 * backfill, CSV import/export and bundled sample data follow in the same issue.
 * @packageDocumentation
 */
export {
  openStore,
  defaultBusyTimeoutMs,
  type OpenStoreOptions,
  type LumenLinkStore,
} from './open-store.js';
export { DuplicateOrderError } from './store-errors.js';
export { migrations } from './migrations/index.js';
export type {
  Database,
  CandleTable,
  OrderTable,
  FillTable,
  PositionTable,
  EquitySnapshotTable,
  DecisionTable,
  RuntimeStateTable,
} from './database.js';
