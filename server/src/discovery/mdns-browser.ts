/**
 * Finds gateways and devices that advertise themselves over mDNS / DNS-SD: other Energy Gateways
 * (`_egw._tcp`), HomeWizard energy meters (`_hwenergy._tcp`) and Enphase Envoys (`_enphase-envoy._tcp`).
 */
import { Bonjour, type Service } from 'bonjour-service';
import type { Clock } from '../core/clock.ts';

/** The service types `egw scan --mdns` looks for, and what each one is. */
export const MDNS_SERVICE_TYPES: Readonly<Record<string, string>> = {
  egw: 'Energy Gateway',
  hwenergy: 'HomeWizard Energy',
  'enphase-envoy': 'Enphase Envoy',
};

/** One service found. */
export interface MdnsFinding {
  type: string;
  kind: string;
  name: string;
  host: string;
  addresses: string[];
  port: number;
  txt: Record<string, string>;
}

/** Browses for `durationMs` and returns every service found, one per type and name. */
export async function browseMdns(
  clock: Clock,
  durationMs: number,
  types = Object.keys(MDNS_SERVICE_TYPES),
): Promise<MdnsFinding[]> {
  const bonjour = new Bonjour();
  const found = new Map<string, MdnsFinding>();
  const add = (type: string, service: Service): void => {
    const txt = Object.fromEntries(
      Object.entries((service.txt ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    );
    found.set(`${type}/${service.name}`, {
      type: `_${type}._tcp`,
      kind: MDNS_SERVICE_TYPES[type] ?? type,
      name: service.name,
      host: service.host,
      addresses: (service.addresses ?? []).filter((a) => !a.includes(':')),
      port: service.port,
      txt,
    });
  };
  const browsers = types.map((type) => bonjour.find({ type }, (service) => add(type, service)));
  try {
    await clock.sleep(durationMs, 'mdns-browse');
  } finally {
    for (const browser of browsers) browser.stop();
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }
  return [...found.values()].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
}
