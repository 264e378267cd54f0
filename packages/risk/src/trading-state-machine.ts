import {
  LumenLinkError,
  PermanentError,
  ValidationError,
  type Clock,
  type RuntimeStateStore,
  type TradingState,
  type TradingStateRecord,
} from '@lumenlink/core';
import { formatTime } from './format.js';

/** `changedBy` of the records the config writes (`KILL_SWITCH=true`, the first start). */
export const configChangedBy = 'config';
/** `changedBy` of the return to `active` when a `reducing` pause ends. */
export const expiryChangedBy = 'expiry';

/** How strict each state is: a protection only ever moves to a stricter or longer state. */
const strictness: Readonly<Record<TradingState, number>> = { active: 0, reducing: 1, halted: 2 };

/**
 * `KILL_SWITCH=true` in config keeps trading halted: chat and HTTP cannot lift it. Permanent:
 * only a config change and a restart can.
 */
export class KillSwitchError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.KillSwitchError');
  }

  /** Whether `value` is a {@link KillSwitchError}, from any copy of this package. */
  static override isInstance(value: unknown): value is KillSwitchError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.KillSwitchError');
  }

  readonly code = 'KILL_SWITCH_ENGAGED';
}

/** One audited change of the trading state: the new record and the state it left. */
export interface TradingStateChange extends TradingStateRecord {
  /** The state before the change; `null` when nothing was stored before. */
  readonly from: TradingState | null;
}

/** Options of {@link TradingStateMachine.open}. */
export interface TradingStateMachineOptions {
  /** Where the state is persisted (`store.runtime` of `@lumenlink/data`). */
  readonly store: RuntimeStateStore;
  /** Time of changes and of the end of `reducing` pauses. */
  readonly clock: Clock;
  /** `KILL_SWITCH` from config: `true` forces `halted` at start and keeps it. */
  readonly killSwitch: boolean;
}

/** What a protection asks of the trading state. */
export interface ProtectionRequest {
  /** The protection's name, recorded as `changedBy: protection:<name>`. */
  readonly protection: string;
  readonly reason: string;
  /** When trading may return to `active` (epoch ms). */
  readonly until: number;
}

/** The longest reason (or author) stored with a trading state, in characters. */
const maxTradingReasonLength = 200;

/**
 * Characters a one-line reason may not hold: C0 and C1 controls (line feeds, tabs, escapes,
 * NUL), Unicode line and paragraph separators, and bidirectional overrides that reorder what an
 * operator reads in a chat or a terminal.
 */
const controlCharacter = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const controlCharacters = new RegExp(`(?:${controlCharacter.source})+`, 'gu');

/**
 * What is wrong with `text` as a trading state reason, or `null` when it is one line of at most
 * {@link maxTradingReasonLength} characters without control characters. Worded for the
 * operator who typed it, e.g. `holds a control character (U+000A) at position 5; a reason is
 * one line of text: remove it`.
 */
function tradingReasonProblem(text: string): string | null {
  const match = controlCharacter.exec(text);
  if (match !== null) {
    const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    const position = [...text.slice(0, match.index)].length + 1;
    return `holds a control character (U+${code}) at position ${position}; a reason is one line of text: remove it`;
  }
  const length = [...text].length;
  if (length > maxTradingReasonLength) {
    return `is ${length} characters long; at most ${maxTradingReasonLength} are allowed: shorten it`;
  }
  return null;
}

/**
 * `text` made storable without refusing it: each run of control characters becomes one space,
 * the ends are trimmed, and text over {@link maxTradingReasonLength} characters is cut, ending
 * with `…`. For reasons built by code (protections, the end of a pause) and for halts, which are
 * never refused for their wording.
 */
export function sanitizeTradingReason(text: string): string {
  const oneLine = text.replace(controlCharacters, ' ').trim();
  const characters = [...oneLine];
  if (characters.length <= maxTradingReasonLength) return oneLine;
  return `${characters
    .slice(0, maxTradingReasonLength - 1)
    .join('')
    .trimEnd()}…`;
}

