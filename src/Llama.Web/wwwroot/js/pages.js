// The registry pages: each takes the route's parameters and returns the nodes to show.

import { api } from './api.js';
import { el, table, facts, json, link, artifactLink, runLink, shortId, statusBadge, when, number } from './dom.js';
import { lineChart, barChart, groupMetrics } from './charts.js';
import { lineageGraph } from './lineage.js';

export async function overview() {
  const [datasets, runs, models, evals] = await Promise.all([api.datasets(), api.runs(), api.artifacts('model'), api.evalResults()]);
  return [
    el('h1', {}, 'Overview'),
    facts([
      ['Datasets', link('#/datasets', String(datasets.length))],
      ['Runs', link('#/runs', String(runs.length))],
      ['Models', link('#/artifacts?kind=model', String(models.length))],
      ['Evaluation scores', link('#/evals', String(evals.length))],
    ]),
    el('h2', {}, 'Recent runs'),
    runsTable(runs.slice(0, 10)),
  ];
}

export async function datasets() {
  const rows = await api.datasets();
  return [
    el('h1', {}, 'Datasets'),
    rows.length === 0 ? el('p', { class: 'muted' }, 'No datasets yet: `llama curate` makes one.') :
      table(['Name', 'Documents', 'Tokens', 'Shards', 'Created'],
        rows.map(d => [link(`#/datasets/${d.id}`, d.name), number(d.documents), number(d.tokens), number(d.shardCount), when(d.createdAt)]),
        { numeric: [1, 2, 3] }),
  ];
}

export async function dataset(id) {
  const { dataset: d, shards } = await api.dataset(id);
  return [
    el('h1', {}, `Dataset ${d.name}`),
    facts([
      ['Id', d.id], ['Description', d.description], ['Artifact', d.artifactId ? artifactLink(d.artifactId) : null],
      ['Documents', number(d.documents)], ['Tokens', number(d.tokens)], ['Created', when(d.createdAt)],
    ]),
    el('h2', {}, `Shards (${shards.length})`),
    table(['#', 'Split', 'Domain', 'Rows', 'Tokens', 'Artifact'],
      shards.map(s => [String(s.index), s.split ?? '—', s.domain ?? '—', number(s.rows), number(s.tokens), artifactLink(s.artifactId)]),
      { numeric: [0, 3, 4] }),
  ];
}

function runsTable(runs) {
  return table(['Name', 'Kind', 'Status', 'Created', 'Finished'],
    runs.map(r => [runLink(r.id, r.name), r.kind, statusBadge(r.status), when(r.createdAt), when(r.finishedAt)]));
}

export async function runs() {
  const rows = await api.runs();
  return [el('h1', {}, 'Runs'), rows.length === 0 ? el('p', { class: 'muted' }, 'No runs yet.') : runsTable(rows)];
}

export async function run(id, page) {
  const [detail, metrics, checkpoints, artifacts] = await Promise.all([api.run(id), api.metrics(id), api.checkpoints(id), api.artifacts()]);
  const r = detail.run;
  // A live run refreshes itself until it ends (the router stops the timer when the page changes).
  if (r.status === 'Running' || r.status === 'Created') page.refreshEvery(5000);
  const made = artifacts.filter(a => a.producedByRunId === r.id);
  const names = new Map(artifacts.map(a => [a.id, a.name]));
  // A metric logged once (e.g. final_validation_loss) is a number, not a curve: it shows only in the table.
  const charts = groupMetrics(metrics).filter(c => c.series.some(s => s.points.length > 1));
  const latest = new Map();
  for (const m of metrics) if (!latest.has(m.name) || latest.get(m.name).step <= m.step) latest.set(m.name, m);
  return [
    el('h1', {}, `Run ${r.name} `, statusBadge(r.status)),
    facts([
      ['Id', r.id], ['Kind', r.kind], ['Code version', r.codeVersion], ['Host', r.host],
      ['Created', when(r.createdAt)], ['Started', when(r.startedAt)], ['Finished', when(r.finishedAt)],
      r.error ? ['Error', el('span', { class: 'error' }, r.error)] : null,
    ]),
    el('h2', {}, 'Metrics'),
    charts.length === 0 ? el('p', { class: 'muted' }, 'No metrics recorded.') :
      el('div', { class: 'charts' }, charts.map(c => lineChart(c.title, c.series))),
    latest.size === 0 ? null : el('details', { class: 'latest' }, el('summary', {}, 'Latest values'),
      table(['Metric', 'Step', 'Value'], [...latest.values()].map(m => [m.name, String(m.step), number(m.value)]), { numeric: [1, 2] })),
    el('h2', {}, 'Inputs'),
    detail.inputs.length === 0 ? el('p', { class: 'muted' }, 'None recorded.') :
      table(['Role', 'Artifact'], detail.inputs.map(i => [i.role, artifactLink(i.artifactId, names.get(i.artifactId))])),
    el('h2', {}, 'Checkpoints'),
    checkpoints.length === 0 ? el('p', { class: 'muted' }, 'None.') :
      table(['Step', 'Tokens seen', 'Loss', 'Tag', 'Artifact'],
        checkpoints.map(c => [String(c.step), number(c.tokensSeen), number(c.loss), c.tag ?? '—', artifactLink(c.artifactId, names.get(c.artifactId))]), { numeric: [0, 1, 2] }),
    el('h2', {}, 'Artifacts made'),
    made.length === 0 ? el('p', { class: 'muted' }, 'None.') : artifactsTable(made),
    el('h2', {}, 'Config'),
    json(detail.config),
  ];
}

