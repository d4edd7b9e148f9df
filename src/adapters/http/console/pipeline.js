/* global document, sessionStorage, fetch, Headers, URLSearchParams, URL, Chart */
// PJ's pipeline over the admin API: the funnel, verdicts, flags and days as charts (Chart.js,
// served by the bot), the lead list with its CSV, and his verdict reviews. Every value from the
// API is put on the page with textContent, never as HTML.
'use strict';

const TOKEN_KEY = 'soc-advisor-admin-token';
const api = document.body.dataset.api || '/admin/api';
const advisor = document.body.dataset.advisor || 'PJ';
const CHANNEL_LABEL = JSON.parse(document.body.dataset.channels || '{}');
const $ = (id) => document.getElementById(id);

const LABEL = { soc1: 'SOC 1', soc2: 'SOC 2', both: 'Both', flagged: 'Needs a person', none: 'No verdict' };
const COLORS = ['#1f5fbf', '#2e9d62', '#c7821c', '#b3261e', '#7b4fb8', '#5f6b7a', '#1c9aa8'];
const state = { leads: [], charts: {} };

const token = () => sessionStorage.getItem(TOKEN_KEY) || '';

async function call(method, path, body) {
  const headers = new Headers({ Authorization: `Bearer ${token()}` });
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  const res = await fetch(api + path, {
    method,
    headers,
    cache: 'no-store',
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new Error(data && typeof data.message === 'string' ? data.message : res.statusText);
  }
  return res;
}

function showError(error) {
  const box = $('error');
  box.textContent = error ? error.message || String(error) : '';
  box.hidden = !error;
}

function query() {
  const params = new URLSearchParams({ from: $('from').value, to: $('to').value });
  if ($('channel').value) params.set('channel', $('channel').value);
  return params.toString();
}

/** One chart, drawn once and then given new data: Chart.js keeps the canvas. */
function draw(id, type, labels, datasets, options = {}) {
  const existing = state.charts[id];
  if (existing) {
    existing.data.labels = labels;
    existing.data.datasets = datasets;
    existing.update();
    return;
  }
  state.charts[id] = new Chart($(id), {
    type,
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: type !== 'bar' || datasets.length > 1 } },
      ...options,
    },
  });
}

function renderStats(stats) {
  const f = stats.funnel;
  $('started').textContent = String(f.started);
  $('median').textContent =
    stats.medianMinutesToAdvisorReply === null ? '-' : String(stats.medianMinutesToAdvisorReply);
  $('drop-product').textContent = String(stats.dropOff.product);
  $('drop-asker').textContent = String(stats.dropOff.asker);
  const steps = [
    ['Started', f.started],
    ['Said what the product does', f.product],
    ['Said who is asking', f.asker],
    ['Got a verdict', f.verdict],
    [`Flagged for ${advisor}`, f.flagged],
    [`${advisor} replied`, f.advisorReplied],
    ['Closed', f.closed],
  ];
  draw(
    'funnel-chart',
    'bar',
    steps.map((s) => s[0]),
    [{ label: 'Conversations', data: steps.map((s) => s[1]), backgroundColor: COLORS[0] }],
    {
      indexAxis: 'y',
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  );
  const verdicts = ['soc1', 'soc2', 'both'];
  draw(
    'verdict-chart',
    'doughnut',
    verdicts.map((v) => LABEL[v]),
    [{ data: verdicts.map((v) => stats.verdicts[v]), backgroundColor: COLORS.slice(0, 3) }],
  );
  const reasons = Object.keys(stats.flags);
  draw(
    'flag-chart',
    'bar',
    reasons,
    [{ label: 'Flags', data: reasons.map((r) => stats.flags[r]), backgroundColor: COLORS[2] }],
    {
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  );
  const days = stats.days.map((d) => d.date.slice(5));
  draw(
    'day-chart',
    'line',
    days,
    [
      { label: 'Started', data: stats.days.map((d) => d.started), borderColor: COLORS[0], backgroundColor: COLORS[0] },
      { label: 'Verdict', data: stats.days.map((d) => d.verdict), borderColor: COLORS[1], backgroundColor: COLORS[1] },
      { label: 'Flagged', data: stats.days.map((d) => d.flagged), borderColor: COLORS[3], backgroundColor: COLORS[3] },
    ],
    { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  );
}

const botLabel = (lead) => lead.verdict || (lead.flags.length > 0 || lead.status === 'waiting' ? 'flagged' : 'none');

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** The review control: the bot's label marked right, or the one PJ would have given, and a note. */
function reviewCell(lead) {
  const td = document.createElement('td');
  const box = document.createElement('form');
  box.className = 'review';
  const choice = document.createElement('select');
  choice.setAttribute('aria-label', `Review of #${lead.id}`);
  const own = botLabel(lead);
  const options = [
    ['', 'Review...'],
    ...(own === 'none' ? [] : [[own, `Right (${LABEL[own]})`]]),
    ['soc1', 'SOC 1'],
    ['soc2', 'SOC 2'],
    ['both', 'Both'],
    ['flagged', 'Needs a person'],
  ];
  for (const [value, text] of options) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = text;
    choice.append(option);
  }
  const note = document.createElement('input');
  note.placeholder = 'Note';
  note.maxLength = 2000;
  note.setAttribute('aria-label', `Note on #${lead.id}`);
  const save = document.createElement('button');
  save.type = 'submit';
  save.className = 'quiet';
  save.textContent = 'Save';
  const saved = document.createElement('span');
  saved.className = 'saved';
  if (lead.review)
    saved.textContent = `${LABEL[lead.review.verdict]}${lead.review.note ? `: ${lead.review.note}` : ''}`;
  box.append(choice, note, save, saved);
  box.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!choice.value) return;
    try {
      const res = await call('POST', `/conversations/${lead.id}/review`, { verdict: choice.value, note: note.value });
      const { review } = await res.json();
      lead.review = review;
      saved.textContent = `${LABEL[review.verdict]}${review.note ? `: ${review.note}` : ''}`;
      showError(null);
    } catch (error) {
      showError(error);
    }
  });
  td.append(box);
  return td;
}

