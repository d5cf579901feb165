/**
 * EGWTTP message types and constants (DESIGN.md "BLE and EGWTTP"). Pure: no sockets, no bleno.
 */

/** The protocol version we write; `EGWTP/1.1` (the original firmware's spelling) is accepted too. */
export const EGWTTP_VERSION = 'EGWTTP/1.1';

/** Version tokens a request line may carry. */
export const ACCEPTED_VERSIONS: readonly string[] = ['EGWTTP/1.1', 'EGWTP/1.1'];

/** GATT attribute values are at most 512 bytes: the default and largest frame. */
export const DEFAULT_FRAME_SIZE_BYTES = 512;

/** Smallest frame that still holds a status line, Content-Length, Offset and some body. */
export const MIN_FRAME_SIZE_BYTES = 64;

/** One complete request, reassembled from one or more frames. */
export interface EgwttpRequest {
  method: string;
  path: string;
  /** The version token as the client spelled it. */
  version: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The `Offset` header when present: > 0 asks for a later page of the kept response. */
  offset?: number;
}

/** A whole response before paging; the body is bytes so pages split at byte offsets. */
export interface EgwttpResponse {
  /** Real HTTP status (the original firmware always said 200). */
  status: number;
  /** Echoed as `Location`; absent when the request line could not be parsed. */
  path?: string;
  /** Echoed as `Method`. */
  method?: string;
  /** Defaults to `text/json`, the original firmware's content type. */
  contentType?: string;
  body: Uint8Array;
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'Version Not Supported',
};

/** The reason phrase for a status ("Unknown" for codes we do not name). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

/** A JSON error response in the web API's envelope `{"error": {code, message}}`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  request?: { method?: string; path?: string },
): EgwttpResponse {
  return {
    status,
    method: request?.method,
    path: request?.path,
    body: new TextEncoder().encode(JSON.stringify({ error: { code, message } })),
  };
}
