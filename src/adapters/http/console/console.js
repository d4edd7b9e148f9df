/* global document, sessionStorage, fetch, setInterval, clearInterval, Headers */
// PJ's web console over the admin API. No build, no dependencies. Every value from the API is
// put on the page with textContent, never as HTML.
'use strict';

const TOKEN_KEY = 'soc-advisor-admin-token';
const REFRESH_MS = 2000;

const api = document.body.dataset.api || '/admin/api';
const advisor = document.body.dataset.advisor || 'PJ';
/** Each channel's label, as the server's CHANNELS define them. */
const CHANNEL_LABEL = JSON.parse(document.body.dataset.channels || '{}');
const $ = (id) => document.getElementById(id);

const state = {
  status: 'waiting',
  selected: null,
  /** What the transcript shows, to redraw only when it changed. */
  shown: '',
  listShown: '',
  timer: null,
  busy: false,
  /** A refresh was asked for while one ran: run once more after it. */
  again: false,
};

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

async function call(method, path, body) {
  const headers = new Headers({ Authorization: `Bearer ${token()}` });
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  let res;
  try {
    res = await fetch(api + path, {
      method,
      headers,
      cache: 'no-store',
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'cannot reach the server; is it running?');
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const message = data && typeof data.message === 'string' ? data.message : res.statusText;
    throw new ApiError(res.status, message);
  }
  return data;
}

function showError(error) {
  const box = $('error');
  if (error === null) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  const status = error instanceof ApiError && error.status > 0 ? ` (HTTP ${error.status})` : '';
  box.textContent = `${error.message}${status}`;
  box.hidden = false;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

const STATUS_LABEL = { bot: 'with the bot', waiting: 'waiting', human: `with ${advisor}`, closed: 'closed', opted_out: 'opted out' };
const AUTHOR_LABEL = { user: 'Client', bot: 'Bot', advisor };

function describe(c) {
  const parts = [STATUS_LABEL[c.status] || c.status, CHANNEL_LABEL[c.channel] || c.channel];
  if (c.flags.length > 0) parts.push(`flagged: ${c.flags.join(', ')}`);
  // The buying side's verdict is the report to request from their vendor, not one to get.
  if (c.verdict) parts.push(`${c.side === 'buyer' ? 'buying side, request' : 'verdict'}: ${c.verdict.toUpperCase()}`);
  return parts.join(' - ');
}

// --- login ---------------------------------------------------------------------------------

function showLogin(message) {
  stopRefresh();
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('sync').textContent = '';
  showError(message ? new Error(message) : null);
  $('token').focus();
}

async function showApp() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  await refresh();
  startRefresh();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  try {
    await call('GET', '/conversations?status=waiting');
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin(error instanceof ApiError && error.status === 401 ? 'That token is not the ADMIN_TOKEN.' : error.message);
    return;
  }
  showError(null);
  await showApp();
});

$('logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  state.selected = null;
  showLogin(null);
});

// --- the list ------------------------------------------------------------------------------

function renderList(conversations) {
  // Redraw only on a change, so a click or the keyboard focus is never lost to a refresh.
  const signature = JSON.stringify([state.status, state.selected, conversations.map((c) => [c.id, c.status, c.updatedAt])]);
  if (signature === state.listShown) return;
  state.listShown = signature;
  const list = $('conversations');
  list.replaceChildren(
    ...conversations.map((c) => {
      const item = el('li');
      const button = el('button', 'conversation');
      button.type = 'button';
      button.dataset.id = String(c.id);
      if (c.id === state.selected) button.setAttribute('aria-current', 'true');
      button.append(el('span', 'id', `#${c.id}`), el('span', 'who', c.participant), el('span', `status ${c.status}`, describe(c)), el('span', 'time', when(c.updatedAt)));
      button.addEventListener('click', () => select(c.id));
      item.append(button);
      return item;
    }),
  );
  $('empty').hidden = conversations.length > 0;
}

