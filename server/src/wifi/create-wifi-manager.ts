/** Builds the gateway's WifiManager (NetworkManager through nmcli); E wires it as GatewayServices.wifi. */
import { SystemClock, type Clock } from '../core/clock.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { NmcliWifiManager } from './nmcli-wifi-manager.ts';
import type { WifiManager } from './wifi-manager.ts';

export interface CreateWifiManagerOptions {
  clock?: Clock;
  logger?: Logger;
  /** nmcli executable (default "nmcli" on PATH). */
  command?: string;
  /** Kill an nmcli call after this long, ms (default 45 s). */
  timeoutMs?: number;
}

/** The nmcli-backed WifiManager; its calls throw NotAvailable (HTTP 501) without NetworkManager. */
export function createWifiManager(options: CreateWifiManagerOptions = {}): WifiManager {
  return new NmcliWifiManager({
    clock: options.clock ?? new SystemClock(),
    logger: options.logger ?? silentLogger(),
    command: options.command,
    timeoutMs: options.timeoutMs,
  });
}
