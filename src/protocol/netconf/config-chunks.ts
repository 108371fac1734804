// Signed config chunks (PROTOCOL-NOTES §2.5): a config Dictionary travels as one or more chunks,
// each `<8 nwid><2 chunkLen><chunk><1 flags><8 updateId><4 totalLen><4 chunkIndex = byte offset>
// <1 sigType = 1><2 96><96 signature over nwid..chunkIndex>`, after `<1 verb><8 packet id>` in
// OK(NETWORK_CONFIG_REQUEST) or alone in NETWORK_CONFIG. Stock cuts ~9.7 KB chunks that need UDP
// fragmentation; we cut small ones so every packet fits one datagram.
import { random64 } from '../random-ids.ts';
import { constantTimeEqual, toHex } from '../bytes.ts';
import type { Identity } from '../identity.ts';
import { SIGNATURE_LENGTH } from '../identity.ts';
import { WireReader, WireWriter } from './wire-buffer.ts';

export const CONFIG_FLAG_FAST_PROPAGATE = 0x01;
/** ZT_NETWORKCONFIG_DICT_CAPACITY of 1.14 (x86_64): a total length must stay below it. */
export const NETWORKCONFIG_DICT_CAPACITY = 484520;
/** ZT_NETWORK_MAX_UPDATE_CHUNKS: clients drop chunks of an update beyond this count. */
export const MAX_UPDATE_CHUNKS = Math.floor(NETWORKCONFIG_DICT_CAPACITY / 1024) + 1;
/** ZT_NETWORK_MAX_INCOMING_UPDATES: updates a client assembles at once. */
export const MAX_INCOMING_UPDATES = 3;
/**
 * Dictionary bytes per chunk: with the 126 bytes of chunk framing, the 9 of the OK in-re fields and
 * the 28-byte header a packet stays at 1263 bytes, under ZeroTier's 1432-byte UDP payload.
 */
export const DEFAULT_MAX_CHUNK_BYTES = 1100;
/** Bytes of framing around the dictionary bytes in one signed chunk. */
export const CHUNK_OVERHEAD = 8 + 2 + 1 + 8 + 4 + 4 + 1 + 2 + SIGNATURE_LENGTH;

export interface SplitOptions {
  networkId: string;
  controller: Identity;
  /** Non-zero id shared by every chunk of this config (stock: random). */
  updateId: bigint;
  flags: number;
  maxChunkBytes?: number;
  /** Bytes put before each chunk in the same array (the OK in-re fields of a reply); not signed. */
  prefix?: Uint8Array;
}

/** A random non-zero update id. */
export function randomUpdateId(): bigint {
  const id = random64();
  return id === 0n ? 1n : id;
}

/** Cuts `dict` (the encoded dictionary, no trailing NUL) into signed chunk payloads. */
export function splitSignedChunks(dict: Uint8Array, opts: SplitOptions): Uint8Array[] {
  const max = opts.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
  if (!Number.isInteger(max) || max < 1 || max > 0xffff)
    throw new RangeError(`maxChunkBytes must be 1..65535, got ${max}`);
  if (dict.length === 0) throw new Error('cannot send an empty network config');
  if (dict.length >= NETWORKCONFIG_DICT_CAPACITY) {
    throw new Error(
      `network config is ${dict.length} bytes; clients accept less than ${NETWORKCONFIG_DICT_CAPACITY}`,
    );
  }
  if (Math.ceil(dict.length / max) > MAX_UPDATE_CHUNKS) {
    throw new Error(`network config would need more than ${MAX_UPDATE_CHUNKS} chunks of ${max} bytes`);
  }
  if (opts.updateId <= 0n || opts.updateId > 0xffffffffffffffffn)
    throw new RangeError('updateId must be a non-zero uint64');
  const nwid = BigInt(`0x${opts.networkId}`);
  const chunks: Uint8Array[] = [];
  const prefix = opts.prefix ?? new Uint8Array(0);
  for (let index = 0; index < dict.length; index += max) {
    const piece = dict.subarray(index, Math.min(index + max, dict.length));
    // One array of the exact size: prefix, the signed fields, then the signature over them.
    const w = new WireWriter(prefix.length + CHUNK_OVERHEAD + piece.length)
      .bytes(prefix)
      .u64(nwid)
      .u16(piece.length)
      .bytes(piece)
      .u8(opts.flags)
      .u64(opts.updateId)
      .u32(dict.length)
      .u32(index);
    const signature = opts.controller.sign(w.written().subarray(prefix.length));
    chunks.push(w.u8(1).u16(SIGNATURE_LENGTH).bytes(signature).finish());
  }
  return chunks;
}

export interface ConfigChunk {
  networkId: string;
  data: Uint8Array;
  /** Absent for the legacy unsigned single-chunk form (payload ends after the data). */
  signed?: {
    flags: number;
    updateId: bigint;
    totalLength: number;
    chunkIndex: number;
    signatureType: number;
    signature: Uint8Array;
    /** nwid..chunkIndex: what the signature covers */
    signedBytes: Uint8Array;
  };
}

