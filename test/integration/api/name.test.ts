import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deriveName } from '../../../server/src/identity/derive-name.ts';
import { startHarness } from './api-harness.ts';

let backend: Server;
let url = '';
const queries: { query: string; variables: { serial: string } }[] = [];
let mode: 'ok' | 'error' | 'hang' = 'ok';

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

before(async () => {
  backend = createServer(async (req, res) => {
    queries.push(JSON.parse(await body(req)));
    if (mode === 'hang') return; // never answers
    if (mode === 'error') return void res.writeHead(500).end('boom');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { gatewayConfiguration: { name: 'Rooftop West' } } }));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/graphql`;
});
after(async () => {
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
});

it('asks the backend by serial with the gatewayConfiguration query and caches the answer', async () => {
  mode = 'ok';
  queries.length = 0;
  const h = await startHarness({ backendGraphqlUrl: url });
  try {
    const first = await h.request('GET', '/api/name');
    assert.deepEqual(first.json, {
      name: 'Rooftop West',
      source: 'backend',
      serial: h.fake.services.identity.serial,
    });
    assert.match(queries[0]!.query, /gatewayConfiguration\(serial: \$serial\)/);
    assert.equal(queries[0]!.variables.serial, h.fake.services.identity.serial);
    await h.request('GET', '/api/name');
    assert.equal(queries.length, 1, 'cached');
    assert.equal((await h.request('GET', '/api/crypto')).json.deviceName, 'Rooftop West');
  } finally {
    await h.close();
  }
});

it('falls back to the derived name when the backend fails or does not answer in time', async () => {
  for (const m of ['error', 'hang'] as const) {
    mode = m;
    const h = await startHarness({ backendGraphqlUrl: url, nameTimeoutMs: 200 });
    try {
      const { json } = await h.request('GET', '/api/name');
      assert.equal(json.source, 'derived', m);
      assert.equal(json.name, deriveName(h.fake.services.identity.serial));
    } finally {
      await h.close();
    }
  }
});
