/**
 * A DSMR 5 telegram from a simulated meter's values, as an Iskra/Kaifa meter sends it on its P1 port:
 * header, COSEM lines in the meter's units (kW, kWh, V, A, m³) and the CRC-16/ARC over "/" … "!".
 */
import crc16 from 'crc/crc16';
import type { SimValues } from '../physics/sim-values.ts';

/** What the telegram shows besides the electrical values. */
export interface TelegramExtras {
  /** Simulated wall time, ms since epoch. */
  timeMs: number;
  /** Gas meter reading on M-Bus channel 1, m³. */
  gasM3: number;
  /** Replace the CRC with a wrong one (fault injection). */
  badCrc?: boolean;
}

const kw = (w: number): string => (Math.max(0, w) / 1000).toFixed(3).padStart(6, '0');
const kwh = (wh: number): string => (Math.max(0, wh) / 1000).toFixed(3).padStart(10, '0');

/** YYMMDDhhmmss + S (summer) or W (winter) as DSMR timestamps are written; UTC here. */
function dsmrTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}W`;
}

/** The telegram text, CRLF line ends, CRC included. */
export function dsmrTelegram(values: SimValues, extras: TelegramExtras): string {
  const grid = values.grid_power_w ?? 0;
  const phase = (n: 1 | 2 | 3): number => values[`grid_power_l${n}_w`] ?? grid / 3;
  const importWh = values.energy_import_wh ?? 0;
  const exportWh = values.energy_export_wh ?? 0;
  const lines = [
    '1-3:0.2.8(50)',
    `0-0:1.0.0(${dsmrTime(extras.timeMs)})`,
    `0-0:96.1.1(${Buffer.from('E0099887766554433').toString('hex').toUpperCase()})`,
    `1-0:1.8.1(${kwh(importWh * 0.4)}*kWh)`,
    `1-0:1.8.2(${kwh(importWh - importWh * 0.4)}*kWh)`,
    `1-0:2.8.1(${kwh(exportWh * 0.4)}*kWh)`,
    `1-0:2.8.2(${kwh(exportWh - exportWh * 0.4)}*kWh)`,
    '0-0:96.14.0(0002)',
    `1-0:1.7.0(${kw(grid)}*kW)`,
    `1-0:2.7.0(${kw(-grid)}*kW)`,
    ...([1, 2, 3] as const).flatMap((n) => {
      const v = values[`ac_voltage_l${n}_v`] ?? 230;
      const a = values[`ac_current_l${n}_a`] ?? Math.abs(phase(n)) / v;
      const obis = 12 + 20 * n; // 32, 52, 72 (voltage); 31, 51, 71 (current)
      return [
        `1-0:${obis}.7.0(${v.toFixed(1).padStart(5, '0')}*V)`,
        `1-0:${obis - 1}.7.0(${Math.round(a).toString().padStart(3, '0')}*A)`,
      ];
    }),
    ...([1, 2, 3] as const).flatMap((n) => [
      `1-0:${1 + 20 * n}.7.0(${kw(phase(n))}*kW)`,
      `1-0:${2 + 20 * n}.7.0(${kw(-phase(n))}*kW)`,
    ]),
    '0-1:24.1.0(003)',
    `0-1:96.1.0(${Buffer.from('G0011223344556677').toString('hex').toUpperCase()})`,
    `0-1:24.2.1(${dsmrTime(extras.timeMs)})(${extras.gasM3.toFixed(3).padStart(9, '0')}*m3)`,
  ];
  const body = `/ISK5\\2M550T-1012\r\n\r\n${lines.map((l) => `${l}\r\n`).join('')}!`;
  const crc = crc16(Buffer.from(body, 'latin1')) ^ (extras.badCrc ? 0x5a5a : 0);
  return `${body}${crc.toString(16).toUpperCase().padStart(4, '0')}\r\n`;
}
