/**
 * Reassembles one EGWTTP request from the writes of one connection: the head ends at the first blank
 * line, the body is `Content-Length` bytes. Buffers stay capped (head + body limits), so a peer that
 * writes garbage forever costs at most maxHeadBytes + maxBodyBytes.
 */
import { ACCEPTED_VERSIONS, type EgwttpRequest } from './egwttp-message.ts';

/** Limits of one connection's request buffer. */
export interface AssemblerLimits {
  /** Request line plus headers, bytes (default 1024). */
  maxHeadBytes: number;
  /** Body bytes (default 16 KiB: more than any provisioning call needs). */
  maxBodyBytes: number;
}

export const DEFAULT_ASSEMBLER_LIMITS: AssemblerLimits = { maxHeadBytes: 1024, maxBodyBytes: 16_384 };

/** What one write produced: nothing yet, a whole request, or a protocol error to answer. */
export type AssembleResult =
  | { kind: 'incomplete' }
  | { kind: 'request'; request: EgwttpRequest }
  | { kind: 'error'; status: number; code: string; message: string; method?: string; path?: string };

const HEAD_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[A-Z]{1,16}$/;
const PATH = /^\/[\x21-\x7e]{0,255}$/;

/** Per-connection request reassembly (one request at a time). */
export class RequestAssembler {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly limits: AssemblerLimits;
  private head?: { request: Omit<EgwttpRequest, 'body'>; headBytes: number; bodyBytes: number };

  constructor(limits: AssemblerLimits = DEFAULT_ASSEMBLER_LIMITS) {
    this.limits = limits;
  }

  /** Bytes currently buffered (bounded by the limits; the fuzz test checks it). */
  bufferedBytes(): number {
    return this.buffer.length;
  }

  /** Whether part of a request is waiting for more writes. */
  pending(): boolean {
    return this.buffer.length > 0;
  }

  /** Drops a partial request (timeout, disconnect). */
  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.head = undefined;
  }

  /** Adds one write's bytes. After a request or an error the buffer starts empty again. */
  push(chunk: Uint8Array): AssembleResult {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.head) {
      const end = this.buffer.indexOf(HEAD_END);
      if (end < 0) {
        if (this.buffer.length > this.limits.maxHeadBytes)
          return this.fail(431, 'head_too_large', this.headMsg());
        return { kind: 'incomplete' };
      }
      if (end + 4 > this.limits.maxHeadBytes) return this.fail(431, 'head_too_large', this.headMsg());
      const parsed = this.parseHead(this.buffer.subarray(0, end).toString('latin1'));
      if ('kind' in parsed) return parsed;
      this.head = { request: parsed.request, headBytes: end + 4, bodyBytes: parsed.bodyBytes };
    }
    const { request, headBytes, bodyBytes } = this.head;
    const have = this.buffer.length - headBytes;
    if (have < bodyBytes) return { kind: 'incomplete' };
    if (have > bodyBytes) {
      const where = { method: request.method, path: request.path };
      return this.fail(
        400,
        'extra_bytes',
        `request has ${have} body bytes but Content-Length ${bodyBytes}`,
        where,
      );
    }
    const body = Buffer.from(this.buffer.subarray(headBytes));
    this.reset();
    return { kind: 'request', request: { ...request, body } };
  }

  private headMsg(): string {
    return `request head longer than ${this.limits.maxHeadBytes} bytes or missing the blank line`;
  }

  private fail(
    status: number,
    code: string,
    message: string,
    where: { method?: string; path?: string } = {},
  ): AssembleResult {
    this.reset();
    return { kind: 'error', status, code, message, ...where };
  }

  private parseHead(
    text: string,
  ): { request: Omit<EgwttpRequest, 'body'>; bodyBytes: number } | AssembleResult {
    const lines = text.split('\r\n');
    const parts = (lines[0] ?? '').split(' ');
    const [method = '', path = '', version = ''] = parts;
    if (parts.length !== 3 || !TOKEN.test(method) || !PATH.test(path)) {
      return this.fail(400, 'bad_request_line', 'request line must be "METHOD /path EGWTTP/1.1"');
    }
    const where = { method, path };
    if (!ACCEPTED_VERSIONS.includes(version)) {
      return this.fail(505, 'bad_version', `version "${version.slice(0, 16)}" is not EGWTTP/1.1`, where);
    }
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) return this.fail(400, 'bad_header', 'header line must be "Name: value"', where);
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const lengthText = headers['content-length'] ?? '0';
    if (!/^\d{1,9}$/.test(lengthText)) {
      return this.fail(400, 'bad_content_length', 'Content-Length must be a decimal byte count', where);
    }
    const bodyBytes = Number(lengthText);
    if (bodyBytes > this.limits.maxBodyBytes) {
      const msg = `Content-Length ${bodyBytes} exceeds the limit of ${this.limits.maxBodyBytes} bytes`;
      return this.fail(413, 'body_too_large', msg, where);
    }
    const request: Omit<EgwttpRequest, 'body'> = { method, path, version, headers };
    const offsetText = headers['offset'];
    if (offsetText !== undefined) {
      if (!/^\d{1,9}$/.test(offsetText)) {
        return this.fail(400, 'bad_offset', 'Offset must be a decimal byte offset', where);
      }
      request.offset = Number(offsetText);
    }
    return { request, bodyBytes };
  }
}
