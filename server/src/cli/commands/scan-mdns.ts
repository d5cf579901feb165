/** `egw scan --mdns`: lists gateways and devices that advertise themselves over mDNS / DNS-SD. */
import type { CliIo } from '../../core/cli-io.ts';
import { SystemClock } from '../../core/clock.ts';

/** Browses for `timeoutMs` (default 3 s) and prints a table or JSON; exit 1 when nothing answered. */
export async function scanMdns(timeoutMs: number, json: boolean | undefined, io: CliIo): Promise<number> {
  // bonjour-service loads only for an mDNS scan.
  const { browseMdns } = await import('../../discovery/mdns-browser.ts');
  const found = await browseMdns(new SystemClock(), timeoutMs);
  if (found.length === 0) {
    io.stderr.write(`egw scan: no gateway or device answered over mDNS within ${timeoutMs} ms\n`);
    return 1;
  }
  if (json) {
    io.stdout.write(`${JSON.stringify(found)}\n`);
    return 0;
  }
  for (const f of found) {
    const where = `${f.addresses[0] ?? f.host}:${f.port}`;
    const txt = Object.entries(f.txt)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    io.stdout.write(`${f.kind.padEnd(18)} ${f.name.padEnd(28)} ${where.padEnd(22)} ${txt}\n`);
  }
  return 0;
}
