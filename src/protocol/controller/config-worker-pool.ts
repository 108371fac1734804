// Builds and signs config packets in worker threads (config-worker.ts), one per spare core, so a
// controller answers config requests with every core while its event loop only receives, decides
// and sends. Results are byte-identical to buildConfigPackets() in the calling thread for the same
// request (the caller fixes the update id) the first time a member's credentials are issued; later
// ones may reuse that thread's young credentials and the member's last dictionary (see
// credential-cache.ts, config-templates.ts). With no worker (one core, or before a worker has
// loaded) jobs are built in the calling thread. How many jobs may wait is the caller's business
// (see config-admission.ts); the pool hands each job to the least busy worker, posting the jobs of
// one event-loop turn together (one message and one thread wake-up per batch, both ways).
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../module-worker.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import type { IdentityWithPrivate } from '../identity.ts';
import { CredentialCache } from '../netconf/credential-cache.ts';
import { ConfigTemplates } from './config-templates.ts';
import {
  buildConfigPackets,
  type BuildRequest,
  type BuiltConfigPackets,
  type ConfigFrame,
  type PacketOptions,
} from './config-builder.ts';
import type {
  ConfigWorkerBatch,
  ConfigWorkerRequest,
  ConfigWorkerResponse,
  MemberParts,
} from './config-worker.ts';

export interface ConfigWorkerPoolOptions {
  controller: IdentityWithPrivate;
  /** Worker threads (default: CPUs − 1, at most 8); 0 builds everything in the calling thread. */
  size?: number;
  /**
   * When every worker already has this many jobs waiting, the calling thread builds the next one
   * itself (default Infinity: never — when the event loop is the bottleneck, and it usually is, a
   * worker's answers wait unread and it only looks busy).
   */
  inlineWhenQueued?: number;
  /** Members whose config parts a worker keeps (default 100,000; then it forgets them all). */
  maxSentMembers?: number;
  /** Called when a worker fails (it is replaced). */
  onWorkerError?: (error: Error) => void;
}

interface Job {
  resolve(built: BuiltConfigPackets): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  jobs: Map<number, Job>;
  /**
   * The network record last sent to this worker, per network: a request for the same record object
   * (the decision cache shares one per revision) goes without it and the worker uses its copy,
   * which saves copying the whole network into the worker for every config.
   */
  sent: Map<string, NetworkRecord>;
  /**
   * Likewise the member record, routes and bridges last sent per member: unchanged (the decision
   * cache and the route memo hand out the same objects until something changes), they stay behind.
   */
  sentMembers: Map<string, MemberParts>;
  /** Requests of this event-loop turn, posted together when the turn's I/O callbacks are done. */
  batch: ConfigWorkerBatch;
}

/** Networks remembered per worker at most (then it is sent whole again). */
const MAX_SENT_NETWORKS = 1000;
/** Members remembered per worker at most (then the worker is told to forget them all). */
const DEFAULT_MAX_SENT_MEMBERS = 100_000;

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** CPUs minus one for the event loop, between 0 and 8. */
export function defaultConfigWorkers(): number {
  return Math.max(0, Math.min(8, availableParallelism() - 1));
}

export class ConfigWorkerPool {
  readonly size: number;
  private readonly controller: IdentityWithPrivate;
  private readonly slots: Slot[] = [];
  private readonly onWorkerError?: (error: Error) => void;
  private readonly inlineWhenQueued: number;
  private readonly maxSentMembers: number;
  private nextId = 1;
  /** Young credentials for the jobs built in the calling thread. */
  private readonly inlineState = { credentials: new CredentialCache(), templates: new ConfigTemplates() };
  /** Jobs built in the calling thread (no worker ready, or all of them busy). */
  builtInline = 0;
  private closed = false;

  constructor(options: ConfigWorkerPoolOptions) {
    this.controller = options.controller;
    this.size = Math.max(0, options.size ?? defaultConfigWorkers());
    this.onWorkerError = options.onWorkerError;
    this.inlineWhenQueued = options.inlineWhenQueued ?? Infinity;
    this.maxSentMembers = Math.max(1, options.maxSentMembers ?? DEFAULT_MAX_SENT_MEMBERS);
    for (let i = 0; i < this.size; i++) this.slots.push(this.startSlot());
  }

