/**
 * A BLE central played against a bleno Characteristic the way bleno's ATT layer drives it: writes in
 * MTU−3 pieces ('writeRequest'), notifications through the subscribe callback, long reads in MTU−1
 * chunks ('readRequest' with offsets). Used by the GATT unit tests.
 */
import type { EventEmitter } from 'node:events';
import type { Characteristic } from '@stoprocent/bleno';
import { flushAsync } from '../../../../server/src/core/clock.ts';
import { exchange } from '../../../../client/src/egwttp.js';

/** bleno's typings omit that a Characteristic is an EventEmitter; its ATT layer drives it through emit(). */
export function asEmitter(characteristic: Characteristic): EventEmitter {
  return characteristic as unknown as EventEmitter;
}

/** One emulated connection. */
export class FakeCentral {
  readonly notifications: Buffer[] = [];
  readonly handle: number;
  private readonly mtu;
  private readonly characteristic: EventEmitter;

  constructor(characteristic: Characteristic, handle: number, mtu = 23) {
    this.handle = handle;
    this.mtu = mtu;
    this.characteristic = asEmitter(characteristic);
    this.characteristic.emit('subscribe', handle, mtu - 3, (data?: Buffer) =>
      this.notifications.push(Buffer.from(data ?? [])),
    );
  }

  /** Writes bytes in MTU−3 pieces, each acknowledged with success. */
  async write(bytes: Uint8Array): Promise<void> {
    for (let i = 0; i < bytes.length; i += this.mtu - 3) {
      const piece = Buffer.from(bytes.subarray(i, i + this.mtu - 3));
      const result = await new Promise<number>((resolve) =>
        this.characteristic.emit('writeRequest', this.handle, piece, 0, false, resolve),
      );
      if (result !== 0) throw new Error(`write rejected with ATT result ${result}`);
    }
  }

  /** Writes a whole frame and waits (real time, at most 5 s) until the service notifies an answer. */
  async exchange(bytes: Uint8Array): Promise<void> {
    const before = this.notifications.length;
    await this.write(bytes);
    for (let i = 0; this.notifications.length === before; i++) {
      if (i > 50_010) throw new Error('no notification after the write');
      // Microtasks first (an in-memory handler answers within a few), then macrotask turns, then real time.
      await (i < 10
        ? Promise.resolve()
        : i < 100
          ? flushAsync()
          : new Promise((resolve) => setTimeout(resolve, 1)));
    }
  }

  /** Reads the whole value with a read and read-blob requests of MTU−1 bytes each. */
  async read(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let offset = 0; ;) {
      const data = await new Promise<Buffer>((resolve, reject) =>
        this.characteristic.emit('readRequest', this.handle, offset, (result: number, value?: Buffer) =>
          result === 0 ? resolve(Buffer.from(value ?? [])) : reject(new Error(`read result ${result}`)),
        ),
      );
      const chunk = data.subarray(0, this.mtu - 1);
      parts.push(chunk);
      offset += chunk.length;
      if (chunk.length < this.mtu - 1) return Buffer.concat(parts);
    }
  }

  /** A whole request/response exchange with paging (the client codec's); returns the status and the joined body. */
  async request(
    method: string,
    path: string,
    body = '',
  ): Promise<{ status: number; body: Buffer; pages: number }> {
    const link = { write: (bytes: Uint8Array) => this.exchange(bytes), nextFrame: () => this.read() };
    const result = await exchange(link, method, path, body);
    return { status: result.status, body: Buffer.from(result.bytes), pages: result.pages };
  }
}
