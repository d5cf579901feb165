/**
 * Opens a TCP socket for a Modbus transport (no delay on small frames); gives up and destroys it when
 * the signal aborts, so a connect timeout never leaves a socket behind.
 */
import net from 'node:net';

/** Resolves the connected socket; rejects with the socket error or the signal's reason. */
export function connectSocket(host: string, port: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (error: unknown): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', fail);
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
