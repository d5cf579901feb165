/**
 * Generators of malformed requests for the API fuzz test, driven by a seeded PRNG so a failure can be
 * replayed: mutated JSON bodies, garbage bytes, wrong media types, hostile query strings, odd methods
 * and paths, broken Authorization headers, and raw request heads Node's parser must reject.
 */

/** mulberry32: small, fast, seedable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
const int = (r: Rand, max: number): number => Math.floor(r() * max);

/** One generated request. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const VALID_BODIES: Record<string, unknown> = {
  '/api/devices': { type: 'tcp', host: '10.0.0.1', port: 502, unit: 1, profile: 'sunspec' },
  '/api/inverter': { ip: '10.0.0.1', port: 502, type: 'huawei', address: 1 },
  '/api/settings': { harvest: { intervalMs: 1000, batchSize: 10 }, mqtt: { prefix: 'x' } },
  '/api/wifi': { ssid: 'home', passphrase: 'correct horse' },
  '/api/initialize': { wallet: `0x${'a'.repeat(40)}` },
};

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  1.5,
  2 ** 53 + 1,
  '',
  ' ',
  'x'.repeat(5000),
  '\u0000',
  '😀',
  '<script>',
  '../../etc/passwd',
  [],
  [1, 2],
  {},
  { a: { b: { c: {} } } },
  'NaN',
  '1e9999',
  '__proto__',
];
const WEIRD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  'type',
  'id',
  'x'.repeat(300),
  '💥',
  'toString',
];

function mutate(r: Rand, value: unknown, depth = 0): unknown {
  if (depth > 3 || r() < 0.2) return pick(r, WEIRD_VALUES);
  if (Array.isArray(value)) return value.map((v) => mutate(r, v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(out);
    const action = int(r, 4);
    if (action === 0 && keys.length > 0) delete out[pick(r, keys)];
    else if (action === 1) out[pick(r, WEIRD_KEYS)] = pick(r, WEIRD_VALUES);
    else if (keys.length > 0) {
      const key = pick(r, keys);
      out[key] = mutate(r, out[key], depth + 1);
    }
    return out;
  }
  return pick(r, WEIRD_VALUES);
}

function garbageBytes(r: Rand): Buffer {
  const kinds = [
    () => Buffer.from(JSON.stringify(mutate(r, pick(r, Object.values(VALID_BODIES)))).slice(0, int(r, 80))),
    () => Buffer.from(Array.from({ length: int(r, 200) }, () => int(r, 256))),
    () => Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]),
    () => Buffer.from('['.repeat(int(r, 5000))),
    () => Buffer.from('{"a":'.repeat(int(r, 3000)) + '1' + '}'.repeat(int(r, 3000))),
    () =>
      Buffer.from(pick(r, ['null', 'true', '0', '"str"', '[]', '{}', 'undefined', 'NaN', '{,}', '\ufeff{}'])),
    () => Buffer.alloc(70_000 + int(r, 10_000), 0x20),
  ];
  return pick(r, kinds)();
}

const ROUTES: [string, string][] = [
  ['GET', '/api/hello'],
  ['GET', '/api/version'],
  ['GET', '/api/uptime'],
  ['GET', '/api/crypto'],
  ['GET', '/api/name'],
  ['GET', '/api/devices'],
  ['POST', '/api/devices'],
  ['POST', '/api/inverter'],
  ['GET', '/api/devices/inv1'],
  ['DELETE', '/api/devices/{id}'],
  ['GET', '/api/devices/inv1/reading'],
  ['GET', '/api/devices/inv1/frequency'],
  ['GET', '/api/stats'],
  ['GET', '/api/harvests'],
  ['GET', '/api/settings'],
  ['POST', '/api/settings'],
  ['GET', '/api/wifi'],
  ['POST', '/api/wifi'],
  ['POST', '/api/initialize'],
  ['GET', '/api/events'],
  ['GET', '/metrics'],
  ['GET', '/api/openapi.json'],
  ['GET', '/docs'],
  ['GET', '/'],
];
/** Routes that validate input, weighted up so most requests exercise a schema. */
const VALIDATING: [string, string][] = [
  ['POST', '/api/devices'],
  ['POST', '/api/inverter'],
  ['POST', '/api/settings'],
  ['POST', '/api/wifi'],
  ['POST', '/api/initialize'],
  ['GET', '/api/harvests'],
  ['GET', '/api/events'],
  ['DELETE', '/api/devices/{id}'],
];

