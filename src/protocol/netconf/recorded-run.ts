// Test helper: the inputs and outputs of the recorded run-noaes-proto11 (a stock 1.14.1 controller
// and one member) as Routeplane records, so tests can rebuild what stock sent.
import { readFileSync } from 'node:fs';
import { applyMemberUpdate } from '../../core/member/member-update.ts';
import { newMember } from '../../core/member/member-defaults.ts';
import type { MemberRecord } from '../../core/member/member-types.ts';
import { newNetwork } from '../../core/network/network-defaults.ts';
import { applyNetworkUpdate } from '../../core/network/network-update.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import { Identity } from '../identity.ts';
import { hexToBytes, readSharedJson, sharedPath } from '../test-vectors.ts';

const RUN = 'zerotier/run-noaes-proto11';

export interface RecordedDict {
  file: string;
  hex: string;
  text: string;
}

export interface RecordedPacket {
  label: string;
  plainHex: string;
  inRePacketId?: string;
  netconfChunk?: Record<string, unknown>;
  ncr?: { nwid: string; metaDataText: string; haveRevision: string; haveTimestamp: string };
  error?: { inReVerb: string; inRePacketId: string; code: number; rest: string };
}

export interface NetconfVectors {
  files: RecordedDict[];
  parsedLastSeenOnWire: {
    keys: string[];
    routes: { target: string; via: string | null; flags: number; metric: number }[];
    staticIps: string[];
    com: { qualifiers: { id: string; value: string; maxDelta: string }[]; signedBy: string };
    coo: { things: number; issuedTo: string };
    rulesHex: string;
    dns: { domain: string; servers: string[] };
    [key: string]: unknown;
  };
}

export const netconfVectors = (): NetconfVectors =>
  readSharedJson<NetconfVectors>('zerotier', 'netconf-vectors.json');

export const packetVectors = (): { packets: RecordedPacket[]; networkId: string } =>
  readSharedJson('zerotier', 'packet-vectors.json');

/** A recorded packet by (a prefix of) its label; throws when absent so tests cannot pass vacuously. */
export function recordedPacket(labelPrefix: string): RecordedPacket {
  const packet = packetVectors().packets.find((p) => p.label.startsWith(labelPrefix));
  if (!packet) throw new Error(`no recorded packet labelled "${labelPrefix}…"`);
  return packet;
}

/** The verb payload of a recorded packet: everything after the 28-byte header. */
export function recordedPayload(labelPrefix: string): Uint8Array {
  return hexToBytes(recordedPacket(labelPrefix).plainHex).subarray(28);
}

function readIdentity(name: string): Identity {
  return Identity.parse(readFileSync(sharedPath(RUN, name), 'utf8'));
}

export const controllerIdentity = (): Identity => readIdentity('controller-identity.secret');
export const memberIdentity = (): Identity => readIdentity('member-identity.public');

/** The network as stored by stock at `revision` 1 (FileDB) or 2 (after the route POST). */
export function recordedNetwork(revision: 1 | 2): NetworkRecord {
  const json = readSharedJson<
    Record<string, unknown> & { id: string; creationTime: number; revision: number }
  >(RUN, revision === 1 ? 'controller.d/network/6951fba29ad56e51.json' : 'api-network-post-add-route.json');
  if (json.revision !== revision) throw new Error(`expected revision ${revision}, file has ${json.revision}`);
  return { ...applyNetworkUpdate(newNetwork(json.id, json.creationTime), json), revision: json.revision };
}

export function recordedMember(): MemberRecord {
  const json = readSharedJson<
    Record<string, unknown> & { nwid: string; address: string; creationTime: number }
  >(RUN, 'controller.d/network/6951fba29ad56e51/member/d0246ddebd.json');
  return applyMemberUpdate(newMember(json.nwid, json.address, json.creationTime), json, json.creationTime);
}

/** The recorded dictionaries with the ts/r/updateId they were built with. */
export function recordedDicts(): { dict: RecordedDict; ts: number; revision: 1 | 2; updateId: bigint }[] {
  return netconfVectors().files.map((dict) => {
    const text = Buffer.from(hexToBytes(dict.hex)).toString('latin1');
    const ts = Number.parseInt(/\nts=([0-9a-f]+)/.exec(text)![1]!, 16);
    const revision = Number.parseInt(/\nr=([0-9a-f]+)/.exec(text)![1]!, 16) as 1 | 2;
    const updateId = BigInt(`0x${/-([0-9a-f]{16})\.dict$/.exec(dict.file)![1]!}`);
    return { dict, ts, revision, updateId };
  });
}
