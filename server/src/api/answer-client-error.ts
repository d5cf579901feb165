/**
 * Node rejects some requests before Koa sees them (bad header syntax, oversized head, timeouts). They
 * get the API's JSON error shape too, so every 4xx a client can receive names what was wrong.
 */
import type { Socket } from 'node:net';

/** Answers a request Node could not even parse (bad header, oversized head) in the API's error shape. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : timedOut ? 408 : 400;
  const reason = tooLarge ? 'Request Header Fields Too Large' : timedOut ? 'Request Timeout' : 'Bad Request';
  const message = tooLarge
    ? 'headers: larger than the server accepts'
    : timedOut
      ? 'request: not received in time'
      : `request: malformed HTTP (${error.code ?? 'parse error'})`;
  const body = JSON.stringify({
    error: { code: 'bad_request', message, field: tooLarge ? 'headers' : 'request' },
  });
  // Closed fully once the answer is flushed: end() alone half-closes, and an HTTP server socket allows
  // half-open connections, so a client that never closes its side would hold the descriptor for good.
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
