/**
 * The notification center: the one place notifications are raised, cleared and acknowledged. A
 * condition is keyed by code + device/subject, so raising it again only updates its message; clearing
 * it moves it to a bounded history of recently cleared ones. Listeners (MQTT, live events, gateway
 * state) hear every change. Platform-free: a clock, no I/O.
 */
import type { Clock } from '../core/clock.ts';
import {
  NOTIFICATION_CODES,
  type ClearInput,
  type Notification,
  type NotificationCode,
  type RaiseInput,
} from './notification.ts';

export interface NotificationCenterOptions {
  clock: Clock;
  /** Recently cleared notifications kept for GET /api/notifications (default 50). */
  historySize?: number;
  /** Told when a listener throws (the change itself stands). */
  onListenerError?: (error: unknown) => void;
}

/** Active and recently cleared notifications, newest first. */
export interface NotificationList {
  active: Notification[];
  recent: Notification[];
}

type Listener = (list: NotificationList) => void;

function keyOf(input: ClearInput): string {
  return `${input.code}\u001f${input.device ?? ''}\u001f${input.subject ?? ''}`;
}

/** Raises, clears and acknowledges notifications; tells listeners of every change. */
export class NotificationCenter {
  private readonly options: NotificationCenterOptions;
  private readonly activeByKey = new Map<string, Notification>();
  private history: Notification[] = [];
  private nextId = 1;
  private readonly listeners = new Set<Listener>();

  constructor(options: NotificationCenterOptions) {
    this.options = options;
  }

  /** Raises a condition, or updates the message of the same one already active; returns it. */
  raise(input: RaiseInput): Notification {
    const key = keyOf(input);
    const severity = input.severity ?? NOTIFICATION_CODES[input.code].severity;
    const existing = this.activeByKey.get(key);
    if (existing) {
      if (existing.message !== input.message || existing.severity !== severity) {
        existing.message = input.message;
        existing.severity = severity;
        this.changed();
      }
      return { ...existing };
    }
    const notification: Notification = {
      id: String(this.nextId++),
      code: input.code,
      severity,
      message: input.message,
      ...(input.device !== undefined ? { device: input.device } : {}),
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      since: this.options.clock.nowMs(),
      acked: false,
    };
    this.activeByKey.set(key, notification);
    this.changed();
    return { ...notification };
  }

  /** Clears a condition (no-op when it is not active); returns whether it was active. */
  clear(input: ClearInput): boolean {
    const key = keyOf(input);
    const notification = this.activeByKey.get(key);
    if (!notification) return false;
    this.activeByKey.delete(key);
    notification.cleared = this.options.clock.nowMs();
    this.history.unshift(notification);
    this.history.length = Math.min(this.history.length, this.options.historySize ?? 50);
    this.changed();
    return true;
  }

  /** Raises or clears by a boolean, for the parts that check a condition periodically. */
  set(holds: boolean, input: RaiseInput): void {
    if (holds) this.raise(input);
    else this.clear(input);
  }

  /** Clears every active notification of a code whose device/subject `keep` rejects. */
  clearWhere(code: NotificationCode, keep: (n: Notification) => boolean): void {
    for (const n of [...this.activeByKey.values()]) {
      if (n.code === code && !keep(n)) this.clear(n);
    }
  }

  /** Acknowledges an active or recently cleared notification; undefined when the id is unknown. */
  ack(id: string): Notification | undefined {
    const notification =
      [...this.activeByKey.values()].find((n) => n.id === id) ?? this.history.find((n) => n.id === id);
    if (!notification) return undefined;
    if (!notification.acked) {
      notification.acked = true;
      notification.ackedAt = this.options.clock.nowMs();
      this.changed();
    }
    return { ...notification };
  }

  /** Whether a notification of this code (any device/subject) is active. */
  isActive(code: NotificationCode): boolean {
    for (const n of this.activeByKey.values()) if (n.code === code) return true;
    return false;
  }

  /** Active (newest first) and recently cleared (most recently cleared first) notifications. */
  list(): NotificationList {
    const active = [...this.activeByKey.values()].reverse().map((n) => ({ ...n }));
    return { active, recent: this.history.map((n) => ({ ...n })) };
  }

  /** Active notifications per code (every code present, 0 when none), for the /metrics gauge. */
  countByCode(): Record<NotificationCode, number> {
    const counts = Object.fromEntries(Object.keys(NOTIFICATION_CODES).map((c) => [c, 0])) as Record<
      NotificationCode,
      number
    >;
    for (const n of this.activeByKey.values()) counts[n.code]++;
    return counts;
  }

  /** Subscribes to changes (raise, clear, ack, message change); returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    const list = this.list();
    for (const listener of [...this.listeners]) {
      try {
        listener(list);
      } catch (error) {
        this.options.onListenerError?.(error);
      }
    }
  }
}
