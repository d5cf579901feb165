// The gateway dashboard: identity, uptime, devices with their latest reading, live charts over
// server-sent events, delivery health, and a form to add or remove devices (token asked once).
import { getJson, rememberToken, send, sessionToken } from './api.js';
import { frequencyChart, powerChart } from './charts.js';

const $ = (selector) => document.querySelector(selector);
const devices = new Map(); // id → { config, state, reading }
let uptimeBase = { ms: 0, at: 0 };
const sampled = new Set(); // devices that sent frequency samples

function text(el, value) {
  el.textContent = value;
}

function fmt(value, unit, digits = 0) {
  return value === undefined || value === null ? '–' : `${Number(value).toFixed(digits)} ${unit}`;
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

function address(config) {
  return config.type === 'tcp'
    ? `${config.host}:${config.port} #${config.unit}`
    : `${config.path} #${config.unit}`;
}

function cellValues(id, d) {
  const r = d.reading ?? {};
  return [
    id,
    d.config.profile,
    address(d.config),
    d.state,
    fmt(r.ac_power_w ?? r.grid_power_w, 'W'),
    fmt(r.grid_frequency_hz, 'Hz', 3),
    r.status ?? '–',
    r.ts ? new Date(r.ts).toLocaleTimeString() : '–',
  ];
}

/** Updates one row in place (rebuilding rows on every reading would swallow clicks on "remove"). */
function updateRow(id) {
  const row = document.querySelector(`#devices tr[data-device="${window.CSS.escape(id)}"]`);
  const d = devices.get(id);
  if (!row || !d) return;
  for (const [i, value] of cellValues(id, d).entries()) {
    const cell = row.children[i];
    if (cell.textContent !== value) cell.textContent = value;
    if (i === 3) cell.className = `state state-${value}`;
  }
}

/** Rebuilds the table (when the set of devices changed). */
function renderDevices() {
  const body = $('#devices tbody');
  body.replaceChildren();
  for (const id of [...devices.keys()].sort()) {
    const row = document.createElement('tr');
    row.dataset.device = id;
    for (let i = 0; i < 8; i++) {
      const cell = document.createElement('td');
      if (i === 4) cell.className = 'power';
      row.append(cell);
    }
    const remove = document.createElement('button');
    remove.textContent = 'remove';
    remove.className = 'secondary';
    remove.addEventListener('click', () => removeDevice(id));
    const cell = document.createElement('td');
    cell.append(remove);
    row.append(cell);
    body.append(row);
    updateRow(id);
  }
  const select = $('#freq-device');
  const chosen = select.value;
  select.replaceChildren(...[...devices.keys()].sort().map((id) => new window.Option(id, id)));
  if (devices.has(chosen)) select.value = chosen;
}

async function loadDevices() {
  const { devices: list } = await getJson('/api/devices');
  devices.clear();
  for (const d of list) devices.set(d.id, { config: d.config, state: d.state, reading: d.reading });
  renderDevices();
}

async function loadIdentity() {
  const [crypto, name, uptime] = await Promise.all([
    getJson('/api/crypto'),
    getJson('/api/name'),
    getJson('/api/uptime'),
  ]);
  text($('#gw-name'), name.name);
  document.title = `${name.name} · Energy Gateway`;
  text($('#gw-serial'), crypto.serial);
  text($('#gw-key'), crypto.publicKey);
  uptimeBase = { ms: uptime.msek, at: window.performance.now() };
}

/** The gateway's state (GET /api/state or the `state` live event) and its reasons. */
function showState({ state, reasons }) {
  const badge = $('#gw-state');
  text(badge, state);
  badge.className = `badge gw-state-${state}`;
  badge.dataset.state = state;
  $('#gw-reasons').replaceChildren(
    ...reasons.map((r) => {
      const li = document.createElement('li');
      li.className = r.severity === 'error' ? 'error' : r.severity === 'warning' ? 'warn' : '';
      li.textContent = `${r.code}: ${r.message}`;
      return li;
    }),
  );
}

async function loadState() {
  showState(await getJson('/api/state'));
}

async function loadStats() {
  const stats = await getJson('/api/stats');
  const o = stats.outbox;
  const rows = [
    ['waiting batches', o.depth],
    ['oldest', o.oldestAgeMs === undefined ? '–' : duration(o.oldestAgeMs)],
    ['dropped', o.dropped],
    ['last batch', `#${o.lastSeq}`],
  ];
  $('#outbox').replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = String(v);
      return [dt, dd];
    }),
  );
  const none = document.createElement('li');
  none.textContent = 'no uplink configured: batches stay in the local outbox';
  $('#uplinks').replaceChildren(
    ...(stats.uplinks.length === 0 ? [none] : []),
    ...stats.uplinks.map((u) => {
      const li = document.createElement('li');
      li.className = `state-${u.state}`;
      li.textContent = `${u.name}: ${u.state} · ${u.acked} acked · ${u.retries} retries${u.lastError ? ` · ${u.lastError}` : ''}`;
      return li;
    }),
  );
  for (const d of stats.devices) {
    const known = devices.get(d.id);
    if (known && known.state !== d.state) {
      known.state = d.state;
      updateRow(d.id);
    }
  }
}

