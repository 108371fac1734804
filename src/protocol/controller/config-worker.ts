// Worker-thread side of config-worker-pool.ts: builds and signs config packets with the controller
// identity it was started with, so signing and encoding use another core while the event loop keeps
// receiving and sending. Each worker keeps its own young credentials (a member re-requesting within
// minutes costs one chunk signature, not three).
import { parentPort, workerData } from 'node:worker_threads';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import { Identity } from '../identity.ts';
import { CredentialCache } from '../netconf/credential-cache.ts';
import { ConfigTemplates } from './config-templates.ts';
import {
  buildConfigPackets,
  type BuilderState,
  type BuildRequest,
  type ConfigFrame,
  type ConfigPacket,
  type PacketOptions,
} from './config-builder.ts';

/** What a config is built from for one member, besides the network and the moment. */
export type MemberParts = Pick<BuildRequest, 'member' | 'routes' | 'addressRoutes' | 'activeBridges'>;

export interface ConfigWorkerRequest {
  id: number;
  networkId: string;
  /** Absent when this worker was sent that very record before (see config-worker-pool.ts). */
  network?: NetworkRecord;
  /** `<network id>/<member address>`. */
  memberKey: string;
  /** Absent when this worker was sent these very objects for the member before. */
  parts?: MemberParts;
  /** Forget every member's parts first (the pool stopped remembering what it sent). */
  forgetMembers?: true;
  rest: Omit<BuildRequest, 'network' | keyof MemberParts>;
  frame: ConfigFrame;
  options: PacketOptions;
}

export type ConfigWorkerResult =
  | { id: number; kind: 'built'; updateId: bigint; bytes: number; packets: ConfigPacket[] }
  | { id: number; kind: 'error'; message: string };

/**
 * Requests and results travel in batches (all the requests the event loop took in one turn): one
 * message and one thread wake-up per batch instead of per request.
 */
export type ConfigWorkerBatch = ConfigWorkerRequest[];
export type ConfigWorkerResponse = { kind: 'results'; results: ConfigWorkerResult[] } | { kind: 'ready' };

/** Results go back at most this many at a time, so the first of a long batch is not kept waiting. */
const RESULTS_PER_MESSAGE = 8;

const port = parentPort;
if (!port) throw new Error('config-worker.ts must be started as a worker thread (see config-worker-pool.ts)');
const secret = (workerData as { controllerSecret?: unknown } | null)?.controllerSecret;
if (typeof secret !== 'string') throw new Error('config worker started without the controller identity');
const controller = Identity.parse(secret);
if (!controller.hasPrivate()) throw new Error('config worker needs the controller secret');

/**
 * The network records this worker was sent, by id (the pool sends one again when it changed). Not
 * bounded here: the pool must be able to rely on it, and it holds one record per network served.
 */
const networks = new Map<string, NetworkRecord>();
/** Each member's parts as last sent (bounded by the pool, which says when to forget them). */
const members = new Map<string, MemberParts>();
const state: BuilderState = {
  networkKeys: new WeakMap(),
  requestKeys: new WeakMap(),
  credentials: new CredentialCache(),
  templates: new ConfigTemplates(),
};

function build(message: ConfigWorkerRequest, transfer: ArrayBuffer[]): ConfigWorkerResult {
  try {
    if (message.forgetMembers) members.clear();
    const network = message.network ?? networks.get(message.networkId);
    if (network === undefined) throw new Error(`network ${message.networkId} was never sent to this worker`);
    if (message.network !== undefined) networks.set(message.networkId, network);
    const parts = message.parts ?? members.get(message.memberKey);
    if (parts === undefined) throw new Error(`member ${message.memberKey} was never sent to this worker`);
    if (message.parts !== undefined) members.set(message.memberKey, parts);
    const request: BuildRequest = { ...message.rest, ...parts, network };
    const built = buildConfigPackets(controller, request, message.frame, message.options, state);
    for (const packet of built.packets) transfer.push(packet.payload.buffer as ArrayBuffer);
    return { id: message.id, kind: 'built', ...built };
  } catch (error) {
    return { id: message.id, kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (batch: ConfigWorkerBatch) => {
  let results: ConfigWorkerResult[] = [];
  let transfer: ArrayBuffer[] = [];
  for (const message of batch) {
    results.push(build(message, transfer));
    if (results.length === RESULTS_PER_MESSAGE) {
      port.postMessage({ kind: 'results', results } satisfies ConfigWorkerResponse, transfer);
      results = [];
      transfer = [];
    }
  }
  if (results.length > 0)
    port.postMessage({ kind: 'results', results } satisfies ConfigWorkerResponse, transfer);
});
port.postMessage({ kind: 'ready' } satisfies ConfigWorkerResponse);
