import { describe, expect, it } from 'vitest';
import { createConsoleNotifier } from '../src/index.js';
import { recordingLogger, sampleEvents } from './helpers.js';

describe('console notifier', () => {
  it('logs an error event at its severity: error by default, warn for a warning, info for a notice', () => {
    const { logger, lines } = recordingLogger([]);
    const console = createConsoleNotifier(logger);
    console.notify(sampleEvents.error);
    console.notify({ ...sampleEvents.error, code: 'SENTIMENT_FEED_DEGRADED', severity: 'warning' });
    console.notify({ ...sampleEvents.error, code: 'BOT_STARTING', severity: 'info' });
    const logged = lines.map(
      (line) => JSON.parse(line) as { level: string; msg: string; text: string },
    );
    expect(logged.map((line) => [line.level, line.msg, line.text.split('\n')[0]])).toEqual([
      ['error', 'alert: error', 'Error: EXCHANGE_DOWN'],
      ['warn', 'alert: warning', 'Warning: SENTIMENT_FEED_DEGRADED'],
      ['info', 'alert: notice', 'Notice: BOT_STARTING'],
    ]);
  });
});
