/**
 * The installer page: connect over BLE, WebSocket or HTTP, prove the PIN, show the identity, add the
 * inverter, join Wi-Fi. All calls go through the one transport-neutral client.
 */
import { egwttpClient, httpClient, openBleLink, openWsLink } from '../src/api-client.js';
import { PROFILES } from './profiles.js';

const $ = (id) => document.getElementById(id);
let client;

/** Why Web Bluetooth cannot work here ('' when it can): never a raw error for the installer. */
function bluetoothUnavailableReason() {
  if (!window.isSecureContext) {
    return `This page was opened over plain HTTP (${window.location.host}), probably from the gateway itself. Browsers allow Bluetooth only on https:// pages.`;
  }
  if (!navigator.bluetooth) {
    return 'This browser has no Web Bluetooth: Safari and Firefox lack it, and no browser on an iPhone has it.';
  }
  return '';
}

/** Where the hosted (https) installer lives: ?hosted=URL, else the page's meta tag (set by the static build). */
function hostedInstallerUrl() {
  const param = new URL(window.location.href).searchParams.get('hosted');
  const meta = document.querySelector('meta[name="egw-hosted-installer"]')?.getAttribute('content');
  const url = param || meta || '';
  return /^https:\/\//.test(url) ? url : '';
}

function fillProfiles() {
  const select = $('inv-type');
  const groups = { inverter: 'Inverters', battery: 'Batteries', meter: 'Meters' };
  for (const [kind, title] of Object.entries(groups)) {
    const group = document.createElement('optgroup');
    group.label = title;
    for (const profile of PROFILES.filter((p) => p.kind === kind)) {
      const option = document.createElement('option');
      option.value = profile.id;
      option.textContent = profile.label;
      group.append(option);
    }
    if (group.children.length) select.append(group);
  }
  select.value = 'sunspec';
  showProfileDefaults();
}

/** Empty port and unit fields show (and the gateway uses) the chosen profile's: SMA answers at unit 3. */
function showProfileDefaults() {
  const profile = PROFILES.find((p) => p.id === $('inv-type').value);
  $('inv-port').placeholder = String(profile?.port ?? 502);
  $('inv-unit').placeholder = String(profile?.unit ?? 1);
}

function show(id, text, ok) {
  const el = $(id);
  el.textContent = text;
  el.className = ok ? 'ok' : 'error';
}

function log(text) {
  $('log').textContent = `${text}\n${$('log').textContent}`.slice(0, 4000);
}

function errorText(result) {
  return result.body?.error?.message ?? `HTTP ${result.status}`;
}

function syncTransportRows() {
  const transport = $('transport').value;
  $('ws-url-row').hidden = transport !== 'ws';
  $('http-url-row').hidden = transport !== 'http';
  $('token-row').hidden = transport !== 'http';
}

async function connect() {
  const transport = $('transport').value;
  try {
    client?.close();
    if (transport === 'http') client = httpClient($('http-url').value, $('token').value || undefined);
    else
      client = egwttpClient(transport === 'ws' ? await openWsLink($('ws-url').value) : await openBleLink());
    const hello = await client.request('GET', '/api/hello');
    if (hello.status !== 200) throw new Error(errorText(hello));
    show('connect-state', 'connected', true);
    $('pin-box').disabled = transport === 'http';
    await loadIdentity();
    if (transport === 'http') unlock();
  } catch (error) {
    show('connect-state', String(error.message ?? error), false);
  }
}

