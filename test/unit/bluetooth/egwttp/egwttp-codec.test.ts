import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RequestAssembler } from '../../../../bluetooth/src/egwttp/request-assembler.ts';
import { allPages, buildPage } from '../../../../bluetooth/src/egwttp/response-pager.ts';
import { parseResponseFrame, requestFrame } from '../../../../client/src/egwttp.js';

function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe('RequestAssembler', () => {
  it('reassembles a request written in 20-byte pieces by Content-Length', () => {
    const body = JSON.stringify({
      ip: '192.168.1.50',
      port: 502,
      type: 'sunspec',
      address: 1,
      note: 'ünïcödé €',
    });
    const frame = requestFrame('POST', '/api/inverter', body);
    const assembler = new RequestAssembler();
    const writes = pieces(frame, 20);
    for (const piece of writes.slice(0, -1)) assert.equal(assembler.push(piece).kind, 'incomplete');
    const result = assembler.push(writes.at(-1)!);
    assert.equal(result.kind, 'request');
    if (result.kind !== 'request') return;
    assert.equal(result.request.method, 'POST');
    assert.equal(result.request.path, '/api/inverter');
    assert.equal(result.request.headers['content-type'], 'text/json');
    assert.equal(Buffer.from(result.request.body).toString('utf8'), body);
    assert.equal(assembler.bufferedBytes(), 0);
  });

  it("accepts the original firmware's EGWTP/1.1 spelling and reads Offset", () => {
    const result = new RequestAssembler().push(
      Buffer.from('GET /api/crypto EGWTP/1.1\r\nOffset: 300\r\n\r\n'),
    );
    assert.equal(result.kind, 'request');
    if (result.kind === 'request') assert.equal(result.request.offset, 300);
  });

  const malformed: [string, string, number][] = [
    ['a garbage request line', 'HELLO\r\n\r\n', 400],
    ['a relative path', 'GET api/hello EGWTTP/1.1\r\n\r\n', 400],
    ['an unknown version', 'GET /api/hello HTTP/1.1\r\n\r\n', 505],
    ['a header without colon', 'GET /api/hello EGWTTP/1.1\r\nbroken\r\n\r\n', 400],
    ['a non-numeric Content-Length', 'POST /api/wifi EGWTTP/1.1\r\nContent-Length: -4\r\n\r\n', 400],
    ['a body over the cap', 'POST /api/wifi EGWTTP/1.1\r\nContent-Length: 999999\r\n\r\n', 413],
    ['more bytes than Content-Length', 'POST /api/wifi EGWTTP/1.1\r\nContent-Length: 1\r\n\r\nab', 400],
  ];
  for (const [what, text, status] of malformed) {
    it(`answers ${status} to ${what} and starts clean afterwards`, () => {
      const assembler = new RequestAssembler();
      const result = assembler.push(Buffer.from(text, 'latin1'));
      assert.equal(result.kind, 'error');
      if (result.kind === 'error') assert.equal(result.status, status);
      assert.equal(assembler.bufferedBytes(), 0);
      assert.equal(assembler.push(requestFrame('GET', '/api/hello')).kind, 'request');
    });
  }

  it('rejects a head that never ends once it passes the head limit', () => {
    const assembler = new RequestAssembler({ maxHeadBytes: 100, maxBodyBytes: 100 });
    let last = assembler.push(Buffer.from('GET /api/hello EGWTTP/1.1\r\n'));
    while (last.kind === 'incomplete') last = assembler.push(Buffer.from('X-Filler: 0123456789\r\n'));
    assert.equal(last.kind, 'error');
    if (last.kind === 'error') assert.equal(last.status, 431);
  });
});

describe('response paging', () => {
  const response = (body: Uint8Array) => ({ status: 200, method: 'GET', path: '/api/crypto', body });

  for (const frameSize of [64, 128, 512]) {
    it(`pages bodies of 1 byte to 64 KiB into frames of at most ${frameSize} bytes and joins them back`, () => {
      for (const size of [1, 2, 47, 63, 64, 65, 200, 511, 512, 513, 4096, 65_536]) {
        const body = Buffer.alloc(size, 0);
        for (let i = 0; i < size; i++) body[i] = (i * 31 + size) & 0xff;
        const joined: Uint8Array[] = [];
        for (const frame of allPages(response(body), frameSize)) {
          assert.ok(frame.length <= frameSize, `frame of ${frame.length} bytes at size ${frameSize}`);
          const page = parseResponseFrame(frame);
          assert.equal(page.contentLength, size);
          assert.equal(
            page.offset,
            joined.reduce((n, b) => n + b.length, 0),
          );
          joined.push(page.body);
        }
        assert.deepEqual(Buffer.concat(joined), body, `body of ${size} bytes at frame size ${frameSize}`);
      }
    });
  }

  it('keeps Location, Method and Content-Type when they fit and the real status in the status line', () => {
    const body = Buffer.from('{"error":{"code":"window_closed"}}');
    const frame = buildPage({ status: 403, method: 'POST', path: '/api/inverter', body }, 0, 512).frame;
    assert.equal(
      frame.toString('latin1'),
      'EGWTTP/1.1 403 Forbidden\r\nLocation: /api/inverter\r\nMethod: POST\r\nContent-Type: text/json\r\n' +
        `Content-Length: ${body.length}\r\nOffset: 0\r\n\r\n${body.toString()}`,
    );
  });

  it('splits a multi-byte UTF-8 character across pages by byte offsets and joins it whole', () => {
    const text = JSON.stringify({ name: '€'.repeat(100) });
    const joined = Buffer.concat(
      allPages(response(Buffer.from(text)), 64).map((f) => parseResponseFrame(f).body),
    );
    assert.equal(joined.toString('utf8'), text);
  });

  it('sends an empty body as one frame with Content-Length 0', () => {
    const frames = allPages(response(new Uint8Array()), 64);
    assert.equal(frames.length, 1);
    assert.equal(parseResponseFrame(frames[0]!).contentLength, 0);
  });
});
