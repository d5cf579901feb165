/**
 * Builds the Improv provisioner on top of the gateway API: Wi-Fi joins and scans go through the
 * gateway's Wi-Fi manager (POST/GET /api/wifi, egw-ble's own token), the RPC result carries the
 * dashboard URL on the address the box got, authorization is the provisioning window.
 */
import type { Logger } from '../../../server/src/core/logger.ts';
import type { ApiForwarder } from '../provisioning/api-forwarder.ts';
import { ImprovProvisioner, type WifiJoin } from './improv-provisioner.ts';

export interface ImprovOverGatewayOptions {
  forwarder: Pick<ApiForwarder, 'forward' | 'getJson'>;
  /** Where the dashboard is served: its port is the URL's. */
  gatewayUrl: string;
  isAuthorized: () => boolean;
  name: string;
  logger: Logger;
}

/** The Improv provisioner of egw-ble. */
export function createImprovOverGateway(options: ImprovOverGatewayOptions): ImprovProvisioner {
  const { forwarder, logger } = options;
  const joinWifi = async (ssid: string, password: string): Promise<WifiJoin> => {
    const body = JSON.stringify(password ? { ssid, passphrase: password } : { ssid });
    const response = await forwarder.forward({
      method: 'POST',
      path: '/api/wifi',
      version: 'EGWTTP/1.1',
      headers: {},
      body: new TextEncoder().encode(body),
    });
    const text = Buffer.from(response.body).toString('utf8');
    if (response.status !== 200) return { ok: false, reason: `gateway answered ${response.status}: ${text}` };
    const state = (JSON.parse(text) as { status?: { state?: string; ipv4?: string } }).status;
    if (state?.state !== 'connected')
      return { ok: false, reason: `Wi-Fi state ${state?.state ?? 'unknown'}` };
    const port = new URL(options.gatewayUrl).port || '80';
    const host = state.ipv4?.split('/')[0];
    return { ok: true, url: host ? `http://${host}:${port}/` : undefined };
  };
  return new ImprovProvisioner({
    isAuthorized: options.isAuthorized,
    joinWifi,
    scanWifi: async () => {
      const wifi = (await forwarder.getJson('/api/wifi')) as {
        networks?: { ssid: string; signal: number; security: string }[];
      };
      return wifi.networks ?? [];
    },
    deviceInfo: async () => {
      const version = (await forwarder.getJson('/api/version').catch(() => ({}))) as { version?: string };
      return ['Energy Gateway (egw)', version.version ?? 'unknown', `Linux ${process.arch}`, options.name];
    },
    identify: () => logger.info('Improv identify: this is the box'),
    logger,
  });
}
