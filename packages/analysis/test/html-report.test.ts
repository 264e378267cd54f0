import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPercent } from '../src/format.js';
import { computeMetrics } from '../src/metrics.js';
import type { ReportInput } from '../src/types.js';
import {
  artifactPath,
  expectQuiet,
  launchChromium,
  openReport,
  patience,
} from './report-browser.js';
import { sampleReportInput } from './sample-report-input.js';

/** The little of the DOM the pixel count uses (this package type-checks without the DOM lib). */
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): {
    getImageData(
      x: number,
      y: number,
      width: number,
      height: number,
    ): {
      readonly data: ArrayLike<number>;
    };
  } | null;
}

/** Pixels of the chart's canvases painted in a colour, to know that candles were drawn. */
async function paintedPixels(page: Page, rgb: readonly [number, number, number]): Promise<number> {
  return page.evaluate((color) => {
    const { document } = globalThis as unknown as {
      document: { querySelectorAll(selector: string): Iterable<CanvasLike> };
    };
    let count = 0;
    for (const canvas of document.querySelectorAll('#chart canvas')) {
      const context = canvas.getContext('2d');
      if (context === null || canvas.width === 0 || canvas.height === 0) continue;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let index = 0; index < pixels.length; index += 4) {
        const near = (offset: number): boolean =>
          Math.abs((pixels[index + offset] ?? 0) - (color[offset] ?? 0)) <= 8;
        if (near(0) && near(1) && near(2)) count++;
      }
    }
    return count;
  }, rgb);
}

describe('HTML report in Chromium', { timeout: 60_000 }, () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  function launched(): Browser {
    if (browser === undefined) throw new Error('Chromium did not start: see the error above.');
    return browser;
  }

  it('draws the chart, the metrics and every trade offline, without errors', async () => {
    const input = sampleReportInput();
    const metrics = computeMetrics(input);
    expect(input.trades).toHaveLength(5);
    const { page, log } = await openReport(launched(), input);

    await page.waitForSelector('#chart canvas');
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    // Candles in the up colour #26a69a show that the page's script drew the data.
    const chart = page.locator('#chart');
    await expect.poll(() => chart.getAttribute('data-markers'), patience).not.toBeNull();
    await expect.poll(() => paintedPixels(page, [0x26, 0xa6, 0x9a]), patience).toBeGreaterThan(100);

    expect(await page.locator('#trades tbody tr').count()).toBe(input.trades.length);
    const totalReturn = page
      .locator('#metrics tr', { hasText: 'Total return' })
      .locator('td.value');
    expect(await totalReturn.textContent()).toBe(
      formatPercent(metrics.totalReturn, { sign: true }),
    );
    expect(await page.locator('#metrics').textContent()).toContain(
      formatPercent(metrics.totalReturn, { sign: true }),
    );
    expect(await page.locator('#blocked').textContent()).toContain('max_open_positions');
    expect(await page.locator('#settings').textContent()).toContain(
      '{"confirm":true,"fast":9,"slow":21}',
    );

    // BTC-USD: 2 closed trades (entry and exit) and 1 open (entry only) = 5 markers.
    expect(await chart.getAttribute('data-symbol')).toBe('BTC-USD');
    expect(await chart.getAttribute('data-markers')).toBe('5');
    await page.screenshot({ path: artifactPath('report.png'), fullPage: true });

    // ETH-USD: 2 closed trades = 4 markers; BTC-USD's 3 trades are dimmed in the list.
    await page.selectOption('#symbol', 'ETH-USD');
    expect(await chart.getAttribute('data-symbol')).toBe('ETH-USD');
    expect(await chart.getAttribute('data-markers')).toBe('4');
    expect(await page.locator('#trades tbody tr.dim').count()).toBe(3);

    expectQuiet(log, page.url());
    await page.close();
  });

  it('renders a one-symbol run without trades: no selector, an empty trade list', async () => {
    const full = sampleReportInput({ symbols: ['SOL-USD'], candleCount: 120 });
    const input: ReportInput = { ...full, trades: [], blocked: {} };
    const { page, log } = await openReport(launched(), input);

    await page.waitForSelector('#chart canvas');
    await expect
      .poll(() => page.locator('#chart').getAttribute('data-markers'), patience)
      .toBe('0');
    expect(await page.locator('#symbol').count()).toBe(0);
    expect(await page.locator('#trades tbody tr').count()).toBe(0);
    expect(await page.locator('body').textContent()).toContain('No trades.');
    expect(await page.locator('#blocked').textContent()).toBe('No signal was blocked.');
    expectQuiet(log, page.url());
    await page.close();
  });

  it('shows what produced the run, the full hashes on hover', async () => {
    const fileHash = createHash('sha256')
      .update('export default defineStrategy({});')
      .digest('hex');
    const input: ReportInput = {
      ...sampleReportInput(),
      provenance: {
        strategy: {
          spec: 'strategies/my-idea.ts',
          kind: 'file',
          key: 'my_idea',
          path: '/home/trader/bot/strategies/my-idea.ts',
          exportName: 'default',
          sha256: fileHash,
        },
        params: { fastPeriod: 9, slowPeriod: 21 },
        settings: { feeBps: 10, risk: { maxOpenPositions: 3 } },
        data: {
          description: 'the bundled Binance 1h data (BTC-USD, 2024)',
          symbols: ['BTC-USD', 'ETH-USD'],
          interval: '1h',
          first: Date.UTC(2024, 0, 1),
          last: Date.UTC(2024, 0, 13, 11),
          candles: 600,
          sha256: 'e'.repeat(64),
        },
      },
    };
    const { page, log } = await openReport(launched(), input);
    const section = page.locator('#provenance');
    await section.scrollIntoViewIfNeeded();
    expect(await section.isVisible()).toBe(true);
    expect(await section.locator('h2').textContent()).toBe('What produced this run');
    const hash = section.locator('#provenance-strategy code');
    expect(await hash.textContent()).toBe(`${fileHash.slice(0, 12)}…`);
    expect(await hash.getAttribute('title')).toBe(fileHash);
    expect(await section.locator('#provenance-settings').textContent()).toContain(
      'risk.maxOpenPositions3',
    );
    expect(await section.locator('#provenance-data').textContent()).toContain(
      '2024-01-13T11:00:00.000Z',
    );
    await section.screenshot({ path: artifactPath('report-provenance.png') });
    expectQuiet(log, page.url());
    await page.close();
  });
});
