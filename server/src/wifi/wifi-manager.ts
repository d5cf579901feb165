/** Wi-Fi control as the web API and BLE provisioning see it; implemented over NetworkManager (nmcli). */

export interface WifiNetwork {
  ssid: string;
  /** Signal strength 0–100. */
  signal: number;
  /** e.g. "WPA2", "" for open networks. */
  security: string;
  inUse: boolean;
}

export interface WifiState {
  /** NetworkManager device state of the Wi-Fi interface, e.g. "connected", "disconnected". */
  state: string;
  ssid?: string;
  ipv4?: string;
}

export interface WifiManager {
  /** Throws NotAvailable (HTTP 501) where there is no NetworkManager. */
  scan(): Promise<WifiNetwork[]>;
  /** Connects with the passphrase; the passphrase is never logged. */
  connect(ssid: string, passphrase?: string): Promise<WifiState>;
  forget(ssid: string): Promise<void>;
  status(): Promise<WifiState>;
}
