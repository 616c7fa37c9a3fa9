// Charts as inline SVG drawn from the data: a line chart for metrics over steps, grouped bars for evaluation
// scores. Nothing is fetched from elsewhere (the machines that run this have no internet).

import { el, svg, number } from './dom.js';

export const palette = ['#2f6fdf', '#e37400', '#1e8e3e', '#c5221f', '#8e44ad', '#00838f', '#6d4c41', '#c2185b'];

const size = { width: 460, height: 240, left: 56, right: 12, top: 12, bottom: 36 };

/** Round tick values covering [min, max], about `count` of them (1, 2 or 5 times a power of ten apart). */
export function ticks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw);
  const values = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) values.push(+v.toPrecision(12));
  return values;
}

function extent(values) {
  let min = Math.min(...values), max = Math.max(...values);
  if (min === max) { const pad = Math.abs(min) * 0.1 || 1; min -= pad; max += pad; }
  return [min, max];
}

/**
 * A line chart: series = [{ name, points: [[x, y], ...] }], one colour each, with axes, grid and a legend.
 * The figure carries data-chart (its title) and each line data-series and data-points, for tests and tools.
 */
export function lineChart(title, series, { xLabel = 'step' } = {}) {
  const { width, height, left, right, top, bottom } = size;
  const all = series.flatMap(s => s.points);
  const [x0, x1] = extent(all.map(p => p[0]));
  // A little room above and below, so the extreme points do not sit on the axis.
  const [yLow, yHigh] = extent(all.map(p => p[1]));
  const [y0, y1] = [yLow - (yHigh - yLow) * 0.04, yHigh + (yHigh - yLow) * 0.04];
  const sx = x => left + ((x - x0) / (x1 - x0)) * (width - left - right);
  const sy = y => height - bottom - ((y - y0) / (y1 - y0)) * (height - top - bottom);

  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': title });
  for (const t of ticks(y0, y1)) {
    chart.append(svg('line', { class: 'grid', x1: left, x2: width - right, y1: sy(t), y2: sy(t) }),
      svg('text', { x: left - 4, y: sy(t) + 4, 'text-anchor': 'end' }, number(t, 3)));
  }
  for (const t of ticks(x0, x1, 6)) {
    chart.append(svg('text', { x: sx(t), y: height - bottom + 14, 'text-anchor': 'middle' }, number(t, 3)));
  }
  chart.append(
    svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: height - bottom }),
    svg('line', { class: 'axis', x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }),
    svg('text', { x: (left + width - right) / 2, y: height - 4, 'text-anchor': 'middle' }, xLabel));

  series.forEach((s, i) => {
    const colour = palette[i % palette.length];
    const points = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const line = svg('polyline', { points, fill: 'none', stroke: colour, 'stroke-width': 1.6, 'data-series': s.name, 'data-points': s.points.length },
      svg('title', {}, `${s.name}: last ${number(s.points.at(-1)[1])} at ${xLabel} ${s.points.at(-1)[0]}`));
    chart.append(line);
    // A lone value would be an invisible line: mark every point when there are few.
    if (s.points.length <= 30) {
      for (const [x, y] of s.points) chart.append(svg('circle', { cx: sx(x), cy: sy(y), r: 2.5, fill: colour }, svg('title', {}, `${s.name} @ ${x}: ${number(y)}`)));
    }
  });
  return figure(title, series.map(s => s.name), chart);
}

/** Grouped bars: groups = [{ label, values: [number|null per series] }], series = names (one colour each). */
export function barChart(title, groups, series) {
  const { width, height, left, right, top, bottom } = size;
  const values = groups.flatMap(g => g.values).filter(v => v !== null && v !== undefined);
  const y1 = Math.max(0, ...values), y0 = Math.min(0, ...values);
  const [lo, hi] = y1 > y0 ? [y0, y1] : [0, 1];
  const sy = y => height - bottom - ((y - lo) / (hi - lo)) * (height - top - bottom);
  const groupWidth = (width - left - right) / Math.max(1, groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, series.length);

  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': title });
  for (const t of ticks(lo, hi)) {
    chart.append(svg('line', { class: 'grid', x1: left, x2: width - right, y1: sy(t), y2: sy(t) }),
      svg('text', { x: left - 4, y: sy(t) + 4, 'text-anchor': 'end' }, number(t, 3)));
  }
  groups.forEach((g, gi) => {
    const gx = left + gi * groupWidth + groupWidth * 0.1;
    g.values.forEach((v, si) => {
      if (v === null || v === undefined) return;
      const y = sy(Math.max(v, 0)), h = Math.abs(sy(v) - sy(0));
      chart.append(svg('rect', { x: gx + si * barWidth, y, width: barWidth - 1, height: Math.max(h, 0.5), fill: palette[si % palette.length], 'data-series': series[si], 'data-group': g.label },
        svg('title', {}, `${g.label} · ${series[si]}: ${number(v)}`)));
    });
    chart.append(svg('text', { x: gx + groupWidth * 0.4, y: height - bottom + 14, 'text-anchor': 'middle' }, g.label));
  });
  chart.append(svg('line', { class: 'axis', x1: left, x2: width - right, y1: sy(0), y2: sy(0) }));
  return figure(title, series, chart);
}

// The legend is HTML above the plot: it never hides data and long names wrap instead of being cut.
function figure(title, names, chart) {
  const legend = el('span', { class: 'legend' }, names.map((name, i) =>
    el('span', {}, el('i', { style: `background:${palette[i % palette.length]}` }), name)));
  return el('figure', { class: 'chart', 'data-chart': title }, el('figcaption', {}, el('b', {}, title), legend), chart);
}

/**
 * Metric names grouped into charts: a validation series shares its training series' chart
 * (loss + validation_loss), every other metric has its own.
 */
export function groupMetrics(metrics) {
  const byName = new Map();
  for (const m of metrics) {
    if (!byName.has(m.name)) byName.set(m.name, []);
    byName.get(m.name).push([m.step, m.value]);
  }
  const groups = new Map();
  for (const [name, points] of byName) {
    const base = name.replace(/^(validation|val|eval)_/, '');
    const key = byName.has(base) ? base : name;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ name, points: points.sort((a, b) => a[0] - b[0]) });
  }
  // Training series first within a chart, and the loss chart first overall.
  return [...groups.entries()]
    .map(([key, series]) => ({ title: key, series: series.sort((a, b) => (a.name === key ? -1 : b.name === key ? 1 : a.name.localeCompare(b.name))) }))
    .sort((a, b) => (a.title === 'loss' ? -1 : b.title === 'loss' ? 1 : a.title.localeCompare(b.title)));
}
