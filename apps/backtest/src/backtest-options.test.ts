import { optionalRiskChecks } from '@lumenlink/risk';
import { describe, expect, it } from 'vitest';
import {
  backtestFlags,
  backtestHelp,
  checkSwitch,
  defaultReportPath,
  parseBacktestArgs,
  type BacktestCliOptions,
} from './backtest-options.js';
import { isUsageError } from './flags.js';

function options(argv: string[]): BacktestCliOptions {
  const command = parseBacktestArgs(argv);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command.options;
}

function failure(argv: string[]): string {
  try {
    parseBacktestArgs(argv);
  } catch (error) {
    if (isUsageError(error)) return error.message;
    throw error;
  }
  throw new Error(`parseBacktestArgs(${argv.join(' ')}) did not throw`);
}

describe('parseBacktestArgs --rerun', () => {
  it('takes the report and the output paths only', () => {
    expect(parseBacktestArgs(['--rerun', 'r.json', '--json', 'again.json'])).toEqual({
      kind: 'rerun',
      report: 'r.json',
      jsonFile: 'again.json',
      htmlFile: undefined,
    });
  });
});

describe('parseBacktestArgs defaults', () => {
  it('runs the config default strategy on the bundled data with the config defaults', () => {
    const run = options([]);
    expect(run).toEqual({
      source: { kind: 'bundled' },
      strategy: 'advanced_composite',
      paramsFile: undefined,
      paramAssignments: [],
      symbols: undefined,
      interval: undefined,
      from: undefined,
      to: undefined,
      startingCash: 10_000,
      feeBps: 10,
      slippageBps: 5,
      fillMode: 'next-open',
      risk: { atrMultiplier: 2 },
      protections: true,
      atrPeriod: 14,
      trailingStopAtrMultiple: 2,
      stopLossPct: undefined,
      takeProfitPct: undefined,
      closeAtEnd: false,
      sentimentFile: undefined,
      db: undefined,
      jsonFile: undefined,
      htmlFile: defaultReportPath,
    });
  });

  it('answers --help and -h with help', () => {
    expect(parseBacktestArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseBacktestArgs(['--cash', '5', '-h'])).toEqual({ kind: 'help' });
  });
});

describe('parseBacktestArgs flags', () => {
  const cases: [string[], Partial<BacktestCliOptions>][] = [
    [['--data', 'a.csv', '--data=b.csv'], { source: { kind: 'csv', files: ['a.csv', 'b.csv'] } }],
    [
      ['--source-db', 'data/lumenlink.db', '--symbols', 'btc-usd,ETH/USD'],
      { source: { kind: 'db', path: 'data/lumenlink.db' }, symbols: ['BTC-USD', 'ETH-USD'] },
    ],
    [['--symbols', 'SOL-USDT,BTC-USDT'], { symbols: ['SOL-USDT', 'BTC-USDT'] }],
    [['--symbol', 'eth-usdt'], { symbols: ['ETH-USDT'] }],
    [['--data', 'x.csv', '--interval', '15m'], { interval: '15m' }],
    [['--interval', '1h'], { interval: '1h' }],
    [['--from', '2024-02-01'], { from: Date.UTC(2024, 1, 1) }],
    [['--to', '2024-02-01'], { to: Date.UTC(2024, 1, 2) - 1 }],
    [
      ['--from', '1706745600000', '--to', '1706832000000'],
      { from: 1706745600000, to: 1706832000000 },
    ],
    [
      ['--strategy', 'ema_crossover', '--param', 'fastPeriod=5', '--param', 'slowPeriod=8'],
      {
        strategy: 'ema_crossover',
        paramAssignments: ['fastPeriod=5', 'slowPeriod=8'],
      },
    ],
    [
      ['--strategy', 'strategies/x.ts', '--params-file', 'x.json', '--param', 'a=1'],
      // Loaded and checked when the run starts.
      { strategy: 'strategies/x.ts', paramsFile: 'x.json', paramAssignments: ['a=1'] },
    ],
    [['--cash', '2500.5'], { startingCash: 2500.5 }],
    [['--fee-bps', '0'], { feeBps: 0 }],
    [['--slippage-bps', '12.5'], { slippageBps: 12.5 }],
    [['--fill', 'close'], { fillMode: 'close' }],
    [['--fill', 'next-open'], { fillMode: 'next-open' }],
    [['--close-at-end'], { closeAtEnd: true }],
    [['--max-position-usd', '1000'], { risk: { maxPositionUsd: 1000, atrMultiplier: 2 } }],
    [['--max-daily-loss-usd', '75'], { risk: { maxDailyLossUsd: 75, atrMultiplier: 2 } }],
    [['--max-open-positions', '3'], { risk: { maxOpenPositions: 3, atrMultiplier: 2 } }],
    [['--cooldown-minutes', '0'], { risk: { cooldownMinutes: 0, atrMultiplier: 2 } }],
    [['--sizing', 'ATR'], { risk: { sizing: 'atr', atrMultiplier: 2 } }],
    [['--risk-per-trade-pct', '0.5'], { risk: { perTradePct: 0.5, atrMultiplier: 2 } }],
    [['--max-drawdown-pct', '15'], { risk: { maxDrawdownPct: 15, atrMultiplier: 2 } }],
    [['--stoploss-guard-count', '3'], { risk: { stoplossGuardCount: 3, atrMultiplier: 2 } }],
    [['--stop-loss-pct', '4'], { stopLossPct: 4 }],
    [['--take-profit-pct', '150'], { takeProfitPct: 150 }],
    [
      ['--trailing-stop-atr', '3.5'],
      { trailingStopAtrMultiple: 3.5, risk: { atrMultiplier: 3.5 } },
    ],
    [['--no-trailing-stop'], { trailingStopAtrMultiple: 0, risk: {} }],
    [['--trailing-stop-atr', '0'], { trailingStopAtrMultiple: 0, risk: {} }],
    [['--atr-period', '21'], { atrPeriod: 21 }],
    [['--no-protections'], { protections: false, risk: { atrMultiplier: 2 } }],
    [
      ['--no-risk'],
      { protections: false, risk: { atrMultiplier: 2, disabledChecks: [...optionalRiskChecks] } },
    ],
    [['--sentiment', 'fng.json'], { sentimentFile: 'fng.json' }],
    [['--db', 'run.db'], { db: 'run.db' }],
    [['--json', 'out.json'], { jsonFile: 'out.json', htmlFile: undefined }],
    [['--html', 'out.html'], { htmlFile: 'out.html', jsonFile: undefined }],
    [['--json', 'a.json', '--html', 'a.html'], { jsonFile: 'a.json', htmlFile: 'a.html' }],
  ];
  it.each(cases)('%j', (argv, expected) => {
    expect(options(argv)).toMatchObject(expected);
  });

  it('has a --no-<check> switch for every optional risk check', () => {
    expect(optionalRiskChecks.map(checkSwitch)).toEqual([
      'no-daily-loss',
      'no-max-open-positions',
      'no-position-size',
      'no-stopout-cooldown',
      'no-volume',
      'no-spread',
      'no-slippage',
    ]);
    for (const check of optionalRiskChecks) {
      expect(options([`--${checkSwitch(check)}`]).risk.disabledChecks).toEqual([check]);
    }
    expect(options(['--no-spread', '--no-daily-loss'])).toMatchObject({
      protections: true,
      risk: { disabledChecks: ['daily_loss', 'spread'] },
    });
  });

  it('documents every flag in the help', () => {
    const help = backtestHelp();
    for (const flag of backtestFlags) expect(help).toContain(`--${flag.name}`);
    expect(help).toContain('--rerun REPORT');
    // A run's flags, which optimize shares, do not include --rerun.
    expect(backtestFlags.map((flag) => flag.name)).not.toContain('rerun');
  });
});

