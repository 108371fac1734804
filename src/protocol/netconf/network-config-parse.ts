// Reads a network config Dictionary the way a 1.14 client does (NetworkConfig::fromDictionary),
// into plain typed values, for the TypeScript member used in tests and for diagnostics.
import type { FlowRule } from '../../core/network/network-types.ts';
import { Dictionary } from '../dictionary.ts';
import { decodeInetAddress, type InetAddress } from '../inet-address.ts';
import { decodeCapabilities, type CapabilityCredential } from './capability-credential.ts';
import { decodeCom, type CertificateOfMembership } from './certificate-of-membership.ts';
import { readCoo, type CertificateOfOwnership } from './certificate-of-ownership.ts';
import { SPECIALIST_ACTIVE_BRIDGE } from './network-config.ts';
import { decodeRules } from './rules-wire.ts';
import { decodeTags, type TagCredential } from './tag-credential.ts';
import { WireReader } from './wire-buffer.ts';

const SPECIALIST_ANCHOR = 0x0000040000000000n;
const SPECIALIST_MULTICAST_REPLICATOR = 0x0000080000000000n;
// Client-side limits (ZT_MAX_NETWORK_ROUTES, ZT_MAX_ZT_ASSIGNED_ADDRESSES, …): extra entries are ignored.
const MAX_ROUTES = 128;
const MAX_STATIC_IPS = 32;
const MAX_SPECIALISTS = 256;
const MAX_COOS = 4;
const DNS_DOMAIN_FIELD = 128;

export interface ParsedRoute {
  /** `ip/bits` */
  target: string;
  via: string | null;
  flags: number;
  metric: number;
}

export interface ParsedSpecialist {
  address: string;
  activeBridge: boolean;
  anchor: boolean;
  multicastReplicator: boolean;
}

export interface ParsedNetworkConfig {
  version: number;
  networkId: string;
  timestamp: number;
  credentialTimeMaxDelta: number;
  revision: number;
  issuedTo: string;
  remoteTraceTarget: string;
  remoteTraceLevel: number;
  flags: number;
  multicastLimit: number;
  /** 0 private, 1 public */
  type: number;
  name: string;
  mtu: number;
  com: CertificateOfMembership | null;
  capabilities: CapabilityCredential[];
  tags: TagCredential[];
  certificatesOfOwnership: CertificateOfOwnership[];
  specialists: ParsedSpecialist[];
  routes: ParsedRoute[];
  /** `ip/bits` */
  staticIps: string[];
  rules: FlowRule[];
  dns: { domain: string; servers: string[] } | null;
  sso: { version: number; enabled: boolean; authenticationUrl?: string; authenticationExpiryTime?: number };
}

const text = (a: InetAddress) => `${a.ip}/${a.port}`;

/** Parses dictionary bytes (or a parsed Dictionary); throws for what a client would refuse. */
export function parseNetworkConfig(input: Uint8Array | Dictionary): ParsedNetworkConfig {
  const d = input instanceof Dictionary ? input : Dictionary.parse(input);
  const num = (key: string, fallback = 0) => d.getNumber(key) ?? fallback;
  const networkId = d.getUint64('nwid') ?? 0n;
  if (networkId === 0n) throw new Error('network config has no network id (nwid)');
  const issuedTo = d.getUint64('id') ?? 0n;
  if (issuedTo === 0n) throw new Error('network config has no issued-to address (id)');
  const version = num('v');
  // Clients below v6 speak the legacy text format, which no 1.x controller has sent for years.
  if (version < 6) throw new Error(`network config version ${version} (legacy format) is not supported`);

  const sso: ParsedNetworkConfig['sso'] = { version: num('ssov'), enabled: d.getBoolean('ssoe') };
  if (sso.enabled) {
    const url = d.getString('aurl');
    if (url !== undefined) sso.authenticationUrl = url;
    sso.authenticationExpiryTime = num('aexpt');
  }

  return {
    version,
    networkId: networkId.toString(16).padStart(16, '0'),
    timestamp: num('ts'),
    credentialTimeMaxDelta: num('ctmd'),
    revision: num('r'),
    issuedTo: issuedTo.toString(16).padStart(10, '0'),
    remoteTraceTarget: (d.getUint64('tt') ?? 0n).toString(16).padStart(10, '0'),
    remoteTraceLevel: num('tl'),
    flags: num('f'),
    multicastLimit: num('ml'),
    type: num('t'),
    name: d.getString('n') ?? '',
    mtu: Math.min(Math.max(num('mtu', 2800), 1280), 10000),
    com: d.has('C') ? decodeCom(d.get('C')!) : null,
    capabilities: d.has('CAP') ? decodeCapabilities(d.get('CAP')!) : [],
    tags: d.has('TAG') ? decodeTags(d.get('TAG')!) : [],
    certificatesOfOwnership: parseCoos(d.get('COO')),
    specialists: parseSpecialists(d.get('S')),
    routes: parseRoutes(d.get('RT')),
    staticIps: parseStaticIps(d.get('I')),
    rules: d.has('R') ? decodeRules(d.get('R')!) : [],
    dns: d.has('DNS') ? parseDns(d.get('DNS')!) : null,
    sso,
  };
}

