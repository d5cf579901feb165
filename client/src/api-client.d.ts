/** Types of client/src/api-client.js, so TypeScript tests can drive the same client the pages use. */

export const EGW_SERVICE_UUID: string;
export const EGW_CHARACTERISTIC_UUID: string;

import type { FrameSink } from './egwttp.js';

/** One EGWTTP frame link (a WebSocket or the GATT characteristic). */
export interface FrameLink extends FrameSink {
  close(): void;
  name?: string;
}

/** What every API call resolves: the real HTTP status and the parsed JSON (or text) body. */
export interface ApiResult {
  status: number;
  // The body is whatever JSON the route returns; callers narrow it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
  body: any;
}

export interface ApiClient {
  request(method: string, path: string, body?: unknown): Promise<ApiResult>;
  provePin(pin: string): Promise<boolean>;
  close(): void;
}

export function openWsLink(url: string, WebSocketImpl?: unknown): Promise<FrameLink>;
export function openBleLink(bluetooth?: unknown): Promise<FrameLink>;
export function egwttpClient(link: FrameLink): ApiClient;
/** `token`: the API token, or a function returning the current one. */
export function httpClient(baseUrl: string, token?: string | (() => string)): ApiClient;
