/**
 * The starting point of a new strategy (`pnpm new-strategy my_idea`): a commented strategy file
 * written for a trader, and its test, both runnable at once on Node 24 with no build step.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { commandHint, ValidationError } from '@lumenlink/core';
import { isStrategyKey } from '@lumenlink/strategies';

/** A new strategy's files, as {@link strategyTemplate} makes them. */
export interface StrategyTemplate {
  /** The strategy's key: lower snake case (`my_idea`). */
  readonly key: string;
  /** The file name without extension: kebab case (`my-idea`). */
  readonly fileBase: string;
  /** The strategy module's source (`my-idea.ts`). */
  readonly strategy: string;
  /** Its test's source (`my-idea.test.ts`): `node:test` on synthetic candles. */
  readonly test: string;
}

/** The words of a name: `myIdea`, `my-idea`, `My idea` and `my_idea` all give `my`, `idea`. */
function nameWords(name: string): string[] {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/**
 * The key and file name of a strategy named `name`.
 *
 * @example
 * ```ts
 * strategyNames('myIdea'); // { key: 'my_idea', fileBase: 'my-idea' }
 * ```
 * @throws {ValidationError} for a name without letters, one that does not start with a letter,
 *   or a built-in strategy's key.
 */
export function strategyNames(name: string): { key: string; fileBase: string } {
  const words = nameWords(name);
  if (words.length === 0 || !/^[a-z]/.test(words[0]!)) {
    throw new ValidationError(
      `${JSON.stringify(name)} is not a strategy name: give words starting with a letter, such as my_idea or "trend pullback"`,
    );
  }
  const key = words.join('_');
  if (isStrategyKey(key)) {
    throw new ValidationError(
      `${key} is a built-in strategy's key; orders and decisions are recorded by key. Give your strategy a name of its own`,
    );
  }
  return { key, fileBase: words.join('-') };
}

/**
 * A new strategy's source and its test, from a commented template: streaming indicators, a zod
 * parameter schema with defaults and bounds, warm-up, state, a buy with a stop loss, a take
 * profit and a portion, a sell, reasons, and pointers to the multi-timeframe analyzer and
 * sentiment.
 *
 * @example
 * ```ts
 * const { key, fileBase, strategy, test } = strategyTemplate('my idea');
 * // key 'my_idea'; write strategy to strategies/my-idea.ts and test to strategies/my-idea.test.ts
 * ```
 * @throws {ValidationError} for a name that gives no key ({@link strategyNames}).
 */
export function strategyTemplate(
  name: string,
  options: { readonly dir?: string } = {},
): StrategyTemplate {
  const { key, fileBase } = strategyNames(name);
  const dir = toPosix(options.dir ?? 'strategies').replace(/\/+$/, '') || '.';
  const commands = strategyCommands(`${dir}/${fileBase}.ts`, `${dir}/${fileBase}.test.ts`);
  const fill = (text: string): string =>
    text
      .replace('__COMMANDS__', commands.map((command) => ` *   ${command}`).join('\n'))
      .replaceAll('__KEY__', key)
      .replaceAll('__FILE__', fileBase)
      .replaceAll('__DIR__', dir);
  return { key, fileBase, strategy: fill(strategySource), test: fill(testSource) };
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/**
 * The commands that run a new strategy's files: its test, a backtest, an optimisation and the
 * demo (paper trading over replayed candles).
 *
 * @example
 * ```ts
 * strategyCommands('strategies/my-idea.ts', 'strategies/my-idea.test.ts')[1];
 * // 'pnpm backtest --strategy strategies/my-idea.ts'
 * ```
 */
export function strategyCommands(strategyPath: string, testPath: string): string[] {
  return [
    `${commandHint('strategy-test')} ${testPath}`,
    `${commandHint('backtest')} --strategy ${strategyPath}`,
    `${commandHint('optimize')} --strategy ${strategyPath} --range fastPeriod=10:30:5 --range slowPeriod=40:80:10`,
    `STRATEGY=${strategyPath} ${commandHint('demo')}`,
  ];
}

/** What {@link writeStrategyTemplate} wrote. */
export interface WrittenStrategyTemplate {
  readonly key: string;
  /** Absolute paths of the two files. */
  readonly strategyFile: string;
  readonly testFile: string;
  /** {@link strategyCommands} for the two files, relative to the working directory. */
  readonly commands: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `<dir>/<kebab-name>.ts` and `<dir>/<kebab-name>.test.ts` from {@link strategyTemplate},
 * creating `dir`; never overwrites: when either file exists, neither is written.
 *
 * @example
 * ```ts
 * const written = await writeStrategyTemplate('my_idea', { dir: 'strategies' });
 * console.log(written.strategyFile); // /home/me/bot/strategies/my-idea.ts
 * ```
 * @throws {ValidationError} naming the file that exists, or for a bad name.
 */
export async function writeStrategyTemplate(
  name: string,
  options: { readonly dir: string; readonly cwd?: string },
): Promise<WrittenStrategyTemplate> {
  const template = strategyTemplate(name, { dir: options.dir });
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, options.dir);
  const strategyFile = join(dir, `${template.fileBase}.ts`);
  const testFile = join(dir, `${template.fileBase}.test.ts`);
  for (const file of [strategyFile, testFile]) {
    if (await exists(file)) {
      throw new ValidationError(
        `${file} already exists, and new-strategy never overwrites a file. Choose another name, or move that file away first`,
      );
    }
  }
  await mkdir(dir, { recursive: true });
  // `wx`: fail rather than overwrite a file that appeared since the check.
  await writeFile(strategyFile, template.strategy, { flag: 'wx' });
  await writeFile(testFile, template.test, { flag: 'wx' });
  const shown = (file: string): string => toPosix(relative(cwd, file));
  const commands = strategyCommands(shown(strategyFile), shown(testFile));
  return { key: template.key, strategyFile, testFile, commands };
}

const strategySource = `/**
 * __KEY__: buys a pullback in an uptrend, sells when the trend turns or the rebound is spent.
 *
 * Written from the LumenLink template (pnpm new-strategy). Make it yours: change the schema, the
 * indicators and the rules below, keep the shape. How it runs:
 *   - one instance per symbol, made by build() with validated parameters;
 *   - onCandle() is called once per closed candle, in time order, and returns a Signal: buy,
 *     sell or hold, always with a reason (you read it in reports, /why and the decision log);
 *   - no I/O and no clock: everything comes from the candle and the context, so a backtest, paper
 *     and live trading make the same decisions on the same candles.
 *
 * Test it, backtest it on the bundled candles, optimize it, paper-trade it (the demo):
__COMMANDS__
 */
import type { Candle, Signal, StrategyContext } from '@lumenlink/core';
// Streaming indicators: update(value) costs O(1) per candle and returns undefined until ready.
import { ATR, EMA, RSI } from '@lumenlink/indicators';
// Use this z (the library's own zod) for the schema, so the library can check it.
import { defineStrategy, z } from '@lumenlink/strategies';

/**
 * The parameters: each has a default (a strategy must run with none given) and bounds (an
 * optimizer's --range and a typo in --param stay inside them). Set them with
 * --param fastPeriod=12, a params file (--params-file, what pnpm optimize writes) or
 * STRATEGY_PARAMS in .env.
 */
const paramsSchema = z
  .strictObject({
    /** EMA periods of the trend: up while the fast EMA is above the slow one. */
    fastPeriod: z.number().int().min(2).max(200).default(20),
    slowPeriod: z.number().int().min(3).max(500).default(50),
    /** RSI period, and the pullback: the RSI dips below buyBelow and turns back up. */
    rsiPeriod: z.number().int().min(2).max(100).default(14),
    buyBelow: z.number().min(1).max(99).default(40),
    /** Sell when the RSI rises above this (the rebound is spent). */
    sellAbove: z.number().min(1).max(99).default(70),
    /** Stop loss and take profit, in ATRs (average true ranges) from the entry candle's close. */
    atrPeriod: z.number().int().min(1).max(100).default(14),
    stopAtr: z.number().positive().max(20).default(2),
    takeProfitAtr: z.number().positive().max(50).default(4),
    /** Share of the maximum position to buy (risk limits cap the size; 1 = all of it). */
    portion: z.number().gt(0).max(1).default(0.5),
    /** Skip buys when the Fear & Greed index is above this (greed). 100: never skip. */
    maxFearGreed: z.number().min(0).max(100).default(100),
  })
  .refine((params) => params.fastPeriod < params.slowPeriod, {
    message: 'fastPeriod must be below slowPeriod',
    path: ['fastPeriod'],
  });

type Params = z.infer<typeof paramsSchema>;

// Signals that never change are made once (onCandle then allocates nothing on most candles).
const warmingUp: Signal = { action: 'hold', confidence: 0, reason: 'indicators warming up' };
const downtrend: Signal = { action: 'hold', confidence: 0, reason: 'no uptrend: not buying' };
const noPullback: Signal = { action: 'hold', confidence: 0, reason: 'uptrend, no pullback yet' };
const greedy: Signal = {
  action: 'hold',
  confidence: 0,
  reason: 'Fear & Greed too high: not buying',
};
const holding: Signal = { action: 'hold', confidence: 0, reason: 'in a position: trend intact' };

export default defineStrategy({
  key: '__KEY__',
  description:
    'Buys an RSI pullback in an EMA uptrend with an ATR stop and target; sells when the trend turns or the RSI is high.',
  paramsSchema,
  build: (params: Params) => {
    const fast = new EMA(params.fastPeriod);
    const slow = new EMA(params.slowPeriod);
    const rsi = new RSI(params.rsiPeriod);
    const atr = new ATR(params.atrPeriod);
    // State: whatever the strategy remembers between candles lives here, one copy per symbol.
    let previousRsi = Number.NaN;

    // Higher timeframes: MultiTimeframeAnalyzer (from @lumenlink/strategies) builds 4h and 1d
    // candles from these and says whether their trends agree. To buy only when they do:
    //   const trends = new MultiTimeframeAnalyzer({ base: interval, higher: ['4h', '1d'] });
    //   (build's second argument is { interval }), in onCandle:
    //   if (trends.update(candle) !== 'bullish') return notAligned;
    //   and add trends.warmup to the warm-up below.
    return {
      // Candles before the signals mean anything: the slowest indicator's, plus one for the turn.
      warmup: Math.max(params.slowPeriod, params.rsiPeriod + 1, params.atrPeriod + 1) + 1,
      onCandle(candle: Candle, context: StrategyContext): Signal {
        // Update every indicator on every candle, before any early return.
        const trendFast = fast.update(candle.close);
        const trendSlow = slow.update(candle.close);
        const strength = rsi.update(candle.close);
        const range = atr.update(candle);
        const before = previousRsi;
        previousRsi = strength;
        // Every indicator reads NaN until it has seen enough candles.
        if (
          Number.isNaN(trendFast) ||
          Number.isNaN(trendSlow) ||
          Number.isNaN(strength) ||
          Number.isNaN(range) ||
          Number.isNaN(before)
        ) {
          return warmingUp;
        }

        if (context.position !== null) {
          // In a position (context.position: quantity, avgEntryPrice...): when to get out.
          // The stop loss and take profit set at the entry are watched by the engine itself.
          if (trendFast < trendSlow) {
            return {
              action: 'sell',
              confidence: 1,
              reason: \`trend turned: EMA(\${params.fastPeriod}) \${trendFast.toFixed(2)} fell below EMA(\${params.slowPeriod}) \${trendSlow.toFixed(2)}\`,
            };
          }
          if (strength > params.sellAbove) {
            // portion: 1 sells the whole position; 0.5 would sell half.
            return {
              action: 'sell',
              confidence: 1,
              portion: 1,
              reason: \`RSI \${strength.toFixed(1)} above \${params.sellAbove}: taking the rebound\`,
            };
          }
          return holding;
        }

        if (trendFast <= trendSlow) return downtrend;
        if (!(before < params.buyBelow && strength >= params.buyBelow)) return noPullback;
        // Sentiment: context.market holds Fear & Greed, news, TVL and global market data when a
        // feed is configured (in a backtest: --sentiment FILE). Every part may be absent.
        const fearGreed = context.market?.fearGreed?.value;
        if (fearGreed !== undefined && fearGreed > params.maxFearGreed) return greedy;
        return {
          action: 'buy',
          // Conviction 0..1: sizing multiplies the maximum position by it (and by portion).
          confidence: 1,
          portion: params.portion,
          // Prices, not distances: the engine exits at the first one touched.
          stopLoss: candle.close - params.stopAtr * range,
          takeProfit: candle.close + params.takeProfitAtr * range,
          reason: \`pullback in an uptrend: RSI \${before.toFixed(1)} → \${strength.toFixed(1)} crossed \${params.buyBelow}, EMA(\${params.fastPeriod}) above EMA(\${params.slowPeriod})\`,
        };
      },
    };
  },
});
`;

const testSource = `/**
 * The test of __KEY__, on synthetic candles: run it with
 *   pnpm strategy-test __DIR__/__FILE__.test.ts
 * (Node 24 runs TypeScript directly). Add a case for every rule you change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Candle, Position, Signal } from '@lumenlink/core';
import strategy from './__FILE__.ts';

const hourMs = 3_600_000;
const start = Date.UTC(2024, 0, 1);

/** Hourly candles from closes: each opens at the previous close, high and low 0.5 % beyond. */
function candles(closes: readonly number[]): Candle[] {
  return closes.map((close, index) => {
    const open = index === 0 ? close : closes[index - 1]!;
    return {
      time: start + index * hourMs,
      open,
      high: Math.max(open, close) * 1.005,
      low: Math.min(open, close) * 0.995,
      close,
      volume: 100,
    };
  });
}

/** A choppy rise (up 2, down 1), a dip of five candles, then the rise again. */
function risingWithPullback(): number[] {
  const closes: number[] = [];
  let price = 100;
  for (let index = 0; index < 80; index++) closes.push((price += index % 2 === 0 ? 2 : -1));
  for (let index = 0; index < 5; index++) closes.push((price -= 3));
  for (let index = 0; index < 10; index++) closes.push((price += 2));
  return closes;
}

/** Feeds candles to a fresh instance; \`position\` is what the engine would hold. */
function run(
  closes: readonly number[],
  params: Record<string, unknown> = {},
  position: Position | null = null,
): Signal[] {
  const instance = strategy.create(params, { interval: '1h' });
  return candles(closes).map((candle) =>
    instance.onCandle(candle, { symbol: 'BTC-USDT', time: candle.time + hourMs, position }),
  );
}

const held: Position = {
  symbol: 'BTC-USDT',
  state: 'open',
  quantity: 1,
  avgEntryPrice: 100,
  realizedPnl: 0,
  fees: 0,
  openedAt: start,
  updatedAt: start,
};

describe('__KEY__', () => {
  it('has defaults and rejects bad parameters, naming each', () => {
    assert.equal(strategy.defaults.fastPeriod, 20);
    assert.throws(() => strategy.parseParams({ fastPeriod: 60, slowPeriod: 50 }), /fastPeriod/);
    assert.throws(() => strategy.parseParams({ portion: 2 }), /portion/);
  });

  it('holds while its indicators warm up', () => {
    const instance = strategy.create({}, { interval: '1h' });
    const signals = run(risingWithPullback()).slice(0, instance.warmup - 1);
    assert.ok(signals.every((signal) => signal.action === 'hold'));
  });

  it('buys the turn of a pullback in an uptrend, with a stop below and a target above', () => {
    const closes = risingWithPullback();
    const signals = run(closes);
    const buys = signals.flatMap((signal, index) => (signal.action === 'buy' ? [index] : []));
    assert.equal(buys.length, 1, 'one buy');
    const buy = signals[buys[0]!]!;
    const close = closes[buys[0]!]!;
    assert.ok(buy.stopLoss! < close && close < buy.takeProfit!, 'stop below, target above');
    assert.equal(buy.portion, 0.5);
    assert.match(buy.reason, /pullback/);
  });

  it('does not buy when the Fear & Greed index is above maxFearGreed', () => {
    const instance = strategy.create({ maxFearGreed: 60 }, { interval: '1h' });
    const market = { fearGreed: { value: 90, classification: 'Extreme Greed', updatedAt: start } };
    const signals = candles(risingWithPullback()).map((candle) =>
      instance.onCandle(candle, { symbol: 'BTC-USDT', time: candle.time, position: null, market }),
    );
    assert.ok(signals.every((signal) => signal.action !== 'buy'));
  });

  it('sells a position when the trend turns down', () => {
    const closes = [...risingWithPullback()];
    for (let index = 1; index <= 40; index++) closes.push(closes.at(-1)! - 3);
    const signals = run(closes, {}, held);
    assert.ok(
      signals.some((signal) => signal.action === 'sell' && /trend turned/.test(signal.reason)),
    );
    assert.ok(
      signals.every((signal) => signal.action !== 'buy'),
      'never buys while holding',
    );
  });
});
`;
