/** Types of client/src/egwttp.js, the one client-side EGWTTP codec (pages, installer, tools, tests). */

/** One parsed response frame (one page). */
export interface ResponseFrame {
  /** Real HTTP status from the status line. */
  status: number;
  /** Reason phrase ('' when the service left it out). */
  reason: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Length of the whole body, bytes. */
  contentLength: number;
  /** Where this page's body starts in the whole body, bytes. */
  offset: number;
  /** This page's body: a view into the parsed bytes. */
  body: Uint8Array;
}

/** Anything that carries whole EGWTTP frames: a WebSocket, the GATT characteristic, a test central. */
export interface FrameSink {
  write(bytes: Uint8Array): Promise<void>;
  nextFrame(): Promise<Uint8Array>;
}

/** A whole response joined from its pages. */
export interface ExchangeResult {
  status: number;
  bytes: Uint8Array;
  /** Pages read, the first included. */
  pages: number;
}

export function requestFrame(method: string, path: string, body?: string | Uint8Array): Uint8Array;
export function continuationFrame(method: string, path: string, offset: number): Uint8Array;
export function hasResponseHead(bytes: Uint8Array): boolean;
export function parseResponseFrame(bytes: Uint8Array): ResponseFrame;
export function exchange(
  link: FrameSink,
  method: string,
  path: string,
  body?: string | Uint8Array,
): Promise<ExchangeResult>;
