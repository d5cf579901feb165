/**
 * A BLE central on the virtual controller: one LE connection, L2CAP (ATT channel and LE signalling)
 * and a GATT client — MTU exchange, discovery of services, characteristics and descriptors, reads
 * (long reads with Read Blob), write requests, write commands, long writes (prepare/execute),
 * notifications and indications (confirmed). One ATT request in flight, as the spec requires.
 */
import { ATT, ATT_ERROR_ATTRIBUTE_NOT_FOUND, AttError, pdu, uuidBytes, uuidText } from './att-pdu.ts';
import type { CentralPort, LinkCounters, VirtualController } from './virtual-controller.ts';

const CID_ATT = 0x0004;
const CID_LE_SIGNALLING = 0x0005;
const SIGNAL_COMMAND_REJECT = 0x01;
const SIGNAL_CONNECTION_PARAMETER_UPDATE_REQUEST = 0x12;
const SIGNAL_CONNECTION_PARAMETER_UPDATE_RESPONSE = 0x13;

/** A discovered characteristic. */
export interface DiscoveredCharacteristic {
  uuid: string;
  /** GATT property bits (0x02 read, 0x04 write without response, 0x08 write, 0x10 notify, 0x20 indicate). */
  properties: number;
  declarationHandle: number;
  valueHandle: number;
  /** Handle of the Client Characteristic Configuration descriptor, when there is one. */
  cccdHandle?: number;
}

/** A discovered primary service. */
export interface DiscoveredService {
  uuid: string;
  startHandle: number;
  endHandle: number;
  characteristics: DiscoveredCharacteristic[];
}

/** A value the server pushed. */
export interface ServerPush {
  kind: 'notification' | 'indication';
  handle: number;
  value: Buffer;
}

interface Pending {
  expect: number;
  resolve: (response: Buffer) => void;
  reject: (error: Error) => void;
}

/** One connected central. */
export class VirtualCentral implements CentralPort {
  /** ATT MTU in force (23 until an exchange). */
  mtu = 23;
  connected = false;
  disconnectReason?: number;
  /** Signalling commands the peripheral sent (e.g. connection parameter update requests). */
  readonly signalling: Buffer[] = [];
  /** Hold Handle Value Confirmations until confirm() (to see the server wait for them). */
  holdConfirmations = false;
  /** Confirmations (0x1E) sent for indications (0x1D). */
  confirmationsSent = 0;
  /** Indications that arrived while an earlier one was unconfirmed (ATT allows one at a time). */
  indicationsBeforeConfirmation = 0;
  private unconfirmed = 0;
  private readonly controller: VirtualController;
  private handle = -1;
  private counters?: LinkCounters;
  private pending?: Pending;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pushes: ServerPush[] = [];
  private readonly pushWaiters: ((push: ServerPush) => void)[] = [];
  private readonly disconnectWaiters: (() => void)[] = [];

  constructor(controller: VirtualController) {
    this.controller = controller;
  }

  /** Connects (the peripheral must be advertising). */
  connect(peer?: string): this {
    const { handle, counters } = this.controller.connect(this, peer);
    this.handle = handle;
    this.counters = counters;
    this.connected = true;
    return this;
  }

  /** Link-layer packets and bytes of this connection so far. */
  linkCounters(): LinkCounters {
    return {
      ...(this.counters ?? {
        toCentralPackets: 0,
        toCentralBytes: 0,
        toPeripheralPackets: 0,
        toPeripheralBytes: 0,
      }),
    };
  }

  /** Drops the link from the central's side and waits until it is gone. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    const gone = this.disconnected();
    this.controller.disconnectFromCentral(this.handle);
    await gone;
  }

  /** Resolves when the link is down (either side ended it). */
  disconnected(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    return new Promise((resolve) => this.disconnectWaiters.push(resolve));
  }

  onDisconnect(reason: number): void {
    this.connected = false;
    this.disconnectReason = reason;
    this.pending?.reject(new Error(`link down (reason 0x${reason.toString(16)})`));
    this.pending = undefined;
    for (const wake of this.disconnectWaiters.splice(0)) wake();
  }

