/* global document, window, navigator, localStorage, fetch, EventSource, CSSStyleSheet, URL, Headers, setTimeout, clearTimeout, crypto */
// The SOC Advisor chat widget: one script tag on any page. It draws a button and a panel inside a
// shadow root (the page's CSS cannot reach them, nor theirs the page), talks only to the bot it was
// loaded from, and puts every text on the page with textContent, never as HTML. No build, no
// dependencies: the server writes the words of flows/main.yaml (and of each translation, web:) into
// CONFIG as it serves the file. The panel shows the conversation's language, which the bot answers
// in; before the visitor writes, the browser's.
(function socAdvisorWidget() {
  'use strict';

  const script = document.currentScript;
  if (!script || !script.src || document.getElementById('soc-advisor-chat')) return;
  const CONFIG = JSON.parse('__SOC_ADVISOR_CONFIG__');
  /** The panel's words in the language it shows (CONFIG.copy has one set per language). */
  let COPY = CONFIG.copy.en;
  const BOT = new URL(script.src).origin;
  const STORE_KEY = `soc-advisor-chat:${BOT}`;
  const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));

  /** A language the panel has words for, or null. */
  const known = (language) =>
    typeof language === 'string' && Object.prototype.hasOwnProperty.call(CONFIG.copy, language) ? language : null;
  /** The browser's language ("es-MX" is es), a hint until the visitor writes; English otherwise. */
  const browserLanguage = () =>
    known(
      String(navigator.language || '')
        .toLowerCase()
        .split('-')[0],
    ) || 'en';

  const memory = {};
  const saved = {
    get() {
      try {
        return JSON.parse(localStorage.getItem(STORE_KEY) || '{}');
      } catch {
        return memory;
      }
    },
    set(value) {
      Object.assign(memory, value);
      try {
        localStorage.setItem(STORE_KEY, JSON.stringify({ ...saved.get(), ...value }));
      } catch {
        // Private browsing without storage: this tab keeps the conversation until it closes.
      }
    },
    clear() {
      for (const key of Object.keys(memory)) delete memory[key];
      try {
        localStorage.removeItem(STORE_KEY);
      } catch {
        // nothing kept
      }
    },
  };

  const STYLE = `
    :host { all: initial; }
    * { box-sizing: border-box; }
    .root { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1d2430; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;
      border: 0; border-radius: 50%; background: #1f5fbf; color: #fff; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); display: grid; place-items: center; }
    .launcher:focus-visible, button:focus-visible, a:focus-visible, textarea:focus-visible, input:focus-visible {
      outline: 3px solid #f0b400; outline-offset: 2px; }
    .launcher svg { width: 28px; height: 28px; }
    .badge { position: absolute; top: -2px; right: -2px; min-width: 22px; height: 22px; padding: 0 6px;
      border-radius: 11px; background: #c62828; color: #fff; font-size: 13px; font-weight: 700; line-height: 22px; }
    .badge[hidden] { display: none; }
    .panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000; width: 380px;
      max-width: calc(100vw - 40px); height: 560px; max-height: calc(100vh - 120px); display: flex;
      flex-direction: column; background: #fff; border: 1px solid #d5dae2; border-radius: 14px;
      box-shadow: 0 12px 40px rgba(0, 0, 0, 0.22); overflow: hidden; }
    .panel[hidden] { display: none; }
    header { display: flex; align-items: flex-start; gap: 8px; padding: 12px 12px 10px 16px;
      background: #1f5fbf; color: #fff; }
    header div { flex: 1; min-width: 0; }
    h2 { margin: 0; font-size: 16px; font-weight: 700; }
    .sub { margin: 2px 0 0; font-size: 12.5px; opacity: 0.9; }
    .close { flex: none; width: 36px; height: 36px; border: 0; border-radius: 8px; background: transparent;
      color: #fff; font-size: 24px; line-height: 1; cursor: pointer; }
    .close:hover { background: rgba(255, 255, 255, 0.15); }
    .log { flex: 1; overflow-y: auto; padding: 14px 12px; background: #f6f7f9; }
    .msg { display: flex; flex-direction: column; margin: 0 0 10px; max-width: 88%; }
    .msg.visitor { margin-left: auto; align-items: flex-end; }
    .who { font-size: 12px; color: #5b6575; margin: 0 2px 2px; }
    .bubble { padding: 9px 12px; border-radius: 12px; background: #fff; border: 1px solid #e1e5eb;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .visitor .bubble { background: #1f5fbf; border-color: #1f5fbf; color: #fff; }
    .advisor .bubble { background: #fff8e6; border-color: #f0d48a; }
    .msg.failed .bubble { opacity: 0.6; }
    .retry { margin-top: 4px; border: 0; background: none; color: #b3261e; font: inherit; font-size: 13px;
      text-decoration: underline; cursor: pointer; padding: 2px; }
    .choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
    .choices button, .contact button, .card a { font: inherit; font-size: 14px; padding: 7px 12px; min-height: 36px;
      border-radius: 18px; border: 1px solid #1f5fbf; background: #fff; color: #1f5fbf; cursor: pointer; }
    .choices button[aria-pressed='true'] { background: #1f5fbf; color: #fff; }
    .choices button:disabled:not([aria-pressed='true']) { opacity: 0.45; cursor: default; }
    .card { margin-top: 2px; padding: 12px; border-radius: 12px; background: #fff; border: 1px solid #cdd9ee; }
    .card h3 { margin: 0 0 6px; font-size: 16px; }
    .card p { margin: 0 0 6px; }
    .card ul { margin: 0 0 8px; padding-left: 18px; }
    .card .links { display: flex; flex-wrap: wrap; gap: 8px; }
    .card a { text-decoration: none; display: inline-flex; align-items: center; }
    .card a.primary { background: #1f5fbf; color: #fff; }
    .contact { margin-top: 8px; padding: 10px; border-radius: 10px; background: #fff; border: 1px solid #e1e5eb; }
    .contact label { display: block; font-weight: 600; font-size: 14px; margin-bottom: 4px; }
    .contact input { width: 100%; font: inherit; font-size: 16px; padding: 7px 9px; border: 1px solid #b8c0cc;
      border-radius: 8px; }
    .contact .hint { margin: 4px 0 8px; font-size: 12.5px; color: #5b6575; }
    .contact .row { display: flex; gap: 8px; flex-wrap: wrap; }
    .contact button[type='button'] { border-color: #b8c0cc; color: #3d4a5c; }
    .error { color: #b3261e; font-size: 13px; margin: 6px 0 0; }
    .status { margin: 0; padding: 0 12px; font-size: 12.5px; color: #8a5a00; background: #fff8e6; }
    .status:empty { display: none; }
    .status:not(:empty) { padding: 6px 12px; }
    form.compose { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e1e5eb; background: #fff; }
    textarea { flex: 1; resize: none; font: inherit; font-size: 16px; line-height: 1.35; padding: 8px 10px;
      border: 1px solid #b8c0cc; border-radius: 10px; max-height: 120px; }
    .send { flex: none; border: 0; border-radius: 10px; padding: 0 16px; background: #1f5fbf; color: #fff;
      font: inherit; font-weight: 600; cursor: pointer; min-height: 40px; }
    .send:disabled { opacity: 0.5; cursor: default; }
    .sr { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    @media (max-width: 480px) {
      .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; border: 0; }
      .root.open .launcher { display: none; }
    }
    @media (prefers-reduced-motion: no-preference) { .panel { transition: opacity 120ms ease-out; } }
  `;

  /**
   * Gives a node the panel's words `key` (as its text, or as the attributes `attrs` names, with
   * `vars` filled), now and again whenever the language changes; null takes them away.
   */
  function words(node, key, options = {}) {
    if (key === null) {
      delete node.dataset.copy;
      node.textContent = '';
      return node;
    }
    node.dataset.copy = key;
    node.dataset.copyOptions = JSON.stringify(options);
    paint(node);
    return node;
  }

  function paint(node) {
    const { attrs = [], vars = {}, suffix = '' } = JSON.parse(node.dataset.copyOptions || '{}');
    const text = fill(COPY[node.dataset.copy] || '', vars) + suffix;
    if (attrs.length === 0) node.textContent = text;
    for (const name of attrs) node.setAttribute(name, text);
  }

  /** Makes an element: el('p', { className: 'x' }, 'text', child...). Text is only ever textContent. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'className' || key === 'textContent' || key === 'hidden' || key === 'disabled' || key === 'type') {
        node[key] = value;
      } else {
        node.setAttribute(key, value);
      }
    }
    for (const child of children) node.append(child);
    return node;
  }

  const host = el('div', { id: 'soc-advisor-chat' });
  const shadow = host.attachShadow({ mode: 'open' });
  if (
    'adoptedStyleSheets' in shadow &&
    typeof CSSStyleSheet === 'function' &&
    'replaceSync' in CSSStyleSheet.prototype
  ) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.append(el('style', { textContent: STYLE }));
  }

  const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z');
  icon.append(path);
  const badge = el('span', { className: 'badge', 'aria-hidden': 'true', hidden: true });
  const launcher = words(
    el(
      'button',
      { type: 'button', className: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'panel' },
      icon,
      badge,
    ),
    'launcher',
    { attrs: ['title'] },
  );
  const log = words(el('div', { className: 'log', role: 'log', 'aria-live': 'off', tabindex: '0' }), 'title', {
    attrs: ['aria-label'],
  });
  const status = el('p', { className: 'status', role: 'status' });
  const input = words(
    el('textarea', { id: 'input', rows: '1', maxlength: String(CONFIG.maxLength), autocomplete: 'off' }),
    'placeholder',
    { attrs: ['placeholder'] },
  );
  const send = words(el('button', { type: 'submit', className: 'send' }), 'send');
  const compose = el(
    'form',
    { className: 'compose' },
    words(el('label', { className: 'sr', for: 'input' }), 'placeholder'),
    input,
    send,
  );
  const close = words(el('button', { type: 'button', className: 'close', textContent: '\u00d7' }), 'close', {
    attrs: ['aria-label', 'title'],
  });
  const panel = el(
    'section',
    { id: 'panel', className: 'panel', role: 'dialog', 'aria-labelledby': 'title', hidden: true },
    el(
      'header',
      {},
      el('div', {}, words(el('h2', { id: 'title' }), 'title'), words(el('p', { className: 'sub' }), 'subtitle')),
      close,
    ),
    log,
    status,
    compose,
  );
  const root = el('div', { className: 'root', lang: 'en' }, panel, launcher);
  shadow.append(root);
  (document.body || document.documentElement).append(host);

  const state = {
    /** The language the panel shows: the conversation's once the server has said it, else the kept one or the browser's. */
    language: null,
    session: null,
    ready: null,
    shown: new Map(),
    lastId: 0,
    seenSent: 0,
    unread: 0,
    stream: null,
    unavailable: false,
    seenTimer: null,
  };

  /** The status line: the panel's words `key` (with `vars`), or nothing. */
  function setStatus(key, vars) {
    words(status, key || null, { vars });
  }

  /**
   * Shows the panel's words in `language`, if it has them; `keep`: the server said it (the
   * conversation's), so the next visit starts in it.
   */
  function useLanguage(language, keep = true) {
    const next = known(language);
    if (next === null) return;
    if (keep) saved.set({ language: next });
    if (next === state.language) return;
    state.language = next;
    COPY = CONFIG.copy[next];
    root.setAttribute('lang', next);
    for (const node of shadow.querySelectorAll('[data-copy]')) paint(node);
    setUnread(state.unread);
  }

  function isOpen() {
    return !panel.hidden;
  }

  function setUnread(count) {
    state.unread = count;
    badge.hidden = count === 0;
    badge.textContent = count > 9 ? '9+' : String(count);
    launcher.setAttribute('aria-label', count > 0 ? `${COPY.launcher} (${COPY.newReply})` : COPY.launcher);
  }

  async function call(method, path, body) {
    const headers = new Headers();
    if (state.session) headers.set('Authorization', `Bearer ${state.session}`);
    if (body !== undefined) headers.set('Content-Type', 'application/json');
    const res = await fetch(BOT + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      mode: 'cors',
      credentials: 'omit',
    });
    let json = null;
    try {
      json = await res.json();
    } catch {
      // an empty body (204)
    }
    return { status: res.status, json };
  }

  const newId = () =>
    typeof crypto !== 'undefined' && crypto.randomUUID
      ? crypto.randomUUID()
      : `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

  /** Only the latest question's buttons answer: once the visitor has said anything after it, they are done. */
  function retireChoices() {
    for (const group of log.querySelectorAll('.choices')) {
      for (const button of group.querySelectorAll('button')) button.disabled = true;
    }
  }

  /** Who wrote a line, for screen readers; PJ's own replies show his name. */
  function whoLabel(from) {
    if (from === 'advisor') return el('span', { className: 'who', textContent: `${CONFIG.advisor}:` });
    return words(el('span', { className: 'who sr' }), from === 'visitor' ? 'you' : 'bot', { suffix: ':' });
  }

  function renderCard(card) {
    const links = el('div', { className: 'links' });
    card.links.forEach((link, i) => {
      if (!/^(sms|tel):\+?\d+$/.test(link.href)) return;
      links.append(el('a', { href: link.href, className: i === 0 ? 'primary' : '', textContent: link.label }));
    });
    return el(
      'article',
      { className: 'card' },
      el('h3', { textContent: card.headline }),
      el('p', { textContent: card.reason }),
      el('ul', {}, ...card.advice.map((line) => el('li', { textContent: line }))),
      el('p', { textContent: card.handoff }),
      links,
    );
  }

  function renderChoices(line) {
    const group = el('div', { className: 'choices', role: 'group', 'aria-label': line.text });
    for (const choice of line.choices) {
      const button = el('button', { type: 'button', textContent: choice.label, 'aria-pressed': 'false' });
      button.addEventListener('click', () => {
        if (button.disabled) return;
        retireChoices();
        button.setAttribute('aria-pressed', 'true');
        void post({ choice: choice.value }, choice.label);
      });
      group.append(button);
    }
    return group;
  }

  function renderContact(line) {
    const dismissed = saved.get().dismissedOffer;
    if (dismissed !== undefined && dismissed >= (line.id || 0)) return null;
    const hintId = `hint-${line.id}`;
    const field = el('input', {
      id: `contact-${line.id}`,
      type: 'text',
      autocomplete: 'email',
      'aria-describedby': hintId,
      maxlength: '200',
    });
    const error = el('p', { className: 'error', role: 'alert' });
    const skip = words(el('button', { type: 'button' }), 'contactSkip');
    const form = el(
      'form',
      { className: 'contact' },
      words(el('label', { for: `contact-${line.id}` }), 'contactLabel'),
      field,
      words(el('p', { className: 'hint', id: hintId }), 'contactHint'),
      el('div', { className: 'row' }, words(el('button', { type: 'submit' }), 'contactSend'), skip),
      error,
    );
    skip.addEventListener('click', () => {
      saved.set({ dismissedOffer: line.id || 0 });
      form.remove();
      input.focus();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const contact = field.value.trim();
      if (contact === '') return;
      words(error, null);
      try {
        const { status: code, json } = await call('POST', '/web/contact', { contact, language: state.language });
        if (code === 200) {
          form.remove();
          show(json.message);
          for (const reply of json.replies) show(reply);
          input.focus();
        } else if (code === 400 && json && json.error === 'bad_contact') {
          words(error, 'contactInvalid');
        } else {
          words(error, code === 429 ? 'tooFast' : 'sendFailed');
        }
      } catch {
        words(error, 'sendFailed');
      }
    });
    return form;
  }

  /** Shows one stored line once, whichever way it came (the POST's answer, the stream, the history). */
  function show(line, live = true) {
    if (!line || state.shown.has(line.id)) return;
    if (line.from === 'visitor') retireChoices();
    const node = el('div', { className: `msg ${line.from}`, 'data-id': String(line.id) });
    node.append(whoLabel(line.from));
    if (line.card) {
      node.append(renderCard(line.card));
    } else {
      node.append(el('div', { className: 'bubble', textContent: line.text }));
    }
    if (line.choices) node.append(renderChoices(line));
    if (line.leftContact) for (const form of log.querySelectorAll('form.contact')) form.remove();
    if (line.askContact) {
      const form = renderContact(line);
      if (form) node.append(form);
    }
    if (line.id !== undefined) {
      state.shown.set(line.id, node);
      state.lastId = Math.max(state.lastId, line.id);
    }
    log.append(node);
    log.scrollTop = log.scrollHeight;
    if (live && line.from !== 'visitor' && !isOpen()) setUnread(state.unread + 1);
    markSeenSoon();
  }

  function markSeenSoon() {
    if (!isOpen() || document.visibilityState === 'hidden' || state.lastId <= state.seenSent) return;
    clearTimeout(state.seenTimer);
    state.seenTimer = setTimeout(async () => {
      const through = state.lastId;
      if (through <= state.seenSent) return;
      state.seenSent = through;
      try {
        await call('POST', '/web/seen', { through });
      } catch {
        state.seenSent = 0;
      }
    }, 300);
  }

  function connect() {
    if (state.stream) state.stream.close();
    const url = `${BOT}/web/events?session=${encodeURIComponent(state.session)}&after=${state.lastId}`;
    const stream = new EventSource(url);
    state.stream = stream;
    stream.onopen = () => setStatus('');
    stream.onmessage = (event) => {
      try {
        show(JSON.parse(event.data));
      } catch {
        // not a line: ignore it
      }
    };
    stream.onerror = () => {
      // The browser reconnects by itself with Last-Event-ID; a closed stream (refused) starts again.
      setStatus('reconnecting');
      if (stream.readyState === EventSource.CLOSED) setTimeout(() => state.stream === stream && connect(), 3000);
    };
  }

  function showGreeting(greeting) {
    for (const line of greeting) show({ ...line, id: undefined, from: 'bot' }, false);
  }

  async function start() {
    const check = await fetch(`${BOT}/web/origin`, { mode: 'cors', credentials: 'omit' }).then((r) => r.json());
    if (!check.allowed) {
      state.unavailable = true;
      log.append(words(el('p', { className: 'error' }), 'unavailable'));
      input.disabled = true;
      send.disabled = true;
      return;
    }
    const kept = saved.get().session;
    if (kept) {
      state.session = kept;
      const { status: code, json } = await call('GET', `/web/messages?language=${state.language}`);
      if (code === 200) {
        useLanguage(json.language);
        showGreeting(json.greeting);
        for (const line of json.messages) show(line, false);
        // Lines from the visitor's last visit that were never shown count as new.
        const seen = saved.get().seen || 0;
        setUnread(json.messages.filter((m) => m.from !== 'visitor' && m.id > seen).length);
        connect();
        return;
      }
      state.session = null;
      saved.clear();
    }
    const { status: code, json } = await call('POST', `/web/sessions?language=${state.language}`);
    if (code !== 201) throw new Error(`POST /web/sessions answered ${code}`);
    state.session = json.session;
    saved.set({ session: json.session });
    useLanguage(json.language);
    showGreeting(json.greeting);
    connect();
  }

  function ready() {
    if (!state.ready) {
      state.ready = start().catch(() => {
        state.ready = null;
        setStatus('sendFailed');
      });
    }
    return state.ready;
  }

  /** Sends what the visitor typed or chose; a retry keeps the message id, so it is answered once. */
  async function post(body, shown, id = newId(), pending = null) {
    await ready();
    if (!state.session) return;
    const node =
      pending ||
      el(
        'div',
        { className: 'msg visitor' },
        whoLabel('visitor'),
        el('div', { className: 'bubble', textContent: shown }),
      );
    node.classList.remove('failed');
    node.querySelector('.retry')?.remove();
    if (!pending) log.append(node);
    log.scrollTop = log.scrollHeight;
    const fail = (key, vars) => {
      node.classList.add('failed');
      const retry = words(el('button', { type: 'button', className: 'retry' }), key, { vars });
      retry.addEventListener('click', () => void post(body, shown, id, node));
      node.append(retry);
    };
    try {
      const { status: code, json } = await call('POST', '/web/messages', { id, ...body, language: state.language });
      if (code === 200) {
        // The bot answers in the conversation's language, which the panel's own words follow.
        useLanguage(json.language);
        node.remove();
        show(json.message);
        for (const reply of json.replies) show(reply);
      } else if (code === 429) {
        fail('tooFast');
      } else if (code === 413) {
        fail('tooLong', { max: CONFIG.maxLength });
      } else {
        fail('sendFailed');
      }
    } catch {
      fail('sendFailed');
    }
  }

  function open() {
    panel.hidden = false;
    root.classList.add('open');
    launcher.setAttribute('aria-expanded', 'true');
    setUnread(0);
    saved.set({ seen: state.lastId });
    void ready().then(() => {
      log.setAttribute('aria-live', 'polite');
      markSeenSoon();
    });
    input.focus();
  }

  function shut() {
    panel.hidden = true;
    root.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    saved.set({ seen: state.lastId });
    launcher.focus();
  }

  launcher.addEventListener('click', () => (isOpen() ? shut() : open()));
  close.addEventListener('click', shut);
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') shut();
  });
  compose.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === '' || state.unavailable) return;
    if (text.length > CONFIG.maxLength) {
      setStatus('tooLong', { max: CONFIG.maxLength });
      return;
    }
    setStatus('');
    input.value = '';
    void post({ text }, text);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      compose.requestSubmit();
    }
  });
  document.addEventListener('visibilitychange', markSeenSoon);
  // The language kept from the last visit, else the browser's, until the server says the conversation's.
  useLanguage(known(saved.get().language) || browserLanguage(), false);
  // A visitor who has talked before sees PJ's replies counted on the button without opening it.
  if (saved.get().session) void ready();
  window.socAdvisorChat = { open, close: shut };
})();