function artifactsTable(rows) {
  return table(['Kind', 'Name', 'Size', 'Produced by', 'Created'],
    rows.map(a => [a.kind, artifactLink(a.id, a.name), bytes(a.sizeBytes), a.producedByRunId ? runLink(a.producedByRunId) : '—', when(a.createdAt)]),
    { numeric: [2] });
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export async function artifacts(_, page) {
  const kind = page.query.get('kind') ?? '';
  const rows = await api.artifacts(kind);
  const kinds = ['', 'model', 'checkpoint', 'dataset', 'shard', 'tokenizer'];
  if (kind && !kinds.includes(kind)) kinds.push(kind);
  const select = el('select', { 'aria-label': 'kind', onchange: e => { location.hash = e.target.value ? `#/artifacts?kind=${e.target.value}` : '#/artifacts'; } },
    kinds.map(k => el('option', { value: k, selected: k === kind }, k || 'all kinds')));
  return [
    el('h1', {}, 'Models & checkpoints'),
    el('div', { class: 'toolbar' }, 'Kind:', select, el('span', { class: 'muted' }, `${rows.length} artifacts`)),
    rows.length === 0 ? el('p', { class: 'muted' }, 'None.') : artifactsTable(rows),
  ];
}

export async function artifact(id) {
  const [a, up, down, scores] = await Promise.all([api.artifact(id), api.lineage(id, 'up'), api.lineage(id, 'down'), api.evalResults(id)]);
  return [
    el('h1', {}, `${a.kind} ${a.name}`),
    facts([
      ['Id', a.id], ['Uri', el('code', {}, a.uri)], ['Size', bytes(a.sizeBytes)], ['SHA-256', el('code', {}, a.sha256)],
      ['Produced by', a.producedByRunId ? runLink(a.producedByRunId) : null], ['Created', when(a.createdAt)],
    ]),
    el('h2', {}, 'Lineage'),
    el('p', { class: 'muted' }, `made from (left) · ${up.nodes.length - 1} ancestors, ${down.nodes.length - 1} descendants · what was made from it (right)`),
    lineageGraph(up, down),
    el('h2', {}, 'Evaluation'),
    scores.length === 0 ? el('p', { class: 'muted' }, 'Not evaluated.') :
      table(['Task', 'Metric', 'Value', '± s.e.', 'Samples'],
        scores.map(s => [s.task, s.metricName, number(s.value), number(s.standardError), number(s.samples)]), { numeric: [2, 3, 4] }),
    el('h2', {}, 'Metadata'),
    json(a.metadata),
  ];
}

/**
 * Every evaluation score, models as columns (ordered by checkpoint step, then age) and task/metric as rows,
 * with one grouped bar chart per metric, and per metric a line per task over the checkpoints' steps when at
 * least two evaluated models are checkpoints.
 */
export async function evals() {
  const [scores, artifacts, checkpoints] = await Promise.all([api.evalResults(), api.artifacts(), api.checkpoints()]);
  if (scores.length === 0) return [el('h1', {}, 'Evaluations'), el('p', { class: 'muted' }, 'No evaluation results yet.')];
  const byId = new Map(artifacts.map(a => [a.id, a]));
  const stepOf = new Map(checkpoints.map(c => [c.artifactId, c.step]));
  const models = [...new Set(scores.map(s => s.modelArtifactId))].sort((a, b) =>
    (stepOf.get(a) ?? Infinity) - (stepOf.get(b) ?? Infinity) || (byId.get(a)?.createdAt ?? '').localeCompare(byId.get(b)?.createdAt ?? ''));
  const label = id => byId.get(id)?.name ?? shortId(id);
  const rows = [...new Set(scores.map(s => `${s.task}\u0000${s.metricName}`))].map(k => k.split('\u0000'));
  // The newest score per (model, task, metric) when a model was evaluated more than once.
  const value = new Map();
  for (const s of scores) value.set(`${s.modelArtifactId}\u0000${s.task}\u0000${s.metricName}`, s);
  const cell = (m, task, metric) => value.get(`${m}\u0000${task}\u0000${metric}`);

  const metricNames = [...new Set(rows.map(([, metric]) => metric))];
  const checkpointed = models.filter(m => stepOf.has(m));
  const overSteps = metric => {
    const series = rows.filter(([, m]) => m === metric).map(([task]) => ({
      name: task,
      points: checkpointed.filter(m => cell(m, task, metric)).map(m => [stepOf.get(m), cell(m, task, metric).value]).sort((a, b) => a[0] - b[0]),
    })).filter(s => s.points.length > 0);
    return series.length > 0 ? lineChart(`${metric} by checkpoint step`, series) : null;
  };
  return [
    el('h1', {}, 'Evaluations'),
    el('p', { class: 'muted' }, `${models.length} models · ${rows.length} task/metric pairs`),
    table(['Task', 'Metric', ...models.map(m => artifactLink(m, label(m)))],
      rows.map(([task, metric]) => [task, metric, ...models.map(m => {
        const s = cell(m, task, metric);
        return s ? `${number(s.value)}${s.standardError != null ? ` ± ${number(s.standardError, 2)}` : ''}` : '—';
      })]),
      { numeric: models.map((_, i) => i + 2) }),
    el('div', { class: 'charts' }, metricNames.map(metric => barChart(metric,
      rows.filter(([, m]) => m === metric).map(([task]) => ({ label: task, values: models.map(m => cell(m, task, metric)?.value ?? null) })),
      models.map(label))),
    checkpointed.length >= 2 ? metricNames.map(overSteps) : []),
  ];
}
