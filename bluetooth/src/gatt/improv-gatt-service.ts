/**
 * The Improv Wi-Fi GATT service (https://www.improv-wifi.com/ble/) from bleno's classes: current
 * state, error state and RPC result (read, notify), RPC command (write; packets may span writes, so
 * each connection has its own buffer), capabilities (read). Every change is notified to each
 * subscribed connection; bleno cuts a notification to that connection's MTU−3 (clients read the rest).
 */
import type { Characteristic, PrimaryService } from '@stoprocent/bleno';
import {
  IMPROV_CAPABILITIES,
  IMPROV_CAPABILITIES_UUID,
  IMPROV_CURRENT_STATE_UUID,
  IMPROV_ERROR_STATE_UUID,
  IMPROV_RPC_COMMAND_UUID,
  IMPROV_RPC_RESULT_UUID,
  IMPROV_SERVICE_UUID,
  parseRpcCommand,
} from '../improv/improv-codec.ts';
import type { ImprovProvisioner } from '../improv/improv-provisioner.ts';
import type { BlenoClasses } from './egw-gatt-service.ts';

type Handle = number | string;
type Notify = (data: Buffer) => void;

/** Largest RPC packet: command, length, 255 data bytes, checksum. */
const MAX_RPC_BYTES = 258;

/** A readable, notifying characteristic whose value comes from `value()`. */
function readNotify(
  classes: BlenoClasses,
  uuid: string,
  value: () => Buffer,
  subscribers: Map<Handle, Notify>,
): Characteristic {
  const C = classes.Characteristic;
  return new C({
    uuid,
    properties: ['read', 'notify'],
    onReadRequest: (_handle, offset, callback) => {
      const bytes = value();
      if (offset > bytes.length) return callback(C.RESULT_INVALID_OFFSET);
      callback(C.RESULT_SUCCESS, bytes.subarray(offset));
    },
    onSubscribe: (handle, _max, notify) => void subscribers.set(handle, notify),
    onUnsubscribe: (handle) => void subscribers.delete(handle),
  });
}

/** The Improv service and its per-connection RPC buffers. */
export class ImprovGattService {
  readonly service: PrimaryService;
  private readonly buffers = new Map<Handle, Buffer>();
  private readonly subscribers = {
    state: new Map<Handle, Notify>(),
    error: new Map<Handle, Notify>(),
    result: new Map<Handle, Notify>(),
  };
  private readonly provisioner: ImprovProvisioner;

  constructor(classes: BlenoClasses, provisioner: ImprovProvisioner) {
    this.provisioner = provisioner;
    const C = classes.Characteristic;
    const state = () => Buffer.from([provisioner.state()]);
    const error = () => Buffer.from([provisioner.error()]);
    const result = () => provisioner.result();
    provisioner.onChange((what) => {
      const value = what === 'state' ? state() : what === 'error' ? error() : result();
      for (const notify of this.subscribers[what].values()) notify(value);
    });
    this.service = new classes.PrimaryService({
      uuid: IMPROV_SERVICE_UUID,
      characteristics: [
        readNotify(classes, IMPROV_CURRENT_STATE_UUID, state, this.subscribers.state),
        readNotify(classes, IMPROV_ERROR_STATE_UUID, error, this.subscribers.error),
        new C({
          uuid: IMPROV_RPC_COMMAND_UUID,
          properties: ['write', 'writeWithoutResponse'],
          onWriteRequest: (handle, data, offset, _withoutResponse, callback) => {
            if (offset !== 0) return callback(C.RESULT_INVALID_OFFSET);
            callback(C.RESULT_SUCCESS);
            this.receive(handle, data);
          },
        }),
        readNotify(classes, IMPROV_RPC_RESULT_UUID, result, this.subscribers.result),
        new C({
          uuid: IMPROV_CAPABILITIES_UUID,
          properties: ['read'],
          onReadRequest: (_handle, _offset, callback) =>
            callback(C.RESULT_SUCCESS, Buffer.from([IMPROV_CAPABILITIES])),
        }),
      ],
    });
  }

  /** A central disconnected: forget its buffer and subscriptions. */
  disconnect(handle: Handle): void {
    this.buffers.delete(handle);
    for (const map of Object.values(this.subscribers)) map.delete(handle);
  }

  private receive(handle: Handle, data: Buffer): void {
    let buffer = Buffer.concat([this.buffers.get(handle) ?? Buffer.alloc(0), data]);
    for (;;) {
      const parsed = parseRpcCommand(buffer);
      if (parsed.kind === 'incomplete') {
        if (buffer.length > MAX_RPC_BYTES) {
          this.buffers.delete(handle);
          return this.provisioner.invalidPacket();
        }
        this.buffers.set(handle, buffer);
        return;
      }
      if (parsed.kind === 'invalid') {
        this.buffers.delete(handle);
        return this.provisioner.invalidPacket();
      }
      buffer = buffer.subarray(parsed.consumed);
      void this.provisioner.command(parsed.command, parsed.data);
      if (buffer.length === 0) return void this.buffers.delete(handle);
    }
  }
}