function parseCoos(value: Uint8Array | undefined): CertificateOfOwnership[] {
  if (value === undefined) return [];
  const r = new WireReader(value, 0, 'COO');
  const coos: CertificateOfOwnership[] = [];
  while (r.remaining > 0) {
    const coo = readCoo(r);
    if (coos.length < MAX_COOS) coos.push(coo);
  }
  return coos;
}

function parseSpecialists(value: Uint8Array | undefined): ParsedSpecialist[] {
  if (value === undefined) return [];
  const r = new WireReader(value, 0, 'specialists');
  const out: ParsedSpecialist[] = [];
  while (r.remaining >= 8 && out.length < MAX_SPECIALISTS) {
    const v = r.u64('specialist');
    out.push({
      address: (v & 0xffffffffffn).toString(16).padStart(10, '0'),
      activeBridge: (v & SPECIALIST_ACTIVE_BRIDGE) !== 0n,
      anchor: (v & SPECIALIST_ANCHOR) !== 0n,
      multicastReplicator: (v & SPECIALIST_MULTICAST_REPLICATOR) !== 0n,
    });
  }
  return out;
}

function parseRoutes(value: Uint8Array | undefined): ParsedRoute[] {
  if (value === undefined) return [];
  const routes: ParsedRoute[] = [];
  let p = 0;
  while (p < value.length && routes.length < MAX_ROUTES) {
    const target = decodeInetAddress(value, p);
    p += target.length;
    const via = decodeInetAddress(value, p);
    p += via.length;
    const r = new WireReader(value, p, 'route');
    const flags = r.u16('route flags');
    const metric = r.u16('route metric');
    p = r.offset;
    if (target.address === null) throw new Error('route without a target address');
    routes.push({ target: text(target.address), via: via.address?.ip ?? null, flags, metric });
  }
  return routes;
}

function parseStaticIps(value: Uint8Array | undefined): string[] {
  if (value === undefined) return [];
  const ips: string[] = [];
  let p = 0;
  while (p < value.length && ips.length < MAX_STATIC_IPS) {
    const { address, length } = decodeInetAddress(value, p);
    p += length;
    if (address !== null) ips.push(text(address));
  }
  return ips;
}

function parseDns(value: Uint8Array): { domain: string; servers: string[] } {
  if (value.length < DNS_DOMAIN_FIELD) throw new Error(`DNS value truncated: ${value.length} bytes`);
  const field = value.subarray(0, DNS_DOMAIN_FIELD - 1); // clients force the last byte to NUL
  const nul = field.indexOf(0);
  const domain = new TextDecoder().decode(nul < 0 ? field : field.subarray(0, nul));
  const servers: string[] = [];
  let p = DNS_DOMAIN_FIELD;
  for (let i = 0; i < 4; i++) {
    const { address, length } = decodeInetAddress(value, p);
    p += length;
    if (address !== null) servers.push(address.ip);
  }
  return { domain, servers };
}
