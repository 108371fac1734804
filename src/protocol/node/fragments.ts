// Splitting packets larger than the path MTU into fragments, and reassembling them with bounded
// memory: a fixed number of packets in flight, each expiring quickly and never exceeding
// MAX_PACKET_LENGTH (PROTOCOL-NOTES §2.1; Switch::onRemotePacket in ZeroTier).
import {
  FRAGMENT_INDICATOR,
  IDX_DESTINATION,
  IDX_FRAGMENT_INDICATOR,
  MAX_PACKET_LENGTH,
  MIN_PACKET_LENGTH,
  readUint64,
} from '../packet.ts';
import { FRAGMENT_HEADER_LENGTH, MAX_FRAGMENTS } from './constants.ts';

const IDX_FRAGMENT_NUMBER = 14;
export const IDX_FRAGMENT_HOPS = 15;

/**
 * Splits an armored packet whose FLAG_FRAGMENTED was set before armoring (the flag is covered by
 * the MAC key) into datagrams of at most `mtu` bytes: the head, then fragments 1…n.
 */
export function splitIntoFragments(packet: Uint8Array, mtu: number): Uint8Array[] {
  if (packet.length <= mtu) return [packet];
  const chunk = mtu - FRAGMENT_HEADER_LENGTH;
  if (chunk <= 0 || mtu < MIN_PACKET_LENGTH) throw new RangeError(`MTU ${mtu} is too small to fragment`);
  const rest = packet.length - mtu;
  const total = 1 + Math.ceil(rest / chunk);
  if (total > MAX_FRAGMENTS)
    throw new RangeError(
      `packet of ${packet.length} bytes needs ${total} fragments, at most ${MAX_FRAGMENTS}`,
    );
  const out = [packet.subarray(0, mtu)];
  for (let n = 1, at = mtu; n < total; n++, at += chunk) {
    const body = packet.subarray(at, Math.min(packet.length, at + chunk));
    const frag = new Uint8Array(FRAGMENT_HEADER_LENGTH + body.length);
    frag.set(packet.subarray(0, IDX_DESTINATION + 5)); // packet id and destination
    frag[IDX_FRAGMENT_INDICATOR] = FRAGMENT_INDICATOR;
    frag[IDX_FRAGMENT_NUMBER] = (total << 4) | n;
    frag[IDX_FRAGMENT_HOPS] = 0;
    frag.set(body, FRAGMENT_HEADER_LENGTH);
    out.push(frag);
  }
  return out;
}

export type ReassemblyResult =
  | { kind: 'complete'; packet: Uint8Array }
  | { kind: 'pending' }
  | { kind: 'dropped'; reason: ReassemblyDropReason };

export type ReassemblyDropReason =
  'fragment_invalid' | 'fragment_duplicate' | 'fragment_too_long' | 'fragment_evicted' | 'fragment_timeout';

interface Entry {
  created: number;
  head?: Uint8Array;
  /** Fragment n at index n (index 0 unused: the head). */
  fragments: (Uint8Array | undefined)[];
  /** 0 until a non-head fragment told us. */
  total: number;
  have: number;
  bytes: number;
}

export class FragmentReassembler {
  private readonly entries = new Map<bigint, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly timeout: number,
    /** Called for whole packets lost to eviction or timeout (not for the datagram being added). */
    private readonly onDiscard: (reason: ReassemblyDropReason) => void = () => {},
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A head packet (FLAG_FRAGMENTED set), copied because datagram buffers are reused. */
  addHead(datagram: Uint8Array, now: number): ReassemblyResult {
    if (datagram.length < MIN_PACKET_LENGTH) return { kind: 'dropped', reason: 'fragment_invalid' };
    const entry = this.entry(readUint64(datagram, 0), now);
    if (!entry) return { kind: 'dropped', reason: 'fragment_evicted' };
    if (entry.head) return { kind: 'dropped', reason: 'fragment_duplicate' };
    return this.store(readUint64(datagram, 0), entry, 0, datagram.slice());
  }

  /** A non-head fragment (0xff at byte 13). */
  addFragment(datagram: Uint8Array, now: number): ReassemblyResult {
    if (datagram.length <= FRAGMENT_HEADER_LENGTH) return { kind: 'dropped', reason: 'fragment_invalid' };
    const total = datagram[IDX_FRAGMENT_NUMBER]! >>> 4;
    const number = datagram[IDX_FRAGMENT_NUMBER]! & 0x0f;
    if (total < 2 || total > MAX_FRAGMENTS || number < 1 || number >= total)
      return { kind: 'dropped', reason: 'fragment_invalid' };
    const id = readUint64(datagram, 0);
    const entry = this.entry(id, now);
    if (!entry) return { kind: 'dropped', reason: 'fragment_evicted' };
    if (entry.total !== 0 && entry.total !== total) {
      this.entries.delete(id); // two fragments disagree: the whole packet is suspect
      return { kind: 'dropped', reason: 'fragment_invalid' };
    }
    entry.total = total;
    if (entry.fragments[number]) return { kind: 'dropped', reason: 'fragment_duplicate' };
    return this.store(id, entry, number, datagram.slice(FRAGMENT_HEADER_LENGTH));
  }

  /** Forgets packets older than the timeout; the receive path also calls it on every fragment. */
  prune(now: number): void {
    for (const [id, entry] of this.entries) {
      if (now - entry.created < this.timeout) break; // insertion order is creation order
      this.entries.delete(id);
      this.onDiscard('fragment_timeout');
    }
  }

  private entry(id: bigint, now: number): Entry | undefined {
    this.prune(now);
    let entry = this.entries.get(id);
    if (!entry) {
      if (this.maxEntries <= 0) return undefined;
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
        this.onDiscard('fragment_evicted');
      }
      entry = { created: now, fragments: [], total: 0, have: 0, bytes: 0 };
      this.entries.set(id, entry);
    }
    return entry;
  }

  private store(id: bigint, entry: Entry, number: number, bytes: Uint8Array): ReassemblyResult {
    if (entry.bytes + bytes.length > MAX_PACKET_LENGTH) {
      this.entries.delete(id);
      return { kind: 'dropped', reason: 'fragment_too_long' };
    }
    if (number === 0) entry.head = bytes;
    else entry.fragments[number] = bytes;
    entry.bytes += bytes.length;
    entry.have |= 1 << number;
    if (!entry.head || entry.total === 0 || entry.have !== (1 << entry.total) - 1) return { kind: 'pending' };
    this.entries.delete(id);
    const packet = new Uint8Array(entry.bytes);
    packet.set(entry.head);
    let at = entry.head.length;
    for (let n = 1; n < entry.total; n++) {
      const f = entry.fragments[n]!;
      packet.set(f, at);
      at += f.length;
    }
    return { kind: 'complete', packet };
  }
}
