/**
 * A Bluetooth LE controller in software on the far end of a pty: the real bleno stack (its `uart`
 * HCI driver, BLUETOOTH_HCI_SOCKET_UART_PORT) talks HCI H4 to it as to an nRF52 or ESP32 running HCI
 * firmware. It answers every command bleno sends during init and advertising, keeps the advertising
 * and scan-response data, raises LE Connection Complete for virtual centrals, carries LE ACL data with
 * flow control (Number Of Completed Packets, LE Read Buffer Size) and disconnections either way.
 *
 * socat makes the pty: one end a pty bleno opens (its path is `port`), the other end socat's stdio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACL_CONTINUATION,
  ACL_START,
  EVT_DISCONNECTION_COMPLETE,
  EVT_LE_META,
  EVT_NUMBER_OF_COMPLETED_PACKETS,
  H4Splitter,
  LE_CONNECTION_COMPLETE,
  aclPacket,
  commandComplete,
  commandStatus,
  eventPacket,
  opcode,
  type HostPacket,
} from './h4-packets.ts';
import { IMMEDIATE_LINK, type LinkModel } from './link-model.ts';

const OP = {
  disconnect: opcode(0x01, 0x0006),
  setEventMask: opcode(0x03, 0x0001),
  reset: opcode(0x03, 0x0003),
  readLeHostSupported: opcode(0x03, 0x006c),
  writeLeHostSupported: opcode(0x03, 0x006d),
  readLocalVersion: opcode(0x04, 0x0001),
  readBufferSize: opcode(0x04, 0x0005),
  readBdAddr: opcode(0x04, 0x0009),
  readRssi: opcode(0x05, 0x0005),
  leSetEventMask: opcode(0x08, 0x0001),
  leReadBufferSize: opcode(0x08, 0x0002),
  leSetAdvertisingParameters: opcode(0x08, 0x0006),
  leSetAdvertisingData: opcode(0x08, 0x0008),
  leSetScanResponseData: opcode(0x08, 0x0009),
  leSetAdvertiseEnable: opcode(0x08, 0x000a),
  leLtkNegativeReply: opcode(0x08, 0x001b),
} as const;

const STATUS_OK = 0x00;
const STATUS_UNKNOWN_COMMAND = 0x01;
const STATUS_UNKNOWN_CONNECTION = 0x02;
const STATUS_INVALID_PARAMETERS = 0x12;
const REASON_REMOTE_USER_TERMINATED = 0x13;
const REASON_LOCAL_HOST_TERMINATED = 0x16;

/** What the controller carries for one connection's central. */
export interface CentralPort {
  /** An L2CAP PDU from the peripheral (bleno) arrived whole. */
  onL2cap(cid: number, pdu: Buffer): void;
  /** The link went down (reason is the HCI error code). */
  onDisconnect(reason: number): void;
}

/** Link-layer packet counts of one connection, each direction. */
export interface LinkCounters {
  toCentralPackets: number;
  toCentralBytes: number;
  toPeripheralPackets: number;
  toPeripheralBytes: number;
}

interface Connection {
  handle: number;
  port: CentralPort;
  /** Host fragments being joined into one L2CAP PDU. */
  partial?: { cid: number; length: number; data: Buffer };
  counters: LinkCounters;
}

export interface VirtualControllerOptions {
  /** LE ACL data packet length the controller reports (27 = no data length extension, 251 = with). */
  aclPayloadBytes?: number;
  /** LE ACL buffers the controller reports (bleno keeps at most this many in flight). */
  aclBuffers?: number;
  /** When packets cross the air (default: at once). */
  link?: LinkModel;
  /** Public address reported by Read BD_ADDR. */
  address?: string;
  /** Answer LE Set Advertise Enable (on) with this HCI error (e.g. 0x0c Command Disallowed). */
  refuseAdvertisingWith?: number;
}

/** The software controller. `start()` spawns socat and resolves once the pty exists. */
export class VirtualController {
  /** The pty path for BLUETOOTH_HCI_SOCKET_UART_PORT / `egw-ble --hci-uart`. */
  port = '';
  /** HCI opcodes received, in order (for tests that look at what bleno sent). */
  readonly commands: number[] = [];
  advertisingEnabled = false;
  /** Advertise-enable commands refused (refuseAdvertisingWith). */
  refusedAdvertising = 0;
  advertisingData = Buffer.alloc(0);
  scanResponseData = Buffer.alloc(0);
  /** Bytes that were no H4 packet. */
  get garbageBytes(): number {
    return this.splitter.garbageBytes;
  }

  private readonly options: Required<Omit<VirtualControllerOptions, 'link' | 'refuseAdvertisingWith'>>;
  private readonly refuseAdvertisingWith?: number;
  private readonly link: LinkModel;
  private readonly splitter = new H4Splitter();
  private socat?: ChildProcess;
  private dir = '';
  private readonly connections = new Map<number, Connection>();
  private nextHandle = 0x40;
  private readonly changeWaiters: (() => void)[] = [];