function checkText(method: string, name: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(`TradingStateMachine.${method}: ${name} must be a non-empty string`);
  }
}

/** {@link checkText}, and the value must be one storable line ({@link tradingReasonProblem}). */
function checkLine(method: string, name: string, value: string): void {
  checkText(method, name, value);
  const problem = tradingReasonProblem(value);
  if (problem !== null) {
    throw new ValidationError(`TradingStateMachine.${method}: ${name} ${problem}`);
  }
}

/**
 * The trading state (docs/architecture/principles.md, principle 5): `active`, `reducing` (exits
 * only) or `halted` (no orders, exits included), persisted through a `RuntimeStateStore` with its
 * reason, author and time, so it survives restarts. `KILL_SWITCH=true` forces `halted` at start and
 * then refuses `resume` and `reduce` with a {@link KillSwitchError}; with `KILL_SWITCH=false` the
 * persisted state is restored (`active` on the first start). A `reducing` with an `until` in the
 * past returns to `active` on the next {@link check}. Every change is stored, returned and kept in
 * {@link history}; changes run one at a time. A stored reason is always one line of at most 200
 * characters: `reduce` and `resume` refuse anything else, while `halt` and protections (never
 * refused for their wording) have control characters replaced by spaces and are cut.
 *
 * @example
 * ```ts
 * const trading = await TradingStateMachine.open({ store: store.runtime, clock, killSwitch: config.killSwitch });
 * await trading.check(); // ends an expired reducing pause
 * const state = trading.state; // into the RiskState of each cycle
 * await trading.halt('operator: exchange maintenance', 'telegram:42');
 * ```
 */
export class TradingStateMachine {
  readonly #store: RuntimeStateStore;
  readonly #clock: Clock;
  readonly #killSwitch: boolean;
  readonly #history: TradingStateChange[] = [];
  #record: TradingStateRecord;
  #queue: Promise<unknown> = Promise.resolve();
  /** Changes queued and not yet settled: while there are none, a check may answer at once. */
  #queued = 0;

