// An artifact's lineage as a left-to-right graph: what it was made from on the left, what was made from it on the
// right, the artifact itself in the middle. Every node is a link to that artifact's page.

import { svg, el, shortId } from './dom.js';

const box = { width: 170, height: 40, columnGap: 100, rowGap: 16, margin: 14 };

/**
 * Merges the up and down lineage graphs (GET .../lineage?direction=up|down) into columns: an ancestor sits as
 * far left as its longest path to the root, a descendant as far right as its longest path from it, so every
 * edge points rightwards (the API's depth is the shortest distance, which would put a checkpoint and the one
 * continued from it in the same column).
 */
export function layout(up, down) {
  const artifacts = new Map();
  const ancestors = new Set(), descendants = new Set();
  for (const n of up.nodes) { artifacts.set(n.artifact.id, n.artifact); if (n.depth > 0) ancestors.add(n.artifact.id); }
  for (const n of down.nodes) { artifacts.set(n.artifact.id, n.artifact); if (n.depth > 0) descendants.add(n.artifact.id); }
  const edges = [];
  const seen = new Set();
  for (const e of [...up.edges, ...down.edges]) {
    const key = `${e.parentId}>${e.childId}>${e.relation}`;
    if (!seen.has(key)) { seen.add(key); edges.push(e); }
  }
  const column = new Map([[up.rootId, 0]]);
  // Longest paths by relaxation: a DAG settles within as many rounds as it has nodes.
  for (let round = 0, changed = true; changed && round <= artifacts.size; round++) {
    changed = false;
    for (const e of edges) {
      if (ancestors.has(e.parentId) && column.has(e.childId) && !(column.get(e.parentId) <= column.get(e.childId) - 1)) {
        column.set(e.parentId, column.get(e.childId) - 1); changed = true;
      }
      if (descendants.has(e.childId) && column.has(e.parentId) && !(column.get(e.childId) >= column.get(e.parentId) + 1)) {
        column.set(e.childId, column.get(e.parentId) + 1); changed = true;
      }
    }
  }
  // Unreachable through the edges (should not happen): fall back to the API's distance.
  for (const n of up.nodes) if (!column.has(n.artifact.id)) column.set(n.artifact.id, -n.depth);
  for (const n of down.nodes) if (!column.has(n.artifact.id)) column.set(n.artifact.id, n.depth);
  const columns = [...new Set(column.values())].sort((a, b) => a - b);
  const position = new Map();
  for (const c of columns) {
    const ids = [...column.entries()].filter(([, v]) => v === c).map(([id]) => id)
      .sort((a, b) => (artifacts.get(a)?.kind ?? '').localeCompare(artifacts.get(b)?.kind ?? '') || (artifacts.get(a)?.name ?? '').localeCompare(artifacts.get(b)?.name ?? ''));
    ids.forEach((id, row) => position.set(id, {
      x: box.margin + (c - columns[0]) * (box.width + box.columnGap),
      y: box.margin + row * (box.height + box.rowGap),
    }));
  }
  return { rootId: up.rootId, artifacts, edges, position, columns: columns.length };
}

export function lineageGraph(up, down) {
  const { rootId, artifacts, edges, position, columns } = layout(up, down);
  const rows = Math.max(...[...position.values()].map(p => p.y)) + box.height * 2 + box.margin;
  const width = box.margin * 2 + columns * box.width + (columns - 1) * box.columnGap;
  const graph = svg('svg', { width, height: rows, viewBox: `0 0 ${width} ${rows}`, 'data-lineage': rootId });
  for (const e of edges) {
    const from = position.get(e.parentId), to = position.get(e.childId);
    if (!from || !to) continue;
    const x1 = from.x + box.width, y1 = from.y + box.height / 2, x2 = to.x, y2 = to.y + box.height / 2;
    const bend = Math.max(30, Math.abs(x2 - x1) / 2);
    // An edge that skips columns dips below the boxes it passes instead of running behind them.
    const dip = x2 - x1 > box.columnGap * 1.5 ? box.height * 0.9 : 0;
    graph.append(svg('path', { d: `M${x1},${y1} C${x1 + bend},${y1 + dip * 1.3} ${x2 - bend},${y2 + dip * 1.3} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }),
      svg('text', { class: 'relation', x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 3 + dip, 'text-anchor': 'middle' }, e.relation));
  }
  graph.prepend(svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#999' }))));
  for (const [id, p] of position) {
    const a = artifacts.get(id) ?? { kind: '?', name: shortId(id) };
    const name = a.name.length > 25 ? `${a.name.slice(0, 24)}…` : a.name;
    graph.append(svg('a', { href: `#/artifacts/${id}`, class: id === rootId ? 'root' : undefined, 'data-artifact': id },
      svg('title', {}, `${a.kind} ${a.name} (${id})`),
      svg('rect', { x: p.x, y: p.y, width: box.width, height: box.height, rx: 5 }),
      svg('text', { class: 'kind', x: p.x + 8, y: p.y + 14 }, a.kind),
      svg('text', { class: 'name', x: p.x + 8, y: p.y + 31 }, name)));
  }
  const container = el('div', { class: 'lineage' }, graph);
  // A long ancestry is wider than the page: once shown, scroll the artifact itself into the middle of the view.
  requestAnimationFrame(() => {
    const root = position.get(rootId);
    if (root) container.scrollLeft = root.x + box.width / 2 - container.clientWidth / 2;
  });
  return container;
}
