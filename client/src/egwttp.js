/**
 * EGWTTP in the browser (and Node): request frames, response-frame parsing and paging over any
 * frame link. Mirrors bluetooth/src/egwttp/ (see README "Bluetooth provisioning").
 */

const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

/** Builds a request frame: `METHOD PATH EGWTTP/1.1` + Content-Type + Content-Length + body. */
export function requestFrame(method, path, bodyText = '') {
  const body = encoder.encode(bodyText);
  const head = encoder.encode(
    `${method} ${path} EGWTTP/1.1\r\nContent-Type: text/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  const frame = new Uint8Array(head.length + body.length);
  frame.set(head);
  frame.set(body, head.length);
  return frame;
}

/** The continuation request for the page starting at byte offset. */
export function continuationFrame(method, path, offset) {
  return encoder.encode(`${method} ${path} EGWTTP/1.1\r\nOffset: ${offset}\r\n\r\n`);
}

function headEnd(bytes) {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

/** Parses one response frame: {status, headers, contentLength, offset, body (Uint8Array)}; null if cut. */
export function parseResponseFrame(bytes) {
  const end = headEnd(bytes);
  if (end < 0) return null;
  const lines = latin1.decode(bytes.subarray(0, end)).split('\r\n');
  const match = /^EGWT?TP\/1\.1 (\d{3})/.exec(lines[0] ?? '');
  if (!match) throw new Error(`not an EGWTTP response: ${lines[0]}`);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = bytes.subarray(end + 4);
  return {
    status: Number(match[1]),
    headers,
    contentLength: Number(headers['content-length'] ?? body.length),
    offset: Number(headers['offset'] ?? 0),
    body,
  };
}

/**
 * Sends one request over a frame link ({write(bytes): Promise, nextFrame(): Promise<Uint8Array>}) and
 * collects every page. Resolves {status, bytes} with the whole body.
 */
export async function exchange(link, method, path, bodyText = '') {
  await link.write(requestFrame(method, path, bodyText));
  let page = parseResponseFrame(await link.nextFrame());
  if (!page) throw new Error('response frame without a complete head');
  const body = new Uint8Array(page.contentLength);
  let received = 0;
  for (;;) {
    body.set(page.body.subarray(0, page.contentLength - received), received);
    received += page.body.length;
    if (received >= page.contentLength) return { status: page.status, bytes: body };
    if (page.body.length === 0) throw new Error('empty page before the end of the body');
    await link.write(continuationFrame(method, path, received));
    page = parseResponseFrame(await link.nextFrame());
    if (!page) throw new Error('response frame without a complete head');
    // The kept response is gone (410) or the service refused the continuation: report that answer.
    if (page.offset !== received) return { status: page.status, bytes: page.body };
  }
}
