import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleReportInput } from '../test/sample-report-input.js';
import { renderHtmlReport } from './html.js';
import { escapeHtml } from '@lumenlink/core';
import { chartLibraryPath, escapeJsonForHtml } from './page.js';
import { computeMetrics } from './metrics.js';
import type { ReportInput } from './types.js';

function render(input: ReportInput): string {
  return renderHtmlReport(input, computeMetrics(input));
}

/** The contents of every `<script ...>...</script>` element, as the HTML parser would split them. */
function scripts(html: string): { attributes: string; body: string }[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)].map((match) => ({
    attributes: match[1] ?? '',
    body: match[2] ?? '',
  }));
}

describe('renderHtmlReport', () => {
  const input = sampleReportInput();
  const html = render(input);

  it('inlines the lightweight-charts standalone build and loads no external resource', () => {
    const library = readFileSync(chartLibraryPath(), 'utf8');
    expect(chartLibraryPath()).toMatch(/lightweight-charts\.standalone\.production\.js$/);
    expect(library).toContain('window.LightweightCharts');
    expect(html).toContain(library.slice(0, 2_000));
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).toContain('#chart');
    expect(style).not.toMatch(/@import|url\(/i);
  });

  it('allows only its own scripts by hash in a Content-Security-Policy', () => {
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(policy).toBeDefined();
    expect(policy).toContain("default-src 'none'");
    const executable = scripts(html).filter((script) => script.attributes === '');
    expect(executable).toHaveLength(2);
    for (const script of executable) {
      const hash = createHash('sha256').update(script.body, 'utf8').digest('base64');
      expect(policy).toContain(`'sha256-${hash}'`);
    }
  });

  it('embeds the chart data as JSON: candles, markers, equity and drawdown', () => {
    const json = scripts(html).find((script) => script.attributes.includes('report-data'));
    const data = JSON.parse(json?.body ?? 'null') as {
      symbols: string[];
      candles: Record<string, number[][]>;
      markers: Record<string, { time: number; shape: string; text: string }[]>;
      equity: number[][];
      drawdown: number[][];
    };
    expect(data.symbols).toEqual(['BTC-USD', 'ETH-USD']);
    expect(data.candles['BTC-USD']).toHaveLength(300);
    // Times in seconds: 2024-01-01T00:00Z.
    expect(data.candles['BTC-USD']?.[0]?.[0]).toBe(1_704_067_200);
    // Two closed BTC trades (entry and exit) and one open (entry only).
    expect(data.markers['BTC-USD']?.map((marker) => marker.shape)).toEqual([
      'arrowUp',
      'arrowDown',
      'arrowUp',
      'arrowDown',
      'arrowUp',
    ]);
    expect(data.markers['BTC-USD']?.[1]?.text).toBe('signal -9.76%');
    expect(data.equity).toHaveLength(300);
    expect(Math.min(...data.drawdown.map((row) => row[1] ?? 0))).toBeCloseTo(
      -computeMetrics(input).maxDrawdown * 100,
      10,
    );
  });

  it('lists every trade, the metrics, the blocked signals and the settings', () => {
    expect(html.match(/<tr data-symbol=/g)).toHaveLength(5);
    expect(html).toMatch(/<th scope="row">Total return<\/th><td class="value down">-1\.46%<\/td>/);
    expect(html).toMatch(/<th scope="row">max_open_positions<\/th><td class="value">4<\/td>/);
    expect(html).toContain(
      '<td class="value">next candle&#39;s open <span class="note">next-open</span></td>',
    );
    expect(html).toContain('<select id="symbol"><option value="BTC-USD">BTC-USD</option>');
  });

  it('escapes text so a title or parameter cannot end a script or inject markup', () => {
    const hostile: ReportInput = {
      ...input,
      title: '</script><script>alert(1)</script>',
      params: { note: '</script><!-- <b>' },
    };
    const page = render(hostile);
    // Only the page's three script elements close.
    expect(page.match(/<\/script>/g)).toHaveLength(3);
    expect(page).toContain('<h1>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(page).not.toContain('<!-- <b>');
    const json = scripts(page).find((script) => script.attributes.includes('report-data'));
    expect(() => JSON.parse(json?.body ?? '') as unknown).not.toThrow();
  });

  it('is the same text for the same run', () => {
    expect(render(sampleReportInput())).toBe(html);
  });
});

describe('escapeHtml and escapeJsonForHtml', () => {
  it('escape markup characters, keeping the JSON equivalent', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    );
    const value = { text: '</script><!-- & \u2028' };
    const escaped = escapeJsonForHtml(JSON.stringify(value));
    expect(escaped).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(escaped)).toEqual(value);
  });
});