/** Parses one chunk payload; throws when truncated or when the signature field is malformed. */
export function parseConfigChunk(payload: Uint8Array): ConfigChunk {
  const r = new WireReader(payload, 0, 'config chunk');
  const networkId = r.u64('network id').toString(16).padStart(16, '0');
  const data = r.bytes(r.u16('chunk length'), 'chunk data');
  if (r.remaining === 0) return { networkId, data };
  const flags = r.u8('flags');
  const updateId = r.u64('update id');
  const totalLength = r.u32('total length');
  const chunkIndex = r.u32('chunk index');
  const signedBytes = payload.slice(0, r.offset);
  const signatureType = r.u8('signature type');
  const signatureLength = r.u16('signature length');
  const signature = r.bytes(signatureLength, 'signature');
  return {
    networkId,
    data,
    signed: { flags, updateId, totalLength, chunkIndex, signatureType, signature, signedBytes },
  };
}

export type ChunkResult =
  | { status: 'complete'; updateId: bigint; dictionary: Uint8Array; flags: number }
  | { status: 'partial'; updateId: bigint; haveBytes: number; totalLength: number }
  | { status: 'duplicate'; updateId: bigint }
  | { status: 'rejected'; reason: string };

interface Update {
  updateId: bigint;
  totalLength: number;
  flags: number;
  data: Uint8Array;
  /** [start, end) of every chunk received */
  ranges: [number, number][];
  haveBytes: number;
  touched: number;
  complete: boolean;
}

/**
 * The member side: collects verified chunks by update id (at most MAX_INCOMING_UPDATES at once,
 * the least recently touched is dropped) and hands back the dictionary bytes once every byte of
 * an update has arrived. Unlike 1.14 it also rejects overlapping chunks and inconsistent totals.
 */
export class ConfigChunkAssembler {
  private readonly updates: Update[] = [];
  private clock = 0;
  private readonly maxInFlight: number;

  constructor(private readonly opts: { networkId: string; controller: Identity; maxInFlight?: number }) {
    this.maxInFlight = opts.maxInFlight ?? MAX_INCOMING_UPDATES;
  }

  /**
   * Feeds one chunk payload. `sourceIsController` allows the legacy unsigned form, which clients
   * accept only straight from the controller.
   */
  accept(payload: Uint8Array, sourceIsController = false): ChunkResult {
    let chunk: ConfigChunk;
    try {
      chunk = parseConfigChunk(payload);
    } catch (error) {
      return { status: 'rejected', reason: (error as Error).message };
    }
    if (chunk.networkId !== this.opts.networkId) {
      return {
        status: 'rejected',
        reason: `chunk is for network ${chunk.networkId}, not ${this.opts.networkId}`,
      };
    }
    if (chunk.signed === undefined) {
      if (!sourceIsController)
        return { status: 'rejected', reason: 'unsigned chunk not sent by the controller' };
      return this.add(randomUpdateId(), chunk.data, 0, chunk.data.length, 0);
    }
    const s = chunk.signed;
    if (s.chunkIndex + chunk.data.length > s.totalLength)
      return { status: 'rejected', reason: 'chunk extends past the total length' };
    if (s.totalLength === 0 || s.totalLength >= NETWORKCONFIG_DICT_CAPACITY) {
      return { status: 'rejected', reason: `total length ${s.totalLength} is out of range` };
    }
    if (s.signatureType !== 1 || s.signature.length !== SIGNATURE_LENGTH) {
      return { status: 'rejected', reason: 'chunk signature is not a 96-byte Ed25519 signature' };
    }
    if (!this.opts.controller.verify(s.signedBytes, s.signature))
      return { status: 'rejected', reason: 'bad chunk signature' };
    return this.add(s.updateId, chunk.data, s.chunkIndex, s.totalLength, s.flags);
  }

  private add(
    updateId: bigint,
    data: Uint8Array,
    index: number,
    totalLength: number,
    flags: number,
  ): ChunkResult {
    let update = this.updates.find((u) => u.updateId === updateId);
    if (update === undefined) {
      if (this.updates.length >= this.maxInFlight) {
        const oldest = this.updates.reduce((a, b) => (b.touched < a.touched ? b : a));
        this.updates.splice(this.updates.indexOf(oldest), 1);
      }
      update = {
        updateId,
        totalLength,
        flags,
        data: new Uint8Array(totalLength),
        ranges: [],
        haveBytes: 0,
        touched: 0,
        complete: false,
      };
      this.updates.push(update);
    }
    update.touched = ++this.clock;
    if (update.complete) return { status: 'duplicate', updateId };
    if (update.totalLength !== totalLength)
      return { status: 'rejected', reason: 'chunks of one update disagree on the total length' };
    const end = index + data.length;
    const same = update.ranges.find(([a, b]) => a === index && b === end);
    if (same) {
      return constantTimeEqual(update.data.subarray(index, end), data)
        ? { status: 'duplicate', updateId }
        : { status: 'rejected', reason: 'chunk resent with different bytes' };
    }
    if (update.ranges.some(([a, b]) => index < b && a < end))
      return { status: 'rejected', reason: 'chunk overlaps one already received' };
    if (update.ranges.length >= MAX_UPDATE_CHUNKS)
      return { status: 'rejected', reason: `more than ${MAX_UPDATE_CHUNKS} chunks` };
    update.ranges.push([index, end]);
    update.data.set(data, index);
    update.haveBytes += data.length;
    if (update.haveBytes < update.totalLength) {
      return { status: 'partial', updateId, haveBytes: update.haveBytes, totalLength: update.totalLength };
    }
    update.complete = true;
    return { status: 'complete', updateId, dictionary: update.data.slice(), flags: update.flags };
  }

  /** Update ids being assembled (for tests and diagnostics). */
  inFlight(): string[] {
    return this.updates
      .filter((u) => !u.complete)
      .map((u) => toHex(new WireWriter().u64(u.updateId).finish()));
  }
}
