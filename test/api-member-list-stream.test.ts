// The streamed full member list must be byte for byte what the whole-object handler answered:
// JSON.stringify({ data: members.map(memberToJson), meta: { authorizedCount, totalCount } }).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { memberToJson } from '../src/core/member/member-json.ts';

/** The network has no ipamSubnet, so every member carries the IPAM variables as null. */
const NO_IPAM = { ipamSubnet: null, ipamChildSubnet: null };
import { ControllerService } from '../src/service/controller-service.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { buildApi } from '../src/api/server.ts';
import { memberListChunks } from '../src/api/compat/member-list-stream.ts';

const CONTROLLER = 'f8ea0e7924';
const NOW = 1_800_000_000_000;
const TOKEN = 'list-stream-test-token';

describe('streamed full member list', () => {
  let dir: string;
  let store: Store;
  let service: ControllerService;
  let app: FastifyInstance;
  let nwid: string;
  let emptyNwid: string;

  /** The body the list had before it was streamed: one object, serialised whole. */
  async function wholeObject(networkId: string): Promise<string> {
    const network = await service.getNetwork(networkId);
    const members = await service.listMembers(networkId);
    const data = members.map((member) => memberToJson(member, network, NOW, NO_IPAM));
    const authorized = members.filter((member) => member.authorized).length;
    return JSON.stringify({ data, meta: { authorizedCount: authorized, totalCount: data.length } });
  }

  const get = (path: string) => app.inject({ method: 'GET', url: path, headers: { 'x-zt1-auth': TOKEN } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-list-stream-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
    let random = 0x10;
    service = new ControllerService({
      store,
      controllerAddress: CONTROLLER,
      clock: () => NOW,
      randomBelow: () => random++,
    });
    app = await buildApi({
      service,
      token: TOKEN,
      publicIdentity: `${CONTROLLER}:0:${'ab'.repeat(64)}`,
      udpPort: 9993,
      version: 'test',
      clock: () => NOW,
    });
    nwid = (
      await service.createNetwork({
        name: 'stream "quoted" \u00e9\u2603',
        v4AssignMode: { zt: true },
        v6AssignMode: { rfc4193: true, '6plane': true, zt: false },
        routes: [{ target: '10.9.0.0/16', via: null }],
        ipAssignmentPools: [{ ipRangeStart: '10.9.0.1', ipRangeEnd: '10.9.255.254' }],
      })
    ).id;
    emptyNwid = (await service.createNetwork({})).id;
    for (let i = 0; i < 25; i++) {
      const address = (0xa0000000a0 + i * 977).toString(16);
      await service.upsertMember(nwid, address, {
        authorized: i % 3 !== 0,
        name: i % 4 === 0 ? `m\u00fcnster-${i} "x"\n` : undefined,
        tags: i % 5 === 0 ? [[1, i]] : [],
      });
      if (i % 2 === 0) service.notePresence(nwid, address, NOW - i * 1000, `192.0.2.${i}/9993`);
    }
  });

  after(async () => {
    await app.close();
    await service.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the same bytes and content type as the whole object', async () => {
    const response = await get(`/unstable/controller/network/${nwid}/member`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    const expected = await wholeObject(nwid);
    assert.equal(response.body, expected);
    const parsed = JSON.parse(response.body) as { data: unknown[]; meta: { authorizedCount: number } };
    assert.equal(parsed.data.length, 25);
    assert.equal(parsed.meta.authorizedCount, 16);
  });

  it('is the same over many small pages, and for an empty network', async () => {
    const network = await service.getNetwork(nwid);
    for (const pageSize of [1, 2, 7, 25, 26]) {
      let body = '';
      for await (const chunk of memberListChunks(
        service.memberPages(nwid, pageSize),
        network,
        NOW,
        () => NO_IPAM,
      ))
        body += chunk;
      assert.equal(body, await wholeObject(nwid), `page size ${pageSize}`);
    }
    const empty = await get(`/unstable/controller/network/${emptyNwid}/member`);
    assert.equal(empty.statusCode, 200);
    assert.equal(empty.body, '{"data":[],"meta":{"authorizedCount":0,"totalCount":0}}');
    assert.equal(empty.body, await wholeObject(emptyNwid));
  });

  it('an unknown network is a 404 before any byte of the list', async () => {
    const response = await get(`/unstable/controller/network/${CONTROLLER}ffffff/member`);
    assert.equal(response.statusCode, 404);
    assert.match(JSON.parse(response.body).error as string, /network/);
  });

  it('GET member answers the member with its network-derived fields', async () => {
    const address = (0xa0000000a0).toString(16);
    const response = await get(`/controller/network/${nwid}/member/${address}`);
    assert.equal(response.statusCode, 200);
    const network = await service.getNetwork(nwid);
    const member = (await service.listMembers(nwid)).find((candidate) => candidate.address === address)!;
    assert.equal(response.body, JSON.stringify(memberToJson(member, network, NOW, NO_IPAM)));
    assert.equal((await get(`/controller/network/${nwid}/member/bbbbbbbbbb`)).statusCode, 404);
    assert.equal((await get(`/controller/network/${CONTROLLER}ffffff/member/${address}`)).statusCode, 404);
  });
});
