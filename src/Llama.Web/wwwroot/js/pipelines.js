// The pipelines pages: start a pipeline job in the pipeline service (through this origin's /api/pipeline proxy),
// list its jobs, and follow one live over server-sent events until it ends, then show its steps and report.

import { api, getJson, problemError, readEvents } from './api.js';
import { el, table, facts, link, artifactLink, shortId, statusBadge, when, number } from './dom.js';

const PRESETS = ['smoke', 'tiny'];
const finished = state => ['Succeeded', 'Failed', 'Cancelled'].includes(state);
const percent = fraction => `${Math.round((fraction ?? 0) * 100)}%`;

export async function pipelines(_, page) {
  const settings = await api.webSettings();
  const status = el('p', { class: 'muted', 'data-pipeline': 'status' },
    settings.pipelineUrl ? `Pipeline service: ${settings.pipelineUrl}` : `No pipeline service: ${settings.pipelineUrlSource}`);
  const preset = el('select', { name: 'preset', 'aria-label': 'preset' }, PRESETS.map(p => el('option', { value: p }, p)));
  const run = el('button', { type: 'submit', disabled: !settings.pipelineUrl }, 'Run pipeline');
  const form = el('form', {
    class: 'toolbar',
    onsubmit: async e => {
      e.preventDefault();
      run.disabled = true;
      try {
        const submitted = await submit(preset.value);
        location.hash = `#/pipelines/${submitted.id}`;
      } catch (error) {
        status.replaceChildren(el('span', { class: 'error' }, error.message));
        run.disabled = false;
      }
    },
  }, el('label', {}, 'Preset ', preset), run);

  const nodes = [el('h1', {}, 'Pipelines'),
    el('p', {}, 'A pipeline job runs every stage (curate, pretrain, align, quantize, evaluate) as a job of its stage\'s service; ',
      'the Aspire dashboard shows it as one trace.'),
    status, form];
  if (!settings.pipelineUrl) return nodes;

  const jobs = (await api.pipelineJobs()).sort((a, b) => b.createdAt.localeCompare(a.createdAt)); // newest first
  // Live while any job is: the list is cheap, and a new job from the dashboard's command shows up too.
  if (jobs.some(j => !finished(j.state))) page.refreshEvery(2000);
  nodes.push(el('h2', {}, 'Jobs'), jobs.length === 0 ? el('p', { class: 'muted' }, 'No pipeline jobs yet.') :
    table(['Job', 'Preset', 'State', 'Progress', 'Now', 'Created', 'Finished'],
      jobs.map(j => [link(`#/pipelines/${j.id}`, shortId(j.id)), j.request?.preset ?? 'smoke', statusBadge(j.state), percent(j.progress),
        finished(j.state) ? '—' : j.message ?? '—', when(j.createdAt), when(j.finishedAt)]),
      { numeric: [3] }));
  return nodes;
}

export async function pipeline(id, page) {
  const job = await api.pipelineJob(id);
  const badge = el('span', {}, statusBadge(job.state));
  const view = el('div', { 'data-pipeline': 'job' });
  const outcome = el('div', { 'data-pipeline': 'outcome' });
  const show = j => {
    badge.replaceChildren(statusBadge(j.state));
    view.replaceChildren(...jobFacts(j, error => outcome.replaceChildren(el('p', { class: 'error' }, error.message))));
  };
  show(job);
  const ended = async j => outcome.replaceChildren(...await outcomeOf(j));
  if (finished(job.state)) await ended(job);
  else follow(id, page, show, ended, error => outcome.replaceChildren(el('p', { class: 'error' }, error.message)));
  return [el('h1', {}, `Pipeline ${shortId(id)} `, badge), view, outcome];
}

async function submit(preset) {
  const response = await fetch('/api/pipeline/jobs', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ preset }),
  });
  if (!response.ok) throw await problemError(response, 'submit pipeline');
  return response.json();
}

/**
 * Reads the job's event stream (one event per change, the last one when it ends) and shows each state; a stream
 * that closes before the end (the pipeline service restarted) is opened again. Stops when the user leaves the page.
 */
function follow(id, page, show, onEnd, onError) {
  const stop = new AbortController();
  page.onLeave(() => stop.abort());
  (async () => {
    for (;;) {
      const response = await fetch(`/api/pipeline/jobs/${id}/events`, { headers: { Accept: 'text/event-stream' }, signal: stop.signal });
      if (!response.ok) throw await problemError(response, 'follow pipeline');
      let last = null;
      await readEvents(response.body, data => { last = JSON.parse(data); show(last); });
      if (last && finished(last.state)) return onEnd(last);
      await new Promise(resolve => setTimeout(resolve, 2000));
    }
  })().catch(error => { if (!stop.signal.aborted) onError(error); });
}

function jobFacts(j, onError) {
  return [facts([
    ['State', el('span', { 'data-pipeline': 'state' }, j.state)],
    ['Progress', el('span', {}, el('progress', { max: 1, value: j.progress ?? 0 }), ' ', el('span', { 'data-pipeline': 'progress' }, percent(j.progress)))],
    finished(j.state) ? null : ['Now', el('span', { 'data-pipeline': 'message' }, j.message ?? '—')],
    ['Preset', j.request?.preset ?? 'smoke'],
    ['Attempts', j.attempts === undefined ? null : String(j.attempts)],
    ['Trace id', j.traceId ? el('code', {}, j.traceId) : null],
    ['Created', when(j.createdAt)], ['Started', when(j.startedAt)], ['Finished', when(j.finishedAt)],
    ['Folder', j.result?.output ? el('code', {}, j.result.output) : null],
  ]),
  j.error ? el('p', { class: 'error', 'data-pipeline': 'error' }, j.error) : null,
  finished(j.state) ? null : el('button', { type: 'button', onclick: () => cancel(j.id).catch(onError) }, 'Cancel')].filter(Boolean);
}

async function cancel(id) {
  const response = await fetch(`/api/pipeline/jobs/${id}`, { method: 'DELETE' });
  if (!response.ok) throw await problemError(response, 'cancel pipeline');
}

/** A succeeded pipeline's steps (with their artifacts and scores) and its markdown report. */
async function outcomeOf(job) {
  if (job.state !== 'Succeeded') return [];
  const [state, report] = await Promise.all([
    getJson(`/api/pipeline/jobs/${job.id}/report?format=json`),
    fetch(`/api/pipeline/jobs/${job.id}/report?format=md`).then(r => (r.ok ? r.text() : `(no report: ${r.status})`)),
  ]);
  const steps = Object.entries(state.steps ?? {});
  return [
    el('h2', {}, `Steps (${steps.length})`),
    table(['Step', 'Seconds', 'Artifacts', 'Scores'], steps.map(([name, s]) => [
      name,
      number((new Date(s.finishedAt) - new Date(s.startedAt)) / 1000, 3),
      el('span', {}, Object.entries(s.outputs ?? {}).filter(([k]) => k.endsWith('-artifact'))
        .flatMap(([k, v], i) => [i ? ', ' : '', artifactLink(v, k.replace(/-artifact$/, ''))])),
      Object.entries(s.scores ?? {}).map(([k, v]) => `${k} ${number(v)}`).join(', ') || '—',
    ]), { numeric: [1] }),
    el('h2', {}, 'Report'),
    el('pre', { 'data-pipeline': 'report' }, report),
  ];
}
