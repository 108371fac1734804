// The controller as an ordinary node behind a root it does not run (PROTOCOL-NOTES §2.9, case b):
// it HELLOs the planet's root, members find it by asking that root (WHOIS) and reach it through the
// root's relay, and the controller learns the members' identities from the root in turn.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startController, type RunningController } from '../src/main.ts';
import { ZeroTierNode } from '../src/protocol/node/index.ts';
import { generateWorldSigningKey } from '../src/protocol/world-signing-key.ts';
import { encodeWorld, randomWorldId, signWorld } from '../src/protocol/world.ts';
import { recordedIdentities } from './support/recorded-identities.ts';
import { TsMember } from './support/ts-member.ts';
import { sharedFile } from './helpers/shared-vectors.ts';

describe('controller behind a separate root', () => {
  let dataDir: string;
  let root: ZeroTierNode;
  let controller: RunningController;
  let member: TsMember;
  let api: (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'routeplane-behind-root-'));
    copyFileSync(sharedFile('run-baseline', 'controller-identity.secret'), join(dataDir, 'identity.secret'));
    const [rootIdentity, memberIdentity] = recordedIdentities.filter((id) => id.address !== 'f8ea0e7924');
    assert.ok(rootIdentity && memberIdentity);

    root = new ZeroTierNode({
      identity: rootIdentity,
      port: 0,
      bind: { ipv4: '127.0.0.1', ipv6: false },
      isRoot: true,
    });
    await root.start();
    const rootPeer = {
      identity: rootIdentity.withoutPrivate(),
      endpoints: [{ ip: '127.0.0.1', port: root.boundPorts.ipv4! }],
    };
    const key = generateWorldSigningKey();
    const planet = signWorld(
      {
        type: 'planet',
        id: randomWorldId(),
        timestamp: BigInt(Date.now()),
        updatesMustBeSignedBy: key.publicKey,
        roots: [{ identity: rootPeer.identity, endpoints: rootPeer.endpoints }],
      },
      key,
    );
    const planetFile = join(dataDir, 'upstream.planet');
    writeFileSync(planetFile, encodeWorld(planet));

    controller = await startController({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      udpPort: 0,
      udpBind: '127.0.0.1',
      planetFile,
      logger: pino({ level: 'silent' }),
    });
    api = async (method, path, body) => {
      const res = await fetch(controller.url + path, {
        method,
        headers: { 'X-ZT1-Auth': controller.token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(res.ok, `${method} ${path}: ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    };
    member = await TsMember.create({
      identity: memberIdentity,
      roots: [rootPeer],
      requestInterval: 1500,
      retryInterval: 500,
    });
  });

  after(async () => {
    await member?.stop();
    await controller?.close();
    await root?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('follows the planet instead of acting as a root, and HELLOs the root', async () => {
    assert.equal(controller.topology.isRoot, false);
    const deadline = Date.now() + 5000;
    while (!root.peer(controller.identity.address) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(root.peer(controller.identity.address), 'the root learned the controller from its HELLO');
    const peers = (await fetch(`${controller.url}/peer`, {
      headers: { 'X-ZT1-Auth': controller.token },
    }).then((r) => r.json())) as Array<{ address: string; role: string }>;
    assert.equal(peers.find((p) => p.address === root.address)?.role, 'PLANET');
  });

  it('a member that only knows the root joins, is authorized and gets its config and route pushes', async () => {
    const network = await api('POST', '/controller/network', {
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.77.0.10', ipRangeEnd: '10.77.0.200' }],
      routes: [{ target: '10.77.0.0/24', via: null }],
    });
    const nwid = network.id as string;
    await member.join(nwid);
    await member.waitForStatus(nwid, 'ACCESS_DENIED', 10_000);
    const record = await api('GET', `/controller/network/${nwid}/member/${member.address}`);
    assert.equal(
      record.identity,
      member.identity.toString(false),
      'the controller learned the member through the root',
    );

    await api('POST', `/controller/network/${nwid}/member/${member.address}`, { authorized: true });
    await member.waitForStatus(nwid, 'OK', 10_000);
    const ips = (await api('GET', `/controller/network/${nwid}/member/${member.address}`))
      .ipAssignments as string[];
    assert.deepEqual(member.assignedAddresses(nwid), [`${ips[0]}/24`]);

    await api('POST', `/controller/network/${nwid}`, {
      routes: [
        { target: '10.77.0.0/24', via: null },
        { target: '10.78.0.0/16', via: '10.77.0.1' },
      ],
    });
    await member.waitForRoute(nwid, '10.78.0.0/16', '10.77.0.1', 5000);
  });
});
