/**
 * The result chart as a PNG, without a browser: echarts renders SVG on the server, resvg turns it
 * into pixels (white background). Equity against buy-and-hold on top, drawdown below; for grids a
 * price panel with the grid lines.
 */
import { Resvg } from '@resvg/resvg-js';
import type * as Echarts from 'echarts';
import { formatDay } from './period.js';
import type { BacktestResult } from './types.js';

/**
 * echarts' single-file ESM bundle: it loads in ~0.1 s, where the per-module entry points
 * (echarts/core, echarts/charts, ...) pull in hundreds of files and take seconds.
 */
const BUNDLE = 'echarts/dist/echarts.esm.min';
let loaded: Promise<typeof Echarts> | null = null;
const loadEcharts = (): Promise<typeof Echarts> => (loaded ??= import(BUNDLE) as Promise<typeof Echarts>);

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const WIDTH = 1200;
const sign = (x: number): string => (x >= 0 ? `+${x}` : `${x}`);

/** The chart's SVG (deterministic for the same result). */
export async function chartSvg(r: BacktestResult): Promise<string> {
  const echarts = await loadEcharts();
  const c = r.curve;
  const m = r.metrics;
  const hasGrid = r.gridLines.length > 0;
  const height = hasGrid ? 900 : 700;
  const pts = (ys: number[]): [number, number][] => c.time.map((t, i) => [t, ys[i]!]);
  const quote = r.symbol.split('/')[1] ?? '';
  // Panels: equity, [price with grid lines], drawdown (pixel boxes).
  const panels = hasGrid
    ? [
        { top: 90, height: 330 },
        { top: 470, height: 230 },
        { top: 750, height: 100 },
      ]
    : [
        { top: 90, height: 400 },
        { top: 540, height: 110 },
      ];
  const ddIndex = panels.length - 1;
  const axisCommon = { axisLabel: { fontFamily: FONT, fontSize: 12, color: '#333' }, splitLine: { lineStyle: { color: '#e6e6e6' } } };
  const xAxis = panels.map((_, i) => ({ type: 'time', gridIndex: i, ...axisCommon, axisLabel: { ...axisCommon.axisLabel, show: i === ddIndex } }));
  const yAxis = panels.map((_, i) => ({
    type: 'value',
    gridIndex: i,
    scale: i !== ddIndex,
    name: i === 0 ? `equity (${quote})` : i === ddIndex ? 'drawdown %' : `price (${quote})`,
    nameTextStyle: { fontFamily: FONT, color: '#555', align: 'left' },
    ...(i === ddIndex ? { max: 0 } : {}),
    ...axisCommon,
  }));
  const series: Record<string, unknown>[] = [
    { name: 'strategy', type: 'line', xAxisIndex: 0, yAxisIndex: 0, data: pts(c.equity), showSymbol: false, lineStyle: { width: 2, color: '#1f6feb' }, itemStyle: { color: '#1f6feb' } },
    { name: 'buy and hold', type: 'line', xAxisIndex: 0, yAxisIndex: 0, data: pts(c.hold), showSymbol: false, lineStyle: { width: 1.5, color: '#9a9a9a', type: 'dashed' }, itemStyle: { color: '#9a9a9a' } },
    {
      name: 'drawdown', type: 'line', xAxisIndex: ddIndex, yAxisIndex: ddIndex, data: pts(c.drawdownPct), showSymbol: false,
      lineStyle: { width: 1, color: '#d73a49' }, itemStyle: { color: '#d73a49' }, areaStyle: { color: 'rgba(215,58,73,0.25)' },
    },
  ];
  if (hasGrid) {
    series.push({
      name: 'price', type: 'line', xAxisIndex: 1, yAxisIndex: 1, data: pts(c.price), showSymbol: false,
      lineStyle: { width: 1, color: '#444' }, itemStyle: { color: '#444' },
      markLine: { symbol: 'none', silent: true, label: { show: false }, lineStyle: { color: '#2da44e', type: 'dashed', width: 1, opacity: 0.7 }, data: r.gridLines.map((y) => ({ yAxis: y })) },
    });
    // Room for every grid line and the price, on round numbers.
    const lo = Math.min(...r.gridLines, ...c.price);
    const hi = Math.max(...r.gridLines, ...c.price);
    const step = 10 ** Math.floor(Math.log10(Math.max(hi - lo, 1e-9))) / 2;
    Object.assign(yAxis[1]!, { min: Math.floor(lo / step) * step, max: Math.ceil(hi / step) * step });
  }
  const title = `${r.strategy.toUpperCase()} ${r.symbol} · ${formatDay(r.data.from)} → ${formatDay(r.data.to)} · ${r.data.timeframe}${r.data.synthetic ? ' · SYNTHETIC PRICES' : ''}`;
  const sub = `net ${sign(m.netProfitPct)}% (${sign(m.netProfit)} ${quote}) · buy and hold ${sign(m.buyHoldPct)}% · max drawdown ${m.maxDrawdownPct}%`;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({
      animation: false,
      useUTC: true,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT },
      title: { text: title, subtext: sub, left: 20, top: 10, textStyle: { fontFamily: FONT, fontSize: 18, color: '#111' }, subtextStyle: { fontFamily: FONT, fontSize: 14, color: '#444' } },
      legend: { right: 20, top: 14, itemGap: 24, textStyle: { fontFamily: FONT, fontSize: 13 }, data: ['strategy', 'buy and hold', ...(hasGrid ? ['price'] : [])] },
      grid: panels.map((p) => ({ left: 80, right: 30, top: p.top, height: p.height })),
      xAxis,
      yAxis,
      series,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as PNG bytes. */
export async function renderChart(r: BacktestResult): Promise<Uint8Array> {
  const svg = await chartSvg(r);
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