  constructor(options: VirtualControllerOptions = {}) {
    this.options = {
      aclPayloadBytes: options.aclPayloadBytes ?? 27,
      aclBuffers: options.aclBuffers ?? 8,
      address: options.address ?? 'c0:ff:ee:00:00:01',
    };
    this.link = options.link ?? IMMEDIATE_LINK;
    this.refuseAdvertisingWith = options.refuseAdvertisingWith;
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'egw-hci-'));
    this.port = join(this.dir, 'hci-uart');
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.port}`, 'STDIO'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.socat = socat;
    socat.stdout.on('data', (chunk: Buffer) => this.fromHost(chunk));
    await new Promise<void>((resolve, reject) => {
      let log = '';
      socat.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('starting data transfer loop')) resolve();
      });
      socat.once('error', reject);
      socat.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${log}`)));
    });
  }

  async stop(): Promise<void> {
    this.link.stop();
    const socat = this.socat;
    if (socat && socat.exitCode === null) {
      const exited = new Promise((done) => socat.once('exit', done));
      socat.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Resolves when `test()` holds, re-checked after every host packet (bounded by the test runner). */
  async until(test: () => boolean): Promise<void> {
    while (!test()) await new Promise<void>((resolve) => this.changeWaiters.push(resolve));
  }

  /**
   * A central connects: LE Connection Complete (role peripheral) to the host. Refused while the
   * host does not advertise connectably, as a real controller would not see a connect request.
   */
  connect(port: CentralPort, peer = 'de:ad:be:ef:00:01'): { handle: number; counters: LinkCounters } {
    if (!this.advertisingEnabled) throw new Error('the peripheral is not advertising: no connection');
    const handle = this.nextHandle++;
    const counters = { toCentralPackets: 0, toCentralBytes: 0, toPeripheralPackets: 0, toPeripheralBytes: 0 };
    this.connections.set(handle, { handle, port, counters });
    // Advertising stops when a connection is made (Core Vol 6 Part B 4.4.2); the host restarts it.
    this.advertisingEnabled = false;
    const params = Buffer.alloc(19);
    params.writeUInt8(LE_CONNECTION_COMPLETE, 0);
    params.writeUInt8(STATUS_OK, 1);
    params.writeUInt16LE(handle, 2);
    params.writeUInt8(0x01, 4); // role: peripheral
    params.writeUInt8(0x01, 5); // peer address type: random (phones use random addresses)
    addressBytes(peer).copy(params, 6);
    params.writeUInt16LE(Math.round(this.link.intervalMs / 1.25) || 24, 12);
    params.writeUInt16LE(0, 14); // latency
    params.writeUInt16LE(400, 16); // supervision timeout, 10 ms units
    params.writeUInt8(0, 18);
    this.toHost(eventPacket(EVT_LE_META, params));
    return { handle, counters };
  }

  /** The central sends one L2CAP PDU, cut into link-layer packets of the ACL payload size. */
  sendFromCentral(handle: number, cid: number, pdu: Buffer): void {
    const connection = this.connections.get(handle);
    if (!connection) throw new Error(`no connection ${handle}`);
    const whole = Buffer.alloc(4 + pdu.length);
    whole.writeUInt16LE(pdu.length, 0);
    whole.writeUInt16LE(cid, 2);
    pdu.copy(whole, 4);
    const size = this.options.aclPayloadBytes;
    for (let at = 0; at < whole.length; at += size) {
      const fragment = whole.subarray(at, at + size);
      connection.counters.toPeripheralPackets++;
      connection.counters.toPeripheralBytes += fragment.length;
      this.link.carry(handle, 'toPeripheral', () => {
        if (this.connections.has(handle))
          this.toHost(aclPacket(handle, at === 0 ? ACL_START : ACL_CONTINUATION, fragment));
      });
    }
  }

  /** The central drops the link (remote user terminated). */
  disconnectFromCentral(handle: number): void {
    this.link.afterPending(handle, () => this.dropConnection(handle, REASON_REMOTE_USER_TERMINATED));
  }

  private dropConnection(handle: number, reason: number): void {
    const connection = this.connections.get(handle);
    if (!connection) return;
    this.connections.delete(handle);
    this.link.forget(handle);
    const params = Buffer.alloc(4);
    params.writeUInt8(STATUS_OK, 0);
    params.writeUInt16LE(handle, 1);
    params.writeUInt8(reason, 3);
    this.toHost(eventPacket(EVT_DISCONNECTION_COMPLETE, params));
    connection.port.onDisconnect(reason);
  }

  private toHost(bytes: Buffer): void {
    this.socat?.stdin?.write(bytes);
  }

  private fromHost(chunk: Buffer): void {
    for (const packet of this.splitter.push(chunk)) {
      if (packet.kind === 'command') this.command(packet);
      else this.acl(packet);
    }
    for (const wake of this.changeWaiters.splice(0)) wake();
  }

  private acl(packet: Extract<HostPacket, { kind: 'acl' }>): void {
    const connection = this.connections.get(packet.handle);
    if (!connection) return; // a packet for a link that just went down is flushed
    connection.counters.toCentralPackets++;
    connection.counters.toCentralBytes += packet.data.length;
    this.link.carry(packet.handle, 'toCentral', () => {
      this.completed(packet.handle);
      if (this.connections.get(packet.handle) === connection) this.reassemble(connection, packet);
    });
  }

  /** Number Of Completed Packets: the buffer is free again once the packet crossed the air. */
  private completed(handle: number): void {
    const params = Buffer.alloc(5);
    params.writeUInt8(1, 0);
    params.writeUInt16LE(handle, 1);
    params.writeUInt16LE(1, 3);
    this.toHost(eventPacket(EVT_NUMBER_OF_COMPLETED_PACKETS, params));
  }

  private reassemble(connection: Connection, packet: Extract<HostPacket, { kind: 'acl' }>): void {
    if (packet.boundary !== ACL_CONTINUATION) {
      const length = packet.data.readUInt16LE(0);
      connection.partial = { cid: packet.data.readUInt16LE(2), length, data: packet.data.subarray(4) };
    } else if (connection.partial) {
      connection.partial.data = Buffer.concat([connection.partial.data, packet.data]);
    }
    const partial = connection.partial;
    if (partial && partial.data.length >= partial.length) {
      connection.partial = undefined;
      connection.port.onL2cap(partial.cid, partial.data.subarray(0, partial.length));
    }
  }

  private command({ opcode: op, params }: Extract<HostPacket, { kind: 'command' }>): void {
    this.commands.push(op);
    const ok = (returned?: Buffer): void => this.toHost(commandComplete(op, STATUS_OK, returned));
    switch (op) {
      case OP.reset:
        this.advertisingEnabled = false;
        for (const handle of [...this.connections.keys()]) this.connections.delete(handle);
        return ok();
      case OP.setEventMask:
      case OP.leSetEventMask:
      case OP.writeLeHostSupported:
      case OP.leSetAdvertisingParameters:
        return ok();
      case OP.readLeHostSupported:
        return ok(Buffer.from([0x01, 0x00]));
      case OP.readLocalVersion: {
        // HCI 5.0 (0x09), manufacturer 0x05f1 (The Linux Foundation: a software controller).
        const version = Buffer.alloc(8);
        version.writeUInt8(0x09, 0);
        version.writeUInt16LE(0x0000, 1);
        version.writeUInt8(0x09, 3);
        version.writeUInt16LE(0x05f1, 4);
        version.writeUInt16LE(0x0000, 6);
        return ok(version);
      }
      case OP.readBdAddr:
        return ok(addressBytes(this.options.address));
      case OP.leReadBufferSize: {
        const size = Buffer.alloc(3);
        size.writeUInt16LE(this.options.aclPayloadBytes, 0);
        size.writeUInt8(this.options.aclBuffers, 2);
        return ok(size);
      }
      case OP.readBufferSize:
        return ok(Buffer.from([this.options.aclPayloadBytes, 0, 0, this.options.aclBuffers, 0, 0, 0]));
      case OP.leSetAdvertisingData:
      case OP.leSetScanResponseData: {
        const length = params.readUInt8(0);
        if (params.length !== 32 || length > 31) {
          return this.toHost(commandComplete(op, STATUS_INVALID_PARAMETERS));
        }
        const data = Buffer.from(params.subarray(1, 1 + length));
        if (op === OP.leSetAdvertisingData) this.advertisingData = data;
        else this.scanResponseData = data;
        return ok();
      }
      case OP.leSetAdvertiseEnable:
        if (params.readUInt8(0) === 1 && this.refuseAdvertisingWith !== undefined) {
          this.refusedAdvertising++;
          return this.toHost(commandComplete(op, this.refuseAdvertisingWith));
        }
        this.advertisingEnabled = params.readUInt8(0) === 1;
        return ok();
      case OP.disconnect: {
        const handle = params.readUInt16LE(0);
        const known = this.connections.has(handle);
        this.toHost(commandStatus(op, known ? STATUS_OK : STATUS_UNKNOWN_CONNECTION));
        if (known)
          this.link.afterPending(handle, () => this.dropConnection(handle, REASON_LOCAL_HOST_TERMINATED));
        return;
      }
      case OP.readRssi: {
        const rssi = Buffer.alloc(3);
        rssi.writeUInt16LE(params.readUInt16LE(0), 0);
        rssi.writeInt8(-55, 2);
        return ok(rssi);
      }
      case OP.leLtkNegativeReply:
        return ok(params.subarray(0, 2));
      default:
        return this.toHost(commandComplete(op, STATUS_UNKNOWN_COMMAND));
    }
  }
}

/** "aa:bb:cc:dd:ee:ff" → the 6 bytes little-endian, as HCI carries addresses. */
function addressBytes(address: string): Buffer {
  return Buffer.from(address.split(':').reverse().join(''), 'hex');
}