function liveEvents(freq, power) {
  const source = new EventSource('/api/events');
  const badge = $('#live-state');
  source.onopen = () => {
    text(badge, 'live');
    badge.className = 'badge ok';
  };
  source.onerror = () => {
    text(badge, 'reconnecting');
    badge.className = 'badge warn';
  };
  source.addEventListener('frequency', (event) => {
    const sample = JSON.parse(event.data);
    freq.add(sample);
    // Follow a device that actually reports frequency when the chosen one has none yet.
    if (!sampled.has($('#freq-device').value)) $('#freq-device').value = sample.device;
    sampled.add(sample.device);
    if (sample.device === $('#freq-device').value) {
      freq.render(sample.device);
      text($('#freq-now'), `${sample.device}: ${sample.hz.toFixed(3)} Hz`);
    }
  });
  source.addEventListener('reading', (event) => {
    const reading = JSON.parse(event.data);
    power.add(reading);
    const known = devices.get(reading.device);
    if (known) {
      known.reading = reading;
      updateRow(reading.device);
    }
  });
  source.addEventListener('device-state', (event) => {
    const { device, state } = JSON.parse(event.data);
    const known = devices.get(device);
    if (known) {
      known.state = state;
      updateRow(device);
    }
  });
  source.addEventListener('devices-changed', () => loadDevices());
  source.addEventListener('state', (event) => showState(JSON.parse(event.data)));
  source.addEventListener('uplink-state', () => loadStats());
}

/** Runs a call that needs the token: asks for it once, forgets it when the gateway refuses it. */
async function withToken(call) {
  const form = $('#add-device');
  const field = $('#token-field');
  const typed = form.elements.token.value.trim();
  if (typed) rememberToken(typed);
  if (!sessionToken()) {
    field.hidden = false;
    form.elements.token.focus();
    throw new Error('enter the API token (egw token) once for this session');
  }
  try {
    return await call();
  } catch (error) {
    if (error.status === 401) {
      rememberToken('');
      field.hidden = false;
    }
    throw error;
  } finally {
    form.elements.token.value = '';
  }
}

async function removeDevice(id) {
  if (!window.confirm(`Remove device ${id}?`)) return;
  try {
    await withToken(() => send('DELETE', `/api/devices/${encodeURIComponent(id)}`));
    text($('#form-message'), `removed ${id}`);
    await loadDevices();
  } catch (error) {
    text($('#form-message'), error.message);
  }
}

async function addDevice(event) {
  event.preventDefault();
  const form = event.target;
  const f = form.elements;
  const body = {
    type: 'tcp',
    host: f.host.value.trim(),
    port: Number(f.port.value),
    unit: Number(f.unit.value),
    profile: f.profile.value.trim(),
  };
  if (f.id.value.trim()) body.id = f.id.value.trim();
  const message = $('#form-message');
  try {
    const added = await withToken(() => send('POST', '/api/devices', body));
    $('#token-field').hidden = true;
    text(message, `added ${added.id}`);
    message.className = 'ok';
    f.id.value = '';
    await loadDevices();
  } catch (error) {
    text(message, error.message);
    message.className = 'error';
  }
}

async function main() {
  $('#token-field').hidden = sessionToken() !== '';
  $('#add-device').addEventListener('submit', addDevice);
  const freq = frequencyChart($('#freq-chart'));
  const power = powerChart($('#power-chart'));
  $('#freq-device').addEventListener('change', (e) => freq.render(e.target.value));
  await Promise.all([loadIdentity(), loadDevices(), loadStats(), loadState()]);
  for (const d of devices.values()) if (d.reading) power.add(d.reading);
  liveEvents(freq, power);
  setInterval(
    () => text($('#gw-uptime'), duration(uptimeBase.ms + window.performance.now() - uptimeBase.at)),
    1000,
  );
  setInterval(() => loadStats().catch(() => {}), 5000);
}

main().catch((error) => text($('#form-message'), `dashboard: ${error.message}`));
