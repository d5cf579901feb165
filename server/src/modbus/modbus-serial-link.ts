/**
 * The modbus-serial adapter: the only file that touches the library. TCP sockets are opened here
 * (not by modbus-serial) and handed over with linkTCP, because modbus-serial's TcpPort does not
 * report a socket that dies with an error (ECONNRESET) — its close event is swallowed once the
 * error handler has cleared the open flag — and a request would then hang until its timeout.
 *
 * What modbus-serial does with odd replies (read in node_modules/modbus-serial, 8.0.x):
 * - TCP transaction ids wrap at 256; a reply whose id matches no transaction is dropped silently,
 *   a reply whose id matches an old finished one is passed to that old callback (we ignore it),
 *   so a lost or mismatched reply shows up as a timeout.
 * - The MBAP length field frames the stream; a wrong length desynchronises it for good.
 * - Length, unit and function mismatches become plain Errors ("Data length error", "Unexpected
 *   data error"); exception replies carry `modbusCode`.
 * - RTU has no transaction id at all: a late reply would be taken for the next request.
 * Hence the connection reconnects after every timeout or malformed reply.
 */
import modbusSerial from 'modbus-serial';
import { connectSocket } from './connect-socket.ts';
import {
  LinkError,
  type LinkOpener,
  type ModbusLink,
  type ModbusTarget,
  type RegisterRequest,
  type WriteRequest,
} from './modbus-link.ts';

// modbus-serial is CommonJS whose typings declare the class as `default`; it sets
// module.exports.default = module.exports, so `.default` is right at run time too.
const ModbusRTU = modbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

interface Pending {
  reject: (error: LinkError) => void;
}

/** A modbus-serial client over one socket or serial port. */
class ModbusSerialLink implements ModbusLink {
  private pending: Pending | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private readonly client: Client;
  private readonly serial: boolean;
  private released: Promise<void> | undefined;

  constructor(client: Client, serial: boolean) {
    this.client = client;
    this.serial = serial;
  }

  read(request: RegisterRequest): Promise<number[]> {
    if (this.closedReason !== undefined) {
      return Promise.reject(new LinkError({ kind: 'closed', message: this.closedReason }));
    }
    return new Promise((resolve, reject) => {
      const token: Pending = { reject };
      this.pending = token;
      const done = (error: unknown, result?: { data: number[] }): void => {
        // A callback for a request that already failed (closed link, late reply): ignore.
        if (this.pending !== token) return;
        this.pending = undefined;
        if (error) return reject(toLinkError(error));
        const data = result?.data;
        if (!Array.isArray(data) || data.length !== request.count) {
          return reject(
            new LinkError({
              kind: 'malformed',
              message: `reply holds ${data?.length} registers, asked ${request.count}`,
            }),
          );
        }
        resolve(data);
      };
      try {
        if (request.fc === 3) this.client.writeFC3(request.unit, request.address, request.count, done);
        else this.client.writeFC4(request.unit, request.address, request.count, done);
      } catch (error) {
        done(error);
      }
    });
  }

  write(request: WriteRequest): Promise<void> {
    if (this.closedReason !== undefined) {
      return Promise.reject(new LinkError({ kind: 'closed', message: this.closedReason }));
    }
    return new Promise((resolve, reject) => {
      const token: Pending = { reject };
      this.pending = token;
      const done = (error: unknown): void => {
        if (this.pending !== token) return;
        this.pending = undefined;
        if (error) reject(toLinkError(error));
        else resolve();
      };
      try {
        if (request.fc === 6) this.client.writeFC6(request.unit, request.address, request.values[0]!, done);
        else this.client.writeFC16(request.unit, request.address, request.values, done);
      } catch (error) {
        done(error);
      }
    });
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /** Marks the link closed: fails the pending request and tells listeners once. */
  closed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(new LinkError({ kind: 'closed', message: reason }));
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  destroy(): Promise<void> {
    this.closed('connection closed');
    this.released ??= new Promise<void>((resolve) => {
      try {
        // TCP: destroy the socket now. RTU: the buffered serial port has no destroy, only close,
        // and the port stays locked until that completes.
        if (this.serial) this.client.close(() => resolve());
        else this.client.destroy(() => resolve());
      } catch {
        // Already torn down by the library; nothing left to release.
        resolve();
      }
    });
    return this.released;
  }
}

function toLinkError(error: unknown): LinkError {
  const e = error as { modbusCode?: unknown; name?: unknown; message?: unknown };
  if (typeof e.modbusCode === 'number') return new LinkError({ kind: 'exception', code: e.modbusCode });
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (e.name === 'PortNotOpenError') return new LinkError({ kind: 'closed', message: 'port not open' });
  return new LinkError({ kind: 'malformed', message });
}

async function openTcp(
  target: Extract<ModbusTarget, { type: 'tcp' }>,
  signal: AbortSignal,
): Promise<ModbusLink> {
  const socket = await connectSocket(target.host, target.port, signal);
  const client = new ModbusRTU();
  const link = new ModbusSerialLink(client, false);
  // Without an error listener a reset socket would throw from the EventEmitter.
  socket.on('error', (error) => link.closed(`socket error: ${error.message}`));
  socket.on('close', () => link.closed('connection closed by the device'));
  client.on('error', (error) => link.closed(`link error: ${String((error as Error)?.message ?? error)}`));
  await client.linkTCP(socket, { port: target.port });
  return link;
}

async function openRtu(
  target: Extract<ModbusTarget, { type: 'rtu' }>,
  signal: AbortSignal,
): Promise<ModbusLink> {
  const client = new ModbusRTU();
  const link = new ModbusSerialLink(client, true);
  client.on('error', (error) => link.closed(`serial error: ${String((error as Error)?.message ?? error)}`));
  client.on('close', () => link.closed('serial port closed'));
  const opened = client.connectRTUBuffered(target.path, { baudRate: target.baud, parity: target.parity });
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  try {
    await Promise.race([opened, aborted]);
  } catch (error) {
    void link.destroy();
    throw error;
  }
  return link;
}

/**
 * Opens a TCP or RTU link through modbus-serial; a Solarman V5 logger through its own link, loaded
 * only when a device uses one.
 */
export const openModbusSerialLink: LinkOpener = async (target, signal) => {
  if (target.type === 'tcp') return openTcp(target, signal);
  if (target.type === 'rtu') return openRtu(target, signal);
  const { openSolarmanV5Link } = await import('./solarman-v5-link.ts');
  return openSolarmanV5Link(target, signal);
};