  private constructor(options: TradingStateMachineOptions, record: TradingStateRecord) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#killSwitch = options.killSwitch;
    this.#record = record;
  }

  /**
   * Reads the persisted state and applies the `KILL_SWITCH` rule: `true` stores `halted` (by
   * `config`) unless a config halt is already stored; `false` restores what is stored, ends an
   * expired `reducing`, and on the first start stores `active`.
   *
   * @throws {StorageError} when the store does not answer.
   * @throws {DataIntegrityError} when the stored state is not a trading state record.
   */
  static async open(options: TradingStateMachineOptions): Promise<TradingStateMachine> {
    const stored = await options.store.getTradingState();
    const now = options.clock.now();
    if (options.killSwitch) {
      if (stored?.state === 'halted' && stored.changedBy === configChangedBy) {
        return new TradingStateMachine(options, stored);
      }
      const machine = new TradingStateMachine(options, stored ?? initialRecord(now));
      await machine.#write(
        {
          state: 'halted',
          reason: 'KILL_SWITCH=true in config: no orders at all, exits included',
          changedBy: configChangedBy,
          changedAt: now,
          until: null,
        },
        stored?.state ?? null,
      );
      return machine;
    }
    if (stored === null) {
      const machine = new TradingStateMachine(options, initialRecord(now));
      await machine.#write(initialRecord(now), null);
      return machine;
    }
    // A record stored before reasons were checked is shown one-line too.
    const restored =
      sanitizeTradingReason(stored.reason) === stored.reason
        ? stored
        : { ...stored, reason: sanitizeTradingReason(stored.reason) };
    const machine = new TradingStateMachine(options, restored);
    await machine.check();
    return machine;
  }

  /** The current state. */
  get state(): TradingState {
    return this.#record.state;
  }

  /** The current record: state, reason, who, when, and until when for a pause. */
  get record(): TradingStateRecord {
    return this.#record;
  }

  /** Whether `KILL_SWITCH=true` holds the state at `halted`. */
  get killSwitch(): boolean {
    return this.#killSwitch;
  }

  /** The changes made since {@link open}, oldest first (the audit trail of this run). */
  get history(): readonly TradingStateChange[] {
    return this.#history;
  }

  /**
   * Ends a `reducing` pause whose `until` has passed (`active`, by `expiry`), and returns the
   * current record. Call it once per cycle, before reading {@link state}.
   *
   * @throws {StorageError} when storing the change fails (the state is then unchanged).
   */
  check(): Promise<TradingStateRecord> {
    const now = this.checkNow();
    return now instanceof Promise ? now : Promise.resolve(now);
  }

  /**
   * {@link check}, answered synchronously when it has nothing to do: no pause ends now and no
   * change is in flight (the trade cycle asks every candle). Otherwise the promise of the change,
   * queued after those in flight, as `check`.
   *
   * @throws {StorageError} (the promise rejects) when storing the change fails.
   */
  checkNow(): TradingStateRecord | Promise<TradingStateRecord> {
    const current = this.#record;
    if (this.#queued === 0 && !this.#pauseEnded(current)) return current;
    return this.#serial(async () => {
      const latest = this.#record;
      if (!this.#pauseEnded(latest) || latest.until === null) return latest;
      return this.#write(
        {
          state: 'active',
          reason: sanitizeTradingReason(
            `pause ended at ${formatTime(latest.until)} (${latest.reason})`,
          ),
          changedBy: expiryChangedBy,
          changedAt: this.#clock.now(),
          until: null,
        },
        latest.state,
      );
    });
  }

  /**
   * Halts trading: no orders at all, exits included. Allowed in every state, also with the kill
   * switch on. The halt takes effect in memory even when storing it fails. Halting a halted
   * bot changes nothing. Never refused for the wording of its reason: control characters
   * become spaces and a reason over 200 characters is cut.
   *
   * @throws {ValidationError} for an empty reason or author.
   * @throws {StorageError} when storing fails (trading is halted anyway, until the next start).
   */
  async halt(reason: string, changedBy: string): Promise<TradingStateRecord> {
    checkText('halt', 'reason', reason);
    checkText('halt', 'changedBy', changedBy);
    // A halt goes through whatever its wording: only control characters is still a halt.
    const storedReason =
      sanitizeTradingReason(reason) || 'halt (its reason was control characters only)';
    const storedBy = sanitizeTradingReason(changedBy) || 'unknown';
    return await this.#serial(async () => {
      if (this.#record.state === 'halted') return this.#record;
      const record: TradingStateRecord = {
        state: 'halted',
        reason: storedReason,
        changedBy: storedBy,
        changedAt: this.#clock.now(),
        until: null,
      };
      return this.#write(record, this.#record.state, { applyFirst: true });
    });
  }

  /**
   * Switches to `reducing` (exits only), until `until` (epoch ms) or, with `null`, until someone
   * resumes. Also lifts a halt to `reducing`.
   *
   * @throws {KillSwitchError} while `KILL_SWITCH=true` in config.
   * @throws {ValidationError} for an empty reason or author, one with a control character or
   *   over 200 characters, or an `until` not in the future.
   * @throws {StorageError} when storing fails (the state is then unchanged).
   */
  async reduce(
    reason: string,
    changedBy: string,
    until: number | null = null,
  ): Promise<TradingStateRecord> {
    this.#refuseWithKillSwitch('reduce');
    checkLine('reduce', 'reason', reason);
    checkLine('reduce', 'changedBy', changedBy);
    if (until !== null && !(Number.isSafeInteger(until) && until > this.#clock.now())) {
      throw new ValidationError(
        `TradingStateMachine.reduce: until ${String(until)} must be an epoch ms time in the future`,
      );
    }
    return await this.#serial(async () => {
      const current = this.#record;
      if (current.state === 'reducing' && current.until === until) return current;
      const record: TradingStateRecord = {
        state: 'reducing',
        reason,
        changedBy,
        changedAt: this.#clock.now(),
        until,
      };
      return this.#write(record, current.state);
    });
  }

  /**
   * Returns to `active` from `reducing` or `halted`. Resuming an active bot changes nothing.
   *
   * @throws {KillSwitchError} while `KILL_SWITCH=true` in config.
   * @throws {ValidationError} for an empty reason or author, or one with a control character or
   *   over 200 characters.
   * @throws {StorageError} when storing fails (the state is then unchanged).
   */
  async resume(reason: string, changedBy: string): Promise<TradingStateRecord> {
    this.#refuseWithKillSwitch('resume');
    checkLine('resume', 'reason', reason);
    checkLine('resume', 'changedBy', changedBy);
    return await this.#serial(async () => {
      const current = this.#record;
      if (current.state === 'active') return current;
      const record: TradingStateRecord = {
        state: 'active',
        reason,
        changedBy,
        changedAt: this.#clock.now(),
        until: null,
      };
      return this.#write(record, current.state);
    });
  }

  /**
   * A protection's request to pause entries: switches to `reducing` until `request.until`, by
   * `protection:<name>`. It only ever tightens: a halt stays, an open-ended `reducing` stays, a
   * `reducing` that lasts longer stays, a shorter one is extended. Works with the kill switch on
   * (it changes nothing then). Never refused for the wording of its reason: control characters
   * become spaces and a reason over 200 characters is cut.
   *
   * @returns the change (the new record and the state it left), or `null` when the state stays.
   * @throws {StorageError} when storing fails (the state is then unchanged).
   */
  async protect(request: ProtectionRequest): Promise<TradingStateChange | null> {
    checkText('protect', 'protection', request.protection);
    checkText('protect', 'reason', request.reason);
    return await this.#serial(async () => {
      const current = this.#record;
      if (strictness[current.state] > strictness.reducing) return null;
      if (
        current.state === 'reducing' &&
        (current.until === null || current.until >= request.until)
      ) {
        return null;
      }
      const record: TradingStateRecord = {
        state: 'reducing',
        reason: sanitizeTradingReason(request.reason),
        changedBy: sanitizeTradingReason(`protection:${request.protection}`),
        changedAt: this.#clock.now(),
        until: request.until,
      };
      const written = await this.#write(record, current.state);
      return Object.freeze({ ...written, from: current.state });
    });
  }

  #refuseWithKillSwitch(method: string): void {
    if (this.#killSwitch) {
      throw new KillSwitchError(
        `Cannot ${method}: KILL_SWITCH=true in config keeps trading halted. Set KILL_SWITCH=false and restart to lift it.`,
      );
    }
  }

  /** Runs changes one at a time, in call order; a failed change does not stop the next. */
  /** Whether `record` is a `reducing` pause whose `until` has passed. */
  #pauseEnded(record: TradingStateRecord): boolean {
    return (
      record.state === 'reducing' && record.until !== null && record.until <= this.#clock.now()
    );
  }

  #serial<T>(change: () => Promise<T>): Promise<T> {
    this.#queued += 1;
    const run = this.#queue.then(change);
    this.#queue = run.then(
      () => {
        this.#queued -= 1;
      },
      () => {
        this.#queued -= 1;
      },
    );
    return run;
  }

  async #write(
    record: TradingStateRecord,
    from: TradingState | null,
    options: { applyFirst?: boolean } = {},
  ): Promise<TradingStateRecord> {
    const frozen = Object.freeze({ ...record });
    const apply = (): void => {
      this.#record = frozen;
      this.#history.push(Object.freeze({ ...frozen, from }));
    };
    if (options.applyFirst === true) {
      apply();
      await this.#store.setTradingState(frozen);
    } else {
      await this.#store.setTradingState(frozen);
      apply();
    }
    return frozen;
  }
}

function initialRecord(now: number): TradingStateRecord {
  return {
    state: 'active',
    reason: 'first start: nothing stored, trading starts active',
    changedBy: configChangedBy,
    changedAt: now,
    until: null,
  };
}
