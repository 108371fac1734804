// NETWORK_CONFIG_REQUEST payload (PROTOCOL-NOTES §2.5): `<8 nwid><2 dict length><metadata
// Dictionary><8 have revision><8 have timestamp>` (old clients stop after the dictionary), and
// typed access to the metadata keys clients send.
import { Dictionary } from '../dictionary.ts';
import { WireReader, WireWriter } from './wire-buffer.ts';

/** ZT_NETWORKCONFIG_METADATA_DICT_CAPACITY: stock keeps at most capacity − 1 bytes. */
export const METADATA_DICT_CAPACITY = 1024;

export interface NetworkConfigRequest {
  networkId: string;
  /** Shared with other requests that sent the same bytes when decoded with a cache: do not change it. */
  metadata: Dictionary;
  /** `metadata`'s typed fields. */
  fields: RequestMetadata;
  /** Revision and timestamp of the config the member already has (0 when none); null if not sent. */
  haveRevision: bigint | null;
  haveTimestamp: bigint | null;
}

/** The dictionary and its typed fields. */
function parseMetadata(raw: Uint8Array): { metadata: Dictionary; fields: RequestMetadata } {
  const metadata = Dictionary.parse(raw);
  return { metadata, fields: requestMetadata(metadata) };
}

/**
 * Parsed metadata by its bytes: a client sends the same dictionary with every request (it changes
 * with its version or platform), so a controller parses each distinct one once. Bounded: when full
 * it starts again empty (distinct dictionaries are few: one per client version and platform).
 */
export class RequestMetadataCache {
  private readonly entries = new Map<string, { metadata: Dictionary; fields: RequestMetadata }>();

  constructor(private readonly maxEntries = 1024) {}

  get size(): number {
    return this.entries.size;
  }

  parse(raw: Uint8Array): { metadata: Dictionary; fields: RequestMetadata } {
    const key = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('latin1');
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = parseMetadata(raw);
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, entry);
    }
    return entry;
  }
}

export function decodeNetworkConfigRequest(
  payload: Uint8Array,
  cache?: RequestMetadataCache,
): NetworkConfigRequest {
  const r = new WireReader(payload, 0, 'NETWORK_CONFIG_REQUEST');
  const networkId = r.u64('network id').toString(16).padStart(16, '0');
  // A request that ends after the network id carries no metadata, as stock reads it.
  const length = r.remaining >= 2 ? r.u16('metadata length') : 0;
  const raw = r.bytes(length, 'metadata');
  const kept = raw.subarray(0, METADATA_DICT_CAPACITY - 1);
  const { metadata, fields } = cache ? cache.parse(kept) : parseMetadata(kept);
  let haveRevision: bigint | null = null;
  let haveTimestamp: bigint | null = null;
  if (r.remaining >= 16) {
    haveRevision = r.u64('have revision');
    haveTimestamp = r.u64('have timestamp');
  }
  return { networkId, metadata, fields, haveRevision, haveTimestamp };
}

export function encodeNetworkConfigRequest(req: {
  networkId: string;
  metadata: Dictionary;
  haveRevision?: bigint | number;
  haveTimestamp?: bigint | number;
}): Uint8Array {
  const meta = req.metadata.encode();
  if (meta.length >= METADATA_DICT_CAPACITY)
    throw new Error(`request metadata is ${meta.length} bytes; at most ${METADATA_DICT_CAPACITY - 1}`);
  return new WireWriter()
    .u64(BigInt(`0x${req.networkId}`))
    .u16(meta.length)
    .bytes(meta)
    .u64(req.haveRevision ?? 0)
    .u64(req.haveTimestamp ?? 0)
    .finish();
}

export interface RequestMetadata {
  /** v: netconf version the client understands */
  version?: number;
  /** vend */
  vendor?: number;
  /** pv */
  protocolVersion?: number;
  /** majv, minv, revv */
  majorVersion?: number;
  minorVersion?: number;
  revision?: number;
  /** mr, mc, mcr, mt: the client's table sizes */
  maxNetworkRules?: number;
  maxNetworkCapabilities?: number;
  maxCapabilityRules?: number;
  maxNetworkTags?: number;
  /** f */
  flags?: number;
  /** revr: rules engine revision; absent or 0 means no rules engine */
  rulesEngineRevision?: number;
  /** o, e.g. linux/x86_64 */
  osArch?: string;
  /** a: raw auth value, e.g. `token:…` */
  auth?: string;
}

/** Typed metadata; a malformed number reads as absent (stock's getUI falls back the same way). */
export function requestMetadata(metadata: Dictionary): RequestMetadata {
  const out: RequestMetadata = {};
  const num = (key: string, field: keyof RequestMetadata) => {
    try {
      const value = metadata.getNumber(key);
      if (value !== undefined) (out as Record<string, unknown>)[field] = value;
    } catch {
      // not a hex number: treat as absent
    }
  };
  num('v', 'version');
  num('vend', 'vendor');
  num('pv', 'protocolVersion');
  num('majv', 'majorVersion');
  num('minv', 'minorVersion');
  num('revv', 'revision');
  num('mr', 'maxNetworkRules');
  num('mc', 'maxNetworkCapabilities');
  num('mcr', 'maxCapabilityRules');
  num('mt', 'maxNetworkTags');
  num('f', 'flags');
  num('revr', 'rulesEngineRevision');
  const osArch = metadata.getString('o');
  if (osArch !== undefined) out.osArch = osArch;
  const auth = metadata.getString('a');
  if (auth !== undefined) out.auth = auth;
  return out;
}

/** The token of an `a=token:<token>` metadata entry (stock requires more than the prefix). */
export function authToken(meta: RequestMetadata): string | undefined {
  return meta.auth !== undefined && meta.auth.length > 6 && meta.auth.startsWith('token:')
    ? meta.auth.slice(6)
    : undefined;
}

/** `revr` > 0: the client evaluates rules, so it gets the network's rules, tags and capabilities. */
export function supportsRulesEngine(meta: RequestMetadata): boolean {
  return (meta.rulesEngineRevision ?? 0) > 0;
}

/** The metadata a 1.14.1 client sends (Network::requestConfiguration), for the TS member. */
export function clientRequestMetadata(opts: { osArch?: string; authToken?: string } = {}): Dictionary {
  const d = new Dictionary()
    .setUint64('v', 7)
    .setUint64('vend', 1)
    .setUint64('pv', 12)
    .setUint64('majv', 1)
    .setUint64('minv', 14)
    .setUint64('revv', 1)
    .setUint64('mr', 1024)
    .setUint64('mc', 128)
    .setUint64('mcr', 64)
    .setUint64('mt', 128)
    .setUint64('f', 0)
    .setUint64('revr', 1)
    .set('o', opts.osArch ?? 'linux/x86_64');
  if (opts.authToken !== undefined) d.set('a', `token:${opts.authToken}`);
  return d;
}
