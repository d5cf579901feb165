/**
 * WifiManager over NetworkManager's nmcli. Connecting creates (or replaces) a connection profile named
 * after the SSID and activates it with the passphrase given through `passwd-file /dev/stdin`: the
 * secret travels on a pipe only this process holds, never in argv, a file or the log.
 */
import type { Logger } from '../core/logger.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { runNmcli, splitTerseLine, type NmcliRunnerOptions } from './nmcli-runner.ts';
import type { WifiManager, WifiNetwork, WifiState } from './wifi-manager.ts';

export interface NmcliWifiManagerOptions extends NmcliRunnerOptions {
  logger: Logger;
}

function checkSsid(ssid: string): void {
  if (typeof ssid !== 'string' || ssid.length < 1 || Buffer.byteLength(ssid) > 32) {
    throw new ValidationError('ssid must be 1–32 bytes', 'ssid');
  }
}

/** Wi-Fi through nmcli; throws NotAvailable (501) where nmcli or NetworkManager is missing. */
export class NmcliWifiManager implements WifiManager {
  private readonly options: NmcliWifiManagerOptions;
  constructor(options: NmcliWifiManagerOptions) {
    this.options = options;
  }

  async scan(): Promise<WifiNetwork[]> {
    const out = await this.nmcli([
      '-t',
      '-f',
      'IN-USE,SSID,SIGNAL,SECURITY',
      'device',
      'wifi',
      'list',
      '--rescan',
      'auto',
    ]);
    const bySsid = new Map<string, WifiNetwork>();
    for (const line of out.split('\n')) {
      if (!line) continue;
      const [inUse = '', ssid = '', signal = '0', security = ''] = splitTerseLine(line);
      if (!ssid) continue; // hidden networks have no name to connect to
      const network = { ssid, signal: Number(signal) || 0, security, inUse: inUse.trim() === '*' };
      const seen = bySsid.get(ssid);
      // One entry per SSID (several access points share one): strongest signal, in use if any is.
      if (!seen) bySsid.set(ssid, network);
      else
        bySsid.set(ssid, {
          ...(seen.signal >= network.signal ? seen : network),
          inUse: seen.inUse || network.inUse,
        });
    }
    return [...bySsid.values()].sort((a, b) => b.signal - a.signal);
  }

  async connect(ssid: string, passphrase?: string): Promise<WifiState> {
    checkSsid(ssid);
    this.options.logger.info({ ssid }, 'connecting to Wi-Fi');
    if (passphrase === undefined || passphrase === '') {
      await this.nmcli(['--wait', '30', 'device', 'wifi', 'connect', ssid]);
      return this.status();
    }
    if (passphrase.length < 8 || passphrase.length > 63 || /[\r\n]/.test(passphrase)) {
      throw new ValidationError('passphrase must be 8–63 characters on one line (WPA-PSK)', 'passphrase');
    }
    await this.deleteProfile(ssid).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
    await this.nmcli([
      'connection',
      'add',
      'type',
      'wifi',
      'con-name',
      ssid,
      'ifname',
      '*',
      'ssid',
      ssid,
      'wifi-sec.key-mgmt',
      'wpa-psk',
    ]);
    await this.nmcli(
      ['--wait', '30', 'connection', 'up', 'id', ssid, 'passwd-file', '/dev/stdin'],
      `802-11-wireless-security.psk:${passphrase}\n`,
    );
    return this.status();
  }

  async forget(ssid: string): Promise<void> {
    checkSsid(ssid);
    await this.deleteProfile(ssid);
  }

  async status(): Promise<WifiState> {
    const out = await this.nmcli(['-t', '-f', 'DEVICE,TYPE,STATE,CONNECTION', 'device', 'status']);
    const wifi = out
      .split('\n')
      .map(splitTerseLine)
      .find((fields) => fields[1] === 'wifi');
    if (!wifi) return { state: 'unavailable' };
    const [device = '', , state = 'unknown', connection = ''] = wifi;
    if (state !== 'connected') return { state };
    const show = await this.nmcli(['-t', '-f', 'IP4.ADDRESS', 'device', 'show', device]);
    const address = show
      .split('\n')
      .map(splitTerseLine)
      .find((fields) => fields[0]?.startsWith('IP4.ADDRESS'))?.[1];
    return { state, ssid: connection || undefined, ipv4: address?.split('/')[0] || undefined };
  }

  private deleteProfile(ssid: string): Promise<string> {
    return this.nmcli(['connection', 'delete', 'id', ssid]);
  }

  private nmcli(args: string[], stdin?: string): Promise<string> {
    return runNmcli(this.options, args, stdin);
  }
}
