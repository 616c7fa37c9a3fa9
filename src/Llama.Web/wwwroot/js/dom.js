// Small helpers to build DOM and SVG from data without a framework. Text goes in as text, never as HTML.

const SVG = 'http://www.w3.org/2000/svg';

/** el('a', { href: '#/runs', class: 'x' }, 'text', child, ...) */
export function el(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

export function svg(tag, attributes = {}, ...children) {
  return build(document.createElementNS(SVG, tag), attributes, children);
}

function build(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function table(headers, rows, { numeric = [] } = {}) {
  const cls = i => (numeric.includes(i) ? 'num' : undefined);
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { class: cls(i) }, h)))),
    el('tbody', {}, rows.map(row => el('tr', {}, row.map((cell, i) => el('td', { class: cls(i) }, cell))))));
}

export const link = (href, text) => el('a', { href }, text);
export const artifactLink = (id, text) => link(`#/artifacts/${id}`, text ?? shortId(id));
export const runLink = (id, text) => link(`#/runs/${id}`, text ?? shortId(id));
export const shortId = id => String(id).slice(0, 8);
export const statusBadge = status => el('span', { class: `status ${status}` }, status);

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19);
}

export function number(value, digits = 4) {
  if (value === null || value === undefined) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(2) : value.toPrecision(digits).replace(/\.?0+$/, '');
}

export function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(p => p).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '—')]));
}

export function json(value) {
  return el('pre', {}, value === null || value === undefined ? '—' : JSON.stringify(value, null, 2));
}
