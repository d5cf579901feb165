/**
 * The installer page: connect over BLE, WebSocket or HTTP, prove the PIN, show the identity, add the
 * inverter, join Wi-Fi. All calls go through the one transport-neutral client.
 */
import { egwttpClient, httpClient, openBleLink, openWsLink } from '../src/api-client.js';

const $ = (id) => document.getElementById(id);
let client;

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
  if (crypto.status !== 200) return ($('identity').textContent = errorText(crypto));
  $('identity').textContent = JSON.stringify(
    { serial: crypto.body.serial, publicKey: crypto.body.publicKey, alg: crypto.body.alg },
    null,
    2,
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
  const body = {
    ip: $('inv-ip').value.trim(),
    port: Number($('inv-port').value),
    type: $('inv-type').value,
    address: Number($('inv-unit').value),
  };
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

$('transport').addEventListener('change', syncTransportRows);
$('connect-button').addEventListener('click', connect);
$('pin-button').addEventListener('click', provePin);
$('inverter-button').addEventListener('click', addInverter);
$('scan-button').addEventListener('click', scan);
$('wifi-button').addEventListener('click', joinWifi);
const params = new URL(window.location.href).searchParams;
if (params.get('ws')) {
  $('transport').value = 'ws';
  $('ws-url').value = params.get('ws');
}
syncTransportRows();
