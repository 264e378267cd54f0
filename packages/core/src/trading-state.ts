/**
 * The three trading states (DESIGN.md Principle 5): `active`; `reducing` (exits only);
 * `halted` (the kill switch: no orders at all, exits included).
 */
export const tradingStates = ['active', 'reducing', 'halted'] as const;

/** One of {@link tradingStates}. */
export type TradingState = (typeof tradingStates)[number];

/** The persisted trading state, with why and by whom it was set. */
export interface TradingStateRecord {
  readonly state: TradingState;
  readonly reason: string;
  /** Who changed it: `config`, `protection:daily_loss`, `telegram:<chat id>`, `http`, ... */
  readonly changedBy: string;
  readonly changedAt: number;
  /** When a protection's pause ends and trading returns to `active` (epoch ms), if it does. */
  readonly until: number | null;
}

/** Whether the state allows a new entry. */
export function allowsEntries(state: TradingState): boolean {
  return state === 'active';
}

/** Whether the state allows an exit order. */
export function allowsExits(state: TradingState): boolean {
  return state !== 'halted';
}
