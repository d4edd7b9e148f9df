/* global document, sessionStorage, fetch, setInterval, clearInterval, Headers, URLSearchParams, URL */
// PJ's web console over the admin API. No build, no dependencies. Every value from the API is
// put on the page with textContent, never as HTML.
'use strict';

const TOKEN_KEY = 'soc-advisor-admin-token';
const REFRESH_MS = 2000;
/** Conversations per page of the list; "Load more" asks for the next. */
const PAGE = 50;
/** What one poll may bring back; more changes than that and the list starts over. */
const POLL_LIMIT = 200;
/** A poll asks for changes from a little before the newest one seen: two instances' clocks, or a slow commit. */
const OVERLAP_MS = 5000;

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
  /** The tab's conversations loaded so far, by id; polls update them. */
  byId: new Map(),
  /** Where the next page starts (the API's nextCursor), or null when there is none. */
  nextCursor: null,
  /** The oldest conversation the loaded pages hold: a poll adds nothing past it, that is Load more's. */
  edge: null,
  /** The tab's first page is loaded: refreshes poll only what changed. */
  loaded: false,
  /** Counts list resets (a tab switch), so an answer for the list before is dropped. */
  generation: 0,
  /** The newest change seen (epoch ms), anywhere: polls ask for what changed since. */
  watermark: null,
  /** The selected conversation's updatedAt as shown, and whether it must be fetched again. */
  detailAt: null,
  detailStale: false,
  /** When the client's local time was last read (epoch ms). */
  clientTimeAt: 0,
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

const STATUS_LABEL = {
  bot: 'with the bot',
  waiting: 'waiting',
  human: `with ${advisor}`,
  closed: 'closed',
  opted_out: 'opted out',
};
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
    await call('GET', '/conversations?limit=1');
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
  forgetList();
  state.watermark = null;
  showLogin(null);
});

// --- the list ------------------------------------------------------------------------------

const newestFirst = (a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.id - a.id;
const inTab = (c) => !state.status || c.status === state.status;

function forgetList() {
  state.generation += 1;
  state.byId = new Map();
  state.nextCursor = null;
  state.edge = null;
  state.loaded = false;
  state.listShown = '';
}

/** Keeps `c` unless a newer copy of it is already there, and moves the watermark. */
function keep(c) {
  const had = state.byId.get(c.id);
  if (!had || Date.parse(had.updatedAt) <= Date.parse(c.updatedAt)) state.byId.set(c.id, c);
  seen(c);
}

function seen(c) {
  const at = Date.parse(c.updatedAt);
  if (!Number.isNaN(at) && (state.watermark === null || at > state.watermark)) state.watermark = at;
  if (c.id === state.selected && c.updatedAt !== state.detailAt) state.detailStale = true;
}

function listPath(params) {
  const query = new URLSearchParams({ limit: String(PAGE), ...params });
  if (state.status) query.set('status', state.status);
  return `/conversations?${query}`;
}

/** The tab's first page. The newest change anywhere is read first, so nothing after it is missed. */
async function loadFirstPage() {
  if (state.watermark === null) (await call('GET', '/conversations?limit=1')).conversations.forEach(seen);
  const generation = state.generation;
  const page = await call('GET', listPath({}));
  if (generation !== state.generation) return;
  forgetList();
  page.conversations.forEach(keep);
  takePage(page);
  state.loaded = true;
}

function takePage(page) {
  state.nextCursor = page.nextCursor;
  const last = page.conversations[page.conversations.length - 1];
  if (last) state.edge = last;
}

/**
 * Whether `c` sorts after the last loaded page while older ones remain: a poll's overlap brings back
 * conversations that did not change, and adding those would grow the list past its pages.
 */
const pastLoadedPages = (c) =>
  state.nextCursor !== null && state.edge !== null && !state.byId.has(c.id) && newestFirst(state.edge, c) < 0;

/** What changed since the last poll, in any tab: kept here when it belongs to this tab, dropped when not. */
async function poll() {
  const query = new URLSearchParams({ limit: String(POLL_LIMIT) });
  if (state.watermark !== null) query.set('since', new Date(state.watermark - OVERLAP_MS).toISOString());
  const generation = state.generation;
  const changed = await call('GET', `/conversations?${query}`);
  // A tab switch while the poll ran: its first page is loaded next, this answer is for the list before.
  if (generation !== state.generation) return;
  if (changed.nextCursor !== null) {
    state.detailStale = true;
    await loadFirstPage();
    return;
  }
  for (const c of changed.conversations) {
    if (!inTab(c)) state.byId.delete(c.id);
    if (inTab(c) && !pastLoadedPages(c)) keep(c);
    else seen(c);
  }
}

async function loadMore() {
  if (state.nextCursor === null) return;
  const button = $('more');
  button.disabled = true;
  try {
    const generation = state.generation;
    const page = await call('GET', listPath({ before: state.nextCursor }));
    if (generation !== state.generation) return;
    page.conversations.forEach(keep);
    takePage(page);
    renderList();
  } catch (error) {
    handle(error);
  } finally {
    button.disabled = false;
  }
}

$('more').addEventListener('click', loadMore);

function renderList() {
  const conversations = [...state.byId.values()].sort(newestFirst);
  $('more').hidden = state.nextCursor === null;
  // Redraw only on a change, so a click or the keyboard focus is never lost to a refresh.
  const signature = JSON.stringify([
    state.status,
    state.selected,
    conversations.map((c) => [c.id, c.status, c.updatedAt]),
  ]);
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
      button.append(
        el('span', 'id', `#${c.id}`),
        el('span', 'who', c.participant),
        el('span', `status ${c.status}`, describe(c)),
        el('span', 'time', when(c.updatedAt)),
      );
      button.addEventListener('click', () => select(c.id));
      item.append(button);
      return item;
    }),
  );
  $('empty').hidden = conversations.length > 0 || state.nextCursor !== null;
}

