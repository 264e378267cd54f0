import type { SymbolId } from '@lumenlink/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportInput } from '../src/types.js';
import { backtestInput } from './backtest-report.js';
import {
  artifactPath,
  expectQuiet,
  launchChromium,
  openReport,
  patience,
  type Viewport,
} from './report-browser.js';

/**
 * The backtest HTML report of real runs (ema_crossover 9/21 on every bundled 1h candle of 2024,
 * hundreds of trades per symbol) read in Chromium at a laptop's and a phone's size. It checks
 * what a reader sees through the chart's own API, which the page exposes as
 * `window.lumenlinkReport`, and saves screenshots under test-artifacts/ for a person to look at.
 */

/** The least distance, in pixels, between two drawn markers of one side: a marker's width. */
const markerGap = 20;

/** The part of lightweight-charts' API, and the page's own, that the checks read. */
interface ReportApi {
  readonly chart: {
    timeScale(): {
      getVisibleRange(): { from: number; to: number } | null;
      getVisibleLogicalRange(): { from: number; to: number } | null;
      setVisibleLogicalRange(range: { from: number; to: number }): void;
      timeToCoordinate(time: number): number | null;
      width(): number;
    };
  };
  markers(): { time: number; position: string; text?: string }[];
  drawdownTicks(): string[];
}

/** What the chart shows at a moment. */
interface ChartState {
  readonly symbol: string;
  /** Entries and exits of the shown symbol, before clustering. */
  readonly trades: number;
  readonly visible: { from: number; to: number } | null;
  readonly logical: { from: number; to: number } | null;
  readonly width: number;
  readonly markers: { time: number; position: string; text: string; x: number | null }[];
  readonly drawdownTicks: string[];
}

async function chartState(page: Page): Promise<ChartState> {
  return page.evaluate(() => {
    const { lumenlinkReport: api, document } = globalThis as unknown as {
      lumenlinkReport: ReportApi;
      document: { getElementById(id: string): { dataset: Record<string, string> } };
    };
    const scale = api.chart.timeScale();
    const dataset = document.getElementById('chart').dataset;
    return {
      symbol: dataset.symbol ?? '',
      trades: Number(dataset.trades),
      visible: scale.getVisibleRange(),
      logical: scale.getVisibleLogicalRange(),
      width: scale.width(),
      markers: api.markers().map((marker) => ({
        time: marker.time,
        position: marker.position,
        text: marker.text ?? '',
        x: scale.timeToCoordinate(marker.time),
      })),
      drawdownTicks: api.drawdownTicks(),
    };
  });
}

/** The page has drawn its chart: the markers are set and the drawdown scale has ticks. */
async function drawn(page: Page): Promise<ChartState> {
  await page.waitForSelector('#chart canvas');
  await expect
    .poll(async () => {
      const state = await chartState(page);
      return state.width > 0 && state.drawdownTicks.length > 0 && state.visible !== null;
    }, patience)
    .toBe(true);
  return chartState(page);
}

/** How many trades' entries or exits a drawn marker stands for: its count, or 1. */
function countOf(text: string): number {
  const count = /^(\d+)(?: entries| exits)?$/.exec(text)?.[1];
  return count === undefined ? 1 : Number(count);
}

/** The symbol's entry and exit times in seconds, as the chart has them. */
function tradeTimes(input: ReportInput, symbol: string): Set<number> {
  const times = new Set<number>();
  for (const trade of input.trades.filter((each) => each.symbol === symbol)) {
    times.add(Math.floor(trade.entryTime / 1000));
    if (trade.exitTime !== null) times.add(Math.floor(trade.exitTime / 1000));
  }
  return times;
}

/**
 * What makes the chart readable at any size: it shows the whole period, every drawdown tick
 * label differs from its neighbours, markers of one side are at least {@link markerGap} apart
 * (so at most one per that many pixels), their counts add up to the symbol's entries and exits, and no
 * marker belongs to another symbol.
 */
