/**
 * Cuts a response into frames of at most frameSizeBytes. Every page carries `Content-Length` (the
 * whole body) and `Offset` (where this page's body starts, a byte offset: a multi-byte UTF-8
 * character may straddle two pages and is whole again once the client joins the bytes).
 */
import { EGWTTP_VERSION, reasonPhrase, type EgwttpResponse } from './egwttp-message.ts';

/** Header sets from richest to smallest; the first that leaves room for body is used for all pages. */
type HeaderStyle = 'full' | 'minimal' | 'bare';

/** Body bytes a page should carry at least before we drop the optional headers. */
const MIN_BODY_PER_PAGE = 16;

function head(response: EgwttpResponse, style: HeaderStyle, offset: number): string {
  const reason = style === 'bare' ? '' : reasonPhrase(response.status);
  const lines = [`${EGWTTP_VERSION} ${response.status} ${reason}`.trimEnd()];
  if (style === 'full') {
    if (response.path !== undefined) lines.push(`Location: ${response.path}`);
    if (response.method !== undefined) lines.push(`Method: ${response.method}`);
    lines.push(`Content-Type: ${response.contentType ?? 'text/json'}`);
  }
  lines.push(`Content-Length: ${response.body.length}`, `Offset: ${offset}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function chooseStyle(response: EgwttpResponse, frameSizeBytes: number): HeaderStyle {
  const total = response.body.length;
  const wanted = Math.min(total, MIN_BODY_PER_PAGE);
  for (const style of ['full', 'minimal'] as const) {
    // The widest Offset value has as many digits as the body length.
    if (head(response, style, total).length + wanted <= frameSizeBytes) return style;
  }
  return 'bare';
}

/**
 * The page whose body starts at offset (0 ≤ offset < body length, or 0 for an empty body), as frame
 * bytes, plus how many body bytes it carries. Throws RangeError when the frame cannot hold one byte.
 */
export function buildPage(
  response: EgwttpResponse,
  offset: number,
  frameSizeBytes: number,
): { frame: Buffer; bodyBytes: number } {
  const total = response.body.length;
  if (offset < 0 || (offset >= total && !(offset === 0 && total === 0))) {
    throw new RangeError(`page offset ${offset} outside body of ${total} bytes`);
  }
  const headText = head(response, chooseStyle(response, frameSizeBytes), offset);
  const room = frameSizeBytes - headText.length;
  if (room < 0 || (room === 0 && total > 0)) {
    throw new RangeError(`frame size ${frameSizeBytes} cannot hold a ${headText.length}-byte page head`);
  }
  const bodyBytes = Math.min(room, total - offset);
  const frame = Buffer.concat([
    Buffer.from(headText, 'latin1'),
    response.body.subarray(offset, offset + bodyBytes),
  ]);
  return { frame, bodyBytes };
}

/** Every page of a response in order (tests, and transports that push all pages). */
export function allPages(response: EgwttpResponse, frameSizeBytes: number): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  do {
    const page = buildPage(response, offset, frameSizeBytes);
    frames.push(page.frame);
    offset += page.bodyBytes;
  } while (offset < response.body.length);
  return frames;
}
