/**
 * What produced a run: the strategy's source, its parameters, every setting that changes
 * results, and the data. Reports and the bot's database record it, so a run can be reproduced
 * (`pnpm backtest --rerun report.json`) and a result traced back to the code that made it.
 */

/** Where a run's strategy came from. */
export interface StrategyProvenance {
  /** What the user gave: a built-in key, a file path as written, or a package name. */
  readonly spec: string;
  /** `builtin`: a key of `@lumenlink/strategies`; `file`: a module file; `package`: an installed package. */
  readonly kind: 'builtin' | 'file' | 'package';
  /** The definition's key. */
  readonly key: string;
  /** The module file, absolute (file and package). */
  readonly path?: string;
  /** The export the definition was taken from (`default` or a name). */
  readonly exportName?: string;
  /** The package's name and version (package). */
  readonly packageName?: string;
  readonly packageVersion?: string;
  /** SHA-256 (hex) of the module file's bytes (file and package). Imports of the file are not hashed. */
  readonly sha256?: string;
}

/** The candles a run read. */
export interface DataProvenance {
  /** Where the candles came from, in words (files, a database, the bundled set). */
  readonly description: string;
  readonly symbols: readonly string[];
  readonly interval: string;
  /** Open time of the first and the last candle read (epoch ms), warm-up included. */
  readonly first: number | null;
  readonly last: number | null;
  readonly candles: number;
  /** SHA-256 (hex) over every candle read, symbol by symbol in run order. */
  readonly sha256: string;
}

/** Everything that produced a run's results. */
export interface RunProvenance {
  readonly strategy: StrategyProvenance;
  /** The strategy's parameters as run: validated, defaults filled. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Every setting that changes results (risk limits, stops, fees, slippage, sizing, period). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly data?: DataProvenance;
}