function expectReadable(state: ChartState, input: ReportInput, symbol: string): void {
  // The chart's time scale: the symbol's candles and the portfolio's equity, in seconds.
  const times = new Set([
    ...(input.candles[symbol] ?? []).map((candle) => Math.floor(candle.time / 1000)),
    ...input.equity.map((point) => Math.floor(point.time / 1000)),
  ]);
  expect(state.symbol).toBe(symbol);
  expect(state.visible).toEqual({ from: Math.min(...times), to: Math.max(...times) });
  expect(state.logical?.from).toBeCloseTo(0, 6);
  expect(state.logical?.to).toBeCloseTo(times.size - 1, 6);

  expectDistinctTicks(state.drawdownTicks);

  const markerTimes = tradeTimes(input, symbol);
  const closed = input.trades.filter((trade) => trade.symbol === symbol && trade.exitTime !== null);
  const opened = input.trades.filter((trade) => trade.symbol === symbol);
  expect(state.trades).toBe(opened.length + closed.length);
  expect(state.markers.reduce((sum, marker) => sum + countOf(marker.text), 0)).toBe(state.trades);
  for (const position of ['belowBar', 'aboveBar']) {
    const side = state.markers.filter((marker) => marker.position === position);
    const xs = side.map((marker) => marker.x ?? Number.NaN).sort((a, b) => a - b);
    for (const x of xs) expect(x).toBeGreaterThanOrEqual(-1);
    for (const x of xs) expect(x).toBeLessThanOrEqual(state.width + 1);
    for (const [index, x] of xs.entries()) {
      if (index > 0) expect(x - (xs[index - 1] ?? 0)).toBeGreaterThanOrEqual(markerGap - 0.5);
    }
    expect(side.length).toBeLessThanOrEqual(Math.floor(state.width / markerGap) + 1);
  }
  for (const marker of state.markers) expect(markerTimes.has(marker.time)).toBe(true);
}

/** Drawdown tick labels: at least two, each different, all with the same decimals. */
function expectDistinctTicks(labels: readonly string[]): void {
  expect(labels.length).toBeGreaterThanOrEqual(2);
  expect(new Set(labels).size).toBe(labels.length);
  for (const label of labels) expect(label).toMatch(/^−?[\d,]+(?:\.\d+)?%$/);
  const decimals = labels.map((label) => /\.(\d+)/.exec(label)?.[1]?.length ?? 0);
  expect(new Set(decimals).size).toBe(1);
}

/** Zooms into the last `bars` bars and waits for the markers to be clustered anew. */
async function zoomToLast(page: Page, bars: number): Promise<ChartState> {
  const before = await chartState(page);
  const last = before.logical?.to ?? 0;
  await page.evaluate(
    (range) => {
      const { lumenlinkReport: api } = globalThis as unknown as { lumenlinkReport: ReportApi };
      api.chart.timeScale().setVisibleLogicalRange(range);
    },
    { from: last - bars, to: last },
  );
  await expect
    .poll(async () => {
      const state = await chartState(page);
      return (
        state.markers.length !== before.markers.length &&
        state.drawdownTicks.join() !== before.drawdownTicks.join()
      );
    }, patience)
    .toBe(true);
  return chartState(page);
}

/**
 * Hovers the zoomed-in chart over the last entry marker in view and reads the box of trades it
 * shows: each line names a trade of the shown symbol by its number in the trade list, and the
 * box does not cover the marker.
 */
