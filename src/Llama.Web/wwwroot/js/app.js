// The router: `#/section/id?query` → a page function; it renders the page into <main> and shows errors there.

import { el } from './dom.js';
import * as pages from './pages.js';
import { chat } from './chat.js';
import { pipelines, pipeline } from './pipelines.js';

const routes = [
  [/^$/, pages.overview],
  [/^datasets$/, pages.datasets],
  [/^datasets\/([^/]+)$/, pages.dataset],
  [/^runs$/, pages.runs],
  [/^runs\/([^/]+)$/, pages.run],
  [/^artifacts$/, pages.artifacts],
  [/^artifacts\/([^/]+)$/, pages.artifact],
  [/^evals$/, pages.evals],
  [/^pipelines$/, pipelines],
  [/^pipelines\/([^/]+)$/, pipeline],
  [/^chat$/, chat],
];

let refreshTimer = null;
let renderCount = 0;
let leaving = [];

async function render() {
  clearTimeout(refreshTimer);
  // What the previous page left running (an event stream it follows) ends with it.
  for (const stop of leaving.splice(0)) stop();
  const [path, queryText = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const view = document.getElementById('view');
  const section = path.split('/')[0];
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.section === section);

  const route = routes.find(([pattern]) => pattern.test(path));
  const mine = ++renderCount;
  const page = {
    query: new URLSearchParams(queryText),
    refreshEvery: ms => { refreshTimer = setTimeout(() => { if (mine === renderCount) render(); }, ms); },
    onLeave: stop => leaving.push(stop),
  };
  try {
    if (!route) throw new Error(`no page at #/${path}`);
    const nodes = await route[1](decodeURIComponent(path.match(route[0])[1] ?? ''), page);
    if (mine !== renderCount) return; // the user moved on while this page loaded
    view.replaceChildren(...nodes);
    view.dataset.page = section || 'overview';
  } catch (error) {
    if (mine !== renderCount) return;
    view.replaceChildren(el('h1', {}, 'Error'), el('p', { class: 'error' }, error.message));
  }
}

addEventListener('hashchange', render);
render();
