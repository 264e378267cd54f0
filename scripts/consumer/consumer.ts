/**
 * The consumer test of `pnpm check:packages`: an ordinary ESM TypeScript project that installs
 * the packed `@lumenlink/*` tarballs from outside the workspace, type-checks this file against
 * the published `.d.ts` (strict, NodeNext, skipLibCheck false), compiles it and runs it.
 *
 * It imports every public package and really runs code from each, so a broken `exports` map,
 * a missing file in `files`, a type that only resolves inside the workspace or a dependency
 * missing from `dependencies` fails here before a user meets it.
 *
 * scripts/check-packages.mjs refuses to run when a public package is not named here: every
 * package gets at least an import. Later issues extend this file with their real exports.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import {
  parseSymbol,
  parseTimeframe,
  systemClock,
  timeframeMs,
  toCcxtSymbol,
  ValidationError,
} from '@lumenlink/core';
import type { SymbolId, Timeframe } from '@lumenlink/core';

// ---------------------------------------------------------------------------------------------
// @lumenlink/core: main entry.
// ---------------------------------------------------------------------------------------------
const fourHours: Timeframe = parseTimeframe('4h');
assert.equal(fourHours, '4h');
assert.equal(timeframeMs(fourHours), 14_400_000);
assert.equal(timeframeMs('1m'), 60_000);
assert.throws(() => parseTimeframe('x'), ValidationError);

const symbol: SymbolId = parseSymbol('eth/usdt');
assert.equal(symbol, 'ETH-USDT');
assert.equal(toCcxtSymbol('btc-usd'), 'BTC/USD');
assert.throws(() => parseSymbol('BTCUSD'), ValidationError);

try {
  parseTimeframe('x');
  assert.fail('parseTimeframe("x") did not throw');
} catch (error) {
  assert.ok(ValidationError.isInstance(error));
  assert.equal(error.code, 'VALIDATION_FAILED');
  assert.equal(error.isRetryable, false);
  assert.equal(error.name, 'ValidationError');
}

const before = systemClock.now();
await systemClock.sleep(1);
assert.ok(systemClock.now() >= before);
assert.equal(typeof before, 'number');

// ---------------------------------------------------------------------------------------------
// @lumenlink/core subpaths and config: `@lumenlink/core/logging` (createLogger),
// `@lumenlink/core/metrics` (createMetricsRegistry), `@lumenlink/core/testing` (ManualClock)
// and `loadConfig`. While one of them is still being written, comment out its part of this
// block locally to test the rest; the committed file keeps all of them.
// ---------------------------------------------------------------------------------------------
{
  const { createLogger } = await import('@lumenlink/core/logging');
  const { createMetricsRegistry } = await import('@lumenlink/core/metrics');
  const { ManualClock } = await import('@lumenlink/core/testing');
  const { ConfigError } = await import('@lumenlink/core');
  const { loadConfig } = await import('@lumenlink/config');

  // Logging: JSON lines to a stream of ours, with a configured secret redacted.
  // Random-looking, as real keys are: no 8-character start or end of it is an ordinary word.
  const secret = 'Zq81-c0nsum3r-t0ken-Lk2';
  const lines: string[] = [];
  let wrote: () => void = () => undefined;
  const written = new Promise<void>((resolve) => (wrote = resolve));
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      lines.push(String(chunk));
      wrote();
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', format: 'json', stream: sink, secrets: [secret] });
  logger.child({ module: 'consumer' }).info(`hello ${secret}`, { symbol: 'BTC-USD' });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    written,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('createLogger wrote nothing within 2s')), 2_000);
    }),
  ]).finally(() => clearTimeout(timer));
  const text = lines.join('');
  assert.ok(!text.includes(secret), `the logger leaked a secret: ${text}`);
  const line = JSON.parse(text.trim().split('\n')[0] ?? '') as Record<string, unknown>;
  assert.equal(line['level'], 'info');
  assert.equal(line['module'], 'consumer');
  assert.equal(line['symbol'], 'BTC-USD');
  assert.match(String(line['msg']), /^hello /);

  // Metrics: a counter with a label, rendered in the Prometheus text format.
  const metrics = createMetricsRegistry({ prefix: 'consumer_' });
  metrics.counter({ name: 'orders_total', help: 'Orders sent', labelNames: ['side'] }).inc({
    side: 'buy',
  });
  assert.match(await metrics.exposition(), /^consumer_orders_total\{side="buy"\} 1$/m);
  assert.equal(typeof metrics.contentType, 'string');

  // Testing: manual time and its timers.
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  assert.equal(clock.now(), Date.UTC(2026, 0, 1));
  let fired = false;
  clock.setTimeout(() => (fired = true), 1_000);
  const slept = clock.sleep(5_000);
  await clock.advance(5_000);
  await slept;
  assert.equal(fired, true);
  assert.equal(clock.now(), Date.UTC(2026, 0, 1) + 5_000);

  // Config: defaults load from an empty env; a bad value is a ConfigError naming its key.
  assert.equal(typeof loadConfig({}), 'object');
  assert.throws(
    () => loadConfig({ RISK_MAX_POSITION_USD: 'abc' }),
    (error: unknown) =>
      ConfigError.isInstance(error) &&
      error.issues.some((issue) => issue.key === 'RISK_MAX_POSITION_USD'),
  );
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/indicators: streaming and batch agree, a pattern detector runs.
// ---------------------------------------------------------------------------------------------
{
  const { RSI, rsi, sma, MACD, detectPatterns } = await import('@lumenlink/indicators');
  const closes = Array.from({ length: 60 }, (_, i) => 100 + 10 * Math.sin(i / 5));
  const batch = rsi(closes, 14);
  const streaming = new RSI(14);
  closes.forEach((close, i) => {
    // NaN while warming up, in both (equal compares with Object.is).
    assert.equal(streaming.update(close), batch[i]);
  });
  assert.deepEqual([...sma([1, 2, 3, 4], 2)], [Number.NaN, 1.5, 2.5, 3.5]);
  const macd = new MACD({ fast: 3, slow: 6, signal: 2 });
  for (const close of closes) macd.update(close);
  assert.ok(macd.isReady && Number.isFinite(macd.value.macd));
  const candles = closes.map((close) => ({ open: close, high: close + 1, low: close - 1, close }));
  assert.ok(Array.isArray(detectPatterns(candles)));
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/data: the SQLite store (native better-sqlite3) and the bundled data in the tarball.
// ---------------------------------------------------------------------------------------------
{
  const { openStore, importBundledData, loadBundledCandles } = await import('@lumenlink/data');
  assert.equal(loadBundledCandles('SOL-USDT').length, 6002);
  const store = await openStore({ path: ':memory:' });
  const imported = await importBundledData(store.candles, ['ETH-USDT']);
  assert.deepEqual(imported, [{ symbol: 'ETH-USDT', timeframe: '1h', imported: 5980 }]);
  const recent = await store.candles.getRecentCandles('ETH-USDT', '1h', 3);
  assert.equal(recent.length, 3);
  assert.equal(recent[2]?.time, Date.UTC(2024, 8, 6, 3));
  await store.close();
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/risk: a verdict with the 10 checks; a phantom sell is blocked.
// ---------------------------------------------------------------------------------------------
{
  const { RiskEngine } = await import('@lumenlink/risk');
  const { riskCheckNames } = await import('@lumenlink/core');
  const engine = new RiskEngine();
  const state = {
    now: Date.UTC(2026, 0, 1),
    symbol: 'BTC-USD' as const,
    tradingState: 'active' as const,
    mode: 'paper' as const,
    allowLiveTrading: false,
    price: 50_000,
    position: null,
    openPositions: 0,
    equity: 10_000,
    cash: 10_000,
    dailyPnl: 0,
    lastStopOutAt: null,
    atr: null,
    market: null,
    ticker: null,
    orderBook: null,
    circuitOpen: false,
  };
  const buy = engine.evaluate({ action: 'buy', confidence: 0.8, reason: 'consumer' }, state);
  assert.deepEqual(
    buy.checks.map((check) => check.name),
    [...riskCheckNames],
  );
  assert.equal(buy.allowed, true);
  const sell = engine.evaluate({ action: 'sell', confidence: 1, reason: 'consumer' }, state);
  assert.equal(sell.allowed, false);
  assert.equal(sell.checks.find((check) => check.outcome === 'fail')?.name, 'phantom_sell');
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/strategies: every key creates; bad params are a clear error; signals come out.
// ---------------------------------------------------------------------------------------------
{
  const { createStrategy, strategyKeys } = await import('@lumenlink/strategies');
  const { ValidationError } = await import('@lumenlink/core');
  assert.deepEqual([...strategyKeys].sort(), [
    'advanced_composite',
    'composite',
    'ema_crossover',
    'grid_trading',
    'rsi_mean_reversion',
    'smart_dca',
  ]);
  assert.throws(() => createStrategy('rsi_mean_reversion', { period: 0 }), ValidationError);
  const strategy = createStrategy('ema_crossover', { fastPeriod: 3, slowPeriod: 5 });
  const actions = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const close = 100 + 10 * Math.sin(i / 8);
    const candle = {
      time: Date.UTC(2024, 0, 1) + i * 3_600_000,
      open: close,
      high: close + 1,
      low: close - 1,
      close,
      volume: 10,
    };
    actions.add(
      strategy.onCandle(candle, {
        symbol: 'BTC-USD',
        time: candle.time + 3_600_000,
        position: null,
      }).action,
    );
  }
  assert.deepEqual([...actions].sort(), ['buy', 'hold', 'sell']);
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/alerts: formats and the multiplexer, without any network.
// ---------------------------------------------------------------------------------------------
{
  const { formatPlainText, formatDiscordEmbed, createAlertDispatcher } =
    await import('@lumenlink/alerts');
  const { silentLogger, systemClock } = await import('@lumenlink/core');
  const event = {
    type: 'trade_closed' as const,
    symbol: 'BTC-USD' as const,
    quantity: 0.01,
    entryPrice: 50_000,
    exitPrice: 51_000,
    pnl: 9,
    pnlPct: 1.8,
    reason: 'take profit',
    at: Date.UTC(2026, 0, 1),
  };
  assert.match(formatPlainText(event), /BTC-USD/);
  assert.equal(typeof formatDiscordEmbed(event).title, 'string');
  const received: string[] = [];
  const dispatcher = createAlertDispatcher({
    channels: [{ name: 'memory', send: (sent) => Promise.resolve(void received.push(sent.type)) }],
    clock: systemClock,
    logger: silentLogger,
  });
  dispatcher.notify(event);
  await dispatcher.flush();
  assert.deepEqual(received, ['trade_closed']);
  await dispatcher.close();
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/exchanges: replay serves closed candles only and no order book.
// ---------------------------------------------------------------------------------------------
{
  const { ReplayMarketData, NoOrderBookError } = await import('@lumenlink/exchanges');
  const candles = Array.from({ length: 5 }, (_, i) => ({
    time: Date.UTC(2024, 0, 1) + i * 3_600_000,
    open: 100,
    high: 110,
    low: 90,
    close: 100 + i,
    volume: 1,
  }));
  const replay = new ReplayMarketData({
    candles: { 'BTC-USDT': candles },
    timeframe: '1h',
    startAfter: 2,
  });
  assert.equal((await replay.fetchCandles('BTC-USDT', '1h')).length, 2);
  replay.advance();
  assert.equal((await replay.fetchTicker('BTC-USDT')).last, 102);
  await assert.rejects(replay.fetchOrderBook('BTC-USDT'), NoOrderBookError);
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/exchanges/testing: the Binance emulator, driven through the real ccxt adapter.
// ---------------------------------------------------------------------------------------------
{
  const { CcxtExchange } = await import('@lumenlink/exchanges');
  const { startExchangeEmulator } = await import('@lumenlink/exchanges/testing');
  const emulator = await startExchangeEmulator({ apiKey: 'key', secret: 'secret' });
  try {
    const exchange = new CcxtExchange({
      exchange: 'binance',
      apiKey: 'key',
      secret: 'secret',
      apiUrl: emulator.url,
      timeoutMs: 5_000,
    });
    const markets = await exchange.loadMarkets();
    assert.ok(markets.has('BTC-USDT'));
    const placed = await exchange.createOrder({
      clientOrderId: 'llconsumer',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      quantity: 0.01,
    });
    assert.equal(placed.status, 'filled');
    assert.equal((await exchange.fetchOrderByClientId('BTC-USDT', 'llconsumer'))?.status, 'filled');
  } finally {
    await emulator.close();
  }
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/execution and @lumenlink/engine: a backtest through the one trade cycle.
// ---------------------------------------------------------------------------------------------
{
  const { clientOrderId, isOurClientOrderId } = await import('@lumenlink/execution');
  const id = clientOrderId({
    strategy: 'ema_crossover',
    symbol: 'BTC-USDT',
    candleTime: 0,
    action: 'buy',
    role: 'entry',
    attempt: 0,
  });
  assert.equal(id.length, 32);
  assert.ok(isOurClientOrderId(id));

  const { runBacktest } = await import('@lumenlink/engine');
  const { hold } = await import('@lumenlink/core');
  const closes = [100, 100, 100, 104, 108, 112, 110];
  const candles = closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    return {
      time: Date.UTC(2024, 0, 1) + i * 3_600_000,
      open,
      high: Math.max(open, close) * 1.01,
      low: Math.min(open, close) * 0.99,
      close,
      volume: 10,
    };
  });
  let seen = 0;
  const result = await runBacktest({
    candles: new Map([['BTC-USD', candles]]),
    interval: '1h',
    strategy: () => ({
      key: 'consumer',
      params: {},
      warmup: 0,
      onCandle: () => {
        seen += 1;
        if (seen === 2) return { action: 'buy' as const, confidence: 1, reason: 'consumer buy' };
        if (seen === 5) return { action: 'sell' as const, confidence: 1, reason: 'consumer sell' };
        return hold('consumer');
      },
    }),
    startingCash: 10_000,
    trailingStopAtrMultiple: 0,
  });
  assert.equal(result.trades.length, 1);
  assert.ok(result.trades[0]!.pnl > 0);
  assert.equal(result.equity.length, candles.length);

  // @lumenlink/analysis: the engine's result as a report, its metrics, summary and page.
  const { computeMetrics, formatSummary, renderHtmlReport, reportInputOf } =
    await import('@lumenlink/analysis');
  const input = reportInputOf(result, {
    strategy: 'consumer',
    params: {},
    interval: '1h',
    candles: new Map([['BTC-USD', candles]]),
    feeBps: 10,
    slippageBps: 5,
    fillMode: 'next-open',
  });
  const metrics = computeMetrics(input);
  assert.equal(metrics.trades.total, 1);
  assert.equal(metrics.finalEquity, result.finalEquity);
  assert.ok(formatSummary(input, metrics).includes('Sharpe'));
  assert.ok(renderHtmlReport(input, metrics).includes('LightweightCharts'));
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/optimize: a grid on the bundled candles, on a worker thread started from the
// installed package's dist/worker.js.
// ---------------------------------------------------------------------------------------------
{
  const { buildSpace, optimize, formatOptimizeJson } = await import('@lumenlink/optimize');
  const report = await optimize({
    strategy: 'ema_crossover',
    source: { kind: 'bundled' },
    symbols: ['BTC-USDT'],
    from: Date.UTC(2024, 2, 1),
    to: Date.UTC(2024, 2, 10),
    dimensions: buildSpace('ema_crossover', ['fastPeriod=5,10', 'slowPeriod=30']),
    monteCarloRuns: 20,
    workers: 1,
  });
  assert.equal(report.rows.length, 2);
  assert.ok(report.rows.every((row) => row.error === null && row.metrics !== null));
  assert.equal(JSON.parse(formatOptimizeJson(report)).kind, 'optimize');
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/runtime: a paper trading node over replayed bundled candles, as runBacktest trades.
// ---------------------------------------------------------------------------------------------
{
  const { createTradingNode } = await import('@lumenlink/runtime');
  const { openStore, loadBundledCandles } = await import('@lumenlink/data');
  const { ReplayFeed } = await import('@lumenlink/exchanges');
  const { createStrategy } = await import('@lumenlink/strategies');
  const { runBacktest } = await import('@lumenlink/engine');
  const { silentLogger } = await import('@lumenlink/core');
  const candles = new Map([
    ['ETH-USDT' as const, loadBundledCandles('ETH-USDT', '1h').slice(0, 300)],
  ]);
  const strategy = () => createStrategy('ema_crossover', undefined, { interval: '1h' });
  const store = await openStore({ path: ':memory:', logger: silentLogger });
  const node = await createTradingNode(
    {
      logger: silentLogger,
      notifier: { notify: () => undefined },
      stores: store,
      strategy,
      venue: { kind: 'paper' },
      marketData: {
        kind: 'replay',
        candles,
        feed: (resumeAfter) =>
          new ReplayFeed({ candles, symbols: ['ETH-USDT'], timeframe: '1h', resumeAfter }),
      },
    },
    {
      mode: 'paper',
      allowLiveTrading: false,
      symbols: ['ETH-USDT'],
      interval: '1h',
      strategy: 'ema_crossover',
      exchange: 'replay',
      killSwitch: false,
      trading: { atrPeriod: 14, trailingStopAtrMult: 2, signalCooldownMs: 0, priceBandPct: 20 },
      paper: { feeBps: 10, slippageBps: 5, startingCash: 10_000 },
      risk: {},
      loops: { dataPollingMs: 1, strategyPollMs: 1, reconcileMs: 60_000, sentimentMs: 60_000 },
    },
  );
  node.start();
  await node.replay?.finished;
  await node.stop();
  await store.close();
  const backtest = await runBacktest({
    candles,
    interval: '1h',
    strategy,
    startingCash: 10_000,
    cooldownMs: 0,
  });
  assert.ok(backtest.trades.length > 0);
  assert.deepEqual(node.sessionTrades(), backtest.trades);
}

// ---------------------------------------------------------------------------------------------
// @lumenlink/strategy-loader: a user's TypeScript strategy file in this project (outside the
// workspace, importing the installed packages by name), run by Node's type stripping: loaded,
// given a params file, backtested, and optimized on a worker thread that loads the same file.
// ---------------------------------------------------------------------------------------------
{
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { loadStrategy, resolveStrategyParams, writeParamsFile, StrategyLoadError } =
    await import('@lumenlink/strategy-loader');
  const { loadBundledCandles } = await import('@lumenlink/data');
  const { runBacktest } = await import('@lumenlink/engine');
  const { buildSpace, optimize, winnerParams } = await import('@lumenlink/optimize');
  const dir = mkdtempSync(join(process.cwd(), 'user-strategies-'));
  writeFileSync(
    join(dir, 'momentum.ts'),
    [
      "import { hold, type Candle, type Signal } from '@lumenlink/core';",
      "import { EMA } from '@lumenlink/indicators';",
      "import { defineStrategy, z } from '@lumenlink/strategies';",
      'export default defineStrategy({',
      "  key: 'consumer_momentum',",
      "  description: 'Above its EMA: long.',",
      '  paramsSchema: z.strictObject({ period: z.number().int().min(2).max(100).default(20) }),',
      '  build: ({ period }) => {',
      '    const ema = new EMA(period);',
      "    const idle: Signal = hold('waiting');",
      '    return {',
      '      warmup: period,',
      '      onCandle: (candle: Candle, context): Signal => {',
      '        const value = ema.update(candle.close);',
      '        if (Number.isNaN(value)) return idle;',
      '        if (context.position === null && candle.close > value * 1.01)',
      "          return { action: 'buy', confidence: 1, reason: 'above' };",
      '        if (context.position !== null && candle.close < value)',
      "          return { action: 'sell', confidence: 1, reason: 'below' };",
      '        return idle;',
      '      },',
      '    };',
      '  },',
      '});',
      '',
    ].join('\n'),
  );
  const loaded = await loadStrategy(join(dir, 'momentum.ts'));
  assert.equal(loaded.provenance.kind, 'file');
  assert.match(loaded.provenance.sha256 ?? '', /^[0-9a-f]{64}$/);
  await writeParamsFile(join(dir, 'best.json'), {
    strategy: loaded.provenance,
    params: { period: 12 },
  });
  const { params } = await resolveStrategyParams(loaded, { paramsFile: join(dir, 'best.json') });
  assert.deepEqual(params, { period: 12 });
  const candles = new Map([
    ['BTC-USDT' as const, loadBundledCandles('BTC-USDT', '1h').slice(0, 600)],
  ]);
  const result = await runBacktest({
    candles,
    interval: '1h',
    strategy: () => loaded.definition.create(params, { interval: '1h' }),
    startingCash: 10_000,
  });
  assert.ok(result.trades.length > 0);
  const report = await optimize({
    strategy: loaded,
    source: { kind: 'bundled' },
    symbols: ['BTC-USDT'],
    from: Date.UTC(2024, 2, 1),
    to: Date.UTC(2024, 2, 10),
    dimensions: buildSpace(loaded, ['period=10,20']),
    monteCarloRuns: 10,
    workers: 1,
  });
  assert.ok(report.rows.every((row) => row.error === null));
  assert.equal(winnerParams(report)?.strategy.sha256, loaded.provenance.sha256);
  await assert.rejects(loadStrategy(join(dir, 'missing.ts')), (error: unknown) =>
    StrategyLoadError.isInstance(error),
  );
}

console.log('consumer: ok');
