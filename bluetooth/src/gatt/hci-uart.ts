/**
 * `egw-ble --hci-uart PATH[:BAUD]` (env EGW_BLE_HCI_UART): a Bluetooth controller on a serial line
 * speaking HCI H4 (nRF52 or ESP32 HCI firmware, Pi HATs), driven by bleno's `uart` HCI driver.
 */
import { UsageError } from '../../../server/src/core/errors.ts';

/** A controller on a serial line. */
export interface HciUart {
  port: string;
  baudRate: number;
}

/** bleno's default rate, and what Zephyr's hci_uart sample uses. */
export const DEFAULT_HCI_UART_BAUD = 1_000_000;

/** `PATH[:BAUD]` → the UART; throws naming the option on anything else. */
export function parseHciUart(text: string): HciUart {
  const match = /^(\/[^:]+)(?::(\d+))?$/.exec(text);
  const baudRate = match?.[2] === undefined ? DEFAULT_HCI_UART_BAUD : Number(match[2]);
  if (!match?.[1] || baudRate < 1200 || baudRate > 4_000_000) {
    throw new UsageError(
      `--hci-uart ${JSON.stringify(text)}: expected /dev/PATH[:BAUD] with BAUD 1200–4000000`,
      'hci-uart',
    );
  }
  return { port: match[1], baudRate };
}
