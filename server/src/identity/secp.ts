/**
 * The one place that wires @noble/secp256k1 v3 for synchronous use: v3 ships async-only unless the
 * SHA-256 and HMAC-SHA256 implementations are set (from @noble/hashes, audited, same author).
 */
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

export { secp, sha256 };
