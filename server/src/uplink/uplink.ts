/**
 * An uplink delivers signed batches somewhere (HTTP ingest, MQTT). The outbox dispatcher hands each
 * enabled uplink the batches it has not acknowledged yet, oldest first, retries with backoff, and is
 * the one owner of the uplink's state (acks, retries, state, `uplink-state` events). An uplink with a
 * lasting connection (MQTT) only reports that connection's changes.
 */
import type { BatchRecord } from '../outbox/batch-record.ts';

/** How an uplink is doing, for /api/uplinks, /metrics and the dashboard. */
export interface UplinkState {
  name: 'http' | 'mqtt' | string;
  state: 'ok' | 'retrying' | 'connecting' | 'disabled';
  /** Wall-clock ms since when the state holds. */
  since: number;
  lastError?: string;
  acked: number;
  retries: number;
}

/** A lasting connection as its uplink sees it. */
export interface UplinkLink {
  /** `connecting`: the first connection is pending; `down`: lost, reconnecting; `stopped`: stop() ran. */
  state: 'up' | 'connecting' | 'down' | 'stopped';
  /** Why the link is down (no secrets: URLs are redacted). */
  lastError?: string;
}

export interface Uplink {
  /** Stable name, also the acknowledgement key in the outbox: "http", "mqtt". */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the far end acknowledged the batch (2xx, PUBACK); rejects otherwise. */
  deliver(batch: BatchRecord, signal?: AbortSignal): Promise<void>;
  /**
   * A cheap check whether the far end answers again (HTTP: a HEAD request), tried every
   * PROBE_INTERVAL_MS while a long backoff runs, so delivery resumes within seconds of the receiver
   * coming back instead of at the end of a backoff of up to 5 minutes. Optional.
   */
  probe?(signal?: AbortSignal): Promise<boolean>;
  /** The connection now; absent for uplinks without a lasting one (HTTP: each batch is a request). */
  link?(): UplinkLink;
  /** Calls `listener` on every change of link(); returns the unsubscribe function. */
  onLinkChange?(listener: (link: UplinkLink) => void): () => void;
}
