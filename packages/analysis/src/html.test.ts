import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleReportInput } from '../test/sample-report-input.js';
import { renderHtmlReport } from './html.js';
import { escapeHtml } from '@lumenlink/core';
import { chartLibraryPath, escapeJsonForHtml } from './page.js';
import { computeMetrics } from './metrics.js';
import type { ReportInput } from './types.js';
import type { DataProvenance, RunProvenance } from '@lumenlink/core';

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
      markers: Record<
        string,
        { time: number; entry: boolean; pnl: number; label: string; detail: string }[]
      >;
      equity: number[][];
      drawdown: number[][];
      drawdownDecimals: number;
    };
    expect(data.symbols).toEqual(['BTC-USD', 'ETH-USD']);
    expect(data.candles['BTC-USD']).toHaveLength(300);
    // Times in seconds: 2024-01-01T00:00Z.
    expect(data.candles['BTC-USD']?.[0]?.[0]).toBe(1_704_067_200);
    // Two closed BTC trades (entry and exit) and one open (entry only), each naming its
    // trade by its number in the list (BTC-USD's are the 1st, 3rd and 5th).
    const btc = data.markers['BTC-USD'] ?? [];
    expect(btc.map((marker) => marker.entry)).toEqual([true, false, true, false, true]);
    expect(btc.map((marker) => marker.detail.split(' ')[0])).toEqual([
      '#1',
      '#1',
      '#3',
      '#3',
      '#5',
    ]);
    const trade = input.trades[0];
    expect(btc[0]?.time).toBe((trade?.entryTime ?? 0) / 1000);
    expect(btc[1]).toMatchObject({ entry: false, pnl: trade?.pnl, label: '-9.76%' });
    expect(btc[1]?.detail).toMatch(/^#1 signal @ [\d,.]+: -9\.76% \(-[\d,.]+\), 2024-01-03 13:00$/);
    expect(btc[0]?.detail).toMatch(/^#1 buy [\d.]+ @ [\d,.]+, 2024-01-01 21:00$/);
    expect(data.markers['ETH-USD']?.map((marker) => marker.detail.split(' ')[0])).toEqual([
      '#2',
      '#2',
      '#4',
      '#4',
    ]);
    expect(data.equity).toHaveLength(300);
    const deepest = computeMetrics(input).maxDrawdown * 100;
    expect(Math.min(...data.drawdown.map((row) => row[1] ?? 0))).toBeCloseTo(-deepest, 10);
    // Enough decimals for two significant digits of the deepest drawdown, at least 2.
    expect(data.drawdownDecimals).toBe(Math.max(2, 1 - Math.floor(Math.log10(deepest))));
  });

  it('gives the drawdown label more decimals when the drawdown is small', () => {
    const flat: ReportInput = {
      ...input,
      equity: input.equity.map((point, index) => ({
        ...point,
        equity: input.startingCash * (index === 10 ? 0.9996 : 1),
      })),
    };
    const json = scripts(render(flat)).find((script) => script.attributes.includes('report-data'));
    const data = JSON.parse(json?.body ?? 'null') as { drawdownDecimals: number };
    // A deepest drawdown of 0.04 %: 0.040 needs 3 decimals.
    expect(data.drawdownDecimals).toBe(3);
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

describe('renderHtmlReport provenance', () => {
  const fileHash = '3f0a9c1b2d4e'.padEnd(64, '7');
  const dataHash = '9366d807d4a2'.padEnd(64, '0');
  const data: DataProvenance = {
    description: 'the bundled Binance 1h data (BTC-USD, 2024)',
    symbols: ['BTC-USD', 'ETH-USD'],
    interval: '1h',
    first: Date.UTC(2024, 0, 1),
    last: Date.UTC(2024, 0, 13, 11),
    candles: 600,
    sha256: dataHash,
  };
  const provenance: RunProvenance = {
    strategy: {
      spec: 'strategies/my-idea.ts',
      kind: 'file',
      key: 'my_idea',
      path: '/home/trader/bot/strategies/my-idea.ts',
      exportName: 'myIdea',
      sha256: fileHash,
    },
    params: { slowPeriod: 21, fastPeriod: 9 },
    settings: { risk: { maxOpenPositions: 3 }, stopLossPct: 0.02, sizing: 'fixed' },
    data,
  };
  const page = render({ ...sampleReportInput(), provenance });
  const section =
    /<section class="panel" id="provenance">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';

  /** The rows of one of the section's tables as `[label, cell html]`. */
  function rows(id: string): [string, string][] {
    const table = new RegExp(`<table id="${id}"><tbody>([\\s\\S]*?)</tbody></table>`).exec(section);
    return [
      ...(table?.[1] ?? '').matchAll(/<tr><th scope="row">(.*?)<\/th><td>(.*?)<\/td><\/tr>/g),
    ].map((match) => [match[1] ?? '', match[2] ?? '']);
  }

  it('shows what produced the run: strategy, parameters, every setting and the data', () => {
    expect(section).toContain('<h2>What produced this run</h2>');
    expect(rows('provenance-strategy')).toEqual([
      ['Key', 'my_idea'],
      ['Source', 'file /home/trader/bot/strategies/my-idea.ts'],
      ['Given as', 'strategies/my-idea.ts'],
      ['Export', 'myIdea'],
      ['SHA-256', `<code title="${fileHash}">3f0a9c1b2d4e…</code>`],
    ]);
    expect(rows('provenance-params')).toEqual([
      ['fastPeriod', '9'],
      ['slowPeriod', '21'],
    ]);
    expect(rows('provenance-settings')).toEqual([
      ['risk.maxOpenPositions', '3'],
      ['sizing', 'fixed'],
      ['stopLossPct', '0.02'],
    ]);
    expect(rows('provenance-data')).toEqual([
      ['Source', 'the bundled Binance 1h data (BTC-USD, 2024)'],
      ['Symbols', 'BTC-USD, ETH-USD'],
      ['Interval', '1h'],
      ['First candle', '2024-01-01T00:00:00.000Z'],
      ['Last candle', '2024-01-13T11:00:00.000Z'],
      ['Candles', '600'],
      ['SHA-256', `<code title="${dataHash}">9366d807d4a2…</code>`],
    ]);
  });

  it('names a package strategy by name and version, a built-in one by its key', () => {
    const packaged = render({
      ...sampleReportInput(),
      provenance: {
        ...provenance,
        strategy: {
          spec: 'lumenlink-strategy-momo',
          kind: 'package',
          key: 'momo',
          path: '/app/node_modules/lumenlink-strategy-momo/index.js',
          exportName: 'default',
          packageName: 'lumenlink-strategy-momo',
          packageVersion: '1.2.0',
        },
      },
    });
    expect(packaged).toContain(
      '<tr><th scope="row">Source</th><td>package lumenlink-strategy-momo@1.2.0</td></tr>',
    );
    expect(packaged).toContain(
      '<tr><th scope="row">File</th><td>/app/node_modules/lumenlink-strategy-momo/index.js</td></tr>',
    );
    const builtin = render({
      ...sampleReportInput(),
      provenance: {
        strategy: { spec: 'ema_crossover', kind: 'builtin', key: 'ema_crossover' },
        params: {},
        settings: {},
      },
    });
    expect(builtin).toContain(
      '<tr><th scope="row">Source</th><td>built-in strategy of @lumenlink/strategies</td></tr>',
    );
    expect(builtin).not.toContain('Given as');
    expect(builtin).toContain('<p class="muted" id="provenance-params">No parameters.</p>');
    expect(builtin).toContain(
      '<p class="muted" id="provenance-data">The data was not recorded.</p>',
    );
  });

  it('escapes every text of the provenance', () => {
    const hostile = render({
      ...sampleReportInput(),
      provenance: {
        ...provenance,
        strategy: { ...provenance.strategy, path: '/tmp/</script><img src=x>.ts', sha256: '"><b>' },
        params: { '<i>': '</td><script>' },
        settings: { note: '<!--' },
        data: { ...data, description: '<u>csv</u>' },
      },
    });
    expect(hostile.match(/<\/script>/g)).toHaveLength(3);
    expect(hostile).not.toMatch(/<img|<b>|<i>|<u>|<!--/);
    expect(hostile).toContain('file /tmp/&lt;/script&gt;&lt;img src=x&gt;.ts');
    expect(hostile).toContain('<code title="&quot;&gt;&lt;b&gt;">&quot;&gt;&lt;b&gt;</code>');
    expect(hostile).toContain('<th scope="row">&lt;i&gt;</th><td>&lt;/td&gt;&lt;script&gt;</td>');
  });

  it('is left out when the input has no provenance', () => {
    expect(render(sampleReportInput())).not.toContain('id="provenance"');
    expect(page).toContain('id="provenance"');
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
