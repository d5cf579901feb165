/** Types of client/src/api-client.js, so TypeScript tests can drive the same client the pages use. */

export const EGW_SERVICE_UUID: string;
export const EGW_CHARACTERISTIC_UUID: string;

/** One EGWTTP frame link (a WebSocket or the GATT characteristic). */
export interface FrameLink {
  write(bytes: Uint8Array): Promise<void>;
  nextFrame(): Promise<Uint8Array>;
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
export function httpClient(baseUrl: string, token?: string): ApiClient;
