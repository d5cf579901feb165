/**
 * The one client-side EGWTTP codec (browser, installer, Node tools and tests): request frames,
 * response-frame parsing and paging over any frame link. The service side (reassembly, paging out)
 * lives in bluetooth/src/egwttp/. Types: egwttp.d.ts beside this file.
 */

const VERSION = 'EGWTTP/1.1';
const STATUS_LINE = /^EGWT?TP\/1\.1 (\d{3})(?: (.*))?$/;
const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

function concat(head, body) {
  const frame = new Uint8Array(head.length + body.length);
  frame.set(head);
  frame.set(body, head.length);
  return frame;
}

/** A request frame: `METHOD PATH EGWTTP/1.1` + Content-Type + Content-Length + body (text or bytes). */
export function requestFrame(method, path, body = '') {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const head = `${method} ${path} ${VERSION}\r\nContent-Type: text/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
  return concat(encoder.encode(head), bytes);
}

/** The continuation request for the page starting at byte offset: same request line, `Offset: K`, no body. */
export function continuationFrame(method, path, offset) {
  return encoder.encode(`${method} ${path} ${VERSION}\r\nOffset: ${offset}\r\n\r\n`);
}

function headEnd(bytes) {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

/** Whether bytes hold a whole response head (a cut BLE notification may not). */
export function hasResponseHead(bytes) {
  return headEnd(bytes) >= 0;
}

/**
 * Parses one response frame (one page): {status, reason, headers (names lower-cased), contentLength
 * (the whole body), offset (where this page's body starts), body (a view into bytes)}. Throws
 * SyntaxError on anything that is not one, a cut head included.
 */
export function parseResponseFrame(bytes) {
  const end = headEnd(bytes);
  if (end < 0) throw new SyntaxError('response frame without a blank line after its head');
  const lines = latin1.decode(bytes.subarray(0, end)).split('\r\n');
  const match = STATUS_LINE.exec(lines[0] ?? '');
  if (!match) throw new SyntaxError(`not an ${VERSION} status line: ${JSON.stringify(lines[0])}`);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = bytes.subarray(end + 4);
  return {
    status: Number(match[1]),
    reason: match[2] ?? '',
    headers,
    contentLength: Number(headers['content-length'] ?? body.length),
    offset: Number(headers['offset'] ?? 0),
    body,
  };
}

/**
 * Sends one request over a frame link ({write(bytes): Promise, nextFrame(): Promise<Uint8Array>}) and
 * collects every page. Resolves {status, bytes, pages} with the whole body and the number of pages read.
 */
export async function exchange(link, method, path, body = '') {
  await link.write(requestFrame(method, path, body));
  let page = parseResponseFrame(await link.nextFrame());
  const whole = new Uint8Array(page.contentLength);
  let received = 0;
  for (let pages = 1; ; pages++) {
    whole.set(page.body.subarray(0, page.contentLength - received), received);
    received += page.body.length;
    if (received >= page.contentLength) return { status: page.status, bytes: whole, pages };
    if (page.body.length === 0) throw new SyntaxError('empty page before the end of the body');
    await link.write(continuationFrame(method, path, received));
    page = parseResponseFrame(await link.nextFrame());
    // The kept response is gone (410) or the service refused the continuation: report that answer.
    if (page.offset !== received) return { status: page.status, bytes: page.body, pages: pages + 1 };
  }
}