const QUERY_PARTS = [
  'limit=',
  'limit=-1',
  'limit=1e99',
  'limit=abc',
  'limit=5&limit=6',
  'limit[]=1',
  'limit[a]=1',
  'frequency=11',
  'frequency=-0',
  'frequency=NaN',
  'frequency=Infinity',
  '%zz',
  '%E0%A4%A',
  '%00=%00',
  '&&&',
  '=',
  'a=' + 'b'.repeat(4000),
  '__proto__[x]=1',
  'constructor=1',
  'limit=%31',
  'frequency=0x10',
  'limit=1%00',
];
const ID_PARTS = [
  'inv1',
  'ghost',
  '%00',
  '..%2f..%2f',
  '%zz',
  'a'.repeat(300),
  '%F0%9F%98%80',
  '%E0%A4%A',
  '.',
  'inv1%20',
  '-x',
];
const AUTH = [
  () => 'Bearer test-token',
  () => 'Bearer test-token',
  () => 'Bearer test-token',
  () => 'Bearer wrong',
  () => 'Bearer',
  () => 'Basic dGVzdA==',
  () => 'bearer test-token',
  () => `Bearer ${'x'.repeat(4000)}`,
  () => 'Bearer test-token extra',
  () => '',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
  'application/jsonp',
  '*/*',
  'application/json;;;',
  'APPLICATION/JSON',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'M-SEARCH'];

/** One malformed (or occasionally valid) request through node:http. */
export function generateRequest(r: Rand): FuzzRequest {
  let [method, path] = r() < 0.7 ? pick(r, VALIDATING) : pick(r, ROUTES);
  path = path.replace('{id}', pick(r, ID_PARTS));
  if (r() < 0.15) method = pick(r, METHODS);
  if (r() < 0.1)
    path = pick(r, [
      '/api/devices/',
      '/api//devices',
      '/api/devices/inv1/reading/x',
      '/API/HELLO',
      '/api',
      '/docs/',
      '/vendor/uplot/x.js',
      '/%2e%2e/package.json',
    ]);
  if (r() < 0.1) path = path.replace('inv1', pick(r, ID_PARTS));
  if (r() < (path === '/api/harvests' || path === '/api/events' ? 0.9 : 0.3))
    path += '?' + Array.from({ length: 1 + int(r, 3) }, () => pick(r, QUERY_PARTS)).join('&');
  const headers: Record<string, string> = {};
  const auth = pick(r, AUTH)();
  if (auth !== '') headers.authorization = auth;
  if (r() < 0.1) headers.origin = pick(r, ['http://evil.example', 'null', 'file://', 'http://127.0.0.1']);
  if (r() < 0.1) headers.accept = pick(r, ['text/html', '*/*', 'application/xml', 'x/y;q=abc']);
  let body: Buffer | undefined;
  const valid = VALID_BODIES[path.split('?')[0] ?? ''];
  if (method === 'POST' || method === 'PUT' || r() < 0.05) {
    const choice = r();
    if (choice < 0.55) body = Buffer.from(JSON.stringify(mutate(r, valid ?? {})));
    else if (choice < 0.9) body = garbageBytes(r);
    else body = Buffer.from(JSON.stringify(valid ?? {}));
    headers['content-type'] = pick(r, CONTENT_TYPES);
    if (headers['content-type'] === '') delete headers['content-type'];
  }
  return { method, path, headers, body };
}

/** A raw request head that node:http would refuse to send: broken request lines and header syntax. */
export function generateRawHead(r: Rand): string {
  const kinds = [
    () => `GET /api/hello HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`,
    () => `GET /api/hello HTTP/9.9\r\nHost: x\r\n\r\n`,
    () => `G\u0000T / HTTP/1.1\r\n\r\n`,
    () => `GET /api/${'a'.repeat(int(r, 20_000))} HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET /api/hello HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    () => `POST /api/devices HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n`,
    () => `POST /api/devices HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
    () =>
      `POST /api/devices HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer test-token\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    () => `GET /api/hello?\u00ff HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET /api/devices/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET /api/hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0001\u0002\r\n\r\n`,
    () =>
      Array.from({ length: int(r, 100) }, () => String.fromCharCode(32 + int(r, 95))).join('') + '\r\n\r\n',
  ];
  return pick(r, kinds)();
}
