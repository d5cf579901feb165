/**
 * The Improv Wi-Fi state machine (https://www.improv-wifi.com/ble/): authorization is egw-ble's
 * provisioning window (button press, `egw-ble open-window`, the boot window); Wi-Fi settings join
 * through the gateway's Wi-Fi manager (POST /api/wifi) and the RPC result carries the dashboard URL.
 * Transport-free: the GATT side feeds it whole RPC commands and relays its state and results.
 */
import type { Logger } from '../../../server/src/core/logger.ts';
import {
  ImprovCommand,
  ImprovError,
  ImprovState,
  encodeRpcResult,
  parseStrings,
  type ImprovErrorValue,
  type ImprovStateValue,
} from './improv-codec.ts';

/** What joining a network gave: the dashboard URL on success. */
export type WifiJoin = { ok: true; url?: string } | { ok: false; reason: string };

export interface ImprovProvisionerOptions {
  /** The provisioning window: open = authorized. */
  isAuthorized: () => boolean;
  joinWifi: (ssid: string, password: string) => Promise<WifiJoin>;
  scanWifi: () => Promise<{ ssid: string; signal: number; security: string }[]>;
  /** Firmware name, firmware version, hardware, device name. */
  deviceInfo: () => Promise<[string, string, string, string]>;
  identify: () => void;
  logger: Logger;
}

/** Current state, error and the last RPC result, with listeners for the GATT side. */
export class ImprovProvisioner {
  private readonly options: ImprovProvisionerOptions;
  private busyState?: ImprovStateValue;
  private errorValue: ImprovErrorValue = ImprovError.none;
  private resultValue: Buffer = Buffer.alloc(0);
  private readonly listeners = new Set<(what: 'state' | 'error' | 'result') => void>();
  private lastState: ImprovStateValue;

  constructor(options: ImprovProvisionerOptions) {
    this.options = options;
    this.lastState = this.state();
  }

  /** Current state byte: provisioning/provisioned while those last, else from the window. */
  state(): ImprovStateValue {
    if (this.busyState !== undefined) return this.busyState;
    return this.options.isAuthorized() ? ImprovState.authorized : ImprovState.authorizationRequired;
  }

  error(): ImprovErrorValue {
    return this.errorValue;
  }

  /** The last RPC result packet (empty before the first). */
  result(): Buffer {
    return this.resultValue;
  }

  /** Listens for changes of state, error or result; returns the unsubscribe function. */
  onChange(listener: (what: 'state' | 'error' | 'result') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The window opened or closed: the state may have changed. */
  refresh(): void {
    const now = this.state();
    if (now === this.lastState) return;
    this.lastState = now;
    this.emit('state');
  }

  /** A packet on the RPC command characteristic was malformed (length or checksum). */
  invalidPacket(): void {
    this.setError(ImprovError.invalidRpc);
  }

  /** Runs one RPC command. */
  async command(command: number, data: Buffer): Promise<void> {
    this.setError(ImprovError.none);
    switch (command) {
      case ImprovCommand.wifiSettings:
        return this.wifiSettings(data);
      case ImprovCommand.identify:
        this.options.logger.info('Improv identify requested');
        return this.options.identify();
      case ImprovCommand.deviceInfo:
        return this.setResult(encodeRpcResult(command, await this.options.deviceInfo()));
      case ImprovCommand.scanWifi: {
        const networks = await this.options.scanWifi().catch(() => []);
        const strings = networks.flatMap((n) => [
          n.ssid,
          String(signalToRssi(n.signal)),
          authType(n.security),
        ]);
        return this.setResult(encodeRpcResult(command, fitStrings(strings)));
      }
      default:
        return this.setError(ImprovError.unknownCommand);
    }
  }

  private async wifiSettings(data: Buffer): Promise<void> {
    const strings = parseStrings(data);
    if (!strings || strings.length !== 2 || !strings[0]) return this.setError(ImprovError.invalidRpc);
    if (this.state() !== ImprovState.authorized) return this.setError(ImprovError.notAuthorized);
    const [ssid, password = ''] = strings;
    this.setBusy(ImprovState.provisioning);
    const joined = await this.options.joinWifi(ssid, password);
    if (!joined.ok) {
      this.options.logger.warn({ ssid, reason: joined.reason }, 'Improv: could not join the Wi-Fi network');
      this.setBusy(undefined);
      return this.setError(ImprovError.unableToConnect);
    }
    this.options.logger.info({ ssid, url: joined.url }, 'Improv: joined the Wi-Fi network');
    this.setResult(encodeRpcResult(ImprovCommand.wifiSettings, joined.url ? [joined.url] : []));
    this.setBusy(ImprovState.provisioned);
  }

  private setBusy(state: ImprovStateValue | undefined): void {
    this.busyState = state;
    this.refresh();
  }

  private setError(error: ImprovErrorValue): void {
    if (error === this.errorValue) return;
    this.errorValue = error;
    this.emit('error');
  }

  private setResult(result: Buffer): void {
    this.resultValue = result;
    this.emit('result');
  }

  private emit(what: 'state' | 'error' | 'result'): void {
    for (const listener of this.listeners) listener(what);
  }
}

/** NetworkManager's 0–100 signal as the dBm figure Improv clients show (a linear approximation). */
function signalToRssi(signal: number): number {
  return Math.round(signal / 2 - 100);
}

function authType(security: string): string {
  if (!security) return 'NO';
  if (security.includes('WPA2') || security.includes('WPA3')) return 'WPA2';
  if (security.includes('WPA')) return 'WPA';
  return 'WEP';
}

/** Whole network triples that fit the 255-byte result. */
function fitStrings(strings: string[]): string[] {
  const kept: string[] = [];
  let bytes = 0;
  for (let i = 0; i + 2 < strings.length; i += 3) {
    const triple = strings.slice(i, i + 3);
    const size = triple.reduce((n, s) => n + 1 + Buffer.byteLength(s), 0);
    if (bytes + size > 255) break;
    kept.push(...triple);
    bytes += size;
  }
  return kept;
}
