// WHOIS `<5 address>*` and OK(WHOIS) `<identity>*` (PROTOCOL-NOTES §2.5): only roots' answers are trusted.
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { ADDRESS_LENGTH, Identity } from '../identity.ts';
import { Verb } from '../packet.ts';
import { encodeOk } from './reply-codec.ts';

export function encodeWhois(addresses: readonly string[]): Uint8Array {
  return concatBytes(...addresses.map((a) => fromHex(a, 'WHOIS address', ADDRESS_LENGTH)));
}

/** The addresses asked for; a trailing partial address is ignored, as ZeroTier does. */
export function parseWhois(payload: Uint8Array): string[] {
  const out: string[] = [];
  for (let at = 0; at + ADDRESS_LENGTH <= payload.length; at += ADDRESS_LENGTH) {
    out.push(toHex(payload.subarray(at, at + ADDRESS_LENGTH)));
  }
  return out;
}

/** The full OK payload answering WHOIS `inRePacketId` with public identities. */
export function encodeOkWhois(inRePacketId: bigint, identities: readonly Identity[]): Uint8Array {
  return encodeOk(Verb.WHOIS, inRePacketId, concatBytes(...identities.map((id) => id.toBinary(false))));
}

/**
 * Identities in an OK(WHOIS) body, up to the first that does not parse (anything after is
 * unreadable). The caller must still validate them before trusting them.
 */
export function parseOkWhois(body: Uint8Array): Identity[] {
  const out: Identity[] = [];
  let at = 0;
  while (at < body.length) {
    try {
      const { identity, length } = Identity.fromBinary(body, at);
      out.push(identity.withoutPrivate());
      at += length;
    } catch {
      break;
    }
  }
  return out;
}
