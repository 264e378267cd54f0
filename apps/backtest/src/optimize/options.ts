/**
 * The optimize command's flags. The data, fill-model and risk flags are the backtest command's
 * own (same names, same checks, same messages); the search, walk-forward, Monte Carlo and
 * output flags are the optimizer's. Every value is checked before any data is read.
 */
import { availableParallelism } from 'node:os';
import { commandHint } from '@lumenlink/core';
import { strategyKeys } from '@lumenlink/strategies';
import { backtestFlags, parseBacktestArgs, type BacktestCliOptions } from '../backtest-options.js';
import { loadStrategyFlags } from '../config-flag.js';
import {
  flagValue,
  formatFlagHelp,
  hasFlag,
  parseFlags,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from '../flags.js';
import {
  backtestSettingsOf,
  buildSpace,
  isRankMetric,
  maxSeed,
  parseDuration,
  parseHeatmapAxes,
  rangeAccepted,
  rankMetrics,
  searchMethods,
  type BacktestSettings,
  type OptimizeRequest,
  type RankMetric,
  type SearchMethod,
  type WalkForwardOptions,
} from '@lumenlink/optimize';

/** Everything an optimisation needs, from the command line: `optimize`'s request, filled in. */
export type OptimizeCliOptions = OptimizeRequest &
  Required<
    Pick<
      OptimizeRequest,
      'baseParams' | 'search' | 'samples' | 'seed' | 'maxPoints' | 'metric' | 'minTrades'
    >
  > &
  Required<Pick<OptimizeRequest, 'workers' | 'monteCarloRuns' | 'backtestArgs'>> & {
    /** Said on stderr: a params file written for an earlier version of the strategy file. */
    readonly warnings: readonly string[];
    /** The backtest command's view of the shared flags: data, period, fill model, risk. */
    readonly backtest: BacktestCliOptions;
    readonly settings: BacktestSettings;
    /** Rows of the terminal table. */
    readonly top: number;
    readonly jsonFile: string | undefined;
    readonly htmlFile: string | undefined;
    /** Where the winner's params file goes (default beside the report, else `reports/`). */
    readonly paramsOut: string | undefined;
  };

/** What the command line asks for: help, or an optimisation. */
export type OptimizeCommand =
  { readonly kind: 'help' } | { readonly kind: 'run'; readonly options: OptimizeCliOptions };

/** The backtest flags the optimizer shares (not report, db, sentiment; --params-file is its own). */
const sharedFlagNames = new Set(
  backtestFlags
    .map((spec) => spec.name)
    .filter((name) => !['json', 'html', 'db', 'sentiment', 'help', 'params-file'].includes(name)),
);

const defaults = {
  samples: 50,
  seed: 42,
  maxPoints: 10_000,
  metric: 'sharpe' as RankMetric,
  minTrades: 1,
  top: 10,
  monteCarloRuns: 1000,
  inSample: '90d',
  outOfSample: '30d',
};

/** The optimizer's own flags, in help order. */
const ownFlags: readonly FlagSpec[] = [
  {
    name: 'range',
    kind: 'repeat',
    placeholder: 'NAME=SPEC',
    help: `A searched parameter, repeatable: ${rangeAccepted}. Dotted inside a group (weights.macd=0:2:0.5).`,
  },
  {
    name: 'space',
    kind: 'value',
    placeholder: 'FILE',
    help: 'A JSON file of searched parameters: { "fastPeriod": { "min": 5, "max": 20, "step": 5 }, "slowPeriod": [21, 34], "confidence": "0.5:1:0.25" }; a --range replaces its entry.',
  },
  {
    name: 'search',
    kind: 'value',
    placeholder: 'HOW',
    help: 'grid (default: every combination) or random (--samples points drawn with --seed).',
  },
  {
    name: 'samples',
    kind: 'value',
    placeholder: 'N',
    help: `Points of a random search (default ${defaults.samples}).`,
  },
  {
    name: 'seed',
    kind: 'value',
    placeholder: 'N',
    help: `Seed of the random search and of Monte Carlo, 0 to ${maxSeed} (default ${defaults.seed}): the same seed, the same results.`,
  },
  {
    name: 'max-points',
    kind: 'value',
    placeholder: 'N',
    help: `Refuse a grid larger than this (default ${defaults.maxPoints}).`,
  },
  {
    name: 'metric',
    kind: 'value',
    placeholder: 'NAME',
    help: `Rank by ${rankMetrics.join(', ')} (default ${defaults.metric}; return is the total return).`,
  },
  {
    name: 'min-trades',
    kind: 'value',
    placeholder: 'N',
    help: `Runs with fewer trades rank after the others (default ${defaults.minTrades}).`,
  },
  {
    name: 'workers',
    kind: 'value',
    placeholder: 'N',
    help: 'Worker threads (default: the available cores).',
  },
  {
    name: 'top',
    kind: 'value',
    placeholder: 'N',
    help: `Rows of the results table (default ${defaults.top}).`,
  },
  {
    name: 'walk-forward',
    kind: 'switch',
    help: 'Walk-forward: choose parameters on each in-sample window, trade them on the out-of-sample window after it.',
  },
  {
    name: 'in-sample',
    kind: 'value',
    placeholder: 'DURATION',
    help: `In-sample window length: a count and m, h, d or w (default ${defaults.inSample}).`,
  },
  {
    name: 'out-of-sample',
    kind: 'value',
    placeholder: 'DURATION',
    help: `Out-of-sample window length (default ${defaults.outOfSample}).`,
  },
  {
    name: 'step',
    kind: 'value',
    placeholder: 'DURATION',
    help: 'How far each window moves on (default: the out-of-sample length).',
  },
  {
    name: 'anchored',
    kind: 'switch',
    help: 'In-sample windows all start at the start and grow (default: they roll).',
  },
  {
    name: 'mc-runs',
    kind: 'value',
    placeholder: 'N',
    help: `Monte Carlo shuffles and bootstrap draws of the winner's trades (default ${defaults.monteCarloRuns}; 0: none).`,
  },
  {
    name: 'heatmap',
    kind: 'value',
    placeholder: 'X,Y',
    help: 'The two searched parameters of the HTML heatmap (default the first two).',
  },
  {
    name: 'params-file',
    kind: 'value',
    placeholder: 'FILE',
    help: 'The parameters outside the search, from a params file (what this command writes); --param overrides.',
  },
  {
    name: 'params-out',
    kind: 'value',
    placeholder: 'FILE',
    help: 'Write the best parameters here (default <key>.params.json beside --json/--html, else in reports/).',
  },
  { name: 'json', kind: 'value', placeholder: 'FILE', help: 'Write the JSON results here.' },
  {
    name: 'html',
    kind: 'value',
    placeholder: 'FILE',
    help: 'Write the HTML report (heatmap, walk-forward chart) here.',
  },
  { name: 'help', kind: 'switch', help: 'Show this help.' },
];

/** Every flag of `pnpm optimize`: the optimizer's, then the backtest's it shares. */
const optimizeFlags: readonly FlagSpec[] = [
  ...ownFlags,
  ...backtestFlags.filter((spec) => sharedFlagNames.has(spec.name)),
];

/** The text of `pnpm optimize --help`. */
export function optimizeHelp(): string {
  return [
    `Usage: ${commandHint('optimize')} --strategy KEY|FILE|PACKAGE --range NAME=SPEC [--range ...] [flags]`,
    '',
    'Backtests a strategy over a space of its parameters (a grid, or seeded random points) on',
    'worker threads, ranks the runs by a metric, and runs Monte Carlo on the winner. With',
    '--walk-forward it chooses parameters on rolling in-sample windows and tests them on the',
    "out-of-sample windows that follow. Ranges are checked against the strategy's schema.",
    '',
    'Search and output:',
    ...formatFlagHelp(ownFlags),
    '',
    `Data, fill model and risk (as ${commandHint('backtest')}):`,
    ...formatFlagHelp(optimizeFlags.slice(ownFlags.length)),
    '',
    'Examples:',
    `  ${commandHint('optimize')} --strategy ema_crossover --range fastPeriod=5:20:5 --range slowPeriod=30:60:10 --symbol BTC-USDT`,
    `  ${commandHint('optimize')} --strategy strategies/my-idea.ts --range minRise=0.005:0.03:0.005 --params-file base.json`,
    `  ${commandHint('optimize')} --strategy rsi_mean_reversion --space space.json --search random --samples 100 --seed 7 --metric sortino`,
    `  ${commandHint('optimize')} --strategy ema_crossover --range fastPeriod=5:20:5 --range slowPeriod=30:60:10 --walk-forward --in-sample 60d --out-of-sample 20d --html reports/optimize.html`,
    '',
  ].join('\n');
}

function integerFlag(
  flags: ParsedFlags,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = flagValue(flags, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `--${name}`,
      `${JSON.stringify(raw)} is not an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}`,
    );
  }
  return value;
}

