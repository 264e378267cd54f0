/**
 * The backtest command's flags and their translation into the run's options. Every value is
 * checked here, so a bad flag fails before any data is read, with a message naming the flag and
 * what it accepts.
 */
import {
  commandHint,
  parseSymbol,
  ValidationError,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { configKeys, type ConfigKey, type ConfigValues } from '@lumenlink/config';
import {
  bundledDatasets,
  candleSourceOf,
  parseTimeText,
  timeTextAccepted,
  type CandleSource,
} from '@lumenlink/data';
import {
  optionalRiskChecks,
  type OptionalRiskCheckName,
  type RiskEngineOptions,
} from '@lumenlink/risk';
import { strategyKeys } from '@lumenlink/strategies';
import { parseConfigFlag } from './config-flag.js';
import {
  flagValue,
  formatFlagHelp,
  hasFlag,
  parseFlags,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from './flags.js';

/** Everything a backtest run needs, from the command line. Money in the quote currency. */
export interface BacktestCliOptions {
  readonly source: CandleSource;
  /** `--strategy`: a built-in key, a module file or a package, loaded when the run starts. */
  readonly strategy: string;
  readonly paramsFile: string | undefined;
  /** `--param key=value` texts, checked when the strategy is loaded (`loadStrategyFlags`). */
  readonly paramAssignments: readonly string[];
  /** The symbols in processing order; `undefined`: every bundled symbol or the CSV file names. */
  readonly symbols: readonly SymbolId[] | undefined;
  /** `undefined`: inferred from CSV files, else `1h`. */
  readonly interval: Timeframe | undefined;
  /** First traded candle open time (epoch ms); earlier candles warm the strategy up. */
  readonly from: number | undefined;
  /** Last candle open time processed (epoch ms). */
  readonly to: number | undefined;
  readonly startingCash: number;
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly fillMode: 'next-open' | 'close';
  readonly risk: RiskEngineOptions;
  /** Daily loss, drawdown and stop-loss guard protections (`--no-protections`, `--no-risk`). */
  readonly protections: boolean;
  readonly atrPeriod: number;
  /** 0: no trailing stops. */
  readonly trailingStopAtrMultiple: number;
  readonly stopLossPct: number | undefined;
  readonly takeProfitPct: number | undefined;
  readonly closeAtEnd: boolean;
  /** A JSON file of historical Fear & Greed readings. */
  readonly sentimentFile: string | undefined;
  /** A SQLite file to write orders, fills, decisions and positions to; memory otherwise. */
  readonly db: string | undefined;
  readonly jsonFile: string | undefined;
  readonly htmlFile: string | undefined;
}

/** What the command line asks for: help, a run, or the rerun of a recorded report. */
export type BacktestCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'run'; readonly options: BacktestCliOptions }
  | {
      readonly kind: 'rerun';
      readonly report: string;
      readonly jsonFile: string | undefined;
      readonly htmlFile: string | undefined;
    };

/** The HTML report written when neither `--json` nor `--html` is given. */
export const defaultReportPath = 'reports/backtest-report.html';

const fillModes = ['next-open', 'close'] as const;

/** `daily_loss` → `no-daily-loss`. */
export function checkSwitch(check: OptionalRiskCheckName): string {
  return `no-${check.replaceAll('_', '-')}`;
}

const accepted = (key: keyof typeof configKeys): string => configKeys[key].accepted;

/** A flag that takes one value (`repeat`: a value each time it is given). */
const value = (
  name: string,
  placeholder: string,
  help: string,
  kind: 'value' | 'repeat' = 'value',
): FlagSpec => ({ name, kind, placeholder, help });
const onOff = (name: string, help: string): FlagSpec => ({ name, kind: 'switch', help });
/** A number flag standing for a config key: accepts what the key accepts. */
const keyFlag = (name: string, what: string, key: NumberKey | 'RISK_SIZING'): FlagSpec =>
  value(name, key === 'RISK_SIZING' ? 'HOW' : 'N', `${what}: ${accepted(key)}.`);

/** Every flag of `pnpm backtest`, in help order. */
export const backtestFlags: readonly FlagSpec[] = [
  // Data
  value(
    'data',
    'FILE',
    'Candles from a CSV file (time,open,high,low,close,volume; time in ms; .gz allowed), one symbol per file; repeat for more symbols.',
    'repeat',
  ),
  value(
    'source-db',
    'FILE',
    'Candles from a LumenLink SQLite database (what fetch-history and the bot store); needs --symbols.',
  ),
  value(
    'symbols',
    'A,B',
    `Symbols in processing order, e.g. BTC-USDT,ETH-USDT. Default: the bundled ${bundledDatasets.map((d) => d.symbol).join(', ')}, or the CSV file names.`,
  ),
  value('symbol', 'A', 'One symbol (same as --symbols A).'),
  value(
    'interval',
    'TF',
    'Candle interval: 1m, 15m, 1h, 4h, 1d... Default: from the CSV times, else 1h.',
  ),
  value(
    'from',
    'TIME',
    `First candle traded: ${timeTextAccepted}; earlier candles only warm the strategy up.`,
  ),
  value('to', 'TIME', 'Last candle traded (a bare date includes that whole day).'),
  onOff('allow-gaps', 'Run over missing candles, listed as a warning (default: a gap is refused).'),
  // Strategy
  value(
    'strategy',
    'SPEC',
    `Strategy: ${strategyKeys.join(', ')} (default ${configKeys.STRATEGY.defaultValue}), a .ts/.js file (strategies/my-idea.ts) or a package.`,
  ),
  value(
    'params-file',
    'FILE',
    'Strategy parameters from a JSON file (what pnpm optimize writes); --param values go over it.',
  ),
  value(
    'param',
    'K=V',
    'A strategy parameter, repeatable: --param fastPeriod=12; groups dotted (weights.macd=2), lists comma-separated.',
    'repeat',
  ),
  // Fill model
  keyFlag('cash', 'Starting cash', 'PAPER_STARTING_CASH'),
  keyFlag('fee-bps', 'Fee per fill in basis points', 'PAPER_FEE_BPS'),
  keyFlag('slippage-bps', 'Slippage of market fills in basis points', 'PAPER_SLIPPAGE_BPS'),
  value(
    'fill',
    'MODE',
    'next-open (default: an order decided on a close fills at the next open) or close (at that close).',
  ),
  onOff('close-at-end', 'Close open positions at the last close (default: mark them to market).'),
  // Risk limits
  keyFlag('max-position-usd', 'Largest position per symbol', 'RISK_MAX_POSITION_USD'),
  keyFlag('max-daily-loss-usd', 'Daily loss that stops entries', 'RISK_MAX_DAILY_LOSS_USD'),
  keyFlag('max-open-positions', 'Positions open at once', 'RISK_MAX_OPEN_POSITIONS'),
  keyFlag('cooldown-minutes', 'Wait after a stop-out', 'RISK_COOLDOWN_MINUTES'),
  keyFlag('sizing', 'Position sizing', 'RISK_SIZING'),
  keyFlag('risk-per-trade-pct', 'Equity risked per trade with --sizing atr', 'RISK_PER_TRADE_PCT'),
  value(
    'max-drawdown-pct',
    'N',
    'Drawdown protection: trading turns exits-only at this drawdown from peak, in percent (default off).',
  ),
  value(
    'stoploss-guard-count',
    'N',
    'Stop-loss guard: trading turns exits-only after this many stop-outs in a day (default off).',
  ),
  value('stop-loss-pct', 'N', 'Stop loss this many percent below the entry (default none).'),
  value('take-profit-pct', 'N', 'Take profit this many percent above the entry (default none).'),
  keyFlag('trailing-stop-atr', 'Trailing stop distance in ATRs', 'TRAILING_STOP_ATR_MULT'),
  onOff('no-trailing-stop', 'No trailing stops (same as --trailing-stop-atr 0).'),
  keyFlag('atr-period', 'ATR period for trailing stops and ATR sizing', 'ATR_PERIOD'),
  // Switches
  ...optionalRiskChecks.map((check) =>
    onOff(
      checkSwitch(check),
      `Switch off the ${check} risk check${check === 'daily_loss' ? ' and the daily-loss protection' : ''}.`,
    ),
  ),
  onOff(
    'no-protections',
    'Switch off the daily-loss, drawdown and stop-loss guard protections (the checks stay).',
  ),
  onOff(
    'no-risk',
    `Switch off every optional risk check (${optionalRiskChecks.join(', ')}) and every protection.`,
  ),
  // Inputs and outputs
  value(
    'sentiment',
    'FILE',
    'Historical Fear & Greed JSON: [{ time, value, classification }] or an alternative.me /fng/ response.',
  ),
  value(
    'db',
    'FILE',
    'Write orders, fills, decisions and positions to this new SQLite file (default: memory).',
  ),
  value('json', 'FILE', 'Write the JSON report here.'),
  value(
    'html',
    'FILE',
    `Write the HTML report here (default ${defaultReportPath} when neither --json nor --html is given).`,
  ),
  onOff('help', 'Show this help.'),
];

/** The flags of the command: a run's, and `--rerun` (not a run's, so optimize does not share it). */
const commandFlags: readonly FlagSpec[] = [
  ...backtestFlags.slice(0, -1),
  value(
    'rerun',
    'REPORT',
    'Run a JSON report again from what it records and compare (takes only --json, --html).',
  ),
  ...backtestFlags.slice(-1),
];

/** The text of `pnpm backtest --help`. */
export function backtestHelp(): string {
  return [
    `Usage: ${commandHint('backtest')} [flags]`,
    '',
    'Runs a strategy over stored candles through the same trade cycle as paper and live trading',
    '(fills at the next open with slippage and fees, risk checks, stops), prints a summary and',
    `writes reports. With no flags: ${configKeys.STRATEGY.defaultValue} on the bundled Binance BTC/ETH/SOL USDT 1h`,
    `candles of 2024, HTML report in ${defaultReportPath}.`,
    '',
    'Flags:',
    ...formatFlagHelp(commandFlags),
    '',
    'Examples:',
    `  ${commandHint('backtest')} --strategy ema_crossover --param fastPeriod=12 --param slowPeriod=26`,
    `  ${commandHint('backtest')} --data btc-1h.csv --symbol BTC-USD --from 2024-03-01 --json out.json`,
    `  ${commandHint('backtest')} --source-db data/lumenlink.db --symbols BTC-USD,ETH-USD --interval 4h`,
    `  ${commandHint('backtest')} --strategy strategies/my-idea.ts --params-file my-idea.params.json`,
    `  ${commandHint('backtest')} --rerun reports/a.json`,
    '',
  ].join('\n');
}

type Defaulted = 'PAPER_STARTING_CASH' | 'PAPER_FEE_BPS' | 'PAPER_SLIPPAGE_BPS' | 'ATR_PERIOD';
/** The config keys whose values are numbers. */
type NumberKey = {
  [Key in ConfigKey]: Exclude<ConfigValues[Key], undefined> extends number ? Key : never;
}[ConfigKey];

function optionalNumber(flags: ParsedFlags, flag: string, key: NumberKey): number | undefined {
  const raw = flagValue(flags, flag);
  return raw === undefined ? undefined : parseConfigFlag(`--${flag}`, key, raw);
}

function parseSymbols(flags: ParsedFlags): readonly SymbolId[] | undefined {
  const list = flagValue(flags, 'symbols');
  const one = flagValue(flags, 'symbol');
  if (list !== undefined && one !== undefined) {
    throw new UsageError('--symbol', 'give either --symbol or --symbols, not both');
  }
  if (one !== undefined) {
    try {
      return [parseSymbol(one)];
    } catch (error) {
      if (ValidationError.isInstance(error)) {
        throw new UsageError(
          '--symbol',
          `${JSON.stringify(one)} is not a symbol. Accepted: BASE-QUOTE such as BTC-USDT`,
        );
      }
      throw error;
    }
  }
  return list === undefined
    ? undefined
    : parseConfigFlag(
        '--symbols',
        'SYMBOLS',
        list,
        'comma-separated symbols BASE-QUOTE such as BTC-USDT,ETH-USDT, no duplicates',
      );
}

function parseRisk(flags: ParsedFlags): {
  risk: RiskEngineOptions;
  protections: boolean;
  trailing: number;
} {
  const number = (flag: string, key: NumberKey): number | undefined =>
    optionalNumber(flags, flag, key);
  const noRisk = hasFlag(flags, 'no-risk');
  const disabled = optionalRiskChecks.filter(
    (check) => noRisk || hasFlag(flags, checkSwitch(check)),
  );
  const sizingRaw = flagValue(flags, 'sizing');
  const trailingRaw = flagValue(flags, 'trailing-stop-atr');
  if (trailingRaw !== undefined && hasFlag(flags, 'no-trailing-stop')) {
    throw new UsageError(
      '--no-trailing-stop',
      'give either --no-trailing-stop or --trailing-stop-atr, not both',
    );
  }
  const trailing = hasFlag(flags, 'no-trailing-stop')
    ? 0
    : trailingRaw === undefined
      ? configKeys.TRAILING_STOP_ATR_MULT.defaultValue
      : parseConfigFlag('--trailing-stop-atr', 'TRAILING_STOP_ATR_MULT', trailingRaw);
  const entries: [keyof RiskEngineOptions, unknown][] = [
    ['maxPositionUsd', number('max-position-usd', 'RISK_MAX_POSITION_USD')],
    ['maxDailyLossUsd', number('max-daily-loss-usd', 'RISK_MAX_DAILY_LOSS_USD')],
    ['maxOpenPositions', number('max-open-positions', 'RISK_MAX_OPEN_POSITIONS')],
    ['cooldownMinutes', number('cooldown-minutes', 'RISK_COOLDOWN_MINUTES')],
    [
      'sizing',
      sizingRaw === undefined ? undefined : parseConfigFlag('--sizing', 'RISK_SIZING', sizingRaw),
    ],
    ['perTradePct', number('risk-per-trade-pct', 'RISK_PER_TRADE_PCT')],
    ['maxDrawdownPct', optionalNumber(flags, 'max-drawdown-pct', 'RISK_MAX_DRAWDOWN_PCT')],
    [
      'stoplossGuardCount',
      optionalNumber(flags, 'stoploss-guard-count', 'RISK_STOPLOSS_GUARD_COUNT'),
    ],
    // ATR sizing's stop distance follows the trailing stop's, as in the bot (2 when trailing is off).
    ['atrMultiplier', trailing > 0 ? trailing : undefined],
  ];
  const risk: RiskEngineOptions = {
    ...Object.fromEntries(entries.filter(([, value]) => value !== undefined)),
    ...(disabled.length > 0 ? { disabledChecks: disabled } : {}),
  };
  return { risk, protections: !noRisk && !hasFlag(flags, 'no-protections'), trailing };
}

function outputPath(flags: ParsedFlags, name: string): string | undefined {
  const value = flagValue(flags, name);
  if (value !== undefined && value.trim() === '') {
    throw new UsageError(`--${name}`, 'is empty. Accepted: a file path');
  }
  return value;
}

/** `--rerun REPORT`: every setting comes from the report, so only the outputs may be given. */
function rerunCommand(flags: ParsedFlags, report: string): BacktestCommand {
  const others = [...flags.keys()].filter((name) => !['rerun', 'json', 'html'].includes(name));
  if (others.length > 0) {
    const given = others.map((name) => `--${name}`).join(', ');
    throw new UsageError(
      '--rerun',
      `runs what the report records; drop ${given} (only --json and --html go with it)`,
    );
  }
  const [jsonFile, htmlFile] = [flagValue(flags, 'json'), flagValue(flags, 'html')];
  return { kind: 'rerun', report, jsonFile, htmlFile };
}

/**
 * Parses the backtest command line.
 *
 * @example
 * ```ts
 * const command = parseBacktestArgs(['--strategy', 'ema_crossover', '--cash', '5000']);
 * if (command.kind === 'run') command.options.startingCash; // 5000
 * ```
 * @throws {UsageError} naming the flag and what it accepts, for the first bad flag.
 */
export function parseBacktestArgs(argv: readonly string[]): BacktestCommand {
  const flags = parseFlags(argv, commandFlags);
  if (hasFlag(flags, 'help')) return { kind: 'help' };
  const report = outputPath(flags, 'rerun');
  if (report !== undefined) return rerunCommand(flags, report);

  const strategy = flagValue(flags, 'strategy') ?? configKeys.STRATEGY.defaultValue;
  const paramsFile = outputPath(flags, 'params-file');
  const paramAssignments = flags.get('param') ?? [];
  const symbols = parseSymbols(flags);
  const intervalRaw = flagValue(flags, 'interval');
  const interval =
    intervalRaw === undefined ? undefined : parseConfigFlag('--interval', 'INTERVAL', intervalRaw);
  const source = candleSourceOf({
    data: flags.get('data'),
    sourceDb: flagValue(flags, 'source-db'),
    symbols,
    symbolFlag: flags.has('symbol') ? '--symbol' : '--symbols',
    interval,
    allowGaps: hasFlag(flags, 'allow-gaps'),
  });
  const fromRaw = flagValue(flags, 'from');
  const toRaw = flagValue(flags, 'to');
  const from = fromRaw === undefined ? undefined : parseTimeText('--from', fromRaw, 'start');
  const to = toRaw === undefined ? undefined : parseTimeText('--to', toRaw, 'end');
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError('--to', `${toRaw} is before --from ${fromRaw}; give a --to after --from`);
  }
  const fill = flagValue(flags, 'fill') ?? 'next-open';
  if (!(fillModes as readonly string[]).includes(fill)) {
    throw new UsageError(
      '--fill',
      `${JSON.stringify(fill)} is not a fill mode. Accepted: ${fillModes.join(' or ')}`,
    );
  }
  const { risk, protections, trailing } = parseRisk(flags);
  const number = (flag: string, key: Defaulted): number =>
    optionalNumber(flags, flag, key) ?? configKeys[key].defaultValue;
  const jsonFile = outputPath(flags, 'json');
  const htmlFile = outputPath(flags, 'html');
  const sentimentFile = outputPath(flags, 'sentiment');
  const db = outputPath(flags, 'db');
  return {
    kind: 'run',
    options: {
      source,
      strategy,
      paramsFile,
      paramAssignments,
      symbols,
      interval,
      from,
      to,
      startingCash: number('cash', 'PAPER_STARTING_CASH'),
      feeBps: number('fee-bps', 'PAPER_FEE_BPS'),
      slippageBps: number('slippage-bps', 'PAPER_SLIPPAGE_BPS'),
      fillMode: fill as 'next-open' | 'close',
      risk,
      protections,
      atrPeriod: number('atr-period', 'ATR_PERIOD'),
      trailingStopAtrMultiple: trailing,
      stopLossPct: optionalNumber(flags, 'stop-loss-pct', 'STOP_LOSS_PCT'),
      takeProfitPct: optionalNumber(flags, 'take-profit-pct', 'TAKE_PROFIT_PCT'),
      closeAtEnd: hasFlag(flags, 'close-at-end'),
      sentimentFile,
      db,
      jsonFile,
      htmlFile: htmlFile ?? (jsonFile === undefined ? defaultReportPath : undefined),
    },
  };
}