  /** Jobs handed to workers and not answered yet. */
  get inFlight(): number {
    let n = 0;
    for (const slot of this.slots) n += slot.jobs.size;
    return n;
  }

  /** Workers that have loaded and take jobs. */
  get readyWorkers(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  /** Builds in a worker (the least busy ready one), or here when none is ready or all are busy. */
  build(request: BuildRequest, frame: ConfigFrame, options: PacketOptions = {}): Promise<BuiltConfigPackets> {
    if (this.closed) return Promise.reject(new Error('config worker pool is closed'));
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.ready && (!best || slot.jobs.size < best.jobs.size)) best = slot;
    }
    if (!best || best.jobs.size >= this.inlineWhenQueued) {
      this.builtInline++;
      try {
        return Promise.resolve(
          buildConfigPackets(this.controller, request, frame, options, this.inlineState),
        );
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    const slot = best;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      const { network, member, routes, addressRoutes, activeBridges, ...rest } = request;
      const knownNetwork = slot.sent.get(network.id) === network;
      if (!knownNetwork) {
        if (slot.sent.size >= MAX_SENT_NETWORKS) slot.sent.clear();
        slot.sent.set(network.id, network);
      }
      const memberKey = `${network.id}/${member.address}`;
      const last = slot.sentMembers.get(memberKey);
      const knownMember =
        last !== undefined &&
        last.member === member &&
        last.routes === routes &&
        last.addressRoutes === addressRoutes &&
        sameStrings(last.activeBridges, activeBridges);
      let forgetMembers: true | undefined;
      if (!knownMember) {
        if (slot.sentMembers.size >= this.maxSentMembers) {
          slot.sentMembers.clear();
          forgetMembers = true;
        }
        slot.sentMembers.set(memberKey, { member, routes, addressRoutes, activeBridges });
      }
      const message: ConfigWorkerRequest = {
        id,
        networkId: network.id,
        network: knownNetwork ? undefined : network,
        memberKey,
        parts: knownMember ? undefined : { member, routes, addressRoutes, activeBridges },
        forgetMembers,
        rest,
        frame,
        options,
      };
      if (slot.batch.length === 0) setImmediate(() => this.flush(slot));
      slot.batch.push(message);
    });
  }

  private flush(slot: Slot): void {
    const batch = slot.batch;
    if (batch.length === 0) return;
    slot.batch = [];
    slot.worker.postMessage(batch);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) this.failJobs(slot, new Error('config worker pool closed'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private startSlot(): Slot {
    const worker = startModuleWorker(import.meta.url, './config-worker', {
      controllerSecret: this.controller.toString(true),
    });
    worker.unref(); // never keeps the process alive; close() ends it
    const slot: Slot = {
      worker,
      ready: false,
      jobs: new Map(),
      sent: new Map(),
      sentMembers: new Map(),
      batch: [],
    };
    worker.on('message', (response: ConfigWorkerResponse) => {
      if (response.kind === 'ready') {
        slot.ready = true;
        return;
      }
      for (const result of response.results) {
        const job = slot.jobs.get(result.id);
        if (!job) continue;
        slot.jobs.delete(result.id);
        if (result.kind === 'built') {
          job.resolve({ updateId: result.updateId, bytes: result.bytes, packets: result.packets });
        } else job.reject(new Error(`config worker: ${result.message}`));
      }
    });
    const replace = (error: Error) => {
      slot.ready = false;
      this.failJobs(slot, error);
      const index = this.slots.indexOf(slot);
      if (this.closed || index < 0) return;
      this.onWorkerError?.(error);
      void slot.worker.terminate();
      this.slots[index] = this.startSlot();
    };
    worker.on('error', replace);
    worker.on('exit', (code) => replace(new Error(`config worker exited with code ${code}`)));
    return slot;
  }

  private failJobs(slot: Slot, error: Error): void {
    slot.batch = [];
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const job of jobs) job.reject(error);
  }
}
