/**
 * Reads a JSON request body with a hard size limit: 413 before reading when Content-Length is too big,
 * 413 as soon as the stream passes the limit, 415 for a type other than application/json (UTF-8),
 * 400 naming "body" for bytes that are not UTF-8 or not JSON.
 */
import type { Context } from 'koa';
import { ValidationError } from '../core/errors.ts';
import { ApiError } from './api-error.ts';

/** Whether the request announces a body at all (Content-Length > 0 or chunked). */
export function hasBody(ctx: Context): boolean {
  const length = ctx.get('content-length');
  if (ctx.get('transfer-encoding') !== '') return true;
  return length !== '' && length !== '0';
}

function tooLarge(limitBytes: number): ApiError {
  return new ApiError(413, 'payload_too_large', `body: larger than the limit of ${limitBytes} bytes`, 'body');
}

/** Checks the media type: application/json with, if given, charset utf-8. */
export function assertJsonContentType(ctx: Context): void {
  const type = ctx.get('content-type');
  const [mediaType = '', ...params] = type.split(';').map((part) => part.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (
    mediaType !== 'application/json' ||
    (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
  ) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `content-type: "${type.slice(0, 80)}" is not supported; send application/json (UTF-8)`,
      'content-type',
    );
  }
}

async function readLimited(ctx: Context, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limitBytes) {
        // Stop reading; the connection is closed after the answer so the rest of the body is not parsed.
        ctx.set('Connection', 'close');
        throw tooLarge(limitBytes);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // The client aborted or sent a broken chunked encoding: a client fault, not a server one.
    throw new ApiError(400, 'body_unreadable', 'body: could not be read (aborted or malformed)', 'body');
  }
  return Buffer.concat(chunks, total);
}

/** Returns the parsed JSON body, or undefined when the request has none. */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  if (!hasBody(ctx)) return undefined;
  assertJsonContentType(ctx);
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limitBytes) {
    ctx.set('Connection', 'close');
    throw tooLarge(limitBytes);
  }
  const raw = await readLimited(ctx, limitBytes);
  if (raw.length === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new ValidationError('body: not valid UTF-8', 'body', 'invalid_json');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 120) : 'parse error';
    throw new ValidationError(`body: not valid JSON (${reason})`, 'body', 'invalid_json');
  }
}
