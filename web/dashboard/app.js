// The Powerplant dashboard: reads the server's snapshot stream (server-sent events) and draws it.
// Text from the server (worker names, URLs) only ever goes into textContent.
'use strict';

const HISTORY_SAMPLES = 600;
const PALETTE = ['#2f7ed8', '#e4572e', '#29a35a', '#a05ad8', '#d8a32f', '#17a2b8', '#d63384', '#6c757d'];
const SOURCE_NAMES = { engine: 'local engine', stratum: 'Stratum agents', metanoia: 'Metanoia miners', upstream: 'upstreams', worker: 'cluster workers' };

const state = { history: { t: [], series: {} }, view: 'source', paused: false, last: null, chart: null, chartKeys: '' };
const $ = (id) => document.getElementById(id);

function si(value, unit = '') {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P'];
  let scaled = value;
  let index = 0;
  while (Math.abs(scaled) >= 1000 && index < prefixes.length - 1) {
    scaled /= 1000;
    index += 1;
  }
  const digits = scaled >= 100 || index === 0 ? 0 : scaled >= 10 ? 1 : 2;
  return `${scaled.toFixed(digits)} ${prefixes[index]}${unit}`.trim();
}
const rate = (value) => si(value, 'H/s');
const count = (value) => (value === null || value === undefined ? '—' : Number(value).toLocaleString('en'));
const seconds = (value) => (value === null || value === undefined ? '—' : value < 1 ? `${Math.round(value * 1000)} ms` : `${value.toFixed(value < 10 ? 2 : 0)} s`);
const ago = (ms) => (ms === null ? '—' : `${Math.max(0, Math.round((Date.now() - ms) / 1000))} s ago`);

function figures(list, items) {
  const dl = $(list);
  dl.replaceChildren(
    ...items.map(([term, value]) => {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = term;
      dd.textContent = value;
      div.append(dt, dd);
      return div;
    }),
  );
}

function rows(table, data, emptyText) {
  const body = $(table).tBodies[0];
  const columns = $(table).tHead.rows[0].cells.length;
  if (data.length === 0) {
    const row = body.insertRow();
    body.replaceChildren(row);
    const cell = row.insertCell();
    cell.colSpan = columns;
    cell.textContent = emptyText;
    return;
  }
  body.replaceChildren(
    ...data.map((cells) => {
      const row = document.createElement('tr');
      cells.forEach((value, index) => {
        const cell = document.createElement(index === 0 ? 'th' : 'td');
        if (index === 0) cell.scope = 'row';
        if (typeof value === 'object' && value !== null) {
          cell.textContent = value.text;
          if (value.className) cell.className = value.className;
        } else cell.textContent = value;
        row.append(cell);
      });
      return row;
    }),
  );
}

function seriesLabel(key) {
  const [kind, name] = key.split(':');
  return kind === 'source' ? SOURCE_NAMES[name] ?? name : name;
}

function mergeHistory(history) {
  if (history.t.length > 1 || state.history.t.length === 0) {
    state.history = { t: [...history.t], series: Object.fromEntries(Object.entries(history.series).map(([key, values]) => [key, [...values]])) };
    return;
  }
  const t = history.t[0];
  if (t === undefined || t <= state.history.t.at(-1)) return;
  const length = state.history.t.length;
  state.history.t.push(t);
  for (const key of new Set([...Object.keys(state.history.series), ...Object.keys(history.series)])) {
    const values = state.history.series[key] ?? new Array(length).fill(0);
    values.push(history.series[key]?.[0] ?? 0);
    state.history.series[key] = values;
  }
  if (state.history.t.length > HISTORY_SAMPLES) {
    state.history.t.shift();
    for (const values of Object.values(state.history.series)) values.shift();
  }
}