function parseWalkForward(flags: ParsedFlags): WalkForwardOptions | undefined {
  if (!hasFlag(flags, 'walk-forward')) {
    for (const name of ['in-sample', 'out-of-sample', 'step', 'anchored']) {
      if (hasFlag(flags, name)) throw new UsageError(`--${name}`, 'needs --walk-forward');
    }
    return undefined;
  }
  const outOfSampleMs = parseDuration(
    '--out-of-sample',
    flagValue(flags, 'out-of-sample') ?? defaults.outOfSample,
  );
  const step = flagValue(flags, 'step');
  return {
    inSampleMs: parseDuration('--in-sample', flagValue(flags, 'in-sample') ?? defaults.inSample),
    outOfSampleMs,
    stepMs: step === undefined ? outOfSampleMs : parseDuration('--step', step),
    anchored: hasFlag(flags, 'anchored'),
  };
}

function outputPath(flags: ParsedFlags, name: string): string | undefined {
  const value = flagValue(flags, name);
  if (value !== undefined && value.trim() === '') {
    throw new UsageError(`--${name}`, 'is empty. Accepted: a file path');
  }
  return value;
}

/** The backtest command line made of the shared flags, for the backtest's own parser. */
function backtestArgv(flags: ParsedFlags): string[] {
  const argv: string[] = [];
  // --strategy first, so a command made from these reads naturally.
  const names = [...flags.keys()].sort(
    (a, b) => Number(b === 'strategy') - Number(a === 'strategy'),
  );
  for (const name of names) {
    const values = flags.get(name) ?? [];
    if (!sharedFlagNames.has(name) && name !== 'params-file') continue;
    if (values.length === 0) argv.push(`--${name}`);
    for (const value of values) argv.push(`--${name}=${value}`);
  }
  return argv;
}

