// The router: `#/section/id?query` → a page function; it renders the page into <main> and shows errors there.

import { el } from './dom.js';
import * as pages from './pages.js';
import { chat } from './chat.js';

const routes = [
  [/^$/, pages.overview],
  [/^datasets$/, pages.datasets],
  [/^datasets\/([^/]+)$/, pages.dataset],
  [/^runs$/, pages.runs],
  [/^runs\/([^/]+)$/, pages.run],
  [/^artifacts$/, pages.artifacts],
  [/^artifacts\/([^/]+)$/, pages.artifact],
  [/^evals$/, pages.evals],
  [/^chat$/, chat],
];

let refreshTimer = null;
let renderCount = 0;

async function render() {
  clearTimeout(refreshTimer);
  const [path, queryText = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const view = document.getElementById('view');
  const section = path.split('/')[0];
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.section === section);

  const route = routes.find(([pattern]) => pattern.test(path));
  const mine = ++renderCount;
  const page = {
    query: new URLSearchParams(queryText),
    refreshEvery: ms => { refreshTimer = setTimeout(() => { if (mine === renderCount) render(); }, ms); },
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