async function loadIdentity() {
  const crypto = await client.request('GET', '/api/crypto');
  $('identity-box').disabled = false;
  if (crypto.status !== 200) return void $('identity').replaceChildren(errorText(crypto));
  const rows = [
    ['Name', crypto.body.deviceName],
    ['Serial', crypto.body.serial],
    ['Key', crypto.body.publicKey],
    ['Signing', crypto.body.alg],
  ].filter(([, value]) => value);
  $('identity').replaceChildren(
    ...rows.flatMap(([name, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = String(value);
      return [dt, dd];
    }),
  );
}

function unlock() {
  $('inverter-box').disabled = false;
  $('wifi-box').disabled = false;
}

async function provePin() {
  const pin = $('pin').value.trim();
  if (!/^\d{6}$/.test(pin)) return show('pin-state', 'the PIN has 6 digits', false);
  try {
    if (await client.provePin(pin)) {
      show('pin-state', 'unlocked', true);
      unlock();
    } else {
      show('pin-state', 'wrong PIN', false);
    }
  } catch (error) {
    show('pin-state', String(error.message ?? error), false);
  }
}

async function addInverter() {
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test($('inv-ip').value.trim())) {
    return show('inverter-state', "enter the inverter's IP address or host name", false);
  }
  const body = { ip: $('inv-ip').value.trim(), type: $('inv-type').value };
  // Left empty: the gateway takes the profile's port and unit (the placeholders show them).
  if ($('inv-port').value.trim()) body.port = Number($('inv-port').value);
  if ($('inv-unit').value.trim()) body.address = Number($('inv-unit').value);
  const result = await client.request('POST', '/api/inverter', body);
  if (result.status === 200 || result.status === 201)
    show('inverter-state', `added ${result.body?.id ?? ''}`, true);
  else show('inverter-state', errorText(result), false);
  log(`POST /api/inverter → ${result.status}`);
}

async function scan() {
  const result = await client.request('GET', '/api/wifi');
  if (result.status !== 200) return show('wifi-state', errorText(result), false);
  const select = $('ssid');
  select.replaceChildren();
  for (const network of result.body.networks ?? []) {
    const option = document.createElement('option');
    option.value = network.ssid;
    option.textContent = `${network.ssid} (${network.signal}%${network.security ? `, ${network.security}` : ''})`;
    select.append(option);
  }
  show('wifi-state', `${select.options.length} networks`, true);
}

async function joinWifi() {
  const body = { ssid: $('ssid').value };
  if ($('passphrase').value) body.passphrase = $('passphrase').value;
  const result = await client.request('POST', '/api/wifi', body);
  if (result.status === 200) show('wifi-state', `Wi-Fi: ${result.body?.status?.state ?? 'ok'}`, true);
  else show('wifi-state', errorText(result), false);
  log(`POST /api/wifi → ${result.status}`);
}

/** Runs a click handler; a dropped link or a refused call shows as text, never as a raw error. */
function guarded(stateId, handler) {
  return async () => {
    try {
      await handler();
    } catch (error) {
      show(stateId, String(error?.message ?? error), false);
    }
  };
}

$('transport').addEventListener('change', syncTransportRows);
$('inv-type').addEventListener('change', showProfileDefaults);
$('connect-button').addEventListener('click', connect);
$('pin-button').addEventListener('click', provePin);
$('inverter-button').addEventListener('click', guarded('inverter-state', addInverter));
$('scan-button').addEventListener('click', guarded('wifi-state', scan));
$('wifi-button').addEventListener('click', guarded('wifi-state', joinWifi));

fillProfiles();
const servedByGateway = window.location.protocol === 'http:' || window.location.protocol === 'https:';
$('http-url').value = servedByGateway ? window.location.origin : 'http://127.0.0.1:5000';
$('ws-url').value = `ws://${window.location.hostname || '127.0.0.1'}:5002`;
const why = bluetoothUnavailableReason();
if (why) {
  $('ble-notice').hidden = false;
  $('ble-notice-why').textContent = why;
  const hosted = hostedInstallerUrl();
  if (hosted) {
    $('hosted-link').href = hosted;
    $('hosted-link').textContent = hosted;
    $('hosted-link-row').hidden = false;
  }
  const ble = $('transport').querySelector('option[value="ble"]');
  ble.disabled = true;
  ble.textContent = 'Bluetooth (not available here)';
  $('transport').value = 'http';
}
const params = new URL(window.location.href).searchParams;
if (params.get('ws')) {
  $('transport').value = 'ws';
  $('ws-url').value = params.get('ws');
}
syncTransportRows();
