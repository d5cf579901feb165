/**
 * DSMR 4/5 (and ESMR 5) P1 telegrams: framing a serial text stream into telegrams, the CRC check and
 * the COSEM lines. A telegram runs from "/" (the header, e.g. "/ISK5\2M550T-1012") to "!" followed by
 * the CRC-16/ARC of every character from "/" through "!" as four hex digits; each line in between is
 * an OBIS reference and its values in parentheses, e.g. "1-0:1.8.1(001234.567*kWh)".
 */
import crc16 from 'crc/crc16';

/** One checked telegram. */
export interface DsmrTelegram {
  header: string;
  /** Values per OBIS reference, e.g. "1-0:1.7.0" → ["00.123*kW"]. */
  objects: Map<string, string[]>;
}

/** Why a telegram was dropped. */
export interface DsmrTelegramError {
  error: 'crc' | 'format';
  message: string;
}

/** The CRC a telegram carries must match CRC-16/ARC over "/" … "!" (DSMR 5.0.2 § 6.12). */
export function checkTelegram(text: string): DsmrTelegram | DsmrTelegramError {
  const end = text.lastIndexOf('!');
  if (!text.startsWith('/') || end < 0) return { error: 'format', message: 'not a telegram (no "/" … "!")' };
  const carried = text.slice(end + 1).trim();
  if (!/^[0-9A-Fa-f]{4}$/.test(carried))
    return { error: 'format', message: `CRC "${carried}" is not 4 hex digits` };
  const computed = crc16(Buffer.from(text.slice(0, end + 1), 'latin1'));
  if (computed !== parseInt(carried, 16)) {
    const hex = computed.toString(16).toUpperCase().padStart(4, '0');
    return { error: 'crc', message: `CRC ${carried.toUpperCase()}, computed ${hex}` };
  }
  return parseTelegram(text.slice(0, end));
}

/** Parses the lines of a telegram (without CRC checking: DSMR 2/3 telegrams carry none). */
export function parseTelegram(text: string): DsmrTelegram {
  const lines = text.split(/\r?\n/);
  const objects = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const match = /^(\d+-\d+:\d+\.\d+\.\d+)((?:\([^)]*\))+)\s*$/.exec(line);
    if (!match) continue;
    objects.set(
      match[1]!,
      [...match[2]!.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!),
    );
  }
  return { header: (lines[0] ?? '').slice(1).trim(), objects };
}

/** Splits a serial text stream into whole telegrams ("/" … "!" + CRC line). */
export class TelegramFramer {
  private buffered = '';

  /** Adds received text; returns every telegram now complete (including its CRC). */
  push(chunk: string): string[] {
    this.buffered += chunk;
    const out: string[] = [];
    for (;;) {
      const start = this.buffered.indexOf('/');
      if (start < 0) {
        this.buffered = '';
        break;
      }
      this.buffered = this.buffered.slice(start);
      const match = /![0-9A-Fa-f]{0,4}\r?\n/.exec(this.buffered);
      if (!match) {
        // Bound the buffer: a telegram is a few kB at most.
        if (this.buffered.length > 16_384) this.buffered = this.buffered.slice(1);
        break;
      }
      const end = match.index + match[0].length;
      out.push(this.buffered.slice(0, end));
      this.buffered = this.buffered.slice(end);
    }
    return out;
  }
}
