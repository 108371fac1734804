// ZeroTier network IDs (16 hex: controller address + 24 bits) and member addresses (10 hex).
// Any case is accepted on input; lower case is canonical, as the stock controller prints them.

import { invalidField } from '../errors.ts';

const NETWORK_ID_RE = /^[0-9a-fA-F]{16}$/;
const ADDRESS_RE = /^[0-9a-fA-F]{10}$/;

export function isNetworkId(s: unknown): s is string {
  return typeof s === 'string' && NETWORK_ID_RE.test(s);
}

/** A usable node address: 10 hex, not zero, and not in the reserved `ff…` range. */
export function isMemberAddress(s: unknown): s is string {
  return (
    typeof s === 'string' && ADDRESS_RE.test(s) && s !== '0000000000' && !s.toLowerCase().startsWith('ff')
  );
}

/** The lower-case network ID, or undefined when `s` is not one. */
export function canonicalNetworkId(s: unknown): string | undefined {
  return isNetworkId(s) ? s.toLowerCase() : undefined;
}

/** The lower-case member address, or undefined when `s` is not one. */
export function canonicalMemberAddress(s: unknown): string | undefined {
  return isMemberAddress(s) ? s.toLowerCase() : undefined;
}

/** The address of the controller that owns a network: its first 10 hex digits. */
export function controllerAddressOf(nwid: string): string {
  if (!isNetworkId(nwid))
    throw invalidField('nwid', `${JSON.stringify(nwid)} is not a 16-hex-digit network ID`);
  return nwid.slice(0, 10).toLowerCase();
}

/**
 * A network ID under `controllerAddress` from 24 random bits. Only the low 24 bits of `random24` are
 * used; all-zero maps to 1 (as stock does), so an ID never ends in `000000`.
 */
export function networkIdFor(controllerAddress: string, random24: number): string {
  if (!isMemberAddress(controllerAddress)) {
    throw invalidField(
      'controllerAddress',
      `${JSON.stringify(controllerAddress)} is not a valid node address`,
    );
  }
  if (!Number.isSafeInteger(random24) || random24 < 0) {
    throw invalidField('random24', `${String(random24)} is not a non-negative integer`);
  }
  const low = random24 % 0x1000000 || 1;
  return controllerAddress.toLowerCase() + low.toString(16).padStart(6, '0');
}
