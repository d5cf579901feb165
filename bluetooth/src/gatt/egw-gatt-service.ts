/**
 * The GATT service of the original firmware (same UUIDs), built from bleno's own Characteristic and
 * PrimaryService classes: writes feed the connection's EGWTTP parser; each response frame becomes the
 * connection's characteristic value and is notified whole: bleno cuts each notification to MTU−3 of
 * the connection it goes to (its update callback looks up that connection's MTU), so one central's
 * MTU exchange never resizes another's notifications. A client that got a cut notification reads the
 * value (long reads honour the offset).
 *
 * A central that wrote 0x0002 to the CCCD gets indications instead (bleno honours the CCCD with our
 * patch, patches/README.md); ATT allows one unconfirmed indication at a time, so further frames wait
 * for the central's confirmation (bleno's `indicate` event) and the value follows what was pushed.
 */
import type { Characteristic, PrimaryService } from '@stoprocent/bleno';

/** Service UUID of the original firmware. */
export const EGW_SERVICE_UUID = 'a07498ca-ad5b-474e-940d-16f1fbe7e8cd';
/** Request/response characteristic UUID of the original firmware. */
export const EGW_CHARACTERISTIC_UUID = '51ff12bb-3ed8-46e5-b4f9-d64e2fec021b';

/** The bleno classes we build from (the module's default instance carries them). */
export interface BlenoClasses {
  Characteristic: typeof Characteristic;
  PrimaryService: typeof PrimaryService;
}

/** What the service needs from the EGWTTP side for one connection. */
export interface FrameConnection {
  write(chunk: Uint8Array): Promise<void>;
  close(): void;
}

/** Opens the EGWTTP state of a new connection; `send` delivers its response frames. */
export type OpenConnection = (id: string, send: (frame: Buffer) => void) => FrameConnection;

type Handle = number | string;

/** How frames reach a subscribed central. */
interface Push {
  send: (data: Buffer) => void;
  /** Indications: one at a time, each confirmed before the next. */
  indications: boolean;
  /** An indication is out and not yet confirmed. */
  unconfirmed: boolean;
  /** Frames waiting for that confirmation. */
  waiting: Buffer[];
}

interface Link {
  connection: FrameConnection;
  value: Buffer;
  push?: Push;
}

/** CCCD value 0x0002: indications (0x0001 notifications; both bits: notifications, as bleno chooses). */
const CCCD_INDICATIONS = 0x0002;

/**
 * Frames kept waiting for a confirmation. One request runs at a time per connection, so only a central
 * that never confirms yet keeps writing (each write answered 503 busy) gets here; the rest is dropped
 * to bound its memory (a real stack would have dropped that link after ATT's 30 s timeout).
 */
const MAX_WAITING_FRAMES = 8;

/** The EGW service and its per-connection characteristic state. */
export class EgwGattService {
  readonly characteristic: Characteristic;
  readonly service: PrimaryService;
  private readonly open: OpenConnection;
  private readonly links = new Map<Handle, Link>();

  constructor(classes: BlenoClasses, open: OpenConnection) {
    this.open = open;
    const C = classes.Characteristic;
    this.characteristic = new C({
      uuid: EGW_CHARACTERISTIC_UUID,
      // writeWithoutResponse: a long request may go out as Write Commands, one connection event each
      // instead of a round trip per write.
      properties: ['read', 'write', 'writeWithoutResponse', 'indicate', 'notify'],
      onWriteRequest: (handle, data, offset, _withoutResponse, callback) => {
        // bleno joins prepared (long) writes into one request at their start offset; a long write
        // must start at 0 because our value is not an addressable buffer.
        if (offset !== 0) return callback(C.RESULT_INVALID_OFFSET);
        callback(C.RESULT_SUCCESS);
        void this.link(handle).connection.write(data);
      },
      onReadRequest: (handle, offset, callback) => {
        const value = this.links.get(handle)?.value ?? Buffer.alloc(0);
        if (offset > value.length) return callback(C.RESULT_INVALID_OFFSET);
        callback(C.RESULT_SUCCESS, value.subarray(offset));
      },
      // cccd: the 4th argument our bleno patch adds (undefined without it: notifications, as before).
      onSubscribe: (handle, _maxValueSize, updateValueCallback, cccd?: number) => {
        const indications = cccd !== undefined && (cccd & 0x0003) === CCCD_INDICATIONS;
        this.link(handle).push = { send: updateValueCallback, indications, unconfirmed: false, waiting: [] };
      },
      onUnsubscribe: (handle) => {
        const link = this.links.get(handle);
        if (link) link.push = undefined;
      },
      onIndicate: (handle) => {
        const link = this.links.get(handle);
        const push = link?.push;
        if (!link || !push) return;
        push.unconfirmed = false;
        const next = push.waiting.shift();
        if (next) this.deliver(link, next);
      },
    });
    this.service = new classes.PrimaryService({
      uuid: EGW_SERVICE_UUID,
      characteristics: [this.characteristic],
    });
  }

  /** A central disconnected: drop its EGWTTP state and value. */
  disconnect(handle: Handle): void {
    this.links.get(handle)?.connection.close();
    this.links.delete(handle);
  }

  /** Connections currently known. */
  connectionCount(): number {
    return this.links.size;
  }

  private link(handle: Handle): Link {
    const known = this.links.get(handle);
    if (known) return known;
    const state: Omit<Link, 'connection'> = { value: Buffer.alloc(0) };
    const connection = this.open(`ble:${handle}`, (frame) => this.deliver(created, frame));
    const created: Link = Object.assign(state, { connection });
    this.links.set(handle, created);
    return created;
  }

  /** Makes the frame the value and pushes it whole (bleno cuts it to MTU−3 of this connection). */
  private deliver(link: Link, frame: Buffer): void {
    const push = link.push;
    if (push?.unconfirmed) {
      if (push.waiting.length < MAX_WAITING_FRAMES) push.waiting.push(frame);
      return;
    }
    link.value = frame;
    if (!push) return;
    push.unconfirmed = push.indications;
    push.send(frame);
  }
}
