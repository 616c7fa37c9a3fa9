// The chat page: an OpenAI-style conversation with the serving service through this origin's /v1 proxy,
// streamed (`stream: true`): server-sent events, one `data: {chunk}` per token batch, ending with `data: [DONE]`.

import { api, problemError, readEvents } from './api.js';
import { el } from './dom.js';

const conversation = [];

export async function chat() {
  const settings = await api.webSettings();
  const messages = el('div', { class: 'messages', 'data-chat': 'messages' });
  const status = el('p', { class: 'muted', 'data-chat': 'status' },
    settings.servingUrl ? `Serving: ${settings.servingUrl}` : `No serving service: ${settings.servingUrlSource}`);
  const model = el('input', { name: 'model', value: 'default', size: 24, 'aria-label': 'model' });
  const system = el('input', { name: 'system', placeholder: 'system prompt (optional)', size: 40, 'aria-label': 'system prompt' });
  const temperature = el('input', { name: 'temperature', type: 'number', min: 0, max: 2, step: 0.1, value: 0.7, 'aria-label': 'temperature' });
  const maxTokens = el('input', { name: 'max_tokens', type: 'number', min: 1, value: 256, 'aria-label': 'max tokens' });
  const input = el('textarea', { name: 'message', placeholder: 'Say something…', 'aria-label': 'message' });
  const send = el('button', { type: 'submit' }, 'Send');
  const clear = el('button', { type: 'button', onclick: () => { conversation.length = 0; messages.replaceChildren(); } }, 'Clear');

  if (settings.servingUrl) {
    // The served model names, when the server lists them.
    fetch('/v1/models').then(r => (r.ok ? r.json() : null)).then(list => {
      const first = list?.data?.[0]?.id;
      if (first && model.value === 'default') model.value = first;
    }).catch(() => {});
  }
  for (const m of conversation) messages.append(bubble(m.role, m.content));

  const form = el('form', {
    onsubmit: async e => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      send.disabled = true;
      conversation.push({ role: 'user', content: text });
      messages.append(bubble('user', text));
      const answer = bubble('assistant', '');
      messages.append(answer);
      const content = answer.querySelector('.content');
      try {
        const reply = await complete({
          model: model.value,
          messages: [...(system.value ? [{ role: 'system', content: system.value }] : []), ...conversation],
          temperature: Number(temperature.value), max_tokens: Number(maxTokens.value), stream: true,
        }, token => { content.textContent += token; });
        conversation.push({ role: 'assistant', content: reply });
        status.textContent = 'Done.';
      } catch (error) {
        conversation.pop();
        answer.remove();
        status.textContent = '';
        status.append(el('span', { class: 'error' }, error.message));
      } finally {
        send.disabled = false;
      }
    },
  }, input, send, clear);
  input.addEventListener('keydown', e => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });

  return [
    el('h1', {}, 'Chat'),
    el('div', { class: 'chat' },
      el('div', { class: 'settings' }, el('label', {}, 'Model ', model), el('label', {}, 'Temperature ', temperature),
        el('label', {}, 'Max tokens ', maxTokens), system),
      status, messages, form),
  ];
}

function bubble(role, text) {
  return el('div', { class: `message ${role}`, 'data-role': role }, el('span', { class: 'role' }, role), el('span', { class: 'content' }, text));
}

/** POSTs a streamed chat completion and returns the whole answer, calling onToken with each piece of it. */
async function complete(request, onToken) {
  const response = await fetch('/v1/chat/completions', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' }, body: JSON.stringify(request),
  });
  if (!response.ok) throw await problemError(response, 'chat');
  let reply = '';
  await readEvents(response.body, data => {
    const chunk = JSON.parse(data);
    if (chunk.error) throw new Error(`chat: ${chunk.error.message ?? JSON.stringify(chunk.error)}`);
    const piece = chunk.choices?.[0]?.delta?.content ?? '';
    if (piece) { reply += piece; onToken(piece); }
  });
  return reply;
}
