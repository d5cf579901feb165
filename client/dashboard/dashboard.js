// The gateway dashboard: identity, uptime, devices with their state (and why one fails) and latest
// reading, charts filled from the recent points on load and then live over server-sent events,
// delivery health, and a form to add or remove devices (token asked once).
import { getJson, rememberToken, send, sessionToken } from './api.js';
import { frequencyChart, powerChart } from './charts.js';
// The installer's generated list (every built-in profile with its unit and port), served by the box too.
import { PROFILES } from '/installer/profiles.js';

const $ = (selector) => document.querySelector(selector);
const devices = new Map(); // id → { config, state, reason, reading }
/** Column names; on a phone each cell shows its name (the table stacks into one block per device). */
const COLUMNS = ['device', 'profile', 'address', 'state', 'power', 'frequency', 'status', 'read'];
const STATE_COLUMN = 3;
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

/** The state cell: the state, and under it why the device is not connected (the API's reason). */
function showDeviceState(cell, d) {
  cell.className = `state state-${d.state}`;
  const label = cell.querySelector('.state-name') ?? document.createElement('span');
  label.className = 'state-name';
  if (label.textContent !== d.state) label.textContent = d.state;
  const reason = cell.querySelector('.reason') ?? document.createElement('small');
  reason.className = 'reason';
  const why = d.state === 'connected' ? '' : (d.reason ?? '');
  if (reason.textContent !== why) reason.textContent = why;
  reason.hidden = why === '';
  if (!label.isConnected) cell.replaceChildren(label, reason);
}

/** Updates one row in place (rebuilding rows on every reading would swallow clicks on "remove"). */
function updateRow(id) {
  const row = document.querySelector(`#devices tr[data-device="${window.CSS.escape(id)}"]`);
  const d = devices.get(id);
  if (!row || !d) return;
  for (const [i, value] of cellValues(id, d).entries()) {
    const cell = row.children[i];
    if (i === STATE_COLUMN) showDeviceState(cell, d);
    else if (cell.textContent !== value) cell.textContent = value;
  }
}

/** Rebuilds the table (when the set of devices changed). */
function renderDevices() {
  const body = $('#devices tbody');
  body.replaceChildren();
  for (const id of [...devices.keys()].sort()) {
    const row = document.createElement('tr');
    row.dataset.device = id;
    for (const [i, name] of COLUMNS.entries()) {
      const cell = document.createElement('td');
      cell.dataset.label = name;
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

/** A device as the dashboard keeps it, from the devices API. */
function deviceEntry(d) {
  return { config: d.config, state: d.state, reason: d.status?.reason, reading: d.reading };
}

async function loadDevices() {
  const { devices: list } = await getJson('/api/devices');
  devices.clear();
  for (const d of list) devices.set(d.id, deviceEntry(d));
  renderDevices();
}

/** Re-reads the devices' state and reason; rebuilds the table only when the set of devices changed. */
async function refreshDevices() {
  const { devices: list } = await getJson('/api/devices');
  const same = list.length === devices.size && list.every((d) => devices.has(d.id));
  if (!same) return loadDevices();
  for (const d of list) {
    const known = devices.get(d.id);
    const next = deviceEntry(d);
    // A live reading newer than the API's answer stays.
    if (known.reading && next.reading && known.reading.ts > next.reading.ts) next.reading = known.reading;
    devices.set(d.id, next);
    updateRow(d.id);
  }
}

/** One device's state and reason after a device-state event. */
async function refreshDevice(id) {
  const d = await getJson(`/api/devices/${encodeURIComponent(id)}`);
  const known = devices.get(id);
  if (!known) return;
  known.state = d.state;
  known.reason = d.status?.reason;
  updateRow(id);
}

/** Fills the charts with what the gateway kept (frequency samples, power points) before live events. */
async function loadHistory(freq, power) {
  const ids = [...devices.keys()].sort();
  const fetchAll = (what) =>
    Promise.all(
      ids.map((id) => getJson(`/api/devices/${encodeURIComponent(id)}/${what}`).catch(() => undefined)),
    );
  const [frequencies, powers] = await Promise.all([fetchAll('frequency'), fetchAll('power')]);
  for (const f of frequencies) if (f) freq.load(f.device, f.samples);
  for (const p of powers) if (p) power.load(p.device, p.samples);
  const select = $('#freq-device');
  if (!freq.has(select.value)) select.value = ids.find((id) => freq.has(id)) ?? select.value;
  if (freq.has(select.value)) {
    sampled.add(select.value);
    freq.render(select.value);
  }
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
  // The event carries the link's view; the devices API has the state from the reads and its reason.
  source.addEventListener('device-state', (event) => {
    refreshDevice(JSON.parse(event.data).device).catch(() => {});
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
  const body = { type: 'tcp', host: f.host.value.trim(), profile: f.profile.value.trim() };
  // Left empty: the gateway reads the device at its profile's port and unit (SMA: unit 3).
  if (f.port.value.trim()) body.port = Number(f.port.value);
  if (f.unit.value.trim()) body.unit = Number(f.unit.value);
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

/** Every built-in profile as a suggestion; empty port and unit fields show the chosen profile's. */
function offerProfiles() {
  const form = $('#add-device');
  $('#profiles').replaceChildren(...PROFILES.map((p) => new window.Option(p.label, p.id)));
  const showDefaults = () => {
    const profile = PROFILES.find((p) => p.id === form.elements.profile.value.trim());
    form.elements.port.placeholder = `profile's (${profile?.port ?? 502})`;
    form.elements.unit.placeholder = `profile's (${profile?.unit ?? 1})`;
  };
  form.elements.profile.addEventListener('input', showDefaults);
  showDefaults();
}

async function main() {
  $('#token-field').hidden = sessionToken() !== '';
  $('#add-device').addEventListener('submit', addDevice);
  offerProfiles();
  const freq = frequencyChart($('#freq-chart'));
  const power = powerChart($('#power-chart'));
  $('#freq-device').addEventListener('change', (e) => freq.render(e.target.value));
  await Promise.all([loadIdentity(), loadDevices(), loadStats(), loadState()]);
  await loadHistory(freq, power).catch(() => {});
  for (const d of devices.values()) if (d.reading) power.add(d.reading);
  liveEvents(freq, power);
  setInterval(
    () => text($('#gw-uptime'), duration(uptimeBase.ms + window.performance.now() - uptimeBase.at)),
    1000,
  );
  setInterval(() => {
    loadStats().catch(() => {});
    refreshDevices().catch(() => {});
  }, 5000);
}

main().catch((error) => text($('#form-message'), `dashboard: ${error.message}`));