function drawChart() {
  const keys = Object.keys(state.history.series).filter((key) => key.startsWith(`${state.view}:`));
  const data = [state.history.t.map((t) => t / 1000), ...keys.map((key) => state.history.series[key])];
  const container = $('chart');
  const signature = `${state.view}|${keys.join(',')}`;
  if (state.chart === null || state.chartKeys !== signature) {
    state.chart?.destroy();
    const style = getComputedStyle(document.documentElement);
    const text = style.getPropertyValue('--muted').trim();
    const line = style.getPropertyValue('--line').trim();
    const axis = { stroke: text, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
    state.chart = new uPlot(
      {
        width: Math.max(280, container.clientWidth),
        height: 240,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        series: [{}, ...keys.map((key, index) => ({ label: seriesLabel(key), stroke: PALETTE[index % PALETTE.length], width: 2, value: (_u, v) => rate(v) }))],
        axes: [axis, { ...axis, size: 70, values: (_u, values) => values.map((v) => si(v)) }],
      },
      data,
      container,
    );
    state.chartKeys = signature;
  } else state.chart.setData(data);
  container.setAttribute('aria-label', `Hash rate ${state.view === 'source' ? 'by source' : 'by scheme'} over the last ${Math.round(state.history.t.length / 60)} minutes`);
  rows('rates', keys.map((key) => [seriesLabel(key), rate(state.history.series[key].at(-1))]), 'No hash power yet.');
}

function render(snapshot) {
  const { jobs, engine, stratum, metanoia, cluster, upstreams, gate } = snapshot;
  drawChart();
  figures('jobs', [
    ['In flight', count(jobs.active)],
    ['Queued', count(jobs.queued)],
    ['Clients waiting', count(jobs.waiting)],
    ['Done', count(jobs.schemes.reduce((sum, s) => sum + s.solved + s.cached, 0))],
    ['Failed', count(jobs.schemes.reduce((sum, s) => sum + s.failed, 0))],
    ['Cache hits', count(jobs.cacheHits)],
  ]);
  rows(
    'schemes',
    jobs.schemes.map((s) => [s.scheme, count(s.solved), count(s.cached), count(s.failed), count(s.cancelled), seconds(s.p50), seconds(s.p90), seconds(s.p99)]),
    'No jobs yet.',
  );
  figures('engine', [
    ['Backend', engine.backend],
    ['Threads', count(engine.threads)],
    ['Hash rate', rate(engine.rate)],
    ['Attempts', si(engine.totalAttempts)],
    ...(engine.kernels === null ? [['Kernels', 'chosen at run time']] : Object.entries(engine.kernels).map(([family, kernel]) => [family, kernel])),
    ...engine.devices.map((device) => [`${device.name} (${device.lane})`, rate(device.rate)]),
  ]);

  $('stratum-off').hidden = stratum !== null;
  if (stratum !== null) {
    figures('stratum', [
      ['Workers', count(stratum.workers.length)],
      ['Chain height', count(stratum.height)],
      ['Share difficulty', String(stratum.shareDifficulty)],
      ['Hash rate', rate(stratum.workers.reduce((sum, w) => sum + w.hashRate, 0))],
    ]);
    rows(
      'workers',
      stratum.workers.map((w) => [w.name, rate(w.hashRate), count(w.accepted), count(w.rejected), count(w.stale), w.bestShare === 0 ? '—' : si(w.bestShare), count(w.blocks), ago(w.lastSeen)]),
      'No worker connected.',
    );
    rows('blocks', stratum.blocks.map((b) => [count(b.height), b.foundBy ?? '—', { text: `${b.hash.slice(0, 16)}…`, className: 'hash' }]), 'No block found yet.');
  }

  $('metanoia-off').hidden = metanoia !== null;
  if (metanoia !== null) {
    figures('metanoia', [
      ['Connections', count(metanoia.connections)],
      ['Waiting for work', count(metanoia.waitingMiners)],
      ['Results accepted', count(metanoia.results.accepted ?? 0)],
      ['Wrong', count(metanoia.results.wrong ?? 0)],
      ['Late', count(metanoia.results.late ?? 0)],
      ['Hash rate', rate(snapshot.hashRate.bySource.metanoia ?? 0)],
    ]);
  } else figures('metanoia', []);

  $('cluster-off').hidden = cluster !== null;
  figures('cluster', cluster === null ? [] : [['Redis', cluster.redis], ['Server', cluster.serverId], ['Workers', cluster.workers.length === 0 ? '—' : count(cluster.workers.length)], ['Workers\u2019 rate', rate(snapshot.hashRate.bySource.worker ?? 0)]]);

  $('upstreams-off').hidden = upstreams.length > 0;
  rows(
    'upstreams',
    upstreams.map((u) => [
      u.url,
      { text: u.health, className: u.health === 'failing' ? 'bad' : u.health === 'ok' ? 'good' : '' },
      count(u.wins),
      Object.entries(u.failures).map(([reason, n]) => `${reason} ${n}`).join(', ') || '0',
    ]),
    'No upstreams.',
  );

  figures('gate', gate === null ? [['Gate', 'off']] : [
    ['Current bits', gate.currentBits === null ? '—' : String(gate.currentBits)],
    ['Bits range', `${gate.bitsMin}–${gate.bitsMax}`],
    ['Challenges', count(gate.issued)],
    ['Passes', count(gate.passed)],
  ]);
  rows('refusals', gate === null ? [] : Object.entries(gate.refusals).map(([reason, n]) => [reason, count(n)]), 'No refusals.');
  $('version').textContent = `Powerplant ${snapshot.version}, up ${Math.round(snapshot.uptimeS / 60)} min`;
}

function connect() {
  const events = new EventSource('/dashboard/events');
  events.onopen = () => {
    $('status').textContent = 'Live';
    $('status').classList.remove('down');
  };
  events.onmessage = (message) => {
    const snapshot = JSON.parse(message.data);
    mergeHistory(snapshot.history);
    state.last = snapshot;
    if (!state.paused) render(snapshot);
  };
  events.onerror = () => {
    $('status').textContent = 'Connection lost; reconnecting…';
    $('status').classList.add('down');
  };
}

$('pause').addEventListener('click', (event) => {
  state.paused = !state.paused;
  event.currentTarget.setAttribute('aria-pressed', String(state.paused));
  event.currentTarget.textContent = state.paused ? 'Resume updates' : 'Pause updates';
  $('status').textContent = state.paused ? 'Paused' : 'Live';
  if (!state.paused && state.last !== null) render(state.last);
});
for (const input of document.querySelectorAll('input[name="view"]')) {
  input.addEventListener('change', () => {
    state.view = input.value;
    if (state.last !== null) drawChart();
  });
}
new ResizeObserver(() => state.chart?.setSize({ width: Math.max(280, $('chart').clientWidth), height: 240 })).observe($('chart'));
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  state.chartKeys = '';
  if (state.last !== null) drawChart();
});
connect();
