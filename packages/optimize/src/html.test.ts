import { describe, expect, it } from 'vitest';
import { sampleOptimizeReport, syntheticReturn } from '../test/optimize-sample-report.js';
import { buildHeatmap, renderOptimizeHtml } from './html.js';

describe('buildHeatmap', () => {
  it('puts the best run of each pair of values in its cell', async () => {
    const report = await sampleOptimizeReport({ ranges: ['confidence=0.5,1'] });
    const heatmap = buildHeatmap(report)!;
    expect(heatmap.x).toBe('fastPeriod');
    expect(heatmap.y).toBe('slowPeriod');
    expect(heatmap.xValues).toEqual([5, 10, 15, 20]);
    expect(heatmap.yValues).toEqual([20, 30, 40, 50]);
    const cell = heatmap.cells[2]![1]!;
    expect(cell).toMatchObject({ x: 10, y: 40 });
    // Two runs share the cell (confidence 0.5 and 1): the better ranked one is shown.
    const pair = report.rows.filter(
      (row) => row.point.fastPeriod === 10 && row.point.slowPeriod === 40,
    );
    expect(pair).toHaveLength(2);
    expect(cell.row).toBe(pair.sort((a, b) => a.rank! - b.rank!)[0]);
    // 20/20 is refused by the strategy: an empty cell.
    expect(heatmap.cells[0]![3]!.row).toBeNull();
  });

  it('follows --heatmap, and makes one row for a single searched parameter', async () => {
    const swapped = buildHeatmap(
      await sampleOptimizeReport({ request: { heatmap: ['slowPeriod', 'fastPeriod'] } }),
    )!;
    expect(swapped.x).toBe('slowPeriod');
    expect(swapped.xValues).toEqual([20, 30, 40, 50]);
    const report = await sampleOptimizeReport();
    const single = buildHeatmap({ ...report, heatmap: { x: 'fastPeriod', y: null } })!;
    expect(single.yValues).toEqual([null]);
    expect(single.cells[0]!.map((cell) => cell.row?.point.fastPeriod)).toEqual([5, 10, 15, 20]);
  });
});

describe('renderOptimizeHtml', () => {
  it('renders a sweep without any script, a heatmap cell per pair', async () => {
    const report = await sampleOptimizeReport();
    const html = renderOptimizeHtml(report);
    expect(html).toContain("script-src 'none'");
    expect(html).not.toContain('<script');
    expect(html.match(/<td class="cell/g)).toHaveLength(16);
    expect(html).toContain('<td class="cell empty" title="no result">—</td>');
    expect(html).toContain('title="fastPeriod=10 slowPeriod=40: Sharpe');
    expect(html).toContain(
      'pnpm backtest -- --strategy=ema_crossover --symbol=BTC-USDT --param=fastPeriod=10 --param=slowPeriod=40',
    );
    expect(html).toContain('<table id="monte-carlo">');
    expect(html).toContain('<ul id="rejected">');
    // Only the parameters outside the search are fixed.
    expect(html).toContain('{&quot;confidence&quot;:1}');
    // What produced it: the strategy's source, the candles read, the fill model and risk.
    expect(html).toContain('<th scope="row">Strategy</th><td>built-in ema_crossover</td>');
    expect(html).toMatch(
      /<th scope="row">Candles<\/th><td>the bundled [^<]*: [\d,]+ candles of BTC-USDT 1h, 2024-01-01 00:00 → 2024-09-06 03:00 UTC \(sha256 [0-9a-f]{64}\)<\/td>/,
    );
    expect(html).toContain(
      '<th scope="row">Fill model and risk</th><td>{&quot;startingCash&quot;:10000',
    );
  });

  it('inlines the chart library, the stitched equity and a marker per window in walk-forward mode', async () => {
    const report = await sampleOptimizeReport({ walkForward: true });
    const html = renderOptimizeHtml(report);
    expect(html).toMatch(/script-src 'sha256-[^']+' 'sha256-[^']+'/);
    expect(html).toContain('<div id="wf-chart"');
    const data = JSON.parse(
      /<script type="application\/json" id="optimize-data">(.*?)<\/script>/s.exec(html)![1]!,
    ) as {
      equity: number[][];
      markers: { text: string }[];
    };
    expect(data.equity.length).toBe(report.walkForward!.stitched.length);
    expect(data.markers.map((marker) => marker.text)).toEqual(['W1', 'W2', 'W3', 'W4', 'W5', 'W6']);
    expect(data.equity.at(-1)![1]).toBeCloseTo(
      10_000 * (1 + syntheticReturn({ fastPeriod: 10, slowPeriod: 40 })) ** 6,
      6,
    );
    expect(html.match(/<tr>/g)!.length).toBeGreaterThan(6);
    expect(html).toContain('<table id="windows">');
  });
});
