/**
 * Client side of paging: parses one response frame and joins pages into the whole body. Used by tests
 * and the Node tools; the browser client (client/src/egwttp.js) mirrors it in plain JS.
 */
import { EGWTTP_VERSION } from './egwttp-message.ts';

/** One parsed response frame (one page). */
export interface ResponseFrame {
  status: number;
  reason: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Length of the whole body. */
  contentLength: number;
  /** Where this page's body starts in the whole body. */
  offset: number;
  body: Buffer;
}

const STATUS_LINE = /^EGWT?TP\/1\.1 (\d{3})(?: (.*))?$/;

/** Parses one response frame; throws SyntaxError on anything that is not one. */
export function parseResponseFrame(frame: Uint8Array): ResponseFrame {
  const bytes = Buffer.from(frame);
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new SyntaxError('response frame without a blank line after its head');
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const match = STATUS_LINE.exec(lines[0] ?? '');
  if (!match) throw new SyntaxError(`not an ${EGWTTP_VERSION} status line: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
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

/** The request frame for a continuation: same request line, `Offset: K`, no body. */
export function continuationFrame(method: string, path: string, offset: number): Buffer {
  return Buffer.from(`${method} ${path} ${EGWTTP_VERSION}\r\nOffset: ${offset}\r\n\r\n`, 'latin1');
}

/** A request frame (possibly longer than one write; the caller cuts it into writes). */
export function requestFrame(method: string, path: string, body: Uint8Array | string = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const head = `${method} ${path} ${EGWTTP_VERSION}\r\nContent-Type: text/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}
