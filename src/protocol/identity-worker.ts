// Worker-thread side of identity-pool.ts: the memory-hard hash takes ~50 ms, so validation and
// generation run here instead of blocking the event loop. Private keys never travel to this
// thread for validation; a generated secret travels back once, as a string.
import { parentPort } from 'node:worker_threads';
import { Identity } from './identity.ts';
import { searchIdentity } from './identity-generate.ts';

export type IdentityWorkerRequest =
  | { id: number; kind: 'validate'; address: string; publicKey: Uint8Array }
  /** `stop` is shared by racing workers: non-zero means another worker already found one. */
  | { id: number; kind: 'generate'; stop: Int32Array };

export type IdentityWorkerResponse =
  | { id: number; kind: 'validate'; valid: boolean }
  | { id: number; kind: 'generate'; secret: string | null }
  | { id: number; kind: 'error'; message: string };

function handle(request: IdentityWorkerRequest): IdentityWorkerResponse {
  if (request.kind === 'validate') {
    return {
      id: request.id,
      kind: 'validate',
      valid: new Identity(request.address, request.publicKey).locallyValidate(),
    };
  }
  const { stop } = request;
  const found = searchIdentity(undefined, () => Atomics.load(stop, 0) !== 0);
  // Claim the win atomically: only the first finisher reports a secret.
  const won = found !== undefined && Atomics.compareExchange(stop, 0, 0, 1) === 0;
  return { id: request.id, kind: 'generate', secret: won ? found.toString(true) : null };
}

const port = parentPort;
if (!port) throw new Error('identity-worker.ts must be started as a worker thread (see identity-pool.ts)');
port.on('message', (request: IdentityWorkerRequest) => {
  let response: IdentityWorkerResponse;
  try {
    response = handle(request);
  } catch (error) {
    response = {
      id: request.id,
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  port.postMessage(response);
});
