/**
 * Starts the Modbus proxy of a device whose config has `proxyPort`: the proxy shares the device's
 * connection and forwards only in the gaps the device's pipeline leaves between sampling slots.
 */
import { isModbusDevice, type DeviceConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { DeviceReader } from './device-reader.ts';
import { ModbusDeviceReader } from './modbus-device-reader.ts';
import type { DevicePipeline } from './device-pipeline.ts';
import { ModbusProxy } from '../proxy/modbus-proxy.ts';

/**
 * Room a forwarded request needs before the next sampling slot, ms: twice the device's p99 round
 * trip plus a margin, and at least 30 ms — so on a busy box, where a loopback round trip can stall
 * for tens of ms, proxied reads use only the first part of each 100 ms gap.
 */
export function forwardGuardMs(p99Ms: number | undefined): number {
  return Math.max(2 * (p99Ms ?? 25) + 2, 30);
}

export interface DeviceProxyDeps {
  clock: Clock;
  logger: Logger;
  /** Current harvest period, ms (the default tolerance). */
  harvestIntervalMs: () => number;
}

/** Starts the proxy of a device (undefined when its config has no proxyPort or it is not Modbus). */
export async function openDeviceProxy(
  config: DeviceConfig,
  reader: DeviceReader,
  pipeline: () => DevicePipeline | undefined,
  deps: DeviceProxyDeps,
): Promise<ModbusProxy | undefined> {
  if (!isModbusDevice(config) || config.proxyPort === undefined || !(reader instanceof ModbusDeviceReader))
    return undefined;
  const connection = reader.connection;
  const proxy = new ModbusProxy({
    device: config.id,
    unit: config.unit,
    host: config.proxyHost ?? '127.0.0.1',
    port: config.proxyPort,
    connection,
    toleranceMs: () => config.proxyToleranceMs ?? deps.harvestIntervalMs(),
    writable: config.proxyWritable ?? [],
    mayForward: () => {
      const current = pipeline();
      if (!current) return true;
      // Capped at half a slot, so a slow device still leaves proxied reads a gap after each sample
      // instead of starving them (clients would only ever get 0B).
      const guardMs = Math.min(forwardGuardMs(connection.latencyP99Ms()), current.minSlotPeriodMs / 2);
      return current.msUntilNextSlot() > guardMs;
    },
    clock: deps.clock,
    logger: deps.logger,
  });
  await proxy.start();
  return proxy;
}