/**
 * Parses the optimize command line and loads its strategy (a key, a file or a package) with
 * its fixed parameters, relative paths from `cwd`.
 *
 * @example
 * ```ts
 * const command = await parseOptimizeArgs(['--strategy', 'ema_crossover', '--range', 'fastPeriod=5:20:5']);
 * if (command.kind === 'run') command.options.dimensions; // [{ name: 'fastPeriod', kind: 'range', ... }]
 * ```
 * @throws {UsageError} naming the flag and what it accepts, for the first bad flag.
 */
export async function parseOptimizeArgs(
  argv: readonly string[],
  cwd = process.cwd(),
): Promise<OptimizeCommand> {
  const flags = parseFlags(argv, optimizeFlags);
  if (hasFlag(flags, 'help')) return { kind: 'help' };
  const strategyRaw = flagValue(flags, 'strategy');
  if (strategyRaw === undefined) {
    throw new UsageError(
      '--strategy',
      `is required: the strategy to optimise, a built-in key (${strategyKeys.join(', ')}), a strategy file or a package`,
    );
  }
  const [paramsFile, params] = [flagValue(flags, 'params-file'), flags.get('param') ?? []];
  const chosen = await loadStrategyFlags({ strategy: strategyRaw, paramsFile, params }, cwd);
  const { loaded: strategy, warnings } = chosen;
  const backtestArgs = backtestArgv(flags);
  const command = parseBacktestArgs(backtestArgs.filter((arg) => !/^--(strategy|param)/.test(arg)));
  if (command.kind !== 'run') return { kind: 'help' };
  const backtest = command.options;
  const dimensions = buildSpace(strategy, flags.get('range') ?? [], outputPath(flags, 'space'));

  const searchRaw = flagValue(flags, 'search') ?? 'grid';
  if (!(searchMethods as readonly string[]).includes(searchRaw)) {
    throw new UsageError(
      '--search',
      `${JSON.stringify(searchRaw)} is not a search. Accepted: ${searchMethods.join(' or ')}`,
    );
  }
  const search = searchRaw as SearchMethod;
  if (search === 'grid' && hasFlag(flags, 'samples')) {
    throw new UsageError('--samples', 'is for --search random; a grid visits every combination');
  }
  const heatmapRaw = flagValue(flags, 'heatmap');
  const metricRaw = flagValue(flags, 'metric') ?? defaults.metric;
  if (!isRankMetric(metricRaw)) {
    throw new UsageError(
      '--metric',
      `${JSON.stringify(metricRaw)} is not a metric. Accepted: ${rankMetrics.join(', ')}`,
    );
  }
  return {
    kind: 'run',
    options: {
      strategy,
      warnings,
      backtest,
      backtestArgs,
      source: backtest.source,
      symbols: backtest.symbols,
      interval: backtest.interval,
      from: backtest.from,
      to: backtest.to,
      settings: backtestSettingsOf(backtest),
      baseParams: chosen.params,
      dimensions,
      search,
      samples: integerFlag(flags, 'samples', defaults.samples, 1),
      seed: integerFlag(flags, 'seed', defaults.seed, 0, maxSeed),
      maxPoints: integerFlag(flags, 'max-points', defaults.maxPoints, 1),
      metric: metricRaw,
      minTrades: integerFlag(flags, 'min-trades', defaults.minTrades, 0),
      workers: integerFlag(flags, 'workers', availableParallelism(), 1),
      top: integerFlag(flags, 'top', defaults.top, 1),
      walkForward: parseWalkForward(flags),
      monteCarloRuns: integerFlag(flags, 'mc-runs', defaults.monteCarloRuns, 0),
      heatmap: heatmapRaw === undefined ? undefined : parseHeatmapAxes(heatmapRaw, dimensions),
      jsonFile: outputPath(flags, 'json'),
      htmlFile: outputPath(flags, 'html'),
      paramsOut: outputPath(flags, 'params-out'),
    },
  };
}
