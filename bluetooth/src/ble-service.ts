/**
 * Composition root of egw-ble: builds the provisioning handler (allow-list, PIN sessions, window,
 * forwarder) and runs it over the chosen transports (BLE GATT and/or WebSocket).
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../../server/src/core/clock.ts';
import type { Logger } from '../../server/src/core/logger.ts';
import type { LogLevels } from '../../server/src/core/log-levels.ts';
import type { WifiManager } from '../../server/src/wifi/wifi-manager.ts';
import { EgwttpConnection } from './egwttp/egwttp-connection.ts';
import { ImprovGattService } from './gatt/improv-gatt-service.ts';
import { improvAdvertisingData } from './improv/improv-advertising.ts';
import { createImprovOverGateway } from './improv/improv-over-gateway.ts';
import type { ImprovProvisioner } from './improv/improv-provisioner.ts';
import { buildAdvertisingData } from './gatt/advertisement.ts';
import { BlePeripheral, type AdvertisingState } from './gatt/ble-peripheral.ts';
import type { HciUart } from './gatt/hci-uart.ts';
import { EGW_SERVICE_UUID, type OpenConnection } from './gatt/egw-gatt-service.ts';
import { ApiForwarder } from './provisioning/api-forwarder.ts';
import { ApiTokenSource } from './provisioning/api-token-source.ts';
import { API_SOCKET_FILE, loadOrCreateBlePin } from '../../server/src/config/gateway-secrets.ts';
import { controlSocketPath, startControlSocket } from './provisioning/control-socket.ts';
import { GpioButton } from './provisioning/gpio-button.ts';
import { PinSessions } from './provisioning/pin-session.ts';
import { createProvisioningHandler } from './provisioning/provisioning-handler.ts';
import { ProvisioningWindow } from './provisioning/provisioning-window.ts';
import { WsTransport } from './ws/ws-transport.ts';

export interface BleServiceOptions {
  clock: Clock;
  logger: Logger;
  /** Shared data directory: api-token (read), ble-pin, control socket. */
  dataDir: string;
  /** Gateway web API base URL (default http://127.0.0.1:5000). */
  gatewayUrl: string;
  transports: ('ble' | 'ws')[];
  wsHost?: string;
  wsPort?: number;
  frameSizeBytes: number;
  /** Window length after boot, ms (0 = closed at boot). */
  bootWindowMs: number;
  /** Window length after a button press or open-window, ms. */
  openWindowMs: number;
  /** Keep advertising when the window is closed. */
  alwaysAdvertise?: boolean;
  /** Open the window while no Wi-Fi is connected and no device configured (needs wifi). */
  wifi?: WifiManager;
  gpio?: { chip: string; line: number };
  /** Serve the local control socket (default true). */
  controlSocket?: boolean;
  /** Advertised name (default: the gateway's /api/name, else "EGW"); cut to 29 UTF-8 bytes. */
  name?: string;
  /** Serve Improv Wi-Fi beside EGWTTP over BLE (default true). */
  improv?: boolean;
  /** Drive a controller on a serial line (bleno's uart HCI driver) instead of the HCI socket. */
  hciUart?: HciUart;
  /** The process's run-time log levels, changed by the gateway (GET/POST /logger on the control socket). */
  logLevels?: LogLevels;
}

/** What /ble/status and `egw-ble status` report. */
export interface BleServiceStatus {
  ble: string;
  advertising: AdvertisingState;
  transports: string[];
  wsPort?: number;
}

/** A running egw-ble. */
export interface BleService {
  /** Bound WebSocket port when the ws transport runs. */
  wsPort?: number;
  window: ProvisioningWindow;
  status(): BleServiceStatus;
  stop(): Promise<void>;
}

