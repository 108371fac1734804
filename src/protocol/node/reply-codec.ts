// OK and ERROR payloads start with the verb and packet id they answer (PROTOCOL-NOTES §2.5); ERROR
// adds a one-byte code. What follows is specific to the answered verb.
import { readUint64, writeUint64 } from '../packet.ts';

export interface ReplyHeader {
  inReVerb: number;
  inRePacketId: bigint;
  /** Everything after the in-re fields (after the error code for ERROR). */
  body: Uint8Array;
}

export interface ErrorHeader extends ReplyHeader {
  code: number;
}

const IN_RE_LENGTH = 9;

/** `<1 in-re verb><8 in-re packet id>` followed by `body`. */
export function encodeOk(
  inReVerb: number,
  inRePacketId: bigint,
  body: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(IN_RE_LENGTH + body.length);
  out[0] = inReVerb & 0xff;
  writeUint64(out, 1, inRePacketId);
  out.set(body, IN_RE_LENGTH);
  return out;
}

/** `<1 in-re verb><8 in-re packet id><1 code>` followed by `body`. */
export function encodeError(
  inReVerb: number,
  inRePacketId: bigint,
  code: number,
  body: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(IN_RE_LENGTH + 1 + body.length);
  out[0] = inReVerb & 0xff;
  writeUint64(out, 1, inRePacketId);
  out[IN_RE_LENGTH] = code & 0xff;
  out.set(body, IN_RE_LENGTH + 1);
  return out;
}

/** Throws when the payload cannot hold the in-re fields. */
export function parseOk(payload: Uint8Array): ReplyHeader {
  if (payload.length < IN_RE_LENGTH) throw new Error(`OK payload too short: ${payload.length} bytes`);
  return {
    inReVerb: payload[0]!,
    inRePacketId: readUint64(payload, 1),
    body: payload.subarray(IN_RE_LENGTH),
  };
}

/** Throws when the payload cannot hold the in-re fields and the error code. */
export function parseError(payload: Uint8Array): ErrorHeader {
  if (payload.length < IN_RE_LENGTH + 1) throw new Error(`ERROR payload too short: ${payload.length} bytes`);
  return {
    inReVerb: payload[0]!,
    inRePacketId: readUint64(payload, 1),
    code: payload[IN_RE_LENGTH]!,
    body: payload.subarray(IN_RE_LENGTH + 1),
  };
}
