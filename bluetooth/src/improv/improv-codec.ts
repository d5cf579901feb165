/**
 * Improv Wi-Fi over BLE (https://www.improv-wifi.com/ble/, revision 2.2): UUIDs, state and error
 * bytes, and the RPC framing `[command][data length][data…][checksum]` where the checksum is the low
 * byte of the sum of every preceding byte. Pure bytes, no bleno.
 */

export const IMPROV_SERVICE_UUID = '00467768-6228-2272-4663-277478268000';
export const IMPROV_CURRENT_STATE_UUID = '00467768-6228-2272-4663-277478268001';
export const IMPROV_ERROR_STATE_UUID = '00467768-6228-2272-4663-277478268002';
export const IMPROV_RPC_COMMAND_UUID = '00467768-6228-2272-4663-277478268003';
export const IMPROV_RPC_RESULT_UUID = '00467768-6228-2272-4663-277478268004';
export const IMPROV_CAPABILITIES_UUID = '00467768-6228-2272-4663-277478268005';
/** 16-bit UUID of the Improv service data in the advertisement (spec 2.0). */
export const IMPROV_SERVICE_DATA_UUID16 = 0x4677;

/** Current state values. */
export const ImprovState = {
  authorizationRequired: 0x01,
  authorized: 0x02,
  provisioning: 0x03,
  provisioned: 0x04,
} as const;
export type ImprovStateValue = (typeof ImprovState)[keyof typeof ImprovState];

/** Error state values. */
export const ImprovError = {
  none: 0x00,
  invalidRpc: 0x01,
  unknownCommand: 0x02,
  unableToConnect: 0x03,
  notAuthorized: 0x04,
  unknown: 0xff,
} as const;
export type ImprovErrorValue = (typeof ImprovError)[keyof typeof ImprovError];

/** RPC command ids. */
export const ImprovCommand = {
  wifiSettings: 0x01,
  identify: 0x02,
  deviceInfo: 0x03,
  scanWifi: 0x04,
} as const;

/** Capability bits: identify (bit 0), device info (bit 1), scan Wi-Fi (bit 2). */
export const IMPROV_CAPABILITIES = 0b111;

/** Low byte of the sum of the bytes. */
export function improvChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum = (sum + byte) & 0xff;
  return sum;
}

/** What the RPC command buffer holds: not enough yet, one command, or an invalid packet. */
export type RpcParse =
  | { kind: 'incomplete' }
  | { kind: 'command'; command: number; data: Buffer; consumed: number }
  | { kind: 'invalid'; reason: string };

/** Parses one RPC packet from the start of buffer (writes may split a packet, spec "over 20 bytes"). */
export function parseRpcCommand(buffer: Buffer): RpcParse {
  if (buffer.length < 2) return { kind: 'incomplete' };
  const length = buffer.readUInt8(1);
  if (buffer.length < length + 3) return { kind: 'incomplete' };
  const body = buffer.subarray(0, length + 2);
  if (improvChecksum(body) !== buffer.readUInt8(length + 2)) return { kind: 'invalid', reason: 'checksum' };
  return {
    kind: 'command',
    command: buffer.readUInt8(0),
    data: Buffer.from(body.subarray(2)),
    consumed: length + 3,
  };
}

/** The strings of a length-prefixed list (Wi-Fi settings: SSID, password); undefined if malformed. */
export function parseStrings(data: Buffer): string[] | undefined {
  const strings: string[] = [];
  for (let at = 0; at < data.length;) {
    const length = data.readUInt8(at);
    if (at + 1 + length > data.length) return undefined;
    strings.push(data.subarray(at + 1, at + 1 + length).toString('utf8'));
    at += 1 + length;
  }
  return strings;
}

/** An RPC result: `[command][data length][len][string]…[checksum]`; throws past 255 data bytes. */
export function encodeRpcResult(command: number, strings: string[]): Buffer {
  const parts = strings.map((text) => {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > 255) throw new RangeError(`Improv result string over 255 bytes`);
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  const data = Buffer.concat(parts);
  if (data.length > 255) throw new RangeError('Improv result over 255 bytes');
  const body = Buffer.concat([Buffer.from([command, data.length]), data]);
  return Buffer.concat([body, Buffer.from([improvChecksum(body)])]);
}

/** The 6 bytes of the advertised service data: state, capabilities, 4 reserved zeros. */
export function improvServiceData(state: ImprovStateValue, capabilities = IMPROV_CAPABILITIES): Buffer {
  return Buffer.from([state, capabilities, 0, 0, 0, 0]);
}
