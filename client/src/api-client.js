/**
 * One transport-neutral client for the gateway API: `http` (fetch + Bearer token), `ble` (Web
 * Bluetooth, EGWTTP over the GATT characteristic) and `ws` (EGWTTP over the WebSocket transport).
 * Every call resolves {status, body} with body parsed as JSON when it is JSON.
 */
import { exchange, hasResponseHead, parseResponseFrame } from './egwttp.js';

/** UUIDs of the original firmware. */
export const EGW_SERVICE_UUID = 'a07498ca-ad5b-474e-940d-16f1fbe7e8cd';
export const EGW_CHARACTERISTIC_UUID = '51ff12bb-3ed8-46e5-b4f9-d64e2fec021b';

/** A GATT attribute value is at most 512 bytes; longer request frames go out as several writes. */
const MAX_WRITE_BYTES = 512;

function decode(bytes) {
  const text = new TextDecoder().decode(bytes);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** Queues incoming frames so nextFrame() never misses one. */
function frameQueue() {
  const frames = [];
  const waiting = [];
  return {
    push(frame) {
      const next = waiting.shift();
      if (next) next.resolve(frame);
      else frames.push(frame);
    },
    fail(error) {
      for (const w of waiting.splice(0)) w.reject(error);
    },
    next() {
      if (frames.length) return Promise.resolve(frames.shift());
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

/** Opens a WebSocket frame link. `WebSocketImpl` defaults to the browser's WebSocket. */
export async function openWsLink(url, WebSocketImpl = globalThis.WebSocket) {
  const socket = new WebSocketImpl(url);
  socket.binaryType = 'arraybuffer';
  const queue = frameQueue();
  socket.onmessage = (event) => queue.push(new Uint8Array(event.data));
  socket.onclose = () => queue.fail(new Error('WebSocket closed'));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  return {
    // One message is one frame (≤ 512 bytes), as one GATT write would be.
    async write(bytes) {
      for (let i = 0; i < bytes.length; i += MAX_WRITE_BYTES)
        socket.send(bytes.subarray(i, i + MAX_WRITE_BYTES));
    },
    nextFrame: () => queue.next(),
    close: () => socket.close(),
  };
}

/** Opens a Web Bluetooth frame link (asks the user to pick the gateway). */
export async function openBleLink(bluetooth = navigator.bluetooth) {
  const device = await bluetooth.requestDevice({ filters: [{ services: [EGW_SERVICE_UUID] }] });
  const server = await device.gatt.connect();
  const service = await server.getPrimaryService(EGW_SERVICE_UUID);
  const characteristic = await service.getCharacteristic(EGW_CHARACTERISTIC_UUID);
  const queue = frameQueue();
  characteristic.addEventListener('characteristicvaluechanged', async (event) => {
    const note = new Uint8Array(event.target.value.buffer.slice(0));
    // A notification carries MTU−3 bytes; when the page is not whole, read the full value.
    const page = hasResponseHead(note) ? parseResponseFrame(note) : undefined;
    const whole = page !== undefined && page.offset + page.body.length === page.contentLength;
    if (whole || note.length === MAX_WRITE_BYTES) return queue.push(note);
    const value = await characteristic.readValue();
    queue.push(new Uint8Array(value.buffer.slice(0)));
  });
  device.addEventListener('gattserverdisconnected', () => queue.fail(new Error('gateway disconnected')));
  await characteristic.startNotifications();
  return {
    async write(bytes) {
      for (let i = 0; i < bytes.length; i += MAX_WRITE_BYTES) {
        await characteristic.writeValueWithResponse(bytes.subarray(i, i + MAX_WRITE_BYTES));
      }
    },
    nextFrame: () => queue.next(),
    close: () => device.gatt.disconnect(),
    name: device.name,
  };
}

/** A client over an EGWTTP frame link (ble or ws). */
export function egwttpClient(link) {
  let chain = Promise.resolve();
  const request = (method, path, body) => {
    // One request at a time per link: pages of two requests must not interleave.
    const run = chain.then(async () => {
      const { status, bytes } = await exchange(
        link,
        method,
        path,
        body === undefined ? '' : JSON.stringify(body),
      );
      return { status, body: decode(bytes) };
    });
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    request,
    /** Proves the PIN for this connection; resolves true when the gateway accepted it (and proved it back). */
    async provePin(pin) {
      const challenge = await request('GET', '/ble/challenge');
      if (challenge.status !== 200) throw new Error(`challenge failed (${challenge.status})`);
      const clientNonce = randomHex(16);
      const proof = await hmacHex(pin, `egw-pin-v1:client:${challenge.body.nonce}:${clientNonce}`);
      const answer = await request('POST', '/ble/session', { clientNonce, proof });
      if (answer.status !== 200) return false;
      const expected = await hmacHex(pin, `egw-pin-v1:server:${challenge.body.nonce}:${clientNonce}`);
      if (answer.body.serverProof !== expected)
        throw new Error('the gateway could not prove it knows the PIN');
      return true;
    },
    close: () => link.close(),
  };
}

/**
 * A client over HTTP with the API token (mutating calls need it). `token` is the token or a function
 * that returns the current one (the dashboard's is asked for once and may change).
 */
export function httpClient(baseUrl, token) {
  const currentToken = typeof token === 'function' ? token : () => token;
  return {
    async request(method, path, body) {
      const headers = { accept: 'application/json' };
      const bearer = currentToken();
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(new URL(path, baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: decode(new Uint8Array(await res.arrayBuffer())) };
    },
    async provePin() {
      return true; // HTTP uses the API token instead
    },
    close() {},
  };
}

function randomHex(bytes) {
  const data = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function hmacHex(pin, message) {
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey(
    'raw',
    new TextEncoder().encode(pin),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}
