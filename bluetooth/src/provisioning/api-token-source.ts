/**
 * Where the BLE process gets the gateway's API token: `EGW_API_TOKEN`, else the `api-token` file the
 * gateway creates in the shared data directory. Read lazily and again after the gateway answered 401,
 * so egw-ble may start before the gateway has created the file.
 */
import { API_TOKEN, readSecret } from '../../../server/src/config/gateway-secrets.ts';

/** Supplies the Bearer token for loopback calls to the gateway. */
export class ApiTokenSource {
  private readonly dataDir: string;
  private readonly env: Record<string, string | undefined>;
  private cached?: string;

  constructor(dataDir: string, envToken: string | undefined = process.env.EGW_API_TOKEN) {
    this.dataDir = dataDir;
    this.env = { [API_TOKEN.env]: envToken };
  }

  /** The token, or undefined while neither the variable nor the file exists (or it cannot be read). */
  async get(): Promise<string | undefined> {
    if (this.cached) return this.cached;
    try {
      this.cached = readSecret(API_TOKEN, this.dataDir, this.env);
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
