/**
 * The `decisions` table behind core's {@link DecisionStore} port: each decision with its signal
 * and risk verdict (every check) as JSON text, checked when written and when read back.
 */
import {
  DataIntegrityError,
  ValidationError,
  riskCheckNames,
  signalSchema,
  type Decision,
  type DecisionOutcome,
  type DecisionStore,
  type RiskCheckName,
  type RiskCheckOutcome,
  type RiskCheckResult,
  type RiskVerdict,
  type Signal,
  type SymbolId,
} from '@lumenlink/core';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { Checker, type CheckError } from './checks.js';
import type { Database, DecisionTable } from './database.js';
import { guarded } from './store-errors.js';
import { defaultStoreRedactor, type TextRedactor } from './store-redaction.js';

const outcomes: Record<DecisionOutcome, true> = {
  hold: true,
  cooldown: true,
  blocked: true,
  submitted: true,
  error: true,
};
const checkOutcomes: Record<RiskCheckOutcome, true> = {
  pass: true,
  fail: true,
  skip: true,
  warn: true,
};
const checkNames = Object.fromEntries(riskCheckNames.map((name) => [name, true])) as Record<
  RiskCheckName,
  true
>;
const sides = { buy: true, sell: true } as const;

function checkSignal(value: unknown, check: Checker): Signal {
  const parsed = signalSchema.safeParse(value);
  if (!parsed.success) {
    return check.fail(
      `signal is invalid: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'signal'} ${issue.message}`)
        .join('; ')}`,
    );
  }
  // From JSON or a typed Signal: optional keys are absent, never `undefined`.
  return parsed.data as Signal;
}

function checkMeasure(name: string, value: unknown, check: Checker): number | string | null {
  if (value === null || typeof value === 'string') return value;
  return check.number(name, value);
}

function checkVerdict(value: unknown, check: Checker): RiskVerdict {
  const verdict = check.record('verdict', value);
  if (typeof verdict.allowed !== 'boolean') check.fail('verdict.allowed is not a boolean');
  const checks = check
    .array('verdict.checks', verdict.checks)
    .map((item, index): RiskCheckResult => {
      const result = check.record(`verdict.checks[${index}]`, item);
      return {
        name: check.oneOf(`verdict.checks[${index}].name`, result.name, checkNames),
        outcome: check.oneOf(`verdict.checks[${index}].outcome`, result.outcome, checkOutcomes),
        value: checkMeasure(`verdict.checks[${index}].value`, result.value, check),
        limit: checkMeasure(`verdict.checks[${index}].limit`, result.limit, check),
        reason: check.string(`verdict.checks[${index}].reason`, result.reason, true),
      };
    });
  return {
    allowed: verdict.allowed,
    quantity: check.number('verdict.quantity', verdict.quantity, { min: 0 }),
    side: check.oneOf('verdict.side', verdict.side, sides),
    checks,
    reason: check.string('verdict.reason', verdict.reason, true),
  };
}

function subject(decision: { symbol: unknown; strategy: unknown; candleTime: unknown }): string {
  return `Decision ${String(decision.strategy)} ${String(decision.symbol)} @${String(decision.candleTime)}`;
}

/** A verdict with its text redacted; check names, outcomes and the side are fixed words. */
function redactVerdict(verdict: RiskVerdict, redact: TextRedactor): RiskVerdict {
  const measure = (value: number | string | null): number | string | null =>
    typeof value === 'string' ? redact(value) : value;
  return {
    ...verdict,
    checks: verdict.checks.map((result) => ({
      ...result,
      value: measure(result.value),
      limit: measure(result.limit),
      reason: redact(result.reason),
    })),
    reason: redact(verdict.reason),
  };
}

/**
 * Checks a decision given to `recordDecision` and renders its row, its free text redacted: the
 * note, and the text inside the signal (its reason) and the verdict (reasons, text measures).
 */
function toDecisionRow(decision: Decision, redact: TextRedactor): Insertable<DecisionTable> {
  const check = new Checker(ValidationError, subject(decision));
  const signal = checkSignal(decision.signal, check);
  const verdict = decision.verdict === null ? null : checkVerdict(decision.verdict, check);
  return {
    symbol: check.string('symbol', decision.symbol),
    strategy: check.string('strategy', decision.strategy),
    candle_time: check.integer('candleTime', decision.candleTime),
    decided_at: check.integer('decidedAt', decision.decidedAt),
    action: signal.action,
    outcome: check.oneOf('outcome', decision.outcome, outcomes),
    signal: JSON.stringify({ ...signal, reason: redact(signal.reason) }),
    verdict: verdict === null ? null : JSON.stringify(redactVerdict(verdict, redact)),
    client_order_id: check.stringOrNull('clientOrderId', decision.clientOrderId),
    note: redact(check.string('note', decision.note, true)),
  };
}

function fromDecisionRow(row: Selectable<DecisionTable>, error: CheckError): Decision {
  const check = new Checker(
    error,
    `${subject({ symbol: row.symbol, strategy: row.strategy, candleTime: row.candle_time })} (row ${row.id})`,
  );
  return {
    symbol: check.string('symbol', row.symbol) as SymbolId,
    strategy: check.string('strategy', row.strategy),
    candleTime: check.integer('candleTime', row.candle_time),
    decidedAt: check.integer('decidedAt', row.decided_at),
    signal: checkSignal(check.json('signal', row.signal), check),
    verdict: row.verdict === null ? null : checkVerdict(check.json('verdict', row.verdict), check),
    outcome: check.oneOf('outcome', row.outcome, outcomes),
    clientOrderId: check.stringOrNull('clientOrderId', row.client_order_id),
    note: check.string('note', row.note, true),
  };
}

/**
 * Decisions in SQLite, every one kept, newest read first. Their free text is redacted before it
 * is written.
 */
export class SqliteDecisionStore implements DecisionStore {
  readonly #db: Kysely<Database>;
  readonly #redact: TextRedactor;

  /** @param redact applied to every text written (default: well-known secret shapes only). */
  constructor(db: Kysely<Database>, redact: TextRedactor = defaultStoreRedactor) {
    this.#db = db;
    this.#redact = redact;
  }

  /**
   * Stores a decision with its signal and verdict.
   *
   * @throws {ValidationError} when the signal, verdict or another field breaks its type.
   * @throws {StorageError} when SQLite fails.
   */
  async recordDecision(decision: Decision): Promise<void> {
    const row = toDecisionRow(decision, this.#redact);
    await guarded(`recordDecision ${decision.symbol}`, () =>
      this.#db.insertInto('decisions').values(row).execute(),
    );
  }

  /**
   * The most recent `limit` decisions for a symbol, newest first (by decision time, then by
   * when they were recorded).
   *
   * @throws {DataIntegrityError} when a stored decision does not parse back into a `Decision`.
   * @throws {StorageError} when SQLite fails.
   */
  async recentDecisions(symbol: SymbolId, limit: number): Promise<Decision[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new ValidationError(`recentDecisions: limit ${limit} is not a non-negative integer`);
    }
    if (limit === 0) return [];
    const rows = await guarded(`recentDecisions ${symbol}`, () =>
      this.#db
        .selectFrom('decisions')
        .selectAll()
        .where('symbol', '=', symbol)
        .orderBy('decided_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    );
    return rows.map((row) => fromDecisionRow(row, DataIntegrityError));
  }

  /**
   * Every stored decision of `symbols`, in the order they were recorded, in the compact form an
   * audit reads (the parity report of `@lumenlink/analysis` takes it as its `DecisionLog`).
   *
   * @throws {StorageError} when SQLite fails.
   */
  async listDecisions(symbols: readonly SymbolId[]): Promise<DecisionRecord[]> {
    if (symbols.length === 0) return [];
    const rows = await guarded(`listDecisions ${symbols.join(',')}`, () =>
      this.#db
        .selectFrom('decisions')
        .select(['symbol', 'candle_time', 'action', 'outcome', 'client_order_id', 'note'])
        .where('symbol', 'in', [...symbols])
        .orderBy('id', 'asc')
        .execute(),
    );
    return rows.map((row) => ({
      symbol: row.symbol as SymbolId,
      candleTime: row.candle_time,
      action: row.action,
      outcome: row.outcome,
      clientOrderId: row.client_order_id,
      note: row.note,
    }));
  }
}

/** A stored decision as {@link SqliteDecisionStore.listDecisions} reads it. */
export interface DecisionRecord {
  readonly symbol: SymbolId;
  /** The candle decided on (epoch ms). */
  readonly candleTime: number;
  /** The signal's action (`buy`, `sell`, `hold`). */
  readonly action: string;
  /** How the decision ended (core's `DecisionOutcome`). */
  readonly outcome: string;
  readonly clientOrderId: string | null;
  readonly note: string;
}