/** Starts egw-ble with the given options. */
export async function startBleService(options: BleServiceOptions): Promise<BleService> {
  const { clock, logger } = options;
  const tokens = new ApiTokenSource(options.dataDir);
  const forwarder = new ApiForwarder({
    gatewayUrl: options.gatewayUrl,
    socketPath: join(options.dataDir, API_SOCKET_FILE),
    tokens,
    clock,
  });
  const wifi = options.wifi;
  const window = new ProvisioningWindow({
    clock,
    bootWindowMs: options.bootWindowMs,
    openWindowMs: options.openWindowMs,
    isUnprovisioned: wifi ? () => isUnprovisioned(forwarder, wifi) : undefined,
  });
  const sessions = new PinSessions(async () => loadOrCreateBlePin(options.dataDir), clock);
  const wantsBle = options.transports.includes('ble');
  let peripheral: BlePeripheral | undefined;
  const bleState = (): string => peripheral?.status() ?? 'disabled';
  const advertising = (): AdvertisingState => peripheral?.advertisingStatus() ?? { state: 'off' };
  const handler = createProvisioningHandler({
    forwarder,
    sessions,
    window,
    bleState,
    advertising,
    openWindowMinutes: Math.round(options.openWindowMs / 60_000),
  });
  const open: OpenConnection = (id, send) => {
    const connection = new EgwttpConnection({
      id,
      handler,
      clock,
      send,
      frameSizeBytes: options.frameSizeBytes,
    });
    return {
      write: (chunk) => connection.write(chunk),
      close: () => {
        connection.close();
        sessions.end(id);
      },
    };
  };
  await window.start();
  let ws: WsTransport | undefined;
  let wsPort: number | undefined;
  if (options.transports.includes('ws')) {
    ws = new WsTransport({
      host: options.wsHost ?? '127.0.0.1',
      port: options.wsPort ?? 0,
      open,
      logger,
      clock,
    });
    wsPort = await ws.start();
    logger.info(
      { port: wsPort, frameSizeBytes: options.frameSizeBytes },
      'EGWTTP WebSocket transport listening',
    );
  }
  let improv: ImprovProvisioner | undefined;
  if (wantsBle) {
    const name = options.name ?? (await gatewayName(forwarder));
    peripheral = new BlePeripheral({
      name,
      open,
      logger,
      advertising: () => [
        buildAdvertisingData(name, EGW_SERVICE_UUID),
        ...(improv ? [improvAdvertisingData(name, improv.state())] : []),
      ],
      clock,
      shouldAdvertise: () => window.isOpen(),
      alwaysAdvertise: options.alwaysAdvertise,
      hciUart: options.hciUart,
      extraServices: (classes) => (improv ? [new ImprovGattService(classes, improv)] : []),
    });
    improv =
      options.improv === false
        ? undefined
        : createImprovOverGateway({
            forwarder,
            gatewayUrl: options.gatewayUrl,
            isAuthorized: () => window.isOpen(),
            name,
            logger: logger.child({ area: 'improv' }),
          });
    // Improv's state travels in the advertisement: set it again when it changes.
    improv?.onChange((what) => (what === 'state' ? peripheral?.updateAdvertising() : undefined));
    await peripheral.start();
  }
  const unsubscribe = window.onChange((state) => {
    logger.info({ window: state }, state.open ? 'provisioning window open' : 'provisioning window closed');
    improv?.refresh();
    peripheral?.refreshAdvertising();
  });
  const status = (): BleServiceStatus => ({
    ble: bleState(),
    advertising: advertising(),
    transports: options.transports,
    wsPort,
  });
  let control: Server | undefined;
  if (options.controlSocket !== false)
    control = await startControlSocket(controlSocketPath(options.dataDir), {
      window,
      status,
      logLevels: options.logLevels,
      logger,
    });
  let button: GpioButton | undefined;
  if (options.gpio) {
    button = new GpioButton({ ...options.gpio, clock, logger, onPress: () => window.open('button') });
    button.start();
  }
  return {
    wsPort,
    window,
    status,
    async stop() {
      unsubscribe();
      window.stop();
      button?.stop();
      peripheral?.stop();
      await ws?.stop();
      if (control) await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
}

async function isUnprovisioned(forwarder: ApiForwarder, wifi: WifiManager): Promise<boolean> {
  const devices = await forwarder.getJson('/api/devices');
  const list = Array.isArray(devices) ? devices : (devices as { devices?: unknown[] }).devices;
  if (Array.isArray(list) && list.length > 0) return false;
  try {
    return (await wifi.status()).state !== 'connected';
  } catch {
    return true; // no NetworkManager: there is no Wi-Fi
  }
}

async function gatewayName(forwarder: ApiForwarder): Promise<string> {
  try {
    const value = (await forwarder.getJson('/api/name')) as { name?: unknown };
    // Whole: the advertisement cuts it to 29 UTF-8 bytes at a character boundary.
    if (typeof value.name === 'string' && value.name) return value.name;
  } catch {
    // The gateway may start after us; the short default is fine for advertising.
  }
  return 'EGW';
}
