/**
 * Forwards an EGWTTP request to the gateway's web API on loopback with the API token; the HTTP status
 * and body become the EGWTTP response unchanged (the real status travels in the status line).
 */
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
    const hasBody = request.body.length > 0;
    if (hasBody) headers['content-type'] = 'application/json';
    const controller = new AbortController();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const timer = this.options.clock.setTimer(
      `ble-forward:${request.method} ${request.path}`,
      timeoutMs,
      () => controller.abort(),
    );
    try {
      const res = await fetch(new URL(request.path, this.options.gatewayUrl), {
        method: request.method,
        headers,
        body: hasBody ? Buffer.from(request.body) : undefined,
        signal: controller.signal,
        redirect: 'manual',
      });
      const body = new Uint8Array(await res.arrayBuffer());
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, ...where, contentType: type.includes('json') ? 'text/json' : type, body };
    } catch (error) {
      if (controller.signal.aborted) {
        return errorResponse(504, 'gateway_timeout', `gateway did not answer within ${timeoutMs} ms`, where);
      }
      // fetch() says only "fetch failed"; the reason (ECONNREFUSED, …) is on its cause.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      const msg = `gateway API at ${this.options.gatewayUrl} unreachable: ${reason}`;
      return errorResponse(502, 'gateway_unreachable', msg, where);
    } finally {
      timer.cancel();
    }
  }
}