describe('parseBacktestArgs bad flags', () => {
  const cases: [string[], string][] = [
    [
      ['--rerun', 'a.json', '--cash', '5', '--json', 'b.json'],
      '--rerun: runs what the report records; drop --cash (only --json and --html go with it)',
    ],
    [['--rerun', ' '], '--rerun: is empty. Accepted: a file path'],
    [['--params-file', ''], '--params-file: is empty. Accepted: a file path'],
    [
      ['--symbols', 'BTC'],
      '--symbols: "BTC" has an invalid symbol "BTC". Accepted: comma-separated symbols BASE-QUOTE such as BTC-USDT,ETH-USDT, no duplicates',
    ],
    [['--symbol', 'BTC'], '--symbol: "BTC" is not a symbol. Accepted: BASE-QUOTE such as BTC-USDT'],
    [
      ['--symbol', 'BTC-USDT', '--symbols', 'ETH-USDT'],
      '--symbol: give either --symbol or --symbols, not both',
    ],
    [
      ['--symbol', 'DOGE-USDT'],
      "--symbol: no bundled data for DOGE-USDT: the bundled symbols are BTC-USDT, ETH-USDT, SOL-USDT; give other symbols' candles with --data FILE or --source-db FILE",
    ],
    [
      ['--symbols', 'BTC-USDT,DOGE-USDT'],
      "--symbols: no bundled data for DOGE-USDT: the bundled symbols are BTC-USDT, ETH-USDT, SOL-USDT; give other symbols' candles with --data FILE or --source-db FILE",
    ],
    [
      ['--interval', '4h'],
      '--interval: the bundled data is 1h only; give 4h candles with --data FILE or --source-db FILE',
    ],
    [
      ['--interval', '1M'],
      '--interval: "1M" is not a timeframe. Accepted: a timeframe: a count and a unit m, h, d or w, such as 15m, 1h, 4h or 1d (default 1h)',
    ],
    [
      ['--data', 'a.csv', '--source-db', 'x.db'],
      '--source-db: give candles either from --data files or from --source-db, not both',
    ],
    [['--data', ''], '--data: is empty. Accepted: a CSV file path'],
    [
      ['--data', 'a.csv', '--data', 'b.csv', '--symbols', 'BTC-USD'],
      '--symbols: names 1 symbol(s) for 2 --data file(s): give one symbol per file, in the same order, or leave it out to name each by its file',
    ],
    [
      ['--data', 'a.csv', '--data', 'b.csv', '--symbol', 'BTC-USD'],
      '--symbol: names 1 symbol(s) for 2 --data file(s): give one symbol per file, in the same order, or leave it out to name each by its file',
    ],
    [
      ['--source-db', 'x.db'],
      '--source-db: needs --symbols (or --symbol): which stored symbols to run on',
    ],
    [
      ['--source-db', ' ', '--symbol', 'BTC-USD'],
      '--source-db: is empty. Accepted: a SQLite file path',
    ],
    [
      ['--from', 'yesterday'],
      '--from: "yesterday" is not a time. Accepted: an ISO date (2024-03-01), an ISO date-time (2024-03-01T12:00, UTC unless it has an offset) or epoch milliseconds',
    ],
    [
      ['--to', '2024-02-30'],
      '--to: "2024-02-30" is not a real date. Accepted: an ISO date (2024-03-01), an ISO date-time (2024-03-01T12:00, UTC unless it has an offset) or epoch milliseconds',
    ],
    [
      ['--from', '2024-03-01', '--to', '2024-02-01'],
      '--to: 2024-02-01 is before --from 2024-03-01; give a --to after --from',
    ],
    [
      ['--cash', '0'],
      '--cash: "0" is not above 0 (use a value over 0). Accepted: a number > 0 and <= 1e12 (default 10000)',
    ],
    [['--cash', ''], '--cash: is empty. Accepted: a number > 0 and <= 1e12 (default 10000)'],
    [
      ['--fee-bps', '-1'],
      '--fee-bps: "-1" is below the minimum 0 (use 0 or more). Accepted: a number from 0 to 1000, up to 10 % (default 10)',
    ],
    [
      ['--slippage-bps', '5%'],
      '--slippage-bps: "5%" is not a number. Accepted: a number from 0 to 1000, up to 10 % (default 5)',
    ],
    [['--fill', 'open'], '--fill: "open" is not a fill mode. Accepted: next-open or close'],
    [
      ['--max-position-usd', 'lots'],
      '--max-position-usd: "lots" is not a number. Accepted: a number > 0 and <= 1e12 (default 250)',
    ],
    [
      ['--max-daily-loss-usd', '0'],
      '--max-daily-loss-usd: "0" is not above 0 (use a value over 0). Accepted: a number > 0 and <= 1e12 (default 150)',
    ],
    [
      ['--max-open-positions', '1.5'],
      '--max-open-positions: "1.5" is not a whole number (use an integer). Accepted: an integer from 1 to 1000 (default 2)',
    ],
    [
      ['--cooldown-minutes', '-5'],
      '--cooldown-minutes: "-5" is below the minimum 0 (use 0 or more). Accepted: a number from 0 to 43200, up to 30 days (default 15)',
    ],
    [
      ['--sizing', 'kelly'],
      '--sizing: "kelly" is not a known sizing method. Accepted: confidence or atr (default confidence)',
    ],
    [
      ['--risk-per-trade-pct', '101'],
      '--risk-per-trade-pct: "101" is not below 100 (use a value under 100). Accepted: a number > 0 and < 100 (default 1)',
    ],
    [
      ['--max-drawdown-pct', '100'],
      '--max-drawdown-pct: "100" is not below 100 (use a value under 100). Accepted: a number > 0 and < 100',
    ],
    [
      ['--stoploss-guard-count', '0'],
      '--stoploss-guard-count: "0" is below the minimum 1 (use 1 or more). Accepted: an integer from 1 to 1000',
    ],
    [
      ['--stop-loss-pct', 'x'],
      '--stop-loss-pct: "x" is not a number. Accepted: a number > 0 and < 100',
    ],
    [
      ['--take-profit-pct', '0'],
      '--take-profit-pct: "0" is not above 0 (use a value over 0). Accepted: a number > 0 and <= 10000',
    ],
    [
      ['--trailing-stop-atr', '-1'],
      '--trailing-stop-atr: "-1" is below the minimum 0 (use 0 or more). Accepted: a number from 0 to 100 (default 2)',
    ],
    [
      ['--trailing-stop-atr', '2', '--no-trailing-stop'],
      '--no-trailing-stop: give either --no-trailing-stop or --trailing-stop-atr, not both',
    ],
    [
      ['--atr-period', '0'],
      '--atr-period: "0" is below the minimum 1 (use 1 or more). Accepted: an integer from 1 to 1000 (default 14)',
    ],
    [['--json', ''], '--json: is empty. Accepted: a file path'],
    [['--html='], '--html: is empty. Accepted: a file path'],
    [['--sentiment', ''], '--sentiment: is empty. Accepted: a file path'],
    [['--db', ''], '--db: is empty. Accepted: a file path'],
    [['--no-riks'], '--no-riks: unknown flag; did you mean --no-risk? See --help for every flag.'],
    [
      ['--close-at-end=true'],
      '--close-at-end: is a switch and takes no value (got "--close-at-end=true")',
    ],
    [['--cash'], '--cash: needs a value: --cash N'],
  ];
  it.each(cases)('%j', (argv, message) => {
    expect(failure(argv)).toBe(message);
  });
});
