// Shared by this folder's tests: the recorded vectors, vector identities (so tests never generate
// identities), and small helpers for nodes on 127.0.0.1.
import { Identity } from '../identity.ts';
import { hexToBytes, readSharedJson } from '../test-vectors.ts';
import type { NodeOptions, RootPeer } from './node-types.ts';
import { ZeroTierNode } from './zerotier-node.ts';

export interface RecordedPacket {
  label: string;
  src: string;
  dest: string;
  plainHex: string;
  [field: string]: unknown;
}

export interface DecodedPacket {
  verb: string;
  src: string;
  dest: string;
  plainHex: string;
  inReVerb?: string;
  inRePacketId?: string;
  hello?: {
    proto: number;
    version: string;
    timestamp: string;
    identityAddress: string;
    sentTo: { ip: string; port: number };
    worldId: string;
    worldTs: string;
    moonCount: number;
  };
  okHello?: { timestampEcho: string; proto: number; version: string; surface: { ip: string; port: number } };
  like?: { nwid: string; mac: string; adi: string }[];
  gather?: { nwid: string; flags: number; mac: string; adi: string; limit: number };
}

export const packetVectors = readSharedJson<{
  controller: string;
  member: string;
  key48: string;
  packets: RecordedPacket[];
  armorPairs: { what: string; key32: string; plainHex: string; armoredHex: string }[];
}>('zerotier', 'packet-vectors.json');

export const decodedPackets = readSharedJson<DecodedPacket[]>(
  'zerotier',
  'run-noaes-proto11',
  'decoded-packets.json',
);

export const sessionKey = hexToBytes(packetVectors.key48);

const identityVectors = readSharedJson<{ identities: { address: string; secretString: string }[] }>(
  'zerotier',
  'identity-vectors.json',
);

/** The five vector identities, with their private keys. */
export const vectorIdentities: Identity[] = identityVectors.identities.map((v) =>
  Identity.parse(v.secretString),
);

export function vectorIdentity(address: string): Identity {
  const id = vectorIdentities.find((i) => i.address === address);
  if (!id) throw new Error(`no vector identity ${address}`);
  return id;
}

export function recorded(label: string): RecordedPacket {
  const p = packetVectors.packets.find((v) => v.label === label);
  if (!p) throw new Error(`no recorded packet "${label}"`);
  return p;
}

/** Verb payload (after the verb byte) of a recorded plaintext packet. */
export function recordedPayload(label: string): Uint8Array {
  return hexToBytes(recorded(label).plainHex).subarray(28);
}

export const LOOPBACK = { ipv4: '127.0.0.1', ipv6: false } as const;

/** A started node on 127.0.0.1 with an ephemeral port (identities validated by the worker pool). */
export async function startNode(
  identity: Identity,
  options: Partial<NodeOptions> = {},
): Promise<ZeroTierNode> {
  const node = new ZeroTierNode({
    identity,
    port: 0,
    bind: LOOPBACK,
    ...options,
  });
  await node.start();
  return node;
}

export function rootOf(node: ZeroTierNode): RootPeer {
  return {
    identity: node.identity.withoutPrivate(),
    endpoints: [{ ip: '127.0.0.1', port: node.boundPorts.ipv4! }],
  };
}

/** Polls `check` until it returns something truthy; rejects after `timeout` ms naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  timeout = 3000,
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
