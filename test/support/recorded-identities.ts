// Recorded identities with their secrets (../shared/zerotier), so tests never have to generate one.
import { readFileSync } from 'node:fs';
import { Identity } from '../../src/protocol/identity.ts';
import type { RootPeer } from '../../src/protocol/node/index.ts';
import { sharedFile, sharedJson } from '../helpers/shared-vectors.ts';

const vectors = sharedJson<{ identities: { address: string; secretString: string }[] }>(
  'identity-vectors.json',
);

function fromSecretFile(run: string): Identity {
  return Identity.parse(readFileSync(sharedFile(run, 'member-identity.secret'), 'utf8'));
}

/** Every distinct recorded identity that has its secret (identity-vectors.json and each run's member-identity.secret). */
export const recordedIdentities: Identity[] = (() => {
  const all = [
    ...vectors.identities.map((v) => Identity.parse(v.secretString)),
    fromSecretFile('run-baseline'),
    fromSecretFile('run-noaes-proto11'),
  ];
  const byAddress = new Map<string, Identity>();
  for (const id of all) if (!byAddress.has(id.address)) byAddress.set(id.address, id);
  return [...byAddress.values()];
})();

/** Recorded identities usable as members of a controller (all but the controller's own). */
export function memberIdentities(controllerAddress: string): Identity[] {
  return recordedIdentities.filter((id) => id.address !== controllerAddress);
}

/** The controller as the only root of a member, on 127.0.0.1 (what the test controller binds). */
export function controllerRoot(controller: { identity: Identity; udpPorts: { ipv4?: number } }): RootPeer {
  const port = controller.udpPorts.ipv4;
  if (port === undefined) throw new Error('the controller has no IPv4 UDP port');
  return { identity: controller.identity.withoutPrivate(), endpoints: [{ ip: '127.0.0.1', port }] };
}
