// Runs identity validation and generation in worker threads (see identity-worker.ts) so the
// ~50 ms memory-hard hash never blocks the event loop. Idle workers are unref()'d so they never
// keep the process alive; closeIdentityWorkers() ends them for tests and shutdown.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker.ts';
import { constantTimeEqual } from './bytes.ts';
import { Identity, derivePublicKey, isReservedAddress } from './identity.ts';
import type { IdentityWorkerRequest, IdentityWorkerResponse } from './identity-worker.ts';

/** Thrown when more validations are waiting than the pool accepts; the caller should drop the packet. */
export class IdentityPoolBusyError extends Error {
  constructor(limit: number) {
    super(`identity validation queue is full (${limit} waiting)`);
    this.name = 'IdentityPoolBusyError';
  }
}

export interface IdentityPoolOptions {
  /** Worker threads at most (default: CPUs − 1, between 1 and 4). */
  size?: number;
  /** Requests allowed to wait for a free worker before new ones are refused (default 64). */
  maxQueue?: number;
  /** Remembered validation results (default 4096), so repeated HELLOs cost nothing. */
  cacheSize?: number;
}

type Job =
  { kind: 'validate'; address: string; publicKey: Uint8Array } | { kind: 'generate'; stop: Int32Array };

interface Task {
  job: Job;
  resolve(response: IdentityWorkerResponse): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

function startWorker(): Worker {
  return startModuleWorker(import.meta.url, './identity-worker');
}

export class IdentityWorkerPool {
  readonly size: number;
  private readonly maxQueue: number;
  private readonly cacheSize: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly cache = new Map<string, boolean>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private nextId = 1;

  constructor(options: IdentityPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, availableParallelism() - 1));
    this.maxQueue = options.maxQueue ?? 64;
    this.cacheSize = options.cacheSize ?? 4096;
  }

  /**
   * Same answer as `identity.locallyValidate()`, computed in a worker. Results are cached per
   * (address, public key); concurrent requests for one identity share a single computation.
   * Rejects with IdentityPoolBusyError when too many validations are already waiting.
   */
  async validate(identity: Identity): Promise<boolean> {
    if (isReservedAddress(identity.address)) return false;
    // Cheap (~1 ms) and keeps secrets out of the worker: a private key must match its public key.
    if (identity.privateKey && !constantTimeEqual(derivePublicKey(identity.privateKey), identity.publicKey))
      return false;
    const key = identity.toString(false);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    if (this.queue.length >= this.maxQueue) throw new IdentityPoolBusyError(this.maxQueue);
    const promise = this.run({
      kind: 'validate',
      address: identity.address,
      publicKey: identity.publicKey.slice(),
    })
      .then((response) => {
        if (response.kind === 'error') throw new Error(`identity validation failed: ${response.message}`);
        if (response.kind !== 'validate')
          throw new Error(`identity worker answered ${response.kind} to validate`);
        this.remember(key, response.valid);
        return response.valid;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /** A new identity with its private key; up to two workers race, the first to finish wins. */
  async generate(): Promise<Identity> {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const racers = Math.min(2, this.size);
    const attempts = Array.from({ length: racers }, () => this.run({ kind: 'generate', stop }));
    return new Promise<Identity>((resolve, reject) => {
      let settled = 0;
      let firstError: Error | undefined;
      const done = () => {
        if (++settled === racers)
          reject(firstError ?? new Error('identity generation was stopped without a result'));
      };
      for (const attempt of attempts) {
        attempt.then(
          (response) => {
            if (response.kind === 'generate' && response.secret !== null) {
              try {
                resolve(Identity.parse(response.secret));
              } catch (error) {
                firstError ??= error as Error;
              }
            } else if (response.kind === 'error') {
              firstError ??= new Error(`identity generation failed: ${response.message}`);
            }
            done();
          },
          (error: Error) => {
            Atomics.store(stop, 0, 1); // the others would never be collected: call them off
            firstError ??= error;
            done();
          },
        );
      }
    });
  }

  /** Terminates every worker; waiting and running requests reject. The pool can be used again. */
  async close(): Promise<void> {
    const error = new Error('identity workers were closed');
    for (const task of this.queue.splice(0)) task.reject(error);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.task?.reject(error);
      slot.task = undefined;
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private run(job: Job): Promise<IdentityWorkerResponse> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === undefined);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.ref(); // a pending answer must keep the process alive
      const request: IdentityWorkerRequest = { id: this.nextId++, ...task.job };
      slot.worker.postMessage(request);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker() };
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return; // already closed or already handled
      this.slots.splice(index, 1);
      slot.task?.reject(error);
      slot.task = undefined;
      this.pump(); // a replacement worker takes over the queue
    };
    slot.worker.on('message', (response: IdentityWorkerResponse) => {
      const task = slot.task;
      slot.task = undefined;
      slot.worker.unref();
      task?.resolve(response);
      this.pump();
    });
    slot.worker.on('error', (error) => fail(new Error(`identity worker crashed: ${error.message}`)));
    slot.worker.on('exit', (code) => fail(new Error(`identity worker exited unexpectedly (code ${code})`)));
    slot.worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private remember(key: string, valid: boolean): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, valid);
  }
}

let sharedPool: IdentityWorkerPool | undefined;

function pool(): IdentityWorkerPool {
  return (sharedPool ??= new IdentityWorkerPool());
}

/** Generates a new identity off the event loop (typically 0.3–1.5 s). */
export function generateIdentity(): Promise<Identity> {
  return pool().generate();
}

/** `identity.locallyValidate()` off the event loop, cached; see IdentityWorkerPool.validate. */
export function validateIdentity(identity: Identity): Promise<boolean> {
  return pool().validate(identity);
}

/** Ends the shared pool's workers (tests, shutdown); later calls start fresh workers. */
export async function closeIdentityWorkers(): Promise<void> {
  const current = sharedPool;
  sharedPool = undefined;
  await current?.close();
}
