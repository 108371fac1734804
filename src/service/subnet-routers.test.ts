import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { ControllerService } from './controller-service.ts';
import { eventually } from './test-support.ts';

const CONTROLLER = 'f8ea0e7924';
const [R1, R2, M1] = ['1111111111', '2222222222', '3333333333'];
const PREFIX = '192.168.50.0/24';

describe('subnet routers in the service: standby forms and withdraw-first', () => {
  let dir: string;
  let store: Store;
  let service: ControllerService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-routers-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
    service = new ControllerService({ store, controllerAddress: CONTROLLER });
  });
  afterEach(async () => {
    await service.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A network with `extra` manual routes, two approved routers of PREFIX (R1 slot 0, R2 slot 1), a member. */
  async function setUp(extra: number, prefix = PREFIX): Promise<string> {
    const routes = [{ target: '10.5.0.0/24', via: null }];
    for (let i = 0; i < extra; i++) routes.push({ target: `10.200.${i}.0/24`, via: '10.5.0.1' as never });
    const net = (await service.createNetwork({ name: 'routers', routes })).id;
    await service.upsertMember(net, R1, { authorized: true, ipAssignments: ['10.5.0.11'] });
    await service.upsertMember(net, R2, { authorized: true, ipAssignments: ['10.5.0.12'] });
    await service.upsertMember(net, M1, { authorized: true, ipAssignments: ['10.5.0.13'] });
    for (const router of [R1, R2]) {
      await service.routers.advertise(net, router, { prefixes: [prefix], metric: 100 }, 'api');
      await service.routers.approve(net, { member: router, prefix }, 'api', true);
    }
    return net;
  }

  const sent = async (net: string, prefixStart: string) =>
    (await service.memberRoutes(net, M1)).routes
      .filter((r) => r.target.startsWith(prefixStart))
      .map((r) => `${r.target} via ${r.via}`);

  const kill = (address: string) => {
    const now = Date.now();
    service.routers.noteHealth(address, { kind: 'miss', at: now });
    service.routers.noteHealth(address, { kind: 'miss', at: now + 1 });
  };

  it("a failover to the deeper form keeps the old primary's form beneath it (standby)", async () => {
    const net = await setUp(0);
    assert.deepEqual(await sent(net, '192.168.50.'), ['192.168.50.0/24 via 10.5.0.11']);
    kill(R1);
    const routes = await eventually(
      'the failover',
      () => sent(net, '192.168.50.'),
      (r) => r.length === 3,
    );
    assert.deepEqual(routes, [
      '192.168.50.0/24 via 10.5.0.11',
      '192.168.50.0/25 via 10.5.0.12',
      '192.168.50.128/25 via 10.5.0.12',
    ]);
    const view = (await service.routesReport(net)).advertised[0]!;
    assert.deepEqual(
      view.routers.map((r) => [r.member, r.primary, r.standby, r.health]),
      [
        [R1, false, true, 'down'],
        [R2, true, false, 'healthy'],
      ],
    );
  });

  it('near the route limit a failover still happens: standby forms are left out rather than the move refused', async () => {
    // 1 + 125 manual routes + the primary's prefix = 127; after the failover the halves (2) fit the
    // 128-route limit, the halves plus the standby prefix (3) would not.
    const net = await setUp(125);
    assert.deepEqual(await sent(net, '192.168.50.'), ['192.168.50.0/24 via 10.5.0.11']);
    kill(R1);
    const routes = await eventually(
      'the failover',
      () => sent(net, '192.168.50.'),
      (r) => r.length > 0 && !r[0]!.endsWith('.11'),
    );
    assert.deepEqual(routes, ['192.168.50.0/25 via 10.5.0.12', '192.168.50.128/25 via 10.5.0.12']);
    assert.equal((await service.memberRoutes(net, M1)).routes.length, 128);
    const refused = await store.listEvents({ networkId: net, typePrefix: 'route.limit-rejected' });
    assert.deepEqual(refused, []);
  });

  it('the default route changes router: withdrawn first, sent via the backup once the pushes went out', async () => {
    const net = await setUp(0, '0.0.0.0/0');
    let pushing = true;
    service.pushActivity = () => pushing;
    assert.deepEqual(await sent(net, '0.0.0.0'), ['0.0.0.0/0 via 10.5.0.11']);
    kill(R1);
    await eventually(
      'withdrawn',
      () => sent(net, '0.0.0.0'),
      (r) => r.length === 0,
    );
    const report = (await service.routesReport(net)).advertised[0]!;
    assert.deepEqual(report.withdrawn, ['0.0.0.0/0']);
    // Pushes of the withdrawal still going out: the route stays withdrawn past the hold.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await sent(net, '0.0.0.0'), []);
    pushing = false;
    assert.deepEqual(
      await eventually(
        're-added',
        () => sent(net, '0.0.0.0'),
        (r) => r.length === 1,
      ),
      ['0.0.0.0/0 via 10.5.0.12'],
    );
    const events = await store.listEvents({ networkId: net, typePrefix: 'route.withdrawn-first' });
    assert.equal(events.length, 1);
    assert.match(events[0]!.reason, /0\.0\.0\.0\/0 change router: withdrawn first/);
  });
});
