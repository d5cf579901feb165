/**
 * An uplink delivers signed batches somewhere (HTTP ingest, MQTT). The outbox dispatcher hands each
 * enabled uplink the batches it has not acknowledged yet, oldest first, and retries with backoff.
 */
import type { BatchRecord, UplinkState } from '../gateway/gateway-services.ts';

export interface Uplink {
  /** Stable name, also the acknowledgement key in the outbox: "http", "mqtt". */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the far end acknowledged the batch (2xx, PUBACK); rejects otherwise. */
  deliver(batch: BatchRecord, signal?: AbortSignal): Promise<void>;
  state(): UplinkState;
}
