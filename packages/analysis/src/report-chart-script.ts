/**
 * The backtest report page's own script: reads the embedded data and draws it with the inlined
 * lightweight-charts (v5: `addSeries` with a pane index, `createSeriesMarkers`). Plain ES2017 for
 * any current browser; no template literals, so it can live in this TypeScript string.
 *
 * What it does beyond drawing the series:
 * - opens on the whole period: `fitContent` with both edges of the time scale fixed, which lets
 *   the bars get narrower than lightweight-charts' usual 0.5 px (a year of hourly candles), and
 *   keeps scrolling and zooming out inside the data;
 * - formats every price scale's tick labels with the fewest decimals that tell adjacent ticks
 *   apart (a drawdown between 0 and −1.1 % reads 0.0%, −0.5%, −1.0%, not −1.0% on every tick);
 * - clusters the entry and exit markers of the shown symbol: markers of one side closer than
 *   24 pixels become one marker with their count, recomputed when the zoom changes;
 *   a lone marker shows its label only when its neighbours leave room; hovering a marker lists
 *   its trades in a box over the chart;
 * - exposes `window.lumenlinkReport` (the chart, its series, the drawn markers and the last
 *   drawdown tick labels) so that a test, or a curious reader in the console, can check it.
 */
export const reportChartScript = String.raw`
(function () {
  'use strict';
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var colors = data.colors;
  var container = document.getElementById('chart');
  var detail = document.getElementById('marker-detail');
  /* Markers of one side nearer than this become one marker with a count. */
  var clusterPixels = 24;
  /* A lone marker shows its label when its neighbours on that side are this far away. */
  var labelPixels = 72;
  /* How many trades the hover box lists before it says how many more there are. */
  var detailLines = 8;
  var minus = '\u2212';

  function fixed(value, decimals) {
    var parts = Math.abs(value).toFixed(decimals).split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    var text = parts.join('.');
    return (value < 0 && /[1-9]/.test(text) ? minus : '') + text;
  }
  /* Tick labels with the fewest decimals (0 to 8) that tell every tick apart. */
  function tickLabels(prices, suffix) {
    var labels = [];
    for (var decimals = 0; decimals <= 8; decimals++) {
      labels = prices.map(function (price) { return fixed(price, decimals) + suffix; });
      if (new Set(labels).size === labels.length) break;
    }
    return labels;
  }
  function priceFormat(decimals, suffix, onTicks) {
    return {
      type: 'custom',
      minMove: Math.pow(10, -decimals),
      formatter: function (price) { return fixed(price, decimals) + suffix; },
      tickmarksFormatter: function (prices) {
        var labels = tickLabels(prices, suffix);
        if (onTicks) onTicks(labels);
        return labels;
      }
    };
  }

  var chart = LC.createChart(container, {
    autoSize: true,
    layout: {
      background: { type: LC.ColorType.Solid, color: colors.panel },
      textColor: colors.muted,
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      panes: { separatorColor: colors.border, separatorHoverColor: colors.grid, enableResize: true }
    },
    grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
    rightPriceScale: { borderColor: colors.border },
    timeScale: {
      borderColor: colors.border, timeVisible: true, secondsVisible: false,
      fixLeftEdge: true, fixRightEdge: true
    },
    crosshair: { mode: LC.CrosshairMode.Normal }
  });

  var candles = chart.addSeries(LC.CandlestickSeries, {
    upColor: colors.up, downColor: colors.down, borderVisible: false,
    wickUpColor: colors.up, wickDownColor: colors.down
  }, 0);
  var volume = chart.addSeries(LC.HistogramSeries, {
    priceScaleId: 'volume', priceFormat: { type: 'volume' },
    lastValueVisible: false, priceLineVisible: false
  }, 0);
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
  var markers = LC.createSeriesMarkers(candles, []);
  /* The shown symbol's name in the candle pane, so that a screenshot of the chart says it. */
  var watermark = LC.createTextWatermark(chart.panes()[0], {
    horzAlign: 'left', vertAlign: 'top',
    lines: [{ text: '', color: colors.muted, fontSize: 14, fontStyle: '600' }]
  });

  var equity = chart.addSeries(LC.LineSeries, {
    color: colors.accent, lineWidth: 2, title: 'Equity', priceFormat: priceFormat(2, '')
  }, 1);
  var hold = chart.addSeries(LC.LineSeries, {
    color: colors.muted, lineWidth: 1, lineStyle: LC.LineStyle.Dashed, title: 'Buy and hold',
    priceLineVisible: false, priceFormat: priceFormat(2, '')
  }, 1);
  var drawdownTicks = [];
  var drawdown = chart.addSeries(LC.BaselineSeries, {
    baseValue: { type: 'price', price: 0 }, lineWidth: 1, title: 'Drawdown',
    topLineColor: colors.down, topFillColor1: 'rgba(0, 0, 0, 0)', topFillColor2: 'rgba(0, 0, 0, 0)',
    bottomLineColor: colors.down, bottomFillColor1: 'rgba(239, 83, 80, 0.15)',
    bottomFillColor2: 'rgba(239, 83, 80, 0.45)',
    priceFormat: priceFormat(data.drawdownDecimals, '%', function (labels) { drawdownTicks = labels; })
  }, 2);
  drawdown.priceScale().applyOptions({ scaleMargins: { top: 0.1, bottom: 0.08 } });

  function points(rows) {
    return rows.map(function (row) { return { time: row[0], value: row[1] }; });
  }
  equity.setData(points(data.equity));
  hold.setData(points(data.buyAndHold));
  drawdown.setData(points(data.drawdown));

  var panes = chart.panes();
  var stretch = [2.6, 1.2, 1.1];
  for (var i = 0; i < panes.length && i < stretch.length; i++) panes[i].setStretchFactor(stretch[i]);

  /* The shown symbol's markers with their bar index, and the clusters drawn at the current zoom. */
  var view = { items: [], spacing: 0, clusters: [] };

  function barSpacing() {
    var scale = chart.timeScale();
    var first = scale.logicalToCoordinate(0);
    var second = scale.logicalToCoordinate(1);
    return first === null || second === null ? 0 : second - first;
  }

  /* Greedy from the left: a cluster takes every marker of its side within clusterPixels of its
     first one, so drawn markers of one side are at least clusterPixels apart. */
  function clustersOf(entry, bars) {
    var clusters = [];
    var open = null;
    view.items.forEach(function (item) {
      if (item.marker.entry !== entry) return;
      if (open !== null && item.index - open.index < bars) {
        open.members.push(item.marker);
        open.last = item.index;
        return;
      }
      open = { index: item.index, last: item.index, entry: entry, members: [item.marker] };
      clusters.push(open);
    });
    return clusters;
  }

  function markerOf(cluster, before, after) {
    var members = cluster.members;
    var pnl = members.reduce(function (sum, member) { return sum + member.pnl; }, 0);
    var room = (before === undefined || (cluster.index - before.index) * view.spacing >= labelPixels) &&
      (after === undefined || (after.index - cluster.index) * view.spacing >= labelPixels);
    var count = members.length;
    var text = count === 1 ? (room ? members[0].label : '') :
      room ? count + (cluster.entry ? ' entries' : ' exits') : String(count);
    return {
      time: members[0].time,
      position: cluster.entry ? 'belowBar' : 'aboveBar',
      shape: cluster.entry ? 'arrowUp' : 'arrowDown',
      color: cluster.entry || pnl >= 0 ? colors.up : colors.down,
      text: text
    };
  }

  function drawMarkers(force) {
    var spacing = barSpacing();
    if (!(spacing > 0) || (!force && spacing === view.spacing)) return;
    view.spacing = spacing;
    var bars = clusterPixels / spacing;
    var list = [];
    view.clusters = [];
    [true, false].forEach(function (entry) {
      var clusters = clustersOf(entry, bars);
      clusters.forEach(function (cluster, index) {
        list.push(markerOf(cluster, clusters[index - 1], clusters[index + 1]));
      });
      view.clusters = view.clusters.concat(clusters);
    });
    list.sort(function (a, b) { return a.time - b.time; });
    markers.setMarkers(list);
    container.dataset.markers = String(list.length);
  }
  chart.timeScale().subscribeVisibleLogicalRangeChange(function () { drawMarkers(false); });
  chart.timeScale().subscribeSizeChange(function () { drawMarkers(false); });

  /* The cluster of a side whose span is within half a cluster of the pointer, nearest first. */
  function hovered(entry, logical) {
    var best = null;
    var bestDistance = Infinity;
    view.clusters.forEach(function (cluster) {
      if (cluster.entry !== entry) return;
      var distance = logical < cluster.index ? cluster.index - logical :
        logical > cluster.last ? logical - cluster.last : 0;
      if (distance * view.spacing <= clusterPixels / 2 && distance < bestDistance) {
        best = cluster;
        bestDistance = distance;
      }
    });
    return best === null ? [] : best.members;
  }

  /* The box lists the hovered trades on the side of the chart away from the pointer. */
  function showDetail(members, pointerX) {
    var plot = chart.timeScale().width();
    var right = pointerX !== undefined && pointerX < plot / 2;
    detail.style.left = right ? 'auto' : '8px';
    detail.style.right = right ? container.clientWidth - plot + 8 + 'px' : 'auto';
    detail.textContent = '';
    members.slice(0, detailLines).forEach(function (member) {
      var line = document.createElement('div');
      line.className = member.entry ? 'entry' : member.pnl >= 0 ? 'up' : 'down';
      line.textContent = member.detail;
      detail.appendChild(line);
    });
    if (members.length > detailLines) {
      var more = document.createElement('div');
      more.className = 'more';
      more.textContent = 'and ' + (members.length - detailLines) + ' more: zoom in to see them apart';
      detail.appendChild(more);
    }
    detail.hidden = members.length === 0;
  }

  chart.subscribeCrosshairMove(function (param) {
    var members = [];
    if (param.point !== undefined && param.logical !== undefined && param.paneIndex === 0) {
      members = hovered(true, param.logical).concat(hovered(false, param.logical));
      members.sort(function (a, b) { return a.time - b.time || (a.entry ? -1 : 1); });
    }
    showDetail(members, param.point === undefined ? undefined : param.point.x);
  });

  var tradeRows = document.querySelectorAll('#trades tbody tr');
  function show(symbol) {
    var rows = data.candles[symbol] || [];
    var precision = data.precision[symbol] || 2;
    candles.applyOptions({ priceFormat: priceFormat(precision, '') });
    watermark.applyOptions({ lines: [{ text: symbol, color: colors.muted, fontSize: 14, fontStyle: '600' }] });
    candles.setData(rows.map(function (row) {
      return { time: row[0], open: row[1], high: row[2], low: row[3], close: row[4] };
    }));
    volume.setData(rows.map(function (row) {
      return { time: row[0], value: row[5], color: row[4] >= row[1] ? colors.upVolume : colors.downVolume };
    }));
    var scale = chart.timeScale();
    view.items = (data.markers[symbol] || []).map(function (marker) {
      return { marker: marker, index: scale.timeToIndex(marker.time, true) };
    }).filter(function (item) { return item.index !== null; });
    view.items.sort(function (a, b) { return a.index - b.index; });
    container.dataset.symbol = symbol;
    container.dataset.trades = String(view.items.length);
    if (data.symbols.length > 1) {
      tradeRows.forEach(function (row) { row.classList.toggle('dim', row.dataset.symbol !== symbol); });
    }
    showDetail([]);
    scale.fitContent();
    drawMarkers(true);
  }

  window.lumenlinkReport = {
    chart: chart,
    series: { candles: candles, volume: volume, equity: equity, buyAndHold: hold, drawdown: drawdown },
    markers: function () { return markers.markers().slice(); },
    drawdownTicks: function () { return drawdownTicks.slice(); }
  };

  var picker = document.getElementById('symbol');
  if (picker) picker.addEventListener('change', function () { show(picker.value); });
  if (data.symbols.length > 0) show(data.symbols[0]);
  else chart.timeScale().fitContent();
})();
`;
