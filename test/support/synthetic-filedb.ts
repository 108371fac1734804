// A synthetic zerotier-one controller home of any size, in the exact shapes zerotier-one 1.14 writes
// (keys sorted, compact JSON): the recorded run-baseline controller identity, N networks under it,
// M members each with a unique address, a pinned identity, an IP in the network's route, every
// tenth member deauthorized and every seventh tagged. For import tests and bench:import.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFile } from '../helpers/shared-vectors.ts';

export const SYNTHETIC_CONTROLLER = 'f8ea0e7924';

export interface SyntheticHomeOptions {
  networks: number;
  membersPerNetwork: number;
}

export interface SyntheticHome {
  home: string;
  networkIds: string[];
  /** Member files written, over all networks. */
  members: number;
  authorized: number;
}

export function syntheticNetworkId(n: number): string {
  return `${SYNTHETIC_CONTROLLER}${(n + 1).toString(16).padStart(6, '0')}`;
}

export function syntheticMemberAddress(n: number, i: number): string {
  return (0x1000000000 + n * 0x100000 + i).toString(16);
}

/** Member i's IP in network n: 10.n.x.y, unique for i < 65,024 (.0 and .255 never used). */
export function syntheticMemberIp(n: number, i: number): string {
  return `10.${n}.${Math.floor(i / 254)}.${(i % 254) + 1}`;
}

function networkJson(n: number): Record<string, unknown> {
  const id = syntheticNetworkId(n);
  return {
    authTokens: [null],
    authorizationEndpoint: '',
    capabilities: [],
    clientId: '',
    creationTime: 1795270931911 + n,
    dns: { domain: `net${n}.example`, servers: [`10.${n}.0.1`] },
    enableBroadcast: true,
    id,
    ipAssignmentPools: [{ ipRangeEnd: `10.${n}.255.254`, ipRangeStart: `10.${n}.0.1` }],
    mtu: 2800,
    multicastLimit: 32,
    name: `synthetic-${n}`,
    nwid: id,
    objtype: 'network',
    private: true,
    remoteTraceLevel: 0,
    remoteTraceTarget: null,
    revision: 3 + n,
    routes: [
      { target: `10.${n}.0.0/16`, via: null },
      { target: '192.168.0.0/16', via: `10.${n}.0.1` },
    ],
    rules: [{ not: false, or: false, type: 'ACTION_ACCEPT' }],
    rulesSource: '',
    ssoEnabled: false,
    tags: [{ default: null, id: 1 }],
    v4AssignMode: { zt: true },
    v6AssignMode: { '6plane': false, rfc4193: true, zt: false },
  };
}

function memberJson(n: number, i: number): Record<string, unknown> {
  const address = syntheticMemberAddress(n, i);
  const nwid = syntheticNetworkId(n);
  const authorized = i % 10 !== 9;
  return {
    activeBridge: false,
    address,
    authenticationExpiryTime: 0,
    authorized,
    capabilities: [],
    creationTime: 1795270936668 + i,
    id: address,
    identity: `${address}:0:${address.repeat(13).slice(0, 128)}`,
    ipAssignments: [syntheticMemberIp(n, i)],
    lastAuthorizedCredential: null,
    lastAuthorizedCredentialType: 'api',
    lastAuthorizedTime: 1795270937379 + i,
    lastDeauthorizedTime: authorized ? 0 : 1795270999999,
    name: `member-${n}-${i}`,
    noAutoAssignIps: false,
    nwid,
    objtype: 'member',
    remoteTraceLevel: 0,
    remoteTraceTarget: null,
    revision: 3,
    ssoExempt: false,
    tags: i % 7 === 0 ? [[1, i % 5]] : [],
    vMajor: 1,
    vMinor: 14,
    vProto: 12,
    vRev: 1,
  };
}

/** Writes the home (identity.secret, identity.public, controller.d/) into `home`. */
export function writeSyntheticHome(home: string, options: SyntheticHomeOptions): SyntheticHome {
  mkdirSync(home, { recursive: true });
  copyFileSync(sharedFile('run-baseline', 'controller-identity.secret'), join(home, 'identity.secret'));
  copyFileSync(sharedFile('run-baseline', 'controller-identity.public'), join(home, 'identity.public'));
  const networksDir = join(home, 'controller.d', 'network');
  const networkIds: string[] = [];
  let authorized = 0;
  for (let n = 0; n < options.networks; n++) {
    const id = syntheticNetworkId(n);
    networkIds.push(id);
    const membersDir = join(networksDir, id, 'member');
    mkdirSync(membersDir, { recursive: true });
    writeFileSync(join(networksDir, `${id}.json`), JSON.stringify(networkJson(n)));
    for (let i = 0; i < options.membersPerNetwork; i++) {
      const json = memberJson(n, i);
      if (json.authorized === true) authorized++;
      writeFileSync(join(membersDir, `${json.id as string}.json`), JSON.stringify(json));
    }
  }
  return { home, networkIds, members: options.networks * options.membersPerNetwork, authorized };
}
