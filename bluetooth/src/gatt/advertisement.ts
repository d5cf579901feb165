/**
 * Builds the advertising and scan-response data (Core Supplement Part A): each at most 31 bytes of
 * AD structures. The advertisement carries the flags and the 128-bit service UUID (what a phone
 * filters on); the name goes with them only when it fits, else into the scan response, cut to 29
 * UTF-8 bytes at a character boundary ("Shortened Local Name" when cut). Pure bytes, no bleno.
 */

/** Largest advertising or scan-response payload of legacy advertising. */
export const AD_MAX_BYTES = 31;
/** A name AD structure has 2 bytes of header: 29 bytes of name fill a scan response. */
export const NAME_MAX_BYTES = AD_MAX_BYTES - 2;

export const AD_FLAGS = 0x01;
export const AD_COMPLETE_128_BIT_UUIDS = 0x07;
export const AD_SHORTENED_NAME = 0x08;
export const AD_COMPLETE_NAME = 0x09;
export const AD_SERVICE_DATA_16_BIT = 0x16;
/** LE General Discoverable, BR/EDR not supported. */
const FLAGS_GENERAL_DISCOVERABLE_LE_ONLY = 0x06;

/** One advertising set: advertisement and scan response. */
export interface AdvertisingData {
  advertisement: Buffer;
  scanResponse: Buffer;
}

/** An AD structure: length, type, data. */
export function adStructure(type: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([data.length + 1, type]), data]);
}

/** "a07498ca-ad5b-…" → the 16 bytes little-endian as AD structures carry them. */
export function uuid128Bytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a 128-bit UUID: ${uuid}`);
  return Buffer.from(hex, 'hex').reverse();
}

/** The longest prefix of name that is at most maxBytes of UTF-8 and ends on a character boundary. */
export function cutUtf8(name: string, maxBytes: number): { bytes: Buffer; cut: boolean } {
  const whole = Buffer.from(name, 'utf8');
  if (whole.length <= maxBytes) return { bytes: whole, cut: false };
  let end = maxBytes;
  // A UTF-8 continuation byte is 10xxxxxx: step back to the start of the character it belongs to.
  while (end > 0 && ((whole[end] ?? 0) & 0xc0) === 0x80) end--;
  return { bytes: whole.subarray(0, end), cut: true };
}

function nameStructure(name: string, maxBytes: number): Buffer {
  const { bytes, cut } = cutUtf8(name, maxBytes);
  return adStructure(cut ? AD_SHORTENED_NAME : AD_COMPLETE_NAME, bytes);
}

/**
 * Flags + the service UUID, plus the name when it fits (else the name alone fills the scan
 * response). `serviceData` (16-bit UUID + bytes, e.g. Improv's) goes into the advertisement too.
 */
export function buildAdvertisingData(
  name: string,
  serviceUuid: string,
  serviceData?: { uuid16: number; data: Buffer },
): AdvertisingData {
  const parts = [
    adStructure(AD_FLAGS, Buffer.from([FLAGS_GENERAL_DISCOVERABLE_LE_ONLY])),
    adStructure(AD_COMPLETE_128_BIT_UUIDS, uuid128Bytes(serviceUuid)),
  ];
  if (serviceData) {
    const head = Buffer.alloc(2);
    head.writeUInt16LE(serviceData.uuid16, 0);
    parts.push(adStructure(AD_SERVICE_DATA_16_BIT, Buffer.concat([head, serviceData.data])));
  }
  const advertisement = Buffer.concat(parts);
  if (advertisement.length > AD_MAX_BYTES) throw new RangeError('advertisement over 31 bytes');
  const whole = Buffer.from(name, 'utf8');
  if (advertisement.length + 2 + whole.length <= AD_MAX_BYTES) {
    return {
      advertisement: Buffer.concat([advertisement, adStructure(AD_COMPLETE_NAME, whole)]),
      scanResponse: Buffer.alloc(0),
    };
  }
  return { advertisement, scanResponse: nameStructure(name, NAME_MAX_BYTES) };
}
