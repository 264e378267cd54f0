/**
 * `--sentiment file.json`: historical Fear & Greed readings for a backtest's `MarketContext`.
 */
import { readFile } from 'node:fs/promises';
import type { MarketContext } from '@lumenlink/core';
import { DataInputError } from '../input-error.js';
import { fearGreedResponseSchema } from './fear-greed-client.js';

/** One Fear & Greed reading: when it became known (epoch ms), 0..100, and its label. */
export interface FearGreedPoint {
  readonly time: number;
  readonly value: number;
  readonly classification: string;
}

const accepted =
  'a JSON array of { "time": epoch ms, "value": 0 to 100, "classification": "Fear" }, or the body of alternative.me /fng/?limit=0';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates sentiment JSON: our array of readings, or alternative.me's `/fng/` response (times in
 * epoch seconds, newest first). Returns the readings sorted by time.
 *
 * @throws {DataInputError} on `--sentiment` naming the file, the reading at fault and what is accepted.
 */
export function parseSentiment(json: unknown, file: string): FearGreedPoint[] {
  let points: FearGreedPoint[];
  if (isRecord(json) && 'data' in json) {
    const parsed = fearGreedResponseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataInputError(
        '--sentiment',
        `${file}: not a valid alternative.me response at ${issue?.path.join('.') ?? '(body)'}: ${issue?.message ?? 'invalid'}. Accepted: ${accepted}`,
      );
    }
    points = parsed.data.data.map((point) => ({
      time: point.timestamp * 1000,
      value: point.value,
      classification: point.value_classification,
    }));
  } else if (Array.isArray(json)) {
    points = json.map((entry: unknown, index) => {
      const where = `${file}: reading ${index}`;
      if (!isRecord(entry)) {
        throw new DataInputError('--sentiment', `${where} is not an object. Accepted: ${accepted}`);
      }
      const { time, value, classification } = entry;
      if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
        throw new DataInputError(
          '--sentiment',
          `${where}: time ${JSON.stringify(time)} is not epoch ms. Accepted: ${accepted}`,
        );
      }
      if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
        throw new DataInputError(
          '--sentiment',
          `${where}: value ${JSON.stringify(value)} is not a number from 0 to 100. Accepted: ${accepted}`,
        );
      }
      if (typeof classification !== 'string' || classification === '') {
        throw new DataInputError(
          '--sentiment',
          `${where}: classification ${JSON.stringify(classification)} is not a label such as "Fear". Accepted: ${accepted}`,
        );
      }
      return { time, value, classification };
    });
  } else {
    throw new DataInputError('--sentiment', `${file}: ${accepted} expected`);
  }
  points.sort((a, b) => a.time - b.time);
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.time === points[i - 1]!.time) {
      throw new DataInputError(
        '--sentiment',
        `${file}: two readings at time ${points[i]!.time}; give one per time`,
      );
    }
  }
  return points;
}

/**
 * Reads a sentiment file (see {@link parseSentiment}).
 *
 * @throws {DataInputError} for a missing file, malformed JSON or an invalid reading.
 */
export async function readSentimentFile(file: string): Promise<FearGreedPoint[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DataInputError(
      '--sentiment',
      `${file}: cannot be read (${(error as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataInputError('--sentiment', `${file}: not JSON (${(error as Error).message})`);
  }
  return parseSentiment(json, file);
}

/**
 * The market context at a time: the latest reading at or before it, as `fearGreed` with its
 * time as `updatedAt` (the strategy ignores readings older than its `sentimentMaxAgeMs`);
 * `undefined` before the first reading. A binary search, so it costs O(log n) per candle.
 *
 * @example
 * ```ts
 * const context = marketContextFrom([{ time: 0, value: 20, classification: 'Extreme Fear' }]);
 * context(3_600_000)?.fearGreed?.value; // 20
 * ```
 */
export function marketContextFrom(
  points: readonly FearGreedPoint[],
): (time: number) => MarketContext | undefined {
  const contexts: MarketContext[] = points.map((point) => ({
    fearGreed: {
      value: point.value,
      classification: point.classification,
      updatedAt: point.time,
    },
  }));
  return (time) => {
    let low = 0;
    let high = points.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (points[middle]!.time <= time) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found === -1 ? undefined : contexts[found];
  };
}
