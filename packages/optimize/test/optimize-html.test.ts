import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOptimizeHtml } from '../src/html.js';
import type { OptimizeReport } from '../src/run.js';
import { sampleOptimizeReport } from './optimize-sample-report.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Rendering waits are generous: the test shares its cores with other suites. */
const patience = { timeout: 30_000, interval: 100 };
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

interface PageLog {
  readonly errors: string[];
  readonly requests: string[];
}

/** Writes the page to a temp file and opens it, refusing every request but the file itself. */
async function openPage(
  browser: Browser,
  report: OptimizeReport,
): Promise<{ page: Page; log: PageLog }> {
  const file = join(mkdtempSync(join(tmpdir(), 'lumenlink-optimize-html-')), 'optimize.html');
  writeFileSync(file, renderOptimizeHtml(report));
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log: PageLog = { errors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') log.errors.push(message.text());
  });
  page.on('pageerror', (error) => log.errors.push(error.message));
  await page.route('**/*', async (route) => {
    log.requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, log };
}

/** The little of the DOM the pixel count uses (this package type-checks without the DOM lib). */
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { readonly data: ArrayLike<number> };
  } | null;
}

/** Pixels of the walk-forward chart painted in the equity line's colour #58a6ff. */
async function linePixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as {
      document: { querySelectorAll(selector: string): Iterable<CanvasLike> };
    };
    let count = 0;
    for (const canvas of document.querySelectorAll('#wf-chart canvas')) {
      const context = canvas.getContext('2d');
      if (context === null || canvas.width === 0 || canvas.height === 0) continue;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let index = 0; index < pixels.length; index += 4) {
        const r = pixels[index] ?? 0;
        const g = pixels[index + 1] ?? 0;
        const b = pixels[index + 2] ?? 0;
        if (Math.abs(r - 0x58) <= 8 && Math.abs(g - 0xa6) <= 8 && Math.abs(b - 0xff) <= 8) count++;
      }
    }
    return count;
  });
}

describe('optimize HTML report in Chromium', { timeout: 90_000 }, () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (existsSync(executablePath)) {
      browser = await chromium.launch({
        executablePath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  function launched(): Browser {
    if (browser === undefined) {
      throw new Error(
        `Chromium not found at ${executablePath}: install it with \`sudo apt-get install chromium\`, or point CHROMIUM_PATH at a Chromium or Chrome binary.`,
      );
    }
    return browser;
  }

  it('draws the walk-forward chart, the heatmap and the windows offline, without errors', async () => {
    const report = await sampleOptimizeReport({ walkForward: true });
    const { page, log } = await openPage(launched(), report);
    const chart = page.locator('#wf-chart');
    await expect
      .poll(() => chart.getAttribute('data-points'), patience)
      .toBe(String(report.walkForward!.stitched.length));
    expect(await chart.getAttribute('data-markers')).toBe('6');
    await expect.poll(() => linePixels(page), patience).toBeGreaterThan(100);
    expect(await page.locator('#heatmap td.cell').count()).toBe(16);
    expect(await page.locator('#heatmap td.empty').count()).toBe(1);
    expect(await page.locator('#windows tbody tr').count()).toBe(6);
    expect(await page.locator('#windows tbody tr').first().textContent()).toContain(
      'fastPeriod=10 slowPeriod=40',
    );
    expect(await page.locator('#card-oos .value').textContent()).toBe('+34.01%');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'optimize-report.png'), fullPage: true });
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([page.url()]);
    await page.close();
  });

  it('renders a sweep without any script: the heatmap is plain HTML', async () => {
    const report = await sampleOptimizeReport();
    const { page, log } = await openPage(launched(), report);
    expect(await page.locator('#wf-chart').count()).toBe(0);
    expect(await page.locator('#results tbody tr').count()).toBe(15);
    const best = page.locator('#heatmap td.cell[title^="fastPeriod=10 slowPeriod=40:"]');
    expect(await best.count()).toBe(1);
    // The best cell is the greenest: #26a69a.
    expect(
      await best.evaluate(
        (cell) => (cell as unknown as { style: { background: string } }).style.background,
      ),
    ).toContain('rgb(38, 166, 154)');
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([page.url()]);
    await page.close();
  });
});
