/**
 * @lumenlink/data: LumenLink's SQLite store (kysely over better-sqlite3, WAL, migrations on
 * open) and the repositories implementing core's store ports, the market data service that
 * collects closed candles, history backfill, CSV import/export and the bundled sample data.
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
export {
  candleRejectionReasons,
  candleRejection,
  validateCandles,
  emptyRejectionCounts,
  type CandleRejectionReason,
  type CandleRejectionCounts,
  type RejectedCandle,
  type ValidateCandlesOptions,
  type CandleValidation,
} from './candle-validation.js';
export {
  MarketDataService,
  defaultCandleLimit,
  defaultMaxRequestsPerPoll,
  type MarketDataServiceOptions,
  type PollResult,
  type SymbolPollResult,
} from './market-data-service.js';
export {
  fetchHistory,
  defaultProgressEveryPages,
  defaultProgressEveryMs,
  type FetchHistoryOptions,
  type HistoryProgressMode,
  type ProgressStream,
  type HistoryResult,
  type HistoryTaskResult,
} from './history.js';
export {
  candleCsvHeader,
  parseCandlesCsv,
  formatCandlesCsv,
  readCandlesCsv,
  writeCandlesCsv,
  importCandlesCsv,
  exportCandlesCsv,
  type ParseCandlesCsvOptions,
  type CsvImportResult,
} from './csv.js';
export {
  bundledDatasets,
  bundledDataUrl,
  loadBundledCandles,
  importBundledData,
  type BundledDataset,
  type BundledImport,
} from './bundled-data.js';
