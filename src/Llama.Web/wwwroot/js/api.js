// The registry API (same origin): GET JSON, and RFC 7807 problem details turned into readable errors.

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
};
