/**
 * A hardware-backed device key over PKCS#11 (secure elements such as the ATECC608 through their
 * module, TPM 2.0 through tpm2-pkcs11, SoftHSM2 in tests). Such chips have no secp256k1, so this key is
 * P-256 and signs ES256; the private key never leaves the token (created there, if missing, with
 * CKA_EXTRACTABLE false and CKA_SENSITIVE true). `pkcs11js` is an optional dependency (it compiles a
 * native addon) and is imported only when `signing.backend` is "pkcs11".
 */
import { createHash, createPublicKey, ECDH } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, NotAvailable } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { GatewayIdentity } from './gateway-identity.ts';
import { jwtSigningInput } from './jwt.ts';
import { serialFromPublicKey } from './public-key.ts';

/** DER of the P-256 curve OID (1.2.840.10045.3.1.7), as CKA_EC_PARAMS takes it. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

export interface Pkcs11KeyOptions {
  modulePath: string;
  tokenLabel: string;
  /** File holding the user PIN (first line). */
  pinFile: string;
  keyLabel: string;
  logger: Logger;
}

/** The token key as the gateway uses it; close() logs out and finalizes the module. */
export interface Pkcs11Identity extends GatewayIdentity {
  readonly alg: 'ES256';
  close(): void;
}

/** The raw uncompressed point from CKA_EC_POINT (a DER OCTET STRING around 04‖X‖Y, or the bare point). */
function rawPoint(ecPoint: Buffer): Buffer {
  if (ecPoint.length === 65 && ecPoint[0] === 4) return ecPoint;
  if (ecPoint[0] === 0x04 && ecPoint[1] === 65) return ecPoint.subarray(2);
  throw new ConfigError('PKCS#11 key: CKA_EC_POINT is not an uncompressed P-256 point', 'signing.pkcs11');
}

/** Opens the token, logs in and finds (or creates) the key pair labelled `keyLabel`. */
export async function openPkcs11Key(options: Pkcs11KeyOptions): Promise<Pkcs11Identity> {
  const pkcs11js = await import('pkcs11js')
    .then((module) => module.default)
    .catch((error: unknown) => {
      throw new NotAvailable(
        `signing.backend "pkcs11": the optional package pkcs11js is not installed (${String(error)})`,
        { key: 'signing.backend' },
      );
    });
  const p = new pkcs11js.PKCS11();
  p.load(options.modulePath);
  p.C_Initialize();
  try {
    const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === options.tokenLabel);
    if (slot === undefined)
      throw new ConfigError(`PKCS#11 token "${options.tokenLabel}" not found`, 'signing.pkcs11.tokenLabel');
    const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    const pin = readFileSync(options.pinFile, 'utf8').split('\n')[0]!.trim();
    p.C_Login(session, pkcs11js.CKU_USER, pin);
    const find = (cls: number): Buffer | undefined => {
      p.C_FindObjectsInit(session, [
        { type: pkcs11js.CKA_CLASS, value: cls },
        { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
      ]);
      const found = p.C_FindObjects(session, 1)[0];
      p.C_FindObjectsFinal(session);
      return found;
    };
    let privateKey = find(pkcs11js.CKO_PRIVATE_KEY);
    let publicKey = find(pkcs11js.CKO_PUBLIC_KEY);
    if (!privateKey || !publicKey) {
      const pair = p.C_GenerateKeyPair(
        session,
        { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_VERIFY, value: true },
          { type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS },
        ],
        [
          { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        ],
      );
      privateKey = pair.privateKey;
      publicKey = pair.publicKey;
      options.logger.info(
        { token: options.tokenLabel, key: options.keyLabel },
        'device key created on the PKCS#11 token',
      );
    }
    const [attr] = p.C_GetAttributeValue(session, publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    const point = rawPoint(attr?.value as Buffer);
    const compressed = ECDH.convertKey(point, 'prime256v1', undefined, 'hex', 'compressed') as string;
    const keyObject = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
    const signingKey = privateKey;
    const identity: Pkcs11Identity = {
      alg: 'ES256',
      serial: serialFromPublicKey(compressed),
      publicKeyHex: compressed,
      publicKeyPem: keyObject.export({ type: 'spki', format: 'pem' }).toString(),
      jwk: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      signJwt(header, payload) {
        const input = jwtSigningInput(header, payload);
        const digest = createHash('sha256').update(input, 'ascii').digest();
        p.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, signingKey);
        // CKM_ECDSA signs the digest and returns r‖s (32 bytes each), exactly the JWS encoding.
        const signature = p.C_Sign(session, digest, Buffer.alloc(64));
        return `${input}.${signature.toString('base64url')}`;
      },
      close() {
        p.C_Logout(session);
        p.C_CloseSession(session);
        p.C_Finalize();
      },
    };
    options.logger.info(
      { serial: identity.serial, token: options.tokenLabel },
      'device key on PKCS#11 token (ES256)',
    );
    return identity;
  } catch (error) {
    p.C_Finalize();
    throw error;
  }
}
