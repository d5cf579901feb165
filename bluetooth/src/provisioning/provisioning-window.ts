/**
 * The provisioning window: BLE requests that change the gateway are accepted only while it is open —
 * the first minutes after boot, a while after a button press or `egw-ble open-window`, or as long as
 * the gateway is unprovisioned (no Wi-Fi connection and no device configured).
 */
import type { Clock, Timer } from '../../../server/src/core/clock.ts';

/** Why the window is open. */
export type WindowReason = 'boot' | 'button' | 'local-command' | 'unprovisioned';

export interface WindowState {
  open: boolean;
  reason?: WindowReason;
  /** Monotonic ms when a timed opening ends (absent while open because unprovisioned). */
  untilMs?: number;
}

export interface ProvisioningWindowOptions {
  clock: Clock;
  /** Open after boot for this long (default 10 min; 0 = not at boot). */
  bootWindowMs?: number;
  /** A button press or open-window command opens it for this long (default 10 min). */
  openWindowMs?: number;
  /** Whether the gateway has no Wi-Fi and no device; undefined disables that rule. */
  isUnprovisioned?: () => Promise<boolean>;
  /** How often isUnprovisioned is asked (default 30 s). */
  pollMs?: number;
}

/** Open/closed state with change notifications (the GATT layer stops advertising on close). */
export class ProvisioningWindow {
  private untilMs = 0;
  private timedReason: WindowReason = 'boot';
  private unprovisioned = false;
  private closeTimer?: Timer;
  private pollTimer?: Timer;
  private lastOpen = false;
  private readonly options: ProvisioningWindowOptions;
  private readonly listeners = new Set<(state: WindowState) => void>();

  constructor(options: ProvisioningWindowOptions) {
    this.options = options;
    const bootMs = options.bootWindowMs ?? 600_000;
    if (bootMs > 0) this.openFor('boot', bootMs);
  }

  /** Starts polling the unprovisioned rule. */
  async start(): Promise<void> {
    await this.poll();
  }

  stop(): void {
    this.closeTimer?.cancel();
    this.pollTimer?.cancel();
  }

  /** Opens the window for the configured duration (button, local command). */
  open(reason: WindowReason, durationMs = this.options.openWindowMs ?? 600_000): WindowState {
    this.openFor(reason, durationMs);
    return this.state();
  }

  /** Closes a timed opening now (the unprovisioned rule still applies). */
  close(): WindowState {
    this.untilMs = 0;
    this.closeTimer?.cancel();
    this.changed();
    return this.state();
  }

  state(): WindowState {
    const now = this.options.clock.monotonicMs();
    if (this.untilMs > now) return { open: true, reason: this.timedReason, untilMs: this.untilMs };
    if (this.unprovisioned) return { open: true, reason: 'unprovisioned' };
    return { open: false };
  }

  isOpen(): boolean {
    return this.state().open;
  }

  /** Subscribes to open/close transitions; returns the unsubscribe function. */
  onChange(listener: (state: WindowState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private openFor(reason: WindowReason, durationMs: number): void {
    const now = this.options.clock.monotonicMs();
    this.untilMs = Math.max(this.untilMs, now + durationMs);
    this.timedReason = reason;
    this.closeTimer?.cancel();
    this.closeTimer = this.options.clock.setTimer('ble-window-close', this.untilMs - now, () =>
      this.changed(),
    );
    this.changed();
  }

  private async poll(): Promise<void> {
    const check = this.options.isUnprovisioned;
    if (!check) return;
    try {
      this.unprovisioned = await check();
    } catch {
      // Unknown (gateway down): keep the last answer rather than flapping the window.
    }
    this.changed();
    this.pollTimer = this.options.clock.setTimer('ble-window-poll', this.options.pollMs ?? 30_000, () => {
      void this.poll();
    });
  }

  private changed(): void {
    const state = this.state();
    if (state.open === this.lastOpen) return;
    this.lastOpen = state.open;
    for (const listener of [...this.listeners]) listener(state);
  }
}
