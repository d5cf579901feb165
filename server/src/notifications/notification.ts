/**
 * What a notification is: a condition the operator should know about, raised and cleared by the part
 * that knows (a device, an uplink, the outbox, the disk, the clock, the BLE service). One table of
 * codes with their severity, so /metrics has a gauge per code and the README lists them all.
 */

/** How bad it is: `info` leaves the gateway running, `warning` and `error` make it degraded. */
export type Severity = 'info' | 'warning' | 'error';

/** Every notification code with its severity and what it means. Adding a code is one line here. */
export const NOTIFICATION_CODES = {
  device_failing: { severity: 'warning', summary: 'a device has not answered for over a minute' },
  uplink_retrying: { severity: 'warning', summary: 'an uplink has been retrying for over 5 minutes' },
  outbox_nearly_full: { severity: 'warning', summary: 'the outbox holds over 80 % of its bound' },
  disk_low: { severity: 'warning', summary: 'less than 10 % of the data directory’s disk is free' },
  storage_error: { severity: 'error', summary: 'the outbox cannot write to its database' },
  clock_unsynchronised: { severity: 'warning', summary: 'the wall clock is not synchronised (no NTP yet)' },
  bluetooth_adapter_missing: {
    severity: 'warning',
    summary: 'the BLE service runs but has no usable Bluetooth adapter',
  },
  settings_ignored: {
    severity: 'warning',
    summary: 'settings stored through the API are not in force (they no longer validate); see egw settings',
  },
  signing_epoch_new: {
    severity: 'error',
    summary: 'a new signing epoch began: egw.db was lost or the device key changed',
  },
  outbox_database_replaced: {
    severity: 'error',
    summary: 'egw.db was corrupt or unreadable: moved aside and a new one started',
  },
  provisioning_window_open: {
    severity: 'info',
    summary: 'the BLE provisioning window is open (changes over BLE are accepted)',
  },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

/** A notification code (see NOTIFICATION_CODES). */
export type NotificationCode = keyof typeof NOTIFICATION_CODES;

/** One notification as the API, MQTT and the dashboard show it. */
export interface Notification {
  /** Unique per raise in this process ("7"); a condition that clears and comes back gets a new id. */
  id: string;
  code: NotificationCode;
  severity: Severity;
  /** What is wrong, naming the device, uplink or path. */
  message: string;
  /** The device it is about (device codes only). */
  device?: string;
  /** What it is about when that is not a device: an uplink name, a path (absent when one per gateway). */
  subject?: string;
  /** Wall-clock ms when it was raised. */
  since: number;
  /** Wall-clock ms when it was cleared (recently cleared ones only). */
  cleared?: number;
  /** Whether an operator acknowledged it (POST /api/notifications/:id/ack). */
  acked: boolean;
  /** Wall-clock ms of the acknowledgement. */
  ackedAt?: number;
}

/** What raise() takes: the code, the message and what it is about; the severity defaults to the code's. */
export interface RaiseInput {
  code: NotificationCode;
  message: string;
  device?: string;
  subject?: string;
  severity?: Severity;
}

/** What clear() takes: the code and the same device/subject it was raised with. */
export interface ClearInput {
  code: NotificationCode;
  device?: string;
  subject?: string;
}
