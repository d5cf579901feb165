/**
 * Forwards an EGWTTP request to the gateway's web API with the API token; the HTTP status and body
 * become the EGWTTP response unchanged (the real status travels in the status line). The gateway's
 * Unix socket (`<dataDir>/api.sock`) is used when it exists: its failed-auth bookkeeping is apart from
 * loopback TCP, so other local processes' bad tokens never lock BLE provisioning out. Else loopback TCP.
 */
import { access } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { Clock } from '../../../server/src/core/clock.ts';
import { TransportError } from '../../../server/src/core/errors.ts';
import { errorResponse, type EgwttpRequest, type EgwttpResponse } from '../egwttp/egwttp-message.ts';
import type { ApiTokenSource } from './api-token-source.ts';

export interface ApiForwarderOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:5000. */
  gatewayUrl: string;
  tokens: ApiTokenSource;
  clock: Clock;
  /** Per-request timeout (default 15 s: a Wi-Fi connect through NetworkManager takes a while). */
  timeoutMs?: number;
  /** The gateway's Unix socket, used instead of gatewayUrl while the file exists. */
  socketPath?: string;
}

interface RawAnswer {
  status: number;
  contentType: string;
  body: Uint8Array;
}

/** Loopback HTTP client for the gateway API. */
export class ApiForwarder {
  private readonly options: ApiForwarderOptions;
  constructor(options: ApiForwarderOptions) {
    this.options = options;
  }

  /** Runs the request against the gateway; network failures become 502/504 responses. */
  async forward(request: EgwttpRequest): Promise<EgwttpResponse> {
    let response = await this.once(request);
    if (response.status === 401 && !process.env.EGW_API_TOKEN) {
      this.options.tokens.invalidate();
      response = await this.once(request);
    }
    return response;
  }

  /** The socket path while its file exists (the gateway creates it at start). */
  private async socketPath(): Promise<string | undefined> {
    const path = this.options.socketPath;
    if (!path) return undefined;
    try {
      await access(path);
      return path;
    } catch {
      return undefined;
    }
  }

  /** GET a JSON document from the gateway (for the window's "unprovisioned" check). */
  async getJson(path: string): Promise<unknown> {
    const res = await this.once({
      method: 'GET',
      path,
      version: 'EGWTTP/1.1',
      headers: {},
      body: new Uint8Array(),
    });
    if (res.status !== 200)
      throw new TransportError(`GET ${path}: gateway answered ${res.status}`, { key: 'gateway' });
    return JSON.parse(Buffer.from(res.body).toString('utf8'));
  }

  private async once(request: EgwttpRequest): Promise<EgwttpResponse> {
    const where = { method: request.method, path: request.path };
    const token = await this.options.tokens.get();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.body.length > 0) headers['content-type'] = 'application/json';
    const controller = new AbortController();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const timer = this.options.clock.setTimer(
      `ble-forward:${request.method} ${request.path}`,
      timeoutMs,
      () => controller.abort(),
    );
    const socketPath = await this.socketPath();
    try {
      const res = await send(this.options.gatewayUrl, socketPath, request, headers, controller.signal);
      const type = res.contentType;
      return {
        status: res.status,
        ...where,
        contentType: type.includes('json') ? 'text/json' : type,
        body: res.body,
      };
    } catch (error) {
      if (controller.signal.aborted) {
        return errorResponse(504, 'gateway_timeout', `gateway did not answer within ${timeoutMs} ms`, where);
      }
      const code = (error as { code?: string }).code;
      const reason = code ?? (error as Error).message;
      const msg = `gateway API at ${socketPath ?? this.options.gatewayUrl} unreachable: ${reason}`;
      return errorResponse(502, 'gateway_unreachable', msg, where);
    } finally {
      timer.cancel();
    }
  }
}

/** One HTTP exchange over the Unix socket or TCP; rejects on network errors and on abort. */
function send(
  baseUrl: string,
  socketPath: string | undefined,
  request: EgwttpRequest,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<RawAnswer> {
  const url = new URL(request.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        ...(socketPath ? { socketPath } : { host: url.hostname, port: url.port || 80 }),
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: { ...headers, 'content-length': String(request.body.length) },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            contentType: res.headers['content-type'] ?? '',
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(Buffer.from(request.body));
  });
}