for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener('click', async () => {
    state.status = tab.dataset.status;
    for (const other of document.querySelectorAll('[role="tab"]'))
      other.setAttribute('aria-selected', String(other === tab));
    forgetList();
    await refresh();
  });
}

// --- one conversation ----------------------------------------------------------------------

function renderDetail(c) {
  $('pick').hidden = true;
  $('conversation').hidden = false;
  $('title').textContent = `#${c.id} ${c.participant}`;
  // The rules its verdict came from, and PJ's review of it (made on the Pipeline page).
  const rules = c.rulesVersion ? ` - rules ${c.rulesVersion}` : '';
  const review = c.review
    ? ` - ${advisor} reviewed: ${c.review.verdict.toUpperCase()}${c.review.note ? ` (${c.review.note})` : ''}`
    : '';
  $('meta').textContent = `${describe(c)}${rules}${review} - started ${when(c.createdAt)}`;
  const open = c.status !== 'closed' && c.status !== 'opted_out';
  $('takeover').disabled = !open || c.status === 'human';
  $('release').disabled = !(c.status === 'human' || c.status === 'waiting');
  $('close').disabled = c.status === 'closed' || c.status === 'opted_out';
  $('reply').disabled = !open;
  $('send').disabled = !open;

  // A picture being downloaded changes the transcript without adding a line.
  const media = c.transcript.flatMap((entry) => (entry.media || []).map((m) => m.state)).join(',');
  const signature = `${c.id}:${c.status}:${c.transcript.length}:${media}`;
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
      head.append(
        el('span', 'author', AUTHOR_LABEL[entry.author] || entry.author),
        el('span', 'direction', arrow),
        el('time', 'time', when(entry.at)),
      );
      line.append(head);
      if (entry.text !== '') line.append(el('p', 'text', entry.text));
      if (entry.media && entry.media.length > 0) line.append(mediaList(c.id, entry.media));
      return line;
    }),
  );
  if (opened || atBottom) list.scrollTop = list.scrollHeight;
}

/** Pictures the API serves as pictures (the rest it serves only as downloads). */
const SHOWN_PICTURES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
/** Object URLs of stored attachments already fetched, by conversation and attachment id. */
const storedFiles = new Map();

