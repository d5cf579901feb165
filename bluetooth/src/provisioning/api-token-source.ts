/**
 * Where the BLE process gets the gateway's API token: `EGW_API_TOKEN`, else the `api-token` file the
 * gateway creates in the shared data directory. Read lazily and again after the gateway answered 401,
 * so egw-ble may start before the gateway has created the file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the token file in the data directory (written by the gateway, mode 0600). */
export const API_TOKEN_FILE = 'api-token';

/** Supplies the Bearer token for loopback calls to the gateway. */
export class ApiTokenSource {
  private readonly dataDir: string;
  private readonly envToken: string | undefined;
  private cached?: string;

  constructor(dataDir: string, envToken: string | undefined = process.env.EGW_API_TOKEN) {
    this.dataDir = dataDir;
    this.envToken = envToken;
  }

  /** The token, or undefined while neither the variable nor the file exists. */
  async get(): Promise<string | undefined> {
    if (this.envToken) return this.envToken;
    if (this.cached) return this.cached;
    try {
      const text = (await readFile(join(this.dataDir, API_TOKEN_FILE), 'utf8')).trim();
      this.cached = text || undefined;
    } catch {
      this.cached = undefined;
    }
    return this.cached;
  }

  /** Forgets the cached file content (the gateway rejected it: it may have been rotated). */
  invalidate(): void {
    this.cached = undefined;
  }
}
