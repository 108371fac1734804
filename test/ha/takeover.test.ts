// Issue 6 acceptance: two controller processes on one PostgreSQL database. API writes flow through
// both; the leader is killed with SIGKILL mid-writes; the other takes over the UDP endpoint within
// 5 s, a TypeScript ZeroTier member keeps receiving configs (a route added after the takeover is
// pushed to it without a new join), and every acknowledged write is still there.
// ROUTEPLANE_HA_RUNS=10 repeats the whole scenario and prints median and max takeover times.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Identity } from '../../src/protocol/identity.ts';
import { generateIdentity } from '../../src/protocol/identity-pool.ts';
import {
  dropSchema,
  scratchSchemaName,
  TEST_DATABASE_URL,
} from '../../src/store/postgres/postgres-test-database.ts';
import { sharedFile } from '../helpers/shared-vectors.ts';
import { TsMember } from '../support/ts-member.ts';
import { ControllerProcess } from './controller-process.ts';

const RUNS = Number(process.env.ROUTEPLANE_HA_RUNS ?? 1);
const TAKEOVER_LIMIT_MS = 5000;

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function call(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-ZT1-Auth': token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

function randomMemberAddress(): string {
  for (;;) {
    const address = randomBytes(5).toString('hex');
    if (!address.startsWith('ff') && address !== '0000000000') return address;
  }
}

interface RunResult {
  takeoverMs: number;
  acknowledged: number;
  lost: number;
  routeAfterTakeoverMs: number;
}

async function oneRun(): Promise<RunResult> {
  const schema = scratchSchemaName();
  const dirs = [
    mkdtempSync(join(tmpdir(), 'routeplane-ha-a-')),
    mkdtempSync(join(tmpdir(), 'routeplane-ha-b-')),
  ];
  // The first process brings the recorded controller identity; the second gets it from the database.
  copyFileSync(sharedFile('run-baseline', 'controller-identity.secret'), join(dirs[0]!, 'identity.secret'));
  const udpPort = await freeUdpPort();
  const processes: ControllerProcess[] = [];
  let member: TsMember | undefined;
  try {
    const a = new ControllerProcess({ dataDir: dirs[0]!, databaseUrl: TEST_DATABASE_URL, schema, udpPort });
    processes.push(a);
    await a.started();
    await a.waitForLine(/ZeroTier UDP on/);
    const b = new ControllerProcess({ dataDir: dirs[1]!, databaseUrl: TEST_DATABASE_URL, schema, udpPort });
    processes.push(b);
    await b.started();
    await b.waitForLine(/following: another controller process leads/);
    const token = readFileSync(join(dirs[0]!, 'authtoken.secret'), 'utf8').trim();
    assert.equal(readFileSync(join(dirs[1]!, 'authtoken.secret'), 'utf8').trim(), token, 'one admin token');

    const status = await call(b.url, token, 'GET', '/status');
    const controllerIdentity = Identity.parse(status.body.publicIdentity as string);
    const created = await call(a.url, token, 'POST', '/controller/network', {
      name: 'ha',
      routes: [{ target: '10.77.0.0/24', via: null }],
    });
    assert.equal(created.status, 200);
    const nwid = created.body.id as string;
    // Written through one process, visible through the other at once.
    assert.equal((await call(b.url, token, 'GET', `/controller/network/${nwid}`)).body.name, 'ha');

    const identity = await generateIdentity();
    const authorized = await call(
      b.url,
      token,
      'POST',
      `/controller/network/${nwid}/member/${identity.address}`,
      {
        authorized: true,
        ipAssignments: ['10.77.0.10'],
      },
    );
    assert.equal(authorized.status, 200);
    member = await TsMember.create({
      identity,
      roots: [{ identity: controllerIdentity, endpoints: [{ ip: '127.0.0.1', port: udpPort }] }],
    });
    member.join(nwid);
    const first = await member.waitForConfig(nwid, 0, 15_000);
    assert.ok(
      member.assignedAddresses(nwid).some((a) => a.startsWith('10.77.0.10/')),
      `assigned ${JSON.stringify(member.assignedAddresses(nwid))}`,
    );
    // The leader's presence (last seen, physical address) reaches the database in 5 s batches; the
    // follower's GET /peer shows the member from there (UIs read online status from /peer).
    const peerDeadline = Date.now() + 15_000;
    for (;;) {
      const peers = await call(b.url, token, 'GET', '/peer');
      if ((peers.body as Array<{ address: string }>).some((p) => p.address === identity.address)) break;
      assert.ok(Date.now() < peerDeadline, `the follower's /peer never showed ${identity.address}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // Writes through both processes, and the leader killed in the middle of them.
    const acknowledged: string[] = [];
    let writing = true;
    const writer = (async () => {
      let turn = 0;
      while (writing) {
        const through = processes[turn++ % 2]!;
        if (!through.running) continue;
        const address = randomMemberAddress();
        try {
          const res = await call(
            through.url,
            token,
            'POST',
            `/controller/network/${nwid}/member/${address}`,
            {
              name: `write-${turn}`,
              authorized: turn % 3 === 0,
            },
          );
          if (res.status === 200) acknowledged.push(address);
        } catch {
          // The killed process: not acknowledged, so it may or may not have landed.
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 800));
    const killedAt = Date.now();
    a.kill('SIGKILL');
    const leading = await b.waitForLine(/now leading/, 15_000);
    const takeoverMs = leading.at - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 500));
    writing = false;
    await writer;

    // The member hears of a change made after the takeover, without joining again.
    const before = member.config(nwid)!.revision;
    const routeAt = Date.now();
    const routed = await call(b.url, token, 'POST', `/controller/network/${nwid}`, {
      routes: [
        { target: '10.77.0.0/24', via: null },
        { target: '10.78.0.0/16', via: '10.77.0.1' },
      ],
    });
    assert.equal(routed.status, 200);
    const after = await member.waitForConfig(nwid, before + 1, 15_000);
    const routeAfterTakeoverMs = Date.now() - routeAt;
    assert.ok(
      after.routes.some((r) => r.target === '10.78.0.0/16'),
      `the route reached the member: ${JSON.stringify(after.routes)}`,
    );
    assert.ok(first.revision < after.revision);

    // Every acknowledged write is there.
    const listed = await call(b.url, token, 'GET', `/controller/network/${nwid}/member`);
    const lost = acknowledged.filter((address) => !(address in listed.body));
    assert.deepEqual(lost, [], 'acknowledged writes lost');
    assert.ok(acknowledged.length > 10, `only ${acknowledged.length} writes were acknowledged`);
    return { takeoverMs, acknowledged: acknowledged.length, lost: lost.length, routeAfterTakeoverMs };
  } finally {
    await member?.stop();
    for (const p of processes) await p.stop();
    await dropSchema(schema);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

describe('high availability on PostgreSQL: two controller processes, the leader killed', () => {
  it(`takes over within ${TAKEOVER_LIMIT_MS} ms, keeps configs flowing, loses no acknowledged write (${RUNS} run(s))`, async () => {
    const results: RunResult[] = [];
    for (let run = 0; run < RUNS; run++) results.push(await oneRun());
    const times = results.map((r) => r.takeoverMs).sort((x, y) => x - y);
    const median = times[Math.floor((times.length - 1) / 2)]!;
    console.log(
      `ha: ${RUNS} run(s): takeover median ${median} ms, max ${times.at(-1)} ms; ` +
        `acknowledged writes ${results.map((r) => r.acknowledged).join(',')}, lost ${results.reduce((n, r) => n + r.lost, 0)}; ` +
        `route pushed after takeover in ${results.map((r) => r.routeAfterTakeoverMs).join(',')} ms`,
    );
    for (const r of results) assert.ok(r.takeoverMs <= TAKEOVER_LIMIT_MS, `takeover took ${r.takeoverMs} ms`);
  });
});
