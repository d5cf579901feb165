/**
 * The one typed event bus between gateway modules (devices → harvests → uplinks, API live events).
 * Listeners run synchronously; a listener that throws is reported, never breaks the emitter.
 */
import type { Reading } from './reading.ts';

/** Every event on the bus, by name. */
export interface GatewayEvents {
  /** A full harvest reading of one device (with its frequency window). */
  reading: Reading;
  /** One 10 Hz grid-frequency sample. */
  frequency: { device: string; ts: number; hz: number };
  /** A device's connection state changed. */
  'device-state': { device: string; state: string; error?: string };
  /** An uplink's delivery state changed. */
  'uplink-state': { uplink: string; state: string; since: number; lastError?: string };
  /** A signed batch was committed to the outbox. */
  batch: { seq: number; jwt: string; harvests: number };
  /** The gateway's state or its reasons changed (see notifications/gateway-state.ts). */
  'gateway-state': { state: string; since: number; reasons: readonly object[] };
  /** The set of configured devices changed (added or removed at run time). */
  'devices-changed': { ids: string[] };
}

type Listener<K extends keyof GatewayEvents> = (payload: GatewayEvents[K]) => void;

/** A small synchronous typed event emitter. */
export class EventBus {
  private readonly onListenerError: (event: string, error: unknown) => void;
  private readonly listeners = new Map<keyof GatewayEvents, Set<Listener<never>>>();

  constructor(onListenerError: (event: string, error: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof GatewayEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof GatewayEvents>(event: K, payload: GatewayEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<K>)(payload);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }

  /** Number of listeners for an event (for tests and leak checks). */
  listenerCount(event: keyof GatewayEvents): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
