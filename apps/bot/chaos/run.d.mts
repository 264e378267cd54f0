/**
 * Types of `run.mjs` (the chaos runner is plain JavaScript over the built packages, so that
 * `pnpm chaos` runs without a build step of its own).
 */

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** The short version: three scripted restarts, about 45 seconds. */
  readonly quick?: boolean;
  /** SIGKILLs (and restarts) of the bot: default 50, the quick run always 3. */
  readonly restarts?: number;
  /** Seed of the fault, kill and price schedule and of the candles (default 1). */
  readonly seed?: number;
  /** Keep the work directory (database and bot log) even when every invariant holds. */
  readonly keep?: boolean;
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
  /** Ends the run early: the bot is killed and `runChaos` rejects. */
  readonly signal?: AbortSignal;
}

/** One invariant: its name, whether it holds, and its figures. */
export interface ChaosInvariant {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** What a chaos run did and found. */
export interface ChaosReport {
  /** Whether every invariant holds. */
  readonly passed: boolean;
  readonly invariants: readonly ChaosInvariant[];
  /** The run's figures: restarts, orders, faults injected, ... */
  readonly figures: {
    readonly seed: number;
    readonly mode: 'quick' | 'long';
    readonly minutes: number;
    /** SIGKILLs of the bot, each followed by a restart. */
    readonly restarts: number;
    readonly killModes: Readonly<Record<string, number>>;
    readonly lives: number;
    readonly startFailures: number;
    readonly unplannedExits: number;
    readonly medianStartSeconds: number;
    readonly exchangeRequests: number;
    /** POST /api/v3/order requests the exchange received. */
    readonly ordersSent: number;
    readonly exchangeOrders: number;
    readonly exchangeTrades: number;
    readonly localOrders: number;
    /** Local rows the exchange has no order for, with the POSTs of their id and their fill. */
    readonly localOnlyOrders: readonly {
      readonly clientOrderId: string;
      readonly status: string;
      readonly filledQuantity: number;
      readonly posted: number;
    }[];
    readonly localOrdersByStatus: Readonly<Record<string, number>>;
    readonly localOrdersByRole: Readonly<Record<string, number>>;
    /** Signals (holds are not stored) and what became of them. */
    readonly decisions: number;
    readonly decisionsByOutcome: Readonly<Record<string, number>>;
    /** Blocked signals per blocking check (risk check name, cooldown, circuit breaker). */
    readonly blockedBy: Readonly<Record<string, number>>;
    readonly faultsInjected: number;
    readonly faults: Readonly<Record<string, number>>;
    readonly priceMoves: number;
    /** Prices dropped through a stop-loss to provoke an exit for a kill waiting for an order. */
    readonly provokedDrops: number;
    /** Trades the user made by hand on the exchange while the bot was down. */
    readonly manualTrades: number;
    /** Open orders placed with client ids that look like ours but are not. */
    readonly forgedOrders: number;
    /** Manual sales of part of the bot's own coins (each must pause its symbol). */
    readonly shortfallSales: number;
    /** Paused symbols an operator resumed over HTTP, writing off what the exchange no longer held. */
    readonly resumedWithWriteOff: number;
    /** Position write-offs stored. */
    readonly positionWriteOffs: number;
    /** Symbols still paused when the run ended. */
    readonly symbolsPausedAtEnd: readonly string[];
  };
  /** The work directory (removed after a passing run unless `keep`). */
  readonly workDir: string;
}

/**
 * Runs the bot in live mode against the exchange emulator while injecting faults and SIGKILLing
 * and restarting it, then checks the invariants on its store and the emulator's state.
 *
 * @throws {Error} when the run cannot go on (the bot never starts, a state change is refused).
 */
export function runChaos(options?: ChaosOptions): Promise<ChaosReport>;

/** The report as printed by `pnpm chaos`: figures, then PASS or FAIL per invariant. */
export function formatReport(report: ChaosReport): string;

/** The command line (`--restarts`, `--seed`, `--quick`, `--keep`); resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number>;
