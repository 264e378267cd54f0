import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { renderHtmlReport } from '../src/html.js';
import { computeMetrics } from '../src/metrics.js';
import type { ReportInput } from '../src/types.js';

/** Debian's Chromium, or the browser CHROMIUM_PATH names. */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the browser tests save their screenshots for a person to look at (gitignored). */
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** Rendering waits are generous: the test shares its cores with other suites. */
export const patience = { timeout: 30_000, interval: 100 };

/** The path of a screenshot in {@link artifacts}, the folder made if need be. */
export function artifactPath(name: string): string {
  mkdirSync(artifacts, { recursive: true });
  return join(artifacts, name);
}

/**
 * Launches the Chromium the report tests use, headless. A missing browser is a failure (never
 * a skip) that says how to get one.
 *
 * @throws {Error} when there is no Chromium at CHROMIUM_PATH or /usr/bin/chromium.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  } catch (error) {
    throw new Error(
      `Chromium could not start from ${executablePath}. The HTML report tests open the page in a ` +
        'real Chromium: install it with `sudo apt-get install chromium` (Debian/Ubuntu; as root ' +
        'without sudo), or point CHROMIUM_PATH at a Chromium or Chrome binary.',
      { cause: error },
    );
  }
}

/** What a page did besides rendering: console errors, uncaught errors, every request. */
export interface PageLog {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly requests: string[];
  readonly aborted: string[];
}

/** A browser window's size in CSS pixels. */
export interface Viewport {
  readonly width: number;
  readonly height: number;
}

/** Writes the report to a temp file and opens it, refusing every request but the file itself. */
export async function openReport(
  browser: Browser,
  input: ReportInput,
  viewport: Viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; log: PageLog }> {
  const file = join(mkdtempSync(join(tmpdir(), 'lumenlink-report-')), 'report.html');
  writeFileSync(file, renderHtmlReport(input, computeMetrics(input)));
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport });
  const log: PageLog = { consoleErrors: [], pageErrors: [], requests: [], aborted: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') log.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => log.pageErrors.push(error.message));
  page.on('request', (request) => log.requests.push(request.url()));
  await page.route('**/*', async (route) => {
    if (route.request().url() === url) return route.continue();
    log.aborted.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, log };
}

/** The page loaded nothing but itself and logged no error. */
export function expectQuiet(log: PageLog, url: string): void {
  expect(log.consoleErrors).toEqual([]);
  expect(log.pageErrors).toEqual([]);
  expect(log.aborted).toEqual([]);
  expect(log.requests).toEqual([url]);
}
