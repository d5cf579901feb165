/**
 * An EGWTTP frame link over the virtual central's GATT client, following the README's rules as a
 * phone does: a request frame goes out in writes of at most 512 bytes (each a Write Request, a long
 * write when over MTU−3, or Write Commands); a response frame arrives as a notification cut at
 * MTU−3, and when the page in it is not whole the central reads the value (Read + Read Blob).
 */
import type { FrameLink } from '../../../client/src/api-client.js';
import { parseResponseFrame } from '../../../client/src/egwttp.js';
import type { DiscoveredCharacteristic, VirtualCentral } from './virtual-central.ts';

const MAX_WRITE_BYTES = 512;

export interface GattFrameLinkOptions {
  /** 'request' (default): Write Requests and long writes; 'command': Write Commands of MTU−3. */
  writeMode?: 'request' | 'command';
  /** What the CCCD asks for (default notifications, 0x0001; indications 0x0002). */
  subscription?: 'notifications' | 'indications';
}

/** Counts of what crossed the link at the ATT level. */
export interface AttCounters {
  /** Pushes (notifications or indications, as subscribed). */
  notifications: number;
  indications: number;
  cutNotifications: number;
  writes: number;
}

/** Subscribes to the characteristic (notifications unless asked otherwise) and returns the frame link. */
export async function openGattFrameLink(
  central: VirtualCentral,
  characteristic: DiscoveredCharacteristic,
  options: GattFrameLinkOptions = {},
): Promise<FrameLink & { counters: AttCounters }> {
  if (characteristic.cccdHandle === undefined) throw new Error('characteristic has no CCCD');
  await central.subscribe(characteristic.cccdHandle, options.subscription === 'indications' ? 2 : 1);
  const handle = characteristic.valueHandle;
  const counters: AttCounters = { notifications: 0, indications: 0, cutNotifications: 0, writes: 0 };
  return {
    counters,
    async write(bytes) {
      const frame = Buffer.from(bytes);
      for (let at = 0; at < frame.length; at += MAX_WRITE_BYTES) {
        const part = frame.subarray(at, at + MAX_WRITE_BYTES);
        const room = central.mtu - 3;
        if (options.writeMode === 'command') {
          for (let i = 0; i < part.length; i += room) {
            counters.writes++;
            central.writeCommand(handle, part.subarray(i, i + room));
          }
        } else if (part.length <= room) {
          counters.writes++;
          await central.write(handle, part);
        } else {
          counters.writes++;
          await central.writeLong(handle, part);
        }
      }
    },
    async nextFrame() {
      const push = await central.nextPush();
      counters.notifications++;
      if (push.kind === 'indication') counters.indications++;
      // Cut when it filled the notification (MTU−3) and its page did not end there.
      if (push.value.length < central.mtu - 3 || isLastPage(push.value)) return push.value;
      counters.cutNotifications++;
      return central.readLong(handle);
    },
    close: () => void central.disconnect(),
  };
}

function isLastPage(frame: Buffer): boolean {
  try {
    const page = parseResponseFrame(frame);
    return page.offset + page.body.length >= page.contentLength;
  } catch {
    return false; // the head itself was cut
  }
}
