/**
 * Runs one request through the whole Koa app in this process, without a socket: the same middleware
 * (errors, load shedding, token check, validation) and handlers as a request over HTTP. The cloud
 * control channel uses it, carrying the API token, so a remote request has exactly the token's rights.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type Koa from 'koa';

/** One in-process request. */
export interface InProcessRequest {
  method: string;
  /** Path with an optional query, e.g. "/api/settings". */
  path: string;
  body?: Record<string, unknown>;
  /** Sent as `Authorization: Bearer …`. */
  token: string;
}

/** Status and body (parsed JSON when the answer is JSON, else the text, or null when empty). */
export interface InProcessResponse {
  status: number;
  body: unknown;
}

/** Sends `request` through `app` and resolves its answer. */
export function runInProcess(app: Koa, request: InProcessRequest): Promise<InProcessResponse> {
  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), 'utf8');
  // An unconnected socket: the auth limiter counts these like the API's Unix socket (one local place).
  const req = new IncomingMessage(new Socket());
  req.method = request.method;
  req.url = request.path;
  req.headers = {
    host: 'control.local',
    authorization: `Bearer ${request.token}`,
    ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
  };
  if (payload) req.push(payload);
  req.push(null);
  const res = new ServerResponse(req);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const collect = (chunk: unknown): void => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      }
    };
    // Koa answers with res.end(body) (or pipes a stream through write); capture instead of a socket.
    res.write = ((chunk: unknown) => {
      collect(chunk);
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      collect(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const type = String(res.getHeader('content-type') ?? '');
      let body: unknown = text.length === 0 ? null : text;
      if (type.includes('json') && text.length > 0) {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          body = text;
        }
      }
      resolve({ status: res.statusCode, body });
      return res;
    }) as typeof res.end;
    Promise.resolve(app.callback()(req, res)).catch(reject);
  });
}
