/**
 * The gateway's device key: a secp256k1 secret created on first start in the data directory
 * (file `device.key`, 32 bytes as hex, mode 0600, created atomically by config/secret-file.ts), loaded on every later start.
 * The gateway serial is derived from its public key (see public-key.ts).
 */
import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '../config/secret-file.ts';
import { ConfigError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { GatewayIdentity } from './gateway-identity.ts';
import { jwtSigningInput } from './jwt.ts';
import { publicKeyInfo, type Secp256k1Jwk } from './public-key.ts';
import { secp } from './secp.ts';

/** File name of the device key inside the data directory. */
export const DEVICE_KEY_FILE = 'device.key';

/** The loaded device key; the secret never leaves this object. */
export class DeviceKey implements GatewayIdentity {
  readonly serial: string;
  readonly publicKeyHex: string;
  readonly publicKeyPem: string;
  readonly jwk: Secp256k1Jwk;
  readonly #secret: Uint8Array;

  constructor(secret: Uint8Array) {
    if (!secp.utils.isValidSecretKey(secret))
      throw new ConfigError('device key: not a valid secp256k1 secret', 'deviceKey');
    this.#secret = Uint8Array.from(secret);
    const info = publicKeyInfo(Buffer.from(secp.getPublicKey(this.#secret, true)).toString('hex'));
    this.serial = info.serial;
    this.publicKeyHex = info.publicKeyHex;
    this.publicKeyPem = info.publicKeyPem;
    this.jwk = info.jwk;
  }

  /**
   * Signs a JWT (ES256K): ECDSA secp256k1 over SHA-256 of the signing input, RFC 6979 deterministic,
   * low-S, 64-byte r‖s. Callers (batches, wallet binding) build header and payload themselves.
   */
  signJwt(header: Record<string, unknown>, payload: unknown): string {
    const input = jwtSigningInput(header, payload);
    // prehash: noble hashes the message with SHA-256 itself (v3 default), exactly what ES256K signs.
    const signature = secp.sign(Buffer.from(input, 'ascii'), this.#secret, { lowS: true, prehash: true });
    return `${input}.${Buffer.from(signature).toString('base64url')}`;
  }

  /** Keeps the secret out of logs and JSON. */
  toJSON(): Record<string, string> {
    return { serial: this.serial, publicKeyHex: this.publicKeyHex };
  }
}

/** Loads the device key from `dataDir`, creating it (and the directory) on first start. */
export function loadOrCreateDeviceKey(dataDir: string, options: { logger?: Logger } = {}): DeviceKey {
  const logger = options.logger ?? silentLogger();
  const path = join(dataDir, DEVICE_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { value, created, repaired } = readOrCreateSecretFile(
    path,
    () => `${Buffer.from(secp.utils.randomSecretKey()).toString('hex')}\n`,
  );
  if (created) {
    // Make the new directory entry durable too, so a power cut cannot lose the identity.
    const dirFd = openSync(dataDir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
  if (repaired) logger.warn({ file: path }, 'device key was readable by others; restricted it to 0600');
  const hex = value.toString('utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    // Never overwrite: replacing the key would silently change the gateway's identity.
    throw new ConfigError(
      `${path}: expected 64 hex digits (a secp256k1 secret); fix or remove the file`,
      'deviceKey',
    );
  }
  const key = new DeviceKey(Buffer.from(hex, 'hex'));
  logger.info({ serial: key.serial, created }, created ? 'device key created' : 'device key loaded');
  return key;
}