  onL2cap(cid: number, data: Buffer): void {
    if (cid === CID_LE_SIGNALLING) return this.signal(data);
    if (cid !== CID_ATT) return;
    const op = data.readUInt8(0);
    if (op === ATT.notification || op === ATT.indication) {
      if (op === ATT.indication) {
        if (this.unconfirmed > 0) this.indicationsBeforeConfirmation++;
        this.unconfirmed++;
        if (!this.holdConfirmations) this.confirm();
      }
      const push: ServerPush = {
        kind: op === ATT.notification ? 'notification' : 'indication',
        handle: data.readUInt16LE(1),
        value: Buffer.from(data.subarray(3)),
      };
      const waiter = this.pushWaiters.shift();
      if (waiter) waiter(push);
      else this.pushes.push(push);
      return;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (op === ATT.error) {
      pending.reject(new AttError(data.readUInt8(1), data.readUInt16LE(2), data.readUInt8(4)));
    } else if (op !== pending.expect) {
      pending.reject(
        new Error(`ATT response 0x${op.toString(16)}, expected 0x${pending.expect.toString(16)}`),
      );
    } else pending.resolve(data);
  }

  /** Sends the Handle Value Confirmation (0x1E) for the oldest unconfirmed indication, if any. */
  confirm(): void {
    if (this.unconfirmed === 0) return;
    this.unconfirmed--;
    this.confirmationsSent++;
    this.controller.sendFromCentral(this.handle, CID_ATT, Buffer.from([ATT.confirmation]));
  }

  /** The next notification or indication (waits for it). */
  nextPush(): Promise<ServerPush> {
    const queued = this.pushes.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.pushWaiters.push(resolve));
  }

  /** Pushes received and not yet taken. */
  queuedPushes(): number {
    return this.pushes.length;
  }

  /** ATT Exchange MTU; the MTU in force becomes min(ours, the server's). Returns the server's. */
  async exchangeMtu(clientMtu: number): Promise<number> {
    const response = await this.request(pdu(ATT.mtuRequest, [clientMtu]), ATT.mtuResponse);
    const serverMtu = response.readUInt16LE(1);
    this.mtu = Math.min(clientMtu, serverMtu);
    return serverMtu;
  }

  /** Primary services, their characteristics and CCCDs (the whole discovery a phone runs). */
  async discover(): Promise<DiscoveredService[]> {
    const services: DiscoveredService[] = [];
    for (let start = 1; start <= 0xffff;) {
      const response = await this.orNotFound(
        this.request(pdu(ATT.readByGroupTypeRequest, [start, 0xffff, 0x2800]), ATT.readByGroupTypeResponse),
      );
      if (!response) break;
      const length = response.readUInt8(1);
      let last = start;
      for (let at = 2; at + length <= response.length; at += length) {
        const startHandle = response.readUInt16LE(at);
        last = response.readUInt16LE(at + 2);
        const uuid = uuidText(response.subarray(at + 4, at + length));
        services.push({ uuid, startHandle, endHandle: last, characteristics: [] });
      }
      start = last + 1;
    }
    for (const service of services) {
      service.characteristics = await this.characteristicsOf(service);
    }
    return services;
  }

  private async characteristicsOf(service: DiscoveredService): Promise<DiscoveredCharacteristic[]> {
    const found: DiscoveredCharacteristic[] = [];
    for (let start = service.startHandle; start <= service.endHandle;) {
      const response = await this.orNotFound(
        this.request(pdu(ATT.readByTypeRequest, [start, service.endHandle, 0x2803]), ATT.readByTypeResponse),
      );
      if (!response) break;
      const length = response.readUInt8(1);
      for (let at = 2; at + length <= response.length; at += length) {
        const declarationHandle = response.readUInt16LE(at);
        found.push({
          declarationHandle,
          properties: response.readUInt8(at + 2),
          valueHandle: response.readUInt16LE(at + 3),
          uuid: uuidText(response.subarray(at + 5, at + length)),
        });
        start = declarationHandle + 1;
      }
    }
    for (const [i, characteristic] of found.entries()) {
      const end = (found[i + 1]?.declarationHandle ?? service.endHandle + 1) - 1;
      if (end <= characteristic.valueHandle) continue;
      const response = await this.orNotFound(
        this.request(
          pdu(ATT.findInformationRequest, [characteristic.valueHandle + 1, end]),
          ATT.findInformationResponse,
        ),
      );
      if (!response) continue;
      const step = response.readUInt8(1) === 0x01 ? 4 : 18;
      for (let at = 2; at + step <= response.length; at += step) {
        if (uuidText(response.subarray(at + 2, at + step)) === '2902')
          characteristic.cccdHandle = response.readUInt16LE(at);
      }
    }
    return found;
  }