for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener('click', async () => {
    state.status = tab.dataset.status;
    for (const other of document.querySelectorAll('[role="tab"]')) other.setAttribute('aria-selected', String(other === tab));
    await refresh();
  });
}

// --- one conversation ----------------------------------------------------------------------

function renderDetail(c) {
  $('pick').hidden = true;
  $('conversation').hidden = false;
  $('title').textContent = `#${c.id} ${c.participant}`;
  $('meta').textContent = `${describe(c)} - started ${when(c.createdAt)}`;
  const open = c.status !== 'closed' && c.status !== 'opted_out';
  $('takeover').disabled = !open || c.status === 'human';
  $('release').disabled = !(c.status === 'human' || c.status === 'waiting');
  $('close').disabled = c.status === 'closed' || c.status === 'opted_out';
  $('reply').disabled = !open;
  $('send').disabled = !open;

  const signature = `${c.id}:${c.status}:${c.transcript.length}`;
  if (signature === state.shown) return;
  const opened = state.shown === '';
  state.shown = signature;
  const list = $('transcript');
  // Follow new lines unless PJ scrolled up to read.
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(
    ...c.transcript.map((entry) => {
      const line = el('li', `entry ${entry.direction} ${entry.author}`);
      const head = el('div', 'entry-head');
      const arrow = entry.direction === 'in' ? 'from' : entry.direction === 'out' ? 'to client' : 'event';
      head.append(el('span', 'author', AUTHOR_LABEL[entry.author] || entry.author), el('span', 'direction', arrow), el('time', 'time', when(entry.at)));
      line.append(head, el('p', 'text', entry.text));
      return line;
    }),
  );
  if (opened || atBottom) list.scrollTop = list.scrollHeight;
}

async function loadDetail() {
  if (state.selected === null) return;
  const asked = state.selected;
  try {
    const conversation = await call('GET', `/conversations/${asked}`);
    // A late answer for a conversation no longer selected must not replace the one PJ acts on.
    if (state.selected !== asked) return;
    renderDetail(conversation);
  } catch (error) {
    handle(error);
  }
}

async function select(id) {
  state.selected = id;
  state.shown = '';
  for (const b of document.querySelectorAll('.conversation')) {
    if (b.dataset.id === String(id)) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  showError(null);
  await loadDetail();
}

async function act(path, body, button) {
  if (state.selected === null) return false;
  if (button) button.disabled = true;
  try {
    await call('POST', `/conversations/${state.selected}/${path}`, body);
    showError(null);
    return true;
  } catch (error) {
    handle(error);
    return false;
  } finally {
    await refresh();
  }
}

$('takeover').addEventListener('click', () => act('takeover', undefined, $('takeover')));
$('release').addEventListener('click', () => act('release', undefined, $('release')));
$('close').addEventListener('click', () => act('close', undefined, $('close')));

$('reply-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('reply').value;
  if (text.trim() === '') {
    showError(new Error('Write something to send.'));
    return;
  }
  if (await act('messages', { text }, $('send'))) $('reply').value = '';
});

$('reply').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('reply-form').requestSubmit();
});

// --- refreshing ----------------------------------------------------------------------------

function handle(error) {
  if (error instanceof ApiError && error.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('The server did not accept the token; log in again.');
    return;
  }
  showError(error);
}

async function refresh() {
  if (state.busy) {
    state.again = true;
    return;
  }
  state.busy = true;
  try {
    const query = state.status ? `?status=${encodeURIComponent(state.status)}` : '';
    const { conversations } = await call('GET', `/conversations${query}`);
    renderList(conversations);
    await loadDetail();
    $('sync').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    handle(error);
  } finally {
    state.busy = false;
  }
  if (state.again) {
    state.again = false;
    await refresh();
  }
}

function startRefresh() {
  stopRefresh();
  state.timer = setInterval(refresh, REFRESH_MS);
}

function stopRefresh() {
  if (state.timer !== null) clearInterval(state.timer);
  state.timer = null;
}

if (token()) showApp();
else showLogin(null);
