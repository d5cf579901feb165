/** Starts the web API over fake services on an ephemeral loopback port, with a small request helper. */
import { startApiServer, type ApiOptions, type ApiServer } from '../../../server/src/api/create-api.ts';
import { createMetrics, type GatewayMetrics } from '../../../server/src/observability/metrics.ts';
import type { Clock } from '../../../server/src/core/clock.ts';
import { createFakeGateway, type FakeGateway } from '../../fakes/gateway-services.ts';
// Every answer request() gets is validated against the OpenAPI document, also when run on its own.
import '../validate-fetch-responses.ts';

export const TOKEN = 'test-token';

/** One answer, body parsed as JSON when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // Parsed JSON of any shape; tests assert on its fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface Harness {
  base: string;
  fake: FakeGateway;
  api: ApiServer;
  metrics: GatewayMetrics;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> },
  ): Promise<Answer>;
  close(): Promise<void>;
}

/** Starts a fresh API; token auth uses TOKEN unless options.token is null (no header). */
export async function startHarness(options: Partial<ApiOptions> = {}, clock?: Clock): Promise<Harness> {
  const fake = createFakeGateway({ apiToken: TOKEN, clock });
  const metrics = createMetrics(fake.services);
  const api = await startApiServer(fake.services, {
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 65_536,
    corsOrigins: [],
    metrics,
    ...options,
  });
  const base = `http://127.0.0.1:${api.port}`;
  return {
    base,
    fake,
    api,
    metrics,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token === undefined ? TOKEN : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(base + path, { method, headers, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    async close() {
      await api.close();
      fake.stop();
      metrics.close();
    },
  };
}