  /** Read Request: the first MTU−1 bytes of the value. */
  async read(handle: number): Promise<Buffer> {
    return (await this.request(pdu(ATT.readRequest, [handle]), ATT.readResponse)).subarray(1);
  }

  /** Read Blob Request at offset. */
  async readBlob(handle: number, offset: number): Promise<Buffer> {
    return (await this.request(pdu(ATT.readBlobRequest, [handle, offset]), ATT.readBlobResponse)).subarray(1);
  }

  /** A long read: Read, then Read Blob while a part came back full (MTU−1 bytes). */
  async readLong(handle: number): Promise<Buffer> {
    const parts = [await this.read(handle)];
    let total = parts[0]?.length ?? 0;
    while (parts[parts.length - 1]?.length === this.mtu - 1) {
      const part = await this.readBlob(handle, total);
      if (part.length === 0) break;
      parts.push(part);
      total += part.length;
    }
    return Buffer.concat(parts);
  }

  /** Write Request (acknowledged); value at most MTU−3 bytes. */
  async write(handle: number, value: Buffer): Promise<void> {
    await this.request(pdu(ATT.writeRequest, [handle], value), ATT.writeResponse);
  }

  /** Write Command (no response); value at most MTU−3 bytes. */
  writeCommand(handle: number, value: Buffer): void {
    this.controller.sendFromCentral(this.handle, CID_ATT, pdu(ATT.writeCommand, [handle], value));
  }

  /** Long write: Prepare Write Requests of MTU−5 bytes, then Execute Write. */
  async writeLong(handle: number, value: Buffer): Promise<void> {
    const part = this.mtu - 5;
    for (let offset = 0; offset < value.length; offset += part) {
      const chunk = value.subarray(offset, offset + part);
      const echo = await this.request(
        pdu(ATT.prepareWriteRequest, [handle, offset], chunk),
        ATT.prepareWriteResponse,
      );
      if (!echo.subarray(5).equals(chunk)) throw new Error('prepare write response does not echo the part');
    }
    await this.request(Buffer.from([ATT.executeWriteRequest, 0x01]), ATT.executeWriteResponse);
  }

  /** Writes the CCCD: 0x0001 notifications, 0x0002 indications, 0 off. */
  async subscribe(cccdHandle: number, value: 0 | 1 | 2): Promise<void> {
    await this.write(cccdHandle, Buffer.from([value, 0]));
  }

  private signal(data: Buffer): void {
    this.signalling.push(data);
    const code = data.readUInt8(0);
    const identifier = data.readUInt8(1);
    if (code === SIGNAL_CONNECTION_PARAMETER_UPDATE_REQUEST) {
      const accepted = Buffer.from([SIGNAL_CONNECTION_PARAMETER_UPDATE_RESPONSE, identifier, 2, 0, 0, 0]);
      this.controller.sendFromCentral(this.handle, CID_LE_SIGNALLING, accepted);
    } else if (code !== SIGNAL_COMMAND_REJECT && code % 2 === 0) {
      // A request we do not know: Command Reject, "command not understood".
      this.controller.sendFromCentral(
        this.handle,
        CID_LE_SIGNALLING,
        Buffer.from([SIGNAL_COMMAND_REJECT, identifier, 2, 0, 0, 0]),
      );
    }
  }

  private async orNotFound(response: Promise<Buffer>): Promise<Buffer | undefined> {
    try {
      return await response;
    } catch (error) {
      if (error instanceof AttError && error.code === ATT_ERROR_ATTRIBUTE_NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** Sends one request once the previous one was answered. */
  private request(bytes: Buffer, expect: number): Promise<Buffer> {
    const run = (): Promise<Buffer> =>
      new Promise<Buffer>((resolve, reject) => {
        if (!this.connected) return reject(new Error('not connected'));
        this.pending = { expect, resolve, reject };
        this.controller.sendFromCentral(this.handle, CID_ATT, bytes);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

export { uuidBytes };
