/**
 * The gateway's one-word state with its reasons, derived from its life cycle, its devices and the
 * active notifications: `stopping` while it drains; `starting` until every configured device has been
 * read once (at most DEVICE_FAILING_AFTER_MS, when a silent one becomes a notification instead);
 * `unprovisioned` with no device configured; `degraded` while a warning or error notification is
 * active; else `running`. Platform-free: a clock and the sources it is given.
 */
import type { Clock, Timer } from '../core/clock.ts';
import type { NotificationCenter } from './notification-center.ts';
import type { NotificationCode, Severity } from './notification.ts';
import { DEVICE_FAILING_AFTER_MS } from './notification-sources.ts';

/** The states, in the order the dashboard explains them. */
export const GATEWAY_STATES = ['starting', 'unprovisioned', 'running', 'degraded', 'stopping'] as const;
export type GatewayStateName = (typeof GATEWAY_STATES)[number];

/** Why the gateway is in its state: a notification, or a life-cycle step (`code` then names it). */
export interface StateReason {
  code: NotificationCode | 'starting' | 'stopping' | 'no_devices' | 'awaiting_first_reading';
  severity: Severity;
  message: string;
  device?: string;
  subject?: string;
  /** The notification's id, when the reason is one. */
  notification?: string;
}

/** GET /api/state, the `state` live event. */
export interface GatewayStateView {
  state: GatewayStateName;
  /** Wall-clock ms since when this state holds. */
  since: number;
  reasons: StateReason[];
}

export interface GatewayStateOptions {
  clock: Clock;
  notifications: NotificationCenter;
  /** The configured devices and whether each has been read once. */
  devices: () => { id: string; read: boolean }[];
  /** Told of every change of state or reasons. */
  onChange?: (view: GatewayStateView) => void;
}

/** Tracks the gateway's state; call started(), stopping() and changed() as things happen. */
export class GatewayState {
  private readonly options: GatewayStateOptions;
  private phase: 'starting' | 'started' | 'stopping' = 'starting';
  private readonly startedAtMs: number;
  private current: GatewayStateView;
  private graceTimer: Timer | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: GatewayStateOptions) {
    this.options = options;
    this.startedAtMs = options.clock.monotonicMs();
    this.current = { state: 'starting', since: options.clock.nowMs(), reasons: this.derive().reasons };
  }

  /** Start-up finished (the API listens): from now on the devices and notifications decide. */
  started(): void {
    this.phase = 'started';
    this.unsubscribe = this.options.notifications.onChange(() => this.changed());
    const leftMs = this.startedAtMs + DEVICE_FAILING_AFTER_MS - this.options.clock.monotonicMs();
    if (leftMs > 0)
      this.graceTimer = this.options.clock.setTimer('state-start-grace', leftMs, () => this.changed());
    this.changed();
  }

  /** The gateway began to drain. */
  stopping(): void {
    this.phase = 'stopping';
    this.graceTimer?.cancel();
    this.unsubscribe?.();
    this.changed();
  }

  /** Re-derives the state (after a reading, a device added or removed, a notification). */
  changed(): void {
    const next = this.derive();
    const sameReasons = JSON.stringify(next.reasons) === JSON.stringify(this.current.reasons);
    if (next.state === this.current.state && sameReasons) return;
    const since = next.state === this.current.state ? this.current.since : this.options.clock.nowMs();
    this.current = { state: next.state, since, reasons: next.reasons };
    this.options.onChange?.(this.view());
  }

  /** The current state. */
  view(): GatewayStateView {
    return { ...this.current, reasons: this.current.reasons.map((r) => ({ ...r })) };
  }

  private derive(): { state: GatewayStateName; reasons: StateReason[] } {
    const fromNotifications: StateReason[] = this.options.notifications.list().active.map((n) => ({
      code: n.code,
      severity: n.severity,
      message: n.message,
      ...(n.device !== undefined ? { device: n.device } : {}),
      ...(n.subject !== undefined ? { subject: n.subject } : {}),
      notification: n.id,
    }));
    const devices = this.options.devices();
    if (this.phase === 'stopping') {
      return {
        state: 'stopping',
        reasons: [{ code: 'stopping', severity: 'info', message: 'the gateway is draining and stopping' }],
      };
    }
    const inGrace = this.options.clock.monotonicMs() - this.startedAtMs < DEVICE_FAILING_AFTER_MS;
    const unread = devices.filter((d) => !d.read);
    if (this.phase === 'starting' || (inGrace && unread.length > 0)) {
      const waiting: StateReason[] = unread.map((d) => ({
        code: 'awaiting_first_reading',
        severity: 'info',
        device: d.id,
        message: `device "${d.id}" has not been read yet`,
      }));
      const step: StateReason = { code: 'starting', severity: 'info', message: 'the gateway is starting' };
      const first = this.phase === 'starting' ? [step] : [];
      return { state: 'starting', reasons: [...first, ...waiting, ...fromNotifications] };
    }
    if (devices.length === 0) {
      const none: StateReason = {
        code: 'no_devices',
        severity: 'info',
        message: 'no device is configured: add one (POST /api/devices, the dashboard or the installer app)',
      };
      return { state: 'unprovisioned', reasons: [none, ...fromNotifications] };
    }
    const degraded = fromNotifications.some((r) => r.severity !== 'info');
    return { state: degraded ? 'degraded' : 'running', reasons: fromNotifications };
  }
}
