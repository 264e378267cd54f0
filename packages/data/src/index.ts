/**
 * @lumenlink/data: LumenLink's SQLite store (kysely over better-sqlite3, WAL, migrations on
 * open) and the repositories implementing core's store ports, the market data service that
 * collects closed candles, history backfill, CSV import/export, the bundled sample data, the
 * candle sources of backtests (`loadCandles`: bundled, CSV files, a database) and their
 * fingerprint (`candlesSha256`, `dataProvenanceOf`), and the sentiment and on-chain feeds
 * (Fear & Greed, CryptoPanic, DeFiLlama, CoinGecko) and Fear & Greed history files behind
 * core's `MarketContext`.
 * @packageDocumentation
 */
export {
  openStore,
  openEmptyStore,
  defaultBusyTimeoutMs,
  type OpenStoreOptions,
  type LumenLinkStore,
} from './open-store.js';
export type { DecisionRecord } from './decision-repository.js';
export type { NewRun, RunRecord, RunStore } from './run-repository.js';
export { DuplicateOrderError } from './store-errors.js';
export { DataInputError } from './input-error.js';
export { parseTimeText, timeTextAccepted } from './time-text.js';
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
  RunTable,
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
  formatHistoryResult,
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
export { candlesSha256, dataProvenanceOf, type DataProvenanceInput } from './candle-hash.js';
export { loadReplayData, type ReplayData, type ReplaySource } from './replay-data.js';
export {
  findSeriesGaps,
  formatSeriesGap,
  formatGapWarning,
  type CandleSeriesGap,
  type SeriesPlace,
} from './candle-gaps.js';
export { candleSourceOf, type CandleSourceFlags } from './candle-source.js';
export {
  loadCandles,
  inferInterval,
  symbolFromFileName,
  candlePeriod,
  type CandlePeriod,
  type CandleSource,
  type LoadCandlesOptions,
  type LoadedCandles,
} from './load-candles.js';
export {
  SentimentService,
  createSentimentService,
  sentimentParts,
  sentimentPartFeeds,
  defaultSentimentMaxAgeMs,
  defaultNewsWindowMs,
  type SentimentServiceOptions,
  type CreateSentimentServiceOptions,
  type SentimentPart,
  type PartOutcome,
  type PartRefresh,
  type SentimentRefreshResult,
  type SentimentPartStatus,
} from './sentiment/sentiment-service.js';
export {
  FearGreedClient,
  fearGreedBaseUrl,
  defaultFearGreedCacheTtlMs,
  fearGreedResponseSchema,
  type FearGreedResponse,
  type FearGreedReading,
} from './sentiment/fear-greed-client.js';
export {
  CryptoPanicClient,
  scoreNews,
  cryptoPanicBaseUrl,
  defaultCryptoPanicCacheTtlMs,
  cryptoPanicResponseSchema,
  type CryptoPanicResponse,
  type CryptoPanicClientOptions,
  type CryptoPanicFilter,
  type NewsPost,
  type NewsQuery,
  type NewsScore,
} from './sentiment/cryptopanic-client.js';
export {
  DefiLlamaClient,
  summarizeTvl,
  defiLlamaBaseUrl,
  defaultDefiLlamaCacheTtlMs,
  defiLlamaHistoricalTvlSchema,
  defiLlamaChainsSchema,
  defiLlamaProtocolSchema,
  type DefiLlamaProtocolResponse,
  type TvlPoint,
  type TvlSummary,
  type ChainTvl,
  type ProtocolTvl,
} from './sentiment/defillama-client.js';
export {
  CoinGeckoClient,
  coinGeckoBaseUrl,
  defaultCoinGeckoCacheTtlMs,
  coinGeckoGlobalSchema,
  type CoinGeckoGlobalResponse,
  type CoinGeckoClientOptions,
  type GlobalMarket,
} from './sentiment/coingecko-client.js';
export {
  FeedError,
  FeedRejectedError,
  FeedSchemaError,
  feedNames,
  feedLabels,
  type FeedName,
  type FeedFailure,
  type FeedErrorOptions,
} from './sentiment/feed-errors.js';
export {
  HttpFeed,
  redactUrl,
  defaultFeedTimeoutMs,
  defaultFeedRetries,
  defaultFeedBackoffMs,
  defaultFeedMaxBackoffMs,
  defaultMaxRetryAfterMs,
  type FeedClientOptions,
  type FeedResult,
  type FeedRequest,
  type HttpFeedSettings,
  type FetchFunction,
} from './sentiment/http-feed.js';
export {
  parseSentiment,
  readSentimentFile,
  marketContextFrom,
  type FearGreedPoint,
} from './sentiment/sentiment-file.js';
export { TtlCache, type CacheEntry } from './sentiment/ttl-cache.js';
export { parseRetryAfter } from './sentiment/retry-after.js';
