// Worker-thread side of config-worker-pool.ts: builds and signs config packets with the controller
// identity it was started with, so signing and encoding use another core while the event loop keeps
// receiving and sending. Each worker keeps its own young credentials (a member re-requesting within
// minutes costs one chunk signature, not three).
import { parentPort, workerData } from 'node:worker_threads';
import { Identity } from '../identity.ts';
import { CredentialCache } from '../netconf/credential-cache.ts';
import { ConfigTemplates } from './config-templates.ts';
import {
  buildConfigPackets,
  type BuildRequest,
  type ConfigFrame,
  type ConfigPacket,
  type PacketOptions,
} from './config-builder.ts';

export interface ConfigWorkerRequest {
  id: number;
  request: BuildRequest;
  frame: ConfigFrame;
  options: PacketOptions;
}

export type ConfigWorkerResponse =
  | { id: number; kind: 'built'; updateId: bigint; bytes: number; packets: ConfigPacket[] }
  | { id: number; kind: 'error'; message: string }
  | { id: 0; kind: 'ready' };

const port = parentPort;
if (!port) throw new Error('config-worker.ts must be started as a worker thread (see config-worker-pool.ts)');
const secret = (workerData as { controllerSecret?: unknown } | null)?.controllerSecret;
if (typeof secret !== 'string') throw new Error('config worker started without the controller identity');
const controller = Identity.parse(secret);
if (!controller.hasPrivate()) throw new Error('config worker needs the controller secret');

const state = { credentials: new CredentialCache(), templates: new ConfigTemplates() };

port.on('message', (message: ConfigWorkerRequest) => {
  let response: ConfigWorkerResponse;
  const transfer = new Set<ArrayBuffer>();
  try {
    const built = buildConfigPackets(controller, message.request, message.frame, message.options, state);
    for (const packet of built.packets) transfer.add(packet.payload.buffer as ArrayBuffer);
    response = { id: message.id, kind: 'built', ...built };
  } catch (error) {
    response = {
      id: message.id,
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  port.postMessage(response, [...transfer]);
});
port.postMessage({ id: 0, kind: 'ready' } satisfies ConfigWorkerResponse);
