// The registry API and the proxied services (same origin): GET JSON, RFC 7807 problem details turned into readable
// errors, and server-sent event streams.

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw await problemError(response, `GET ${url}`);
  return response.json();
}

export async function problemError(response, what) {
  let detail = response.statusText;
  try {
    const problem = await response.json();
    detail = [problem.title, problem.detail].filter(Boolean).join(': ') || detail;
  } catch { /* not JSON: keep the status text */ }
  return new Error(`${what}: ${response.status} ${detail}`);
}

/** Reads a server-sent events body (chat tokens, job progress) and calls onData with each event's data text until [DONE] or the end of the stream. */
export async function readEvents(body, onData) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    // Events are separated by a blank line; a data field may span several `data:` lines.
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = event.split(/\r?\n/).filter(l => l.startsWith('data:')).map(l => l.slice(5).replace(/^ /, '')).join('\n');
      if (data === '[DONE]') { reader.cancel().catch(() => {}); return; }
      if (data) onData(data);
    }
  }
}

export const api = {
  datasets: () => getJson('/api/datasets'),
  dataset: id => getJson(`/api/datasets/${id}`),
  runs: () => getJson('/api/runs?limit=1000'),
  run: id => getJson(`/api/runs/${id}`),
  metrics: id => getJson(`/api/runs/${id}/metrics`),
  artifacts: kind => getJson(`/api/artifacts?limit=1000${kind ? `&kind=${encodeURIComponent(kind)}` : ''}`),
  artifact: id => getJson(`/api/artifacts/${id}`),
  lineage: (id, direction) => getJson(`/api/artifacts/${id}/lineage?direction=${direction}`),
  checkpoints: runId => getJson(`/api/checkpoints${runId ? `?runId=${runId}` : ''}`),
  evalResults: modelId => getJson(`/api/eval-results${modelId ? `?modelArtifactId=${modelId}` : ''}`),
  webSettings: () => getJson('/api/web/settings'),
  pipelineJobs: () => getJson('/api/pipeline/jobs'),
  pipelineJob: id => getJson(`/api/pipeline/jobs/${id}`),
};
