// Shared inputs for the config builder and worker pool tests: the recorded controller identity and
// a network/member pair with as many routes as asked (scattered, so they hardly compress).
import { readFileSync } from 'node:fs';
import { newMember } from '../../core/member/member-defaults.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import { newNetwork } from '../../core/network/network-defaults.ts';
import { Identity } from '../identity.ts';
import { sharedPath } from '../test-vectors.ts';
import type { BuildRequest } from './config-builder.ts';

export const controller = Identity.parse(
  readFileSync(sharedPath('zerotier', 'run-baseline/controller-identity.secret'), 'utf8'),
);
export const memberIdentity = Identity.parse(
  readFileSync(sharedPath('zerotier', 'run-baseline/member-identity.public'), 'utf8'),
);

function scatter(i: number, salt: number): number {
  return (Math.imul(i * 2654435761 + salt * 40503, 2246822519) >>> 24) & 0xff;
}

export function sampleRequest(routeCount = 1): BuildRequest {
  const network: NetworkRecord = {
    ...newNetwork(`${controller.address}000001`, 1_700_000_000_000),
    name: 'builder-test',
    // Scattered /32s with scattered gateways: hardly compressible, like a real big table.
    routes: Array.from({ length: routeCount }, (_, i) => ({
      target:
        i === 0 ? '10.0.0.0/8' : `${scatter(i, 1)}.${scatter(i, 2)}.${scatter(i, 3)}.${scatter(i, 4)}/32`,
      via: i === 0 ? null : `10.${scatter(i, 5)}.${scatter(i, 6)}.${1 + (scatter(i, 7) % 250)}`,
    })),
    v4AssignMode: { zt: true },
  };
  const member = {
    ...newMember(network.id, memberIdentity.address, 0),
    authorized: true,
    identity: memberIdentity.toString(false),
    ipAssignments: ['10.1.2.3'],
  };
  return {
    network,
    member,
    routes: network.routes,
    activeBridges: [],
    rulesEngineSupported: true,
    now: 1_700_000_123_456,
    updateId: 0x1234n,
  };
}
