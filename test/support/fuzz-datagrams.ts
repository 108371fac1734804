// Hostile datagrams for a ZeroTier node under test, made lazily (so the fuzzer itself does not
// inflate the RSS it measures) from a seeded generator, each tagged with what the node must do
// with it: `drop` (counted in routeplane_udp_dropped_total) or `any` (authentic packets with
// mutated contents, fragments: processed, answered or dropped, but never a crash).
import { createHash } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { Identity } from '../../src/protocol/identity.ts';
import { buildHelloPacket } from '../../src/protocol/node/hello-codec.ts';
import { armor } from '../../src/protocol/packet-armor.ts';
import {
  IDX_DESTINATION,
  IDX_FLAGS,
  IDX_VERB,
  MAX_PACKET_LENGTH,
  Verb,
  buildPacket,
} from '../../src/protocol/packet.ts';
import { sharedJson } from '../helpers/shared-vectors.ts';

export type Kind =
  | 'random'
  | 'recorded-mutated'
  | 'authentic-mutated'
  | 'forged-mac'
  | 'truncated'
  | 'replay-original'
  | 'replay'
  | 'hello-random-identity'
  | 'hello-collision'
  | 'fragment'
  | 'oversized';

export interface Datagram {
  kind: Kind;
  data: Uint8Array;
  expect: 'drop' | 'any';
}

/** How many of each kind to make (replays come in groups: one original, then its copies). */
export const DEFAULT_MIX: Record<Exclude<Kind, 'replay-original'>, number> = {
  random: 20_000,
  'recorded-mutated': 20_000,
  'authentic-mutated': 20_000,
  'forged-mac': 15_000,
  truncated: 10_000,
  replay: 10_000,
  'hello-random-identity': 5_000,
  'hello-collision': 100,
  fragment: 5_000,
  oversized: 300,
};
const REPLAY_COPIES = 49;

/** xorshift128+: reproducible from a seed, fast enough for a hundred thousand packets. */
export class Rng {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    const h = createHash('sha256').update(String(seed)).digest();
    this.s0 = h.readBigUInt64BE(0) | 1n;
    this.s1 = h.readBigUInt64BE(8) | 2n;
  }
  u64(): bigint {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= (x << 23n) & 0xffffffffffffffffn;
    x ^= x >> 17n;
    x ^= y ^ (y >> 26n);
    this.s1 = x;
    return (x + y) & 0xffffffffffffffffn;
  }
  /** 0 ≤ n < max */
  int(max: number): number {
    return Number(this.u64() % BigInt(max));
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 8) {
      let v = this.u64();
      for (let j = i; j < Math.min(i + 8, length); j++) {
        out[j] = Number(v & 0xffn);
        v >>= 8n;
      }
    }
    return out;
  }
}

interface Recorded {
  label: string;
  wireHex: string;
  plainHex: string;
}

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

/** A few bit flips, byte changes, truncation or extension of `input` (never the same bytes back). */
export function mutate(input: Uint8Array, rng: Rng): Uint8Array {
  let out = Uint8Array.from(input);
  const edits = 1 + rng.int(8);
  for (let i = 0; i < edits && out.length > 0; i++) {
    const at = rng.int(out.length);
    if (rng.int(2) === 0) out[at] = out[at]! ^ (1 << rng.int(8));
    else out[at] = rng.int(256);
  }
  const shape = rng.int(10);
  if (shape === 0 && out.length > 1) out = out.slice(0, rng.int(out.length));
  else if (shape === 1) out = Uint8Array.from([...out, ...rng.bytes(1 + rng.int(64))]);
  if (out.length === input.length && out.every((b, i) => b === input[i])) out = Uint8Array.from([...out, 0]);
  return out;
}

export interface FuzzTarget {
  /** The node under test. */
  controller: Identity;
  /** A member the node knows, with its secret: authentic packets are armored with its key. */
  member: Identity;
}

/**
 * Makes the datagrams of `mix` in a random interleaving. Replay groups are emitted back to back so
 * the originals are still inside the node's replay window when their copies arrive.
 */
