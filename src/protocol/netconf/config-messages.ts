// The small payloads around config delivery (PROTOCOL-NOTES §2.5, §9.3): ERROR and OK replies to
// NETWORK_CONFIG_REQUEST, the NETWORK_CONFIG push, and the member's acknowledgement of a push,
// which is an OK whose in-re verb is ECHO (a client quirk that must be matched exactly).
import { ErrorCode, Verb } from '../packet.ts';
import { WireReader, WireWriter } from './wire-buffer.ts';

/** Error codes a controller answers a config request with. */
export const NcrErrorCode = {
  NOT_FOUND: ErrorCode.OBJ_NOT_FOUND,
  ACCESS_DENIED: ErrorCode.NETWORK_ACCESS_DENIED,
  AUTHENTICATION_REQUIRED: ErrorCode.NETWORK_AUTHENTICATION_REQUIRED,
} as const;

export interface NcrError {
  inRePacketId: bigint;
  code: number;
  networkId: string;
  /** Only with AUTHENTICATION_REQUIRED: the SSO dictionary. */
  errorData?: Uint8Array;
}

/** ERROR(NETWORK_CONFIG_REQUEST): `<1 0x0b><8 in-re id><1 code><8 nwid>[<2 len><data>]`. */
export function encodeNcrError(error: NcrError): Uint8Array {
  const w = new WireWriter()
    .u8(Verb.NETWORK_CONFIG_REQUEST)
    .u64(error.inRePacketId)
    .u8(error.code)
    .u64(BigInt(`0x${error.networkId}`));
  if (error.errorData !== undefined && error.errorData.length > 0) {
    if (error.errorData.length > 0xffff) throw new Error('error data longer than 65535 bytes');
    w.u16(error.errorData.length).bytes(error.errorData);
  }
  return w.finish();
}

export function decodeNcrError(payload: Uint8Array): NcrError {
  const r = new WireReader(payload, 0, 'ERROR(NETWORK_CONFIG_REQUEST)');
  const verb = r.u8('in-re verb');
  if (verb !== Verb.NETWORK_CONFIG_REQUEST)
    throw new Error(`ERROR is in reply to verb ${verb}, not NETWORK_CONFIG_REQUEST`);
  const out: NcrError = {
    inRePacketId: r.u64('in-re packet id'),
    code: r.u8('error code'),
    networkId: r.u64('network id').toString(16).padStart(16, '0'),
  };
  if (r.remaining >= 2) out.errorData = r.bytes(r.u16('error data length'), 'error data');
  return out;
}

/** The `<1 0x0b><8 in-re id>` that precedes a config chunk in OK(NETWORK_CONFIG_REQUEST). */
export function encodeNcrOkPrefix(inRePacketId: bigint): Uint8Array {
  return new WireWriter().u8(Verb.NETWORK_CONFIG_REQUEST).u64(inRePacketId).finish();
}

/** OK(NETWORK_CONFIG_REQUEST) payload: the prefix, then one chunk from splitSignedChunks. */
export function encodeNcrOk(inRePacketId: bigint, chunk: Uint8Array): Uint8Array {
  return new WireWriter().bytes(encodeNcrOkPrefix(inRePacketId)).bytes(chunk).finish();
}

/** Splits an OK(NETWORK_CONFIG_REQUEST) payload into its in-re id and chunk payload. */
export function decodeNcrOk(payload: Uint8Array): { inRePacketId: bigint; chunk: Uint8Array } {
  const r = new WireReader(payload, 0, 'OK(NETWORK_CONFIG_REQUEST)');
  const verb = r.u8('in-re verb');
  if (verb !== Verb.NETWORK_CONFIG_REQUEST)
    throw new Error(`OK is in reply to verb ${verb}, not NETWORK_CONFIG_REQUEST`);
  const inRePacketId = r.u64('in-re packet id');
  return { inRePacketId, chunk: payload.slice(r.offset) };
}

/** NETWORK_CONFIG (push) payload: the chunk alone, with no in-re fields. */
export function encodeNetworkConfigPush(chunk: Uint8Array): Uint8Array {
  return chunk.slice();
}

export interface ConfigAck {
  /** The packet id of the NETWORK_CONFIG being acknowledged. */
  inRePacketId: bigint;
  networkId: string;
  updateId: bigint;
}

/** The member's ack of a push: OK `<1 0x08 (ECHO)><8 in-re id><8 nwid><8 configUpdateId>`. */
export function encodeConfigAck(ack: ConfigAck): Uint8Array {
  return new WireWriter()
    .u8(Verb.ECHO)
    .u64(ack.inRePacketId)
    .u64(BigInt(`0x${ack.networkId}`))
    .u64(ack.updateId)
    .finish();
}

/**
 * Decodes an OK payload as a config ack; null when it cannot be one. A reply to a real ECHO can
 * have the same shape, so the caller tells them apart by the in-re packet id it sent.
 */
export function decodeConfigAck(payload: Uint8Array): ConfigAck | null {
  if (payload.length !== 25 || payload[0] !== Verb.ECHO) return null;
  const r = new WireReader(payload, 1, 'OK(ECHO) config ack');
  return {
    inRePacketId: r.u64('in-re packet id'),
    networkId: r.u64('network id').toString(16).padStart(16, '0'),
    updateId: r.u64('update id'),
  };
}
