// The annotation page: one text at a time, a button per label, skip and undo, keyboard
// shortcuts, progress, and the model's guess behind a toggle. Text from the corpus only ever
// reaches the page through textContent, never as markup.
'use strict';

const state = { item: null, labels: [], busy: false, showGuess: false };

// This tab's id, kept across reloads: the server holds the text it showed for it.
const client = sessionStorage.getItem('stance-client') || Math.random().toString(36).slice(2);
sessionStorage.setItem('stance-client', client);
const $ = (id) => document.getElementById(id);

// Once the page is loaded the cookie carries the token: take it out of the address bar, so it
// is not bookmarked or shared by accident.
if (location.search.includes('token=')) {
  history.replaceState(null, '', '/');
}

async function api(path, body) {
  const options = { credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    options.method = 'POST';
    options.headers = { 'Content-Type': 'application/json' };
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function setStatus(message) {
  $('status').textContent = message || '';
}

function renderProgress(p) {
  if (state.labels.length === 0) {
    state.labels = p.labels;
    renderButtons();
  }
  $('progress').textContent = `${p.labelled} of ${p.target} labelled · ${p.skipped} skipped · ${p.annotator}` +
    (p.retraining ? ' · retraining…' : '') + (p.retrains ? ` · model retrained ${p.retrains}×` : '');
  $('fill').style.width = `${Math.min(100, (100 * p.labelled) / Math.max(1, p.target))}%`;
  $('counts').textContent = p.counts.map(([label, n]) => `${label}: ${n}`).join(' · ');
}

function renderButtons() {
  const box = $('buttons');
  box.replaceChildren();
  state.labels.forEach((label, i) => {
    const button = element('button');
    button.type = 'button';
    button.dataset.label = label;
    button.append(element('span', label + ' '), element('kbd', String(i + 1)));
    button.addEventListener('click', () => answer(label));
    box.append(button);
  });
}

function renderParagraphs(paragraphs) {
  const text = $('text');
  text.replaceChildren();
  for (const paragraph of paragraphs) {
    const p = element('p');
    if (typeof paragraph === 'string') {
      p.textContent = paragraph;
    } else {
      for (const [piece, label, strength] of paragraph) {
        if (label === null) {
          p.append(document.createTextNode(piece));
        } else {
          const span = element('span', piece, `l${label}`);
          span.style.setProperty('--s', (0.15 + 0.6 * strength).toFixed(2));
          span.title = state.labels[label] || '';
          p.append(span);
        }
      }
    }
    text.append(p);
  }
}

function renderItem(item) {
  state.item = item;
  $('done').hidden = item !== null;
  $('card').hidden = item === null;
  setButtonsEnabled(true);
  if (item === null) return;
  $('item-id').textContent = item.id;
  const fields = $('fields');
  fields.replaceChildren();
  for (const [name, value] of item.fields) {
    fields.append(element('dt', name), element('dd', value));
  }
  renderParagraphs(item.paragraphs.length ? item.paragraphs : [item.text]);
  $('guess').hidden = true;
  if (state.showGuess) showGuess();
}

async function showGuess() {
  const item = state.item;
  if (!item) return;
  try {
    const g = await api(`/api/guess?id=${encodeURIComponent(item.id)}`);
    if (state.item !== item || !state.showGuess) return;
    const box = $('guess');
    box.replaceChildren();
    const line = element('div');
    line.append(element('strong', g.label === null ? 'model: no label' : `model: ${g.label}`));
    for (const [label, p] of g.probabilities) {
      const swatch = element('span', undefined, `swatch l${state.labels.indexOf(label)}`);
      line.append(document.createTextNode(' · '), swatch, element('span', `${label} ${(100 * p).toFixed(1)}%`));
    }
    if (g.uncertain) line.append(element('span', ' · uncertain', 'muted'));
    box.append(line);
    box.hidden = false;
    renderParagraphs(g.paragraphs);
  } catch (e) {
    setStatus(`could not get the model's guess: ${e.message}`);
  }
}

function hideGuess() {
  $('guess').hidden = true;
  if (state.item) renderParagraphs(state.item.paragraphs.length ? state.item.paragraphs : [state.item.text]);
}

function setButtonsEnabled(enabled) {
  for (const b of document.querySelectorAll('button')) b.disabled = !enabled;
}

async function refresh() {
  renderProgress(await api('/api/progress'));
  renderItem(await api(`/api/next?client=${encodeURIComponent(client)}`));
}

async function run(action) {
  if (state.busy) return;
  state.busy = true;
  setButtonsEnabled(false);
  try {
    await action();
    setStatus('');
    await refresh();
  } catch (e) {
    setStatus(`not saved: ${e.message}`);
    setButtonsEnabled(true);
  } finally {
    state.busy = false;
  }
}

function answer(label) {
  if (!state.item) return;
  const id = state.item.id;
  run(() => api('/api/label', { id, label }));
}

function skip() {
  if (!state.item) return;
  const id = state.item.id;
  run(() => api('/api/skip', { id }));
}

function undo() {
  run(() => api('/api/undo', {}));
}

document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target instanceof HTMLInputElement && event.key !== ' ') return;
  if (/^[1-9]$/.test(event.key)) {
    const label = state.labels[Number(event.key) - 1];
    if (label !== undefined) {
      event.preventDefault();
      answer(label);
    }
  } else if (event.key === ' ') {
    event.preventDefault();
    skip();
  } else if (event.key === 'Backspace') {
    event.preventDefault();
    undo();
  } else if (event.key === 'g') {
    $('show-guess').checked = !$('show-guess').checked;
    $('show-guess').dispatchEvent(new Event('change'));
  }
});

$('skip').addEventListener('click', skip);
$('undo').addEventListener('click', undo);
$('show-guess').addEventListener('change', () => {
  state.showGuess = $('show-guess').checked;
  if (state.showGuess) showGuess(); else hideGuess();
});

refresh().catch((e) => setStatus(`cannot reach the server: ${e.message}`));