async function hoverLastEntry(page: Page, state: ChartState, symbol: string): Promise<string[]> {
  const entry = state.markers
    .filter((marker) => marker.position === 'belowBar' && (marker.x ?? -1) > 0)
    .at(-1);
  expect(entry).toBeDefined();
  const box = await page.locator('#chart').boundingBox();
  if (box === null || entry?.x === null || entry === undefined) throw new Error('no chart box');
  await page.mouse.move(box.x + entry.x, box.y + 40);
  const detail = page.locator('#marker-detail');
  await expect.poll(() => detail.isVisible(), patience).toBe(true);
  // The box stands beside the marker's column (or, on a phone, below the chart): it does not
  // hide the marker.
  const detailBox = await detail.boundingBox();
  if (detailBox === null) throw new Error('no detail box');
  const markerX = box.x + entry.x;
  const overChart = detailBox.y < box.y + box.height;
  const overColumn = markerX > detailBox.x && markerX < detailBox.x + detailBox.width;
  expect(overChart && overColumn).toBe(false);
  const lines = await detail.locator('div').allTextContents();
  for (const line of lines) {
    const number = Number(/^#(\d+) /.exec(line)?.[1]);
    const row = page.locator('#trades tbody tr').nth(number - 1);
    expect(await row.getAttribute('data-symbol')).toBe(symbol);
  }
  return lines;
}

const viewports: { name: string; viewport: Viewport }[] = [
  { name: 'laptop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

describe('HTML report of a real run in Chromium', { timeout: 120_000 }, () => {
  let browser: Browser | undefined;
  let single: ReportInput;
  let multi: ReportInput;
  const symbols: SymbolId[] = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];

  beforeAll(async () => {
    browser = await launchChromium();
    single = await backtestInput({ candleCount: Infinity });
    multi = await backtestInput({ candleCount: Infinity, symbols });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  function launched(): Browser {
    if (browser === undefined) throw new Error('Chromium did not start: see the error above.');
    return browser;
  }

  it('is a run with hundreds of trades per symbol over eight months of 1h candles', () => {
    expect(single.candles['BTC-USDT']?.length).toBeGreaterThan(5_000);
    for (const symbol of symbols) {
      expect(multi.trades.filter((trade) => trade.symbol === symbol).length).toBeGreaterThan(100);
    }
  });

  for (const { name, viewport } of viewports) {
    const size = `${viewport.width}x${viewport.height}`;

    it(`reads well with one symbol on a ${name} (${size})`, async () => {
      const { page, log } = await openReport(launched(), single, viewport);
      const state = await drawn(page);
      expectReadable(state, single, 'BTC-USDT');
      // Hundreds of entries and exits, clustered into far fewer markers.
      expect(state.trades).toBeGreaterThan(200);
      expect(state.markers.length).toBeLessThan(state.trades / 2);
      const panel = page.locator('.panel', { has: page.locator('#chart') });
      await panel.screenshot({ path: artifactPath(`report-single-${size}.png`) });

      // Zoomed in on the last 120 candles, markers come apart and lone ones show their label.
      const zoomed = await zoomToLast(page, 120);
      const texts = zoomed.markers.filter((marker) => (marker.x ?? -1) >= 0).map((m) => m.text);
      expect(texts).toContain('Buy');
      expect(texts.some((text) => /^[+-]\d+\.\d\d%$/.test(text))).toBe(true);
      // A narrower drawdown range: the tick labels take the decimals they need to differ.
      expectDistinctTicks(zoomed.drawdownTicks);
      const lines = await hoverLastEntry(page, zoomed, 'BTC-USDT');
      expect(lines[0]).toMatch(/^#\d+ buy [\d.]+ @ [\d,.]+, 2024-\d\d-\d\d \d\d:\d\d$/);
      await panel.screenshot({ path: artifactPath(`report-single-${size}-zoomed.png`) });

      expectQuiet(log, page.url());
      await page.close();
    });

    it(`reads well with three symbols on a ${name} (${size})`, async () => {
      const { page, log } = await openReport(launched(), multi, viewport);
      await drawn(page);
      expect(await page.locator('#symbol option').allTextContents()).toEqual(symbols);
      expect(await page.locator('.legend').textContent()).toContain('Equity, all symbols');
      const panel = page.locator('.panel', { has: page.locator('#chart') });
      for (const symbol of symbols) {
        await page.selectOption('#symbol', symbol);
        await expect.poll(() => page.locator('#chart').getAttribute('data-symbol')).toBe(symbol);
        const state = await drawn(page);
        expectReadable(state, multi, symbol);
        // The trade list dims the other symbols' trades.
        const others = multi.trades.filter((trade) => trade.symbol !== symbol).length;
        expect(await page.locator('#trades tbody tr.dim').count()).toBe(others);
        await panel.screenshot({ path: artifactPath(`report-multi-${symbol}-${size}.png`) });
      }
      expectQuiet(log, page.url());
      await page.close();
    });
  }
});