function renderLeads() {
  const words = $('search').value.trim().toLowerCase();
  const verdict = $('verdict-filter').value;
  const shown = state.leads.filter((lead) => {
    if (verdict && botLabel(lead) !== verdict) return false;
    if (!words) return true;
    const text = [
      lead.participant,
      lead.answers.product,
      lead.answers.asker,
      lead.review && lead.review.note,
      `#${lead.id}`,
    ];
    return text.some((t) => t && t.toLowerCase().includes(words));
  });
  const rows = shown.map((lead) => {
    const tr = document.createElement('tr');
    tr.append(
      cell(`#${lead.id}`),
      cell(`${CHANNEL_LABEL[lead.channel] || lead.channel} ${lead.participant}`),
      cell(lead.answers.product || '', 'words'),
      cell(lead.answers.asker || '', 'words'),
      cell(lead.verdict ? LABEL[lead.verdict] : ''),
      cell(lead.flags.join(', ')),
      cell(lead.status),
      cell(new Date(lead.updatedAt).toLocaleString()),
      reviewCell(lead),
    );
    return tr;
  });
  $('lead-rows').replaceChildren(...rows);
  $('no-leads').hidden = shown.length > 0;
}

async function load() {
  $('sync').textContent = 'Loading...';
  try {
    const [stats, leads] = await Promise.all([
      call('GET', `/stats?${query()}`).then((r) => r.json()),
      call('GET', `/leads?${query()}`).then((r) => r.json()),
    ]);
    renderStats(stats);
    state.leads = leads.leads;
    renderLeads();
    $('sync').textContent = `${stats.from} to ${stats.to} (${stats.timeZone})`;
    showError(null);
  } catch (error) {
    $('sync').textContent = '';
    showError(error);
  }
}

/** Saves an export under its own name: the request needs the token, so it is fetched, not linked. */
async function download(path, name) {
  try {
    const blob = await (await call('GET', path)).blob();
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.click();
    URL.revokeObjectURL(link.href);
  } catch (error) {
    showError(error);
  }
}

async function start() {
  if (!token()) {
    $('signin').hidden = false;
    return;
  }
  for (const [id, label] of Object.entries(CHANNEL_LABEL)) {
    const option = document.createElement('option');
    option.value = id;
    option.textContent = label;
    $('channel').append(option);
  }
  try {
    // The server's default period (the last week in PJ's days) fills the form.
    const stats = await (await call('GET', '/stats')).json();
    $('from').value = stats.from;
    $('to').value = stats.to;
  } catch (error) {
    showError(error);
    $('signin').hidden = false;
    return;
  }
  $('pipeline').hidden = false;
  $('period').addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  $('search').addEventListener('input', renderLeads);
  $('verdict-filter').addEventListener('change', renderLeads);
  $('csv').addEventListener('click', () =>
    download(`/leads.csv?${query()}`, `leads-${$('from').value}-to-${$('to').value}.csv`),
  );
  $('reviews').addEventListener('click', () => download('/reviews.json', 'reviews.json'));
  await load();
}

void start();
