/**
 * The simulator as a smart meter's P1 side: DSMR telegrams written to a serial port (one end of a
 * pty pair, 115200 8N1, one per second like a DSMR 5 meter) and the HomeWizard P1 meter's local HTTP
 * API (GET /api, GET /api/v1/data), both from one simulated meter's values.
 */
import { createServer, type Server } from 'node:http';
import type { Clock, Timer } from '../../../server/src/core/clock.ts';
import { TransportError } from '../../../server/src/core/errors.ts';
import type { Logger } from '../../../server/src/core/logger.ts';
import type { SimValues } from '../physics/sim-values.ts';
import { dsmrTelegram } from './dsmr-telegram-writer.ts';

export interface P1OutputOptions {
  /** Values of the meter the outputs show. */
  values: () => SimValues;
  clock: Clock;
  logger: Logger;
  /** Serial port to write telegrams to (e.g. a pty made by socat). */
  serialPath?: string;
  /** Every Nth telegram carries a wrong CRC (0 = never). */
  badCrcEvery?: number;
  /** Telegram period, ms (default 1000). */
  intervalMs?: number;
  /** Serve the HomeWizard API on this port (0 = ephemeral). */
  homewizardPort?: number;
  /** Advertise the HomeWizard API as `_hwenergy._tcp` over mDNS, as the real dongle does. */
  homewizardMdns?: boolean;
  host?: string;
}

export interface P1Outputs {
  homewizardPort?: number;
  /** Telegrams written so far, and how many with a wrong CRC. */
  telegrams(): { sent: number; badCrc: number };
  stop(): Promise<void>;
}

/** Gas used by the simulated household: a slow steady flow, m³ per hour. */
const GAS_M3_PER_H = 0.12;

/** Starts the telegram writer and/or the HomeWizard API. */
export async function startP1Outputs(options: P1OutputOptions): Promise<P1Outputs> {
  const { clock } = options;
  const startMs = clock.nowMs();
  const gasM3 = (): number => 4321.5 + ((clock.nowMs() - startMs) / 3_600_000) * GAS_M3_PER_H;
  const counts = { sent: 0, badCrc: 0 };
  const stops: (() => Promise<void>)[] = [];
  let homewizardPort: number | undefined;

  if (options.serialPath !== undefined) {
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: options.serialPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((error) =>
        error
          ? reject(new TransportError(`${options.serialPath}: cannot open: ${error.message}`, {}, error))
          : resolve(),
      ),
    );
    port.on('error', (error) => options.logger.warn({ err: error.message }, 'P1 serial port error'));
    let timer: Timer | undefined;
    const tick = (): void => {
      const every = options.badCrcEvery ?? 0;
      const badCrc = every > 0 && (counts.sent + 1) % every === 0;
      port.write(dsmrTelegram(options.values(), { timeMs: clock.nowMs(), gasM3: gasM3(), badCrc }));
      counts.sent++;
      if (badCrc) counts.badCrc++;
      timer = clock.setTimer('p1-telegram', options.intervalMs ?? 1000, tick);
    };
    tick();
    stops.push(async () => {
      timer?.cancel();
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    });
  }

  if (options.homewizardPort !== undefined) {
    const server: Server = createServer((req, res) => {
      const body =
        req.url === '/api'
          ? identity()
          : req.url === '/api/v1/data'
            ? data(options.values(), gasM3())
            : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: { id: 404, description: 'not found' } }));
    });
    await new Promise<void>((resolve) =>
      server.listen(options.homewizardPort, options.host ?? '127.0.0.1', resolve),
    );
    const address = server.address();
    homewizardPort = typeof address === 'object' && address ? address.port : undefined;
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    if (options.homewizardMdns && homewizardPort !== undefined) {
      const { Bonjour } = await import('bonjour-service');
      const bonjour = new Bonjour();
      const { serial, product_type: productType, product_name: productName } = identity();
      bonjour.publish({
        name: `p1meter-${String(serial).slice(-6)}`,
        type: 'hwenergy',
        port: homewizardPort,
        disableIPv6: true,
        txt: {
          api_enabled: '1',
          path: '/api/v1',
          serial,
          product_type: productType,
          product_name: productName,
        },
      });
      stops.unshift(async () => {
        await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
        await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
      });
    }
  }

  return {
    ...(homewizardPort !== undefined ? { homewizardPort } : {}),
    telegrams: () => ({ ...counts }),
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

function identity(): Record<string, string> {
  return {
    product_type: 'HWE-P1',
    product_name: 'P1 meter',
    serial: '5c2fafa1b2c3',
    firmware_version: '5.18',
    api_version: 'v1',
  };
}

/** /api/v1/data as a HomeWizard P1 meter answers it (kW, kWh, m³ as the meter reports them). */
function data(values: SimValues, gasM3: number): Record<string, unknown> {
  const grid = values.grid_power_w ?? 0;
  const kwh = (wh: number | undefined): number => Math.round(wh ?? 0) / 1000;
  const importWh = values.energy_import_wh ?? 0;
  const exportWh = values.energy_export_wh ?? 0;
  return {
    wifi_ssid: 'simulated',
    wifi_strength: 100,
    smr_version: 50,
    meter_model: 'ISKRA 2M550T-1012',
    unique_id: '00112233445566778899AABBCCDDEEFF',
    active_tariff: 2,
    total_power_import_kwh: kwh(importWh),
    total_power_import_t1_kwh: kwh(importWh * 0.4),
    total_power_import_t2_kwh: kwh(importWh - importWh * 0.4),
    total_power_export_kwh: kwh(exportWh),
    total_power_export_t1_kwh: kwh(exportWh * 0.4),
    total_power_export_t2_kwh: kwh(exportWh - exportWh * 0.4),
    active_power_w: Math.round(grid),
    active_power_l1_w: Math.round(values.grid_power_l1_w ?? grid / 3),
    active_power_l2_w: Math.round(values.grid_power_l2_w ?? grid / 3),
    active_power_l3_w: Math.round(values.grid_power_l3_w ?? grid / 3),
    active_voltage_l1_v: values.ac_voltage_l1_v,
    active_voltage_l2_v: values.ac_voltage_l2_v,
    active_voltage_l3_v: values.ac_voltage_l3_v,
    active_current_l1_a: values.ac_current_l1_a,
    active_current_l2_a: values.ac_current_l2_a,
    active_current_l3_a: values.ac_current_l3_a,
    total_gas_m3: Math.round(gasM3 * 1000) / 1000,
    gas_timestamp: 231128120000,
  };
}
