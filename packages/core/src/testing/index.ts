/**
 * @lumenlink/core/testing: fakes of the non-store ports, for unit tests of pure logic.
 * Anything that stores uses the real SQLite store of `@lumenlink/data` instead.
 * @packageDocumentation
 */
export { ManualClock } from '../manual-clock.js';
export {
  RecordingBroker,
  type BrokerCall,
  type RecordingBrokerOptions,
} from './recording-broker.js';
export { ScriptedMarketDataSource, type MarketDataCall } from './scripted-market-data.js';
export { RecordingNotifier } from './recording-notifier.js';
export { recordingLogger, type LoggedLine } from './recording-logger.js';
