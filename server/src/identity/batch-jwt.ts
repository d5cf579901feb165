/**
 * Signed batches: N harvests packed into one ES256K JWT exactly as DESIGN.md fixes it. The outbox
 * assigns `seq` inside its insert transaction and calls createBatch from there.
 */
import { ValidationError } from '../core/errors.ts';
import type { Reading } from '../core/reading.ts';
import type { GatewayIdentity } from './gateway-identity.ts';

/** Header of a batch JWT, in this key order. */
export interface BatchHeader {
  alg: 'ES256K' | 'ES256';
  typ: 'JWT';
  device: string;
  opr: 'production';
  model: string;
  seq: number;
  [key: string]: unknown;
}

/** What a batcher hands over: the harvests of one batch and the profile id they were read with. */
export interface BatchInput {
  /** Profile id of the device the harvests come from, e.g. "sunspec". */
  model: string;
  /** Harvest readings, each with its `ts` (ms since epoch); timestamps must be distinct. */
  harvests: Reading[];
}

/** A signed batch before it has a row in the outbox. */
export interface SignedBatch {
  header: BatchHeader;
  /** Harvest timestamp (ms, decimal string) → reading. */
  payload: Record<string, Reading>;
  jwt: string;
}

/**
 * Builds and signs the batch JWT for `seq` (a positive integer assigned by the outbox). From epoch 2 on
 * (the database or the key was replaced, see seq-guard.ts) the header also carries `"epoch"`.
 */
export function createBatch(
  identity: GatewayIdentity,
  input: BatchInput,
  seq: number,
  epoch = 1,
): SignedBatch {
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new ValidationError(`batch seq ${seq}: must be a positive integer`, 'seq');
  if (input.harvests.length === 0) throw new ValidationError('batch: needs at least one harvest', 'harvests');
  const header: BatchHeader = {
    alg: identity.alg ?? 'ES256K',
    typ: 'JWT',
    device: identity.serial,
    opr: 'production',
    model: input.model,
    seq,
    ...(epoch > 1 ? { epoch } : {}),
  };
  const payload: Record<string, Reading> = {};
  for (const reading of [...input.harvests].sort((a, b) => a.ts - b.ts)) {
    const key = String(reading.ts);
    if (key in payload)
      throw new ValidationError(`batch: two harvests at ts ${key}; keys must be distinct`, 'harvests');
    payload[key] = reading;
  }
  return { header, payload, jwt: identity.signJwt(header, payload) };
}