export function* fuzzDatagrams(
  target: FuzzTarget,
  rng: Rng,
  mix: Partial<Record<keyof typeof DEFAULT_MIX, number>> = DEFAULT_MIX,
): Generator<Datagram> {
  const ctrl = target.controller.address;
  const ctrlBytes = hex(ctrl);
  const memberKey = target.member.agree(target.controller);
  const recorded = sharedJson<{ packets: Recorded[] }>('packet-vectors.json').packets;
  const wire = recorded.map((p) => hex(p.wireHex));
  const plain = recorded.map((p) => hex(p.plainHex));
  const randomId = () => rng.u64();

  /** A packet from the member to the controller, correctly armored. */
  const authentic = (verb: number, payload: Uint8Array, compressed = false) => {
    const p = buildPacket({
      destination: ctrl,
      source: target.member.address,
      verb,
      payload,
      packetId: randomId(),
    });
    if (compressed) p[IDX_VERB] = p[IDX_VERB]! | 0x80;
    armor(p, memberKey, 1);
    return p;
  };
  const validPool: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) validPool.push(authentic(Verb.ECHO, rng.bytes(1 + rng.int(300))));

  // Random identities for HELLO: real X25519 key pairs (so the MAC verifies and the node gets as
  // far as its rate gate and validator), random Ed25519 halves, any address.
  const helloKeys = Array.from({ length: 32 }, () => {
    const secret = rng.bytes(32);
    const pub = new Uint8Array(64);
    pub.set(x25519.getPublicKey(secret), 0);
    pub.set(rng.bytes(32), 32);
    const raw = x25519.getSharedSecret(secret, target.controller.publicKey.subarray(0, 32));
    return { pub, key: createHash('sha512').update(raw).digest().subarray(0, 48) };
  });
  const randomAddress = () => {
    for (;;) {
      const a = Buffer.from(rng.bytes(5)).toString('hex');
      if (a !== ctrl && a !== target.member.address && !a.startsWith('ff') && a !== '0000000000') return a;
    }
  };
  const hello = (address: string) => {
    const k = helloKeys[rng.int(helloKeys.length)]!;
    const packet = buildHelloPacket({
      destination: ctrl,
      key: k.key,
      packetId: randomId(),
      fields: {
        protocol: 11,
        major: 1,
        minor: 14,
        revision: 1,
        timestamp: BigInt(Date.now()),
        identity: new Identity(address, k.pub),
        sentTo: null,
        planetId: 0n,
        planetTimestamp: 0n,
        moons: [],
      },
    });
    armor(packet, k.key, 0);
    return packet;
  };

  const remaining = new Map<Kind, number>(Object.entries({ ...mix }) as [Kind, number][]);
  const pending: Datagram[] = [];
  const pick = (): Kind | undefined => {
    let total = 0;
    for (const n of remaining.values()) total += n;
    if (total === 0) return undefined;
    let r = rng.int(total);
    for (const [kind, n] of remaining) {
      if (r < n) return kind;
      r -= n;
    }
    return undefined;
  };

  for (;;) {
    const queued = pending.shift();
    if (queued) {
      yield queued;
      continue;
    }
    const kind = pick();
    if (kind === undefined) return;
    remaining.set(kind, remaining.get(kind)! - 1);
    switch (kind) {
      case 'random': {
        const data = rng.bytes(rng.int(1400));
        // One in ten reaches the authentication step: addressed to the controller.
        if (data.length >= 28 && rng.int(10) === 0) data.set(ctrlBytes, IDX_DESTINATION);
        yield { kind, data, expect: 'drop' };
        break;
      }
      case 'recorded-mutated': {
        const data = mutate(wire[rng.int(wire.length)]!, rng);
        if (data.length >= 28 && rng.int(2) === 0) data.set(ctrlBytes, IDX_DESTINATION);
        if (data.length > 13 && data[13] === 0xff) data[13] = 0xfe; // keep it a whole packet, not a fragment
        yield { kind, data, expect: 'drop' };
        break;
      }
      case 'authentic-mutated': {
        // A real captured packet's plaintext, mutated, then correctly armored as the member.
        const source = plain[rng.int(plain.length)]!;
        const verb = rng.int(8) === 0 ? rng.int(32) : source[IDX_VERB]! & 0x1f;
        const payload = mutate(source.subarray(28), rng).subarray(0, MAX_PACKET_LENGTH - 28);
        yield { kind, data: authentic(verb, payload, rng.int(20) === 0), expect: 'any' };
        break;
      }
      case 'forged-mac': {
        const data = buildPacket({
          destination: ctrl,
          source: target.member.address,
          verb: rng.int(32),
          payload: rng.bytes(rng.int(600)),
          packetId: randomId(),
        });
        data[IDX_FLAGS] = 0x88; // cipher 1, not fragmented, 0 hops
        data.set(rng.bytes(8), 19); // a MAC nobody computed
        data.set(rng.bytes(data.length - IDX_VERB), IDX_VERB);
        yield { kind, data, expect: 'drop' };
        break;
      }
      case 'truncated': {
        const valid = validPool[rng.int(validPool.length)]!;
        const data =
          rng.int(4) === 0
            ? Uint8Array.from([...valid, ...rng.bytes(1 + rng.int(64))])
            : valid.slice(0, rng.int(valid.length));
        yield { kind, data, expect: 'drop' };
        break;
      }
      case 'replay': {
        const original = authentic(Verb.ECHO, rng.bytes(1 + rng.int(64)));
        yield { kind: 'replay-original', data: original, expect: 'any' };
        pending.push({ kind: 'replay', data: original.slice(), expect: 'drop' }); // the copy just counted
        for (let i = 1; i < REPLAY_COPIES && (remaining.get('replay') ?? 0) > 0; i++) {
          remaining.set('replay', remaining.get('replay')! - 1);
          pending.push({ kind: 'replay', data: original.slice(), expect: 'drop' });
        }
        break;
      }
      case 'hello-random-identity':
        yield { kind, data: hello(randomAddress()), expect: 'drop' };
        break;
      case 'hello-collision':
        yield { kind, data: hello(target.member.address), expect: 'drop' };
        break;
      case 'fragment': {
        const data = new Uint8Array(16 + rng.int(1400));
        data.set(rng.bytes(data.length));
        // Few packet ids, so fragments of one id meet and reassemblies compete for slots.
        data.set(new Uint8Array(new BigUint64Array([BigInt(rng.int(128))]).buffer), 0);
        data.set(ctrlBytes, IDX_DESTINATION);
        data[13] = 0xff;
        data[14] = (rng.int(16) << 4) | rng.int(16);
        data[15] = rng.int(8);
        yield { kind, data, expect: 'any' };
        break;
      }
      case 'oversized':
        yield { kind, data: rng.bytes(MAX_PACKET_LENGTH + 1 + rng.int(20_000)), expect: 'drop' };
        break;
      default:
        throw new Error(`unexpected kind ${kind}`);
    }
  }
}