/** A stored attachment's bytes, fetched once with the token (an <img> cannot send it), as an object URL. */
function storedFile(conversationId, mediaId) {
  const key = `${conversationId}/${mediaId}`;
  if (!storedFiles.has(key)) {
    const loading = fetch(`${api}/conversations/${conversationId}/media/${mediaId}`, {
      headers: new Headers({ Authorization: `Bearer ${token()}` }),
    }).then(async (res) => {
      if (!res.ok) throw new ApiError(res.status, res.statusText);
      return URL.createObjectURL(await res.blob());
    });
    // A failed fetch is tried again on the next redraw.
    loading.catch(() => storedFiles.delete(key));
    storedFiles.set(key, loading);
  }
  return storedFiles.get(key);
}

/**
 * What the client attached. Downloaded into the database (TWILIO_FETCH_MEDIA): a picture shown, any
 * other file a download. Otherwise a link to where the provider keeps it, named by its type.
 */
function mediaList(conversationId, media) {
  const list = el('ul', 'media');
  for (const m of media) {
    const item = el('li');
    if (m.state === 'stored' && SHOWN_PICTURES.has(String(m.contentType).toLowerCase())) {
      const picture = el('img', 'media-picture');
      picture.alt = m.contentType;
      storedFile(conversationId, m.id).then(
        (src) => (picture.src = src),
        () => (picture.alt = `${m.contentType} (could not load)`),
      );
      item.append(picture);
    } else if (m.state === 'stored') {
      const download = el('a', 'media-link', `${m.contentType} (download)`);
      download.download = `attachment-${m.id}`;
      storedFile(conversationId, m.id).then(
        (href) => (download.href = href),
        () => undefined,
      );
      item.append(download);
      // Only a web link is followed; the API gives https links, but a page never trusts data.
    } else if (/^https:\/\//i.test(m.url)) {
      const link = el('a', 'media-link', m.contentType);
      link.href = m.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      item.append(link);
    } else {
      item.append(el('span', 'media-link', m.contentType));
    }
    list.append(item);
  }
  return list;
}

/** The selected conversation, fetched only when it changed (a poll saw a new updatedAt) or was just picked. */
async function loadDetail() {
  if (state.selected === null || !state.detailStale) return;
  const asked = state.selected;
  state.detailStale = false;
  try {
    const conversation = await call('GET', `/conversations/${asked}`);
    // A late answer for a conversation no longer selected must not replace the one PJ acts on.
    if (state.selected !== asked) return;
    state.detailAt = conversation.updatedAt;
    renderDetail(conversation);
  } catch (error) {
    if (state.selected === asked) state.detailStale = true;
    handle(error);
  }
}

/** How often the client's local time beside the reply box is read again. */
const CLIENT_TIME_MS = 30_000;

/** The client's local time beside the reply box, and whether it is night there; read again every half minute. */
async function loadClientTime(force) {
  if (state.selected === null || (!force && Date.now() - state.clientTimeAt < CLIENT_TIME_MS)) return;
  const asked = state.selected;
  state.clientTimeAt = Date.now();
  const box = $('client-time');
  try {
    const { clientTime } = await call('GET', `/conversations/${asked}/client-time`);
    if (state.selected !== asked) return;
    box.hidden = clientTime === null;
    box.textContent = clientTime === null ? '' : `${clientTime.label}: ${clientTime.text}`;
    box.classList.toggle('night', clientTime !== null && clientTime.night);
  } catch {
    // The transcript's own load says what is wrong; a stale time is only hidden.
    box.hidden = true;
  }
}

async function select(id) {
  state.selected = id;
  state.clientTimeAt = 0;
  $('client-time').hidden = true;
  state.shown = '';
  state.detailAt = null;
  state.detailStale = true;
  for (const b of document.querySelectorAll('.conversation')) {
    if (b.dataset.id === String(id)) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  showError(null);
  await loadDetail();
  await loadClientTime(true);
}

async function act(path, body, button) {
  if (state.selected === null) return false;
  if (button) button.disabled = true;
  try {
    await call('POST', `/conversations/${state.selected}/${path}`, body);
    state.detailStale = true;
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
    if (state.loaded) await poll();
    else await loadFirstPage();
    renderList();
    await loadDetail();
    await loadClientTime(false);
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
