// Takeover of a real zerotier-one 1.14 controller, in network namespaces (see lab.ts):
//   rp-zt<pid>-ctl  first zerotier-one as the controller (and the only root of a private planet),
//                   then, after `routeplane import` of its home, `routeplane serve` with the same
//                   identity on the same address
//   rp-zt<pid>-a    a zerotier-one member that joined and was authorized on the stock controller
// The member must keep its IPs and routes, never re-join, and take a route added through
// Routeplane's API.
//
// Needs root (ip netns) and a zerotier-one binary:
//   ZEROTIER_ONE=/path/to/zerotier-one node --import tsx --test test/interop/takeover.test.ts
// Without ZEROTIER_ONE the whole file is skipped. INTEROP_KEEP=1 keeps the temp dir (logs, homes).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { stockMemberJson } from '../../src/core/member/member-json.ts';
import { stockNetworkJson } from '../../src/core/network/network-json.ts';
import { BINARY, skipReason } from './interop-env.ts';
import { Lab, mustRun, type LabProcess } from './lab.ts';
import { ROUTEPLANE_BIN, RouteplaneProcess, dataDirIn } from './routeplane-process.ts';
import { since, waitFor } from './wait.ts';
import { ZT_PORT, ZeroTierMember } from './zerotier-member.ts';

const POOL = { ipRangeStart: '10.147.17.10', ipRangeEnd: '10.147.17.100' };
const SUBNET = { target: '10.147.17.0/24', via: null };
const GATEWAY = '10.147.17.1';
const VIA_ROUTE = { target: '10.200.0.0/16', via: GATEWAY };
const ADDED_ROUTE = { target: '10.99.0.0/16', via: GATEWAY };
const viaLine = (route: { target: string }) => `${route.target} via ${GATEWAY} proto static metric 5000`;

describe(
  'takeover of a zerotier-one controller: members keep their config and never re-join',
  { skip: skipReason() },
  () => {
    let root: string;
    let lab: Lab;
    let ztHome: string;
    let stock: LabProcess | undefined;
    let rp: RouteplaneProcess;
    let member: ZeroTierMember;
    let nwid: string;
    let dev: string;
    let memberPid: number | undefined;
    /** What the member had under the stock controller. */
    let onStock: {
      addresses: string[];
      kernelAddresses: string[];
      kernelRoutes: string[];
      record: Record<string, unknown>;
    };
    const timings: Record<string, number | string> = {};

    /** The stock controller's local API, called from inside its namespace. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
    async function stockApi(method: string, path: string, body?: unknown): Promise<any> {
      const token = readFileSync(join(ztHome, 'authtoken.secret'), 'utf8').trim();
      const argv = ['curl', '-sS', '--fail-with-body', '-X', method, '-H', `X-ZT1-Auth: ${token}`];
      if (body !== undefined) argv.push('-d', JSON.stringify(body));
      const out = await lab.exec(lab.controller.ns, [...argv, `http://127.0.0.1:${ZT_PORT}${path}`]);
      return JSON.parse(out) as unknown;
    }

    async function explain(error: unknown): Promise<never> {
      const parts = [error instanceof Error ? (error.stack ?? error.message) : String(error)];
      for (const proc of [stock, rp?.process, member?.process]) {
        if (proc) parts.push(`--- ${proc.name} (${proc.logFile}) ---\n${proc.tail(25)}`);
      }
      if (member)
        parts.push(`--- member listnetworks ---\n${JSON.stringify(await member.networks().catch(String))}`);
      const samples = await rp?.metrics('routeplane_').catch(() => undefined);
      if (samples) {
        const counters = [...samples].filter(([name]) =>
          /udp_(dropped|received|sent)|config_requests/.test(name),
        );
        parts.push(
          `--- controller counters ---\n${counters.map(([name, value]) => `${name} ${value}`).join('\n')}`,
        );
      }
      throw new Error(parts.join('\n'));
    }
    const guarded =
      (body: (t: TestContext) => Promise<void>) =>
      async (t: TestContext): Promise<void> => {
        try {
          await body(t);
        } catch (error) {
          await explain(error);
        }
      };

    before(async () => {
      await Lab.removeStale();
      root = mkdtempSync(join(tmpdir(), 'routeplane-interop-takeover-'));
      lab = new Lab(1);
      await lab.create();
      rp = new RouteplaneProcess(lab, dataDirIn(root), join(root, 'routeplane.log'));
      // A private planet whose root is the controller's identity: the stock controller is that root
      // first, Routeplane after the takeover (same identity, same address).
      const planetFile = join(root, 'planet');
      await rp.writePlanet(planetFile, `${lab.controller.ip}/${ZT_PORT}`);
      ztHome = join(root, 'zerotier-controller');
      mkdirSync(ztHome, { mode: 0o700 });
      for (const file of ['identity.secret', 'identity.public'])
        copyFileSync(join(rp.dataDir, file), join(ztHome, file));
      copyFileSync(planetFile, join(ztHome, 'planet'));
      writeFileSync(
        join(ztHome, 'local.conf'),
        JSON.stringify({
          settings: {
            primaryPort: ZT_PORT,
            portMappingEnabled: false,
            allowSecondaryPort: false,
            allowTcpFallbackRelay: false,
          },
        }),
      );
      stock = lab.spawn(
        'zerotier-one controller',
        lab.controller.ns,
        [BINARY!, '-U', `-p${ZT_PORT}`, ztHome],
        join(root, 'zerotier-controller.log'),
      );
      await waitFor(
        'the stock controller API',
        async () => {
          if (!stock!.running) throw new Error(`zerotier-one exited:\n${stock!.tail()}`);
          try {
            return (await stockApi('GET', '/controller')).controller === true;
          } catch {
            return false;
          }
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      member = new ZeroTierMember(lab, lab.members[0]!, 'member-a', BINARY!, join(root, 'member-a'));
      await member.start(planetFile);
    });

    after(async () => {
      if (Object.keys(timings).length > 0)
        process.stdout.write(`interop takeover timings: ${JSON.stringify(timings)}\n`);
      await lab?.destroy();
      if (root && process.env.INTEROP_KEEP !== '1') rmSync(root, { recursive: true, force: true });
      else if (root) process.stdout.write(`interop: kept ${root}\n`);
    });

    it(
      'on the stock controller: a network, a joined and authorized member with its IP and via route',
      guarded(async (t) => {
        const address = readFileSync(join(ztHome, 'identity.public'), 'utf8').slice(0, 10);
        const network = await stockApi('POST', `/controller/network/${address}______`, {
          name: 'takeover',
          private: true,
          v4AssignMode: { zt: true },
          ipAssignmentPools: [POOL],
          routes: [SUBNET, VIA_ROUTE],
        });
        nwid = network.id;
        assert.equal(await member.join(nwid), '200 join OK');
        await waitFor(
          'the member in the stock member list',
          async () => member.address in (await stockApi('GET', `/controller/network/${nwid}/member`)),
          { timeoutMs: 30_000, intervalMs: 250 },
        );
        await stockApi('POST', `/controller/network/${nwid}/member/${member.address}`, {
          authorized: true,
          name: 'member-a',
        });
        const config = await waitFor(
          'the member OK with an address and the via route in its kernel',
          async () => {
            const n = await member.network(nwid);
            if (n?.status !== 'OK' || n.assignedAddresses.length === 0) return undefined;
            return (await member.kernelRoutes(n.portDeviceName)).includes(viaLine(VIA_ROUTE)) ? n : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 250 },
        );
        dev = config.portDeviceName;
        memberPid = member.process?.child.pid;
        // The stock controller writes its FileDB files on change; the member record has its IP once
        // the member's request assigned it.
        const record = await waitFor(
          'the member record with its IP',
          async () => {
            const r = await stockApi('GET', `/controller/network/${nwid}/member/${member.address}`);
            return r.ipAssignments.length > 0 ? (r as Record<string, unknown>) : undefined;
          },
          { timeoutMs: 10_000 },
        );
        onStock = {
          addresses: config.assignedAddresses,
          kernelAddresses: await member.kernelAddresses(dev),
          kernelRoutes: await member.kernelRoutes(dev),
          record,
        };
        t.diagnostic(
          `stock controller ${address}, network ${nwid}, member ${member.address} at ${onStock.addresses.join(', ')}`,
        );
      }),
    );

    it(
      'the stock controller stops; its home is imported; Routeplane serves the same network and member',
      guarded(async (t) => {
        await stock!.stop();
        const started = performance.now();
        const out = await mustRun(
          process.execPath,
          [ROUTEPLANE_BIN, 'import', '--from', ztHome, '--data-dir', rp.dataDir],
          120_000,
        );
        timings['import (ms)'] = since(started);
        assert.match(out, /Imported 1 network and 1 member /);
        assert.match(out, /planet: .* is already .*this controller is its root, as before/);
        t.diagnostic(out.trim().split('\n').slice(-4).join(' | '));

        await rp.start();
        assert.equal(rp.address, nwid.slice(0, 10), 'the same controller address');
        const files = join(ztHome, 'controller.d', 'network');
        const network = await rp.api('GET', `/controller/network/${nwid}`);
        assert.equal(
          JSON.stringify(stockNetworkJson(network)),
          readFileSync(join(files, `${nwid}.json`), 'utf8'),
        );
        const record = await rp.api('GET', `/controller/network/${nwid}/member/${member.address}`);
        assert.equal(
          JSON.stringify(stockMemberJson(record)),
          readFileSync(join(files, nwid, 'member', `${member.address}.json`), 'utf8'),
        );
        assert.deepEqual(record.ipAssignments, onStock.record.ipAssignments);
        assert.equal(record.identity, member.identityPublic());
      }),
    );

    it(
      'the member comes to Routeplane by itself and keeps its IPs and routes, without re-joining',
      guarded(async (t) => {
        const started = performance.now();
        // Its next config request (at most 60 s after its last config) is AES-encrypted for the old
        // zerotier-one: Routeplane answers it with a HELLO (the member's identity is pinned on its
        // imported record), the member falls back to Salsa20/12 and its next request gets through.
        await waitFor(
          'the member seen by Routeplane (HELLO or config request)',
          async () =>
            (await rp.api('GET', `/controller/network/${nwid}/member/${member.address}`)).online === true,
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        timings['Routeplane start → member online (ms)'] = since(started);
        const n = await member.network(nwid);
        assert.equal(n?.status, 'OK');
        assert.equal(n?.portDeviceName, dev, 'the same ZeroTier device: the network was never left');
        assert.deepEqual(n?.assignedAddresses, onStock.addresses);
        assert.deepEqual(await member.kernelAddresses(dev), onStock.kernelAddresses);
        assert.deepEqual(await member.kernelRoutes(dev), onStock.kernelRoutes);
        assert.equal(member.process?.child.pid, memberPid, 'the same zerotier-one process');
        assert.ok(member.process?.running);
        t.diagnostic(
          `online after ${timings['Routeplane start → member online (ms)']} ms; addresses ${onStock.kernelAddresses.join(', ')}`,
        );
      }),
    );

    it(
      "a route added through Routeplane's API reaches the member's kernel",
      guarded(async (t) => {
        const posted = performance.now();
        const network = await rp.api('POST', `/controller/network/${nwid}`, {
          routes: [SUBNET, VIA_ROUTE, ADDED_ROUTE],
        });
        assert.equal(network.routes.length, 3);
        await waitFor(
          `${ADDED_ROUTE.target} installed`,
          async () => (await member.kernelRoutes(dev)).includes(viaLine(ADDED_ROUTE)),
          { timeoutMs: 10_000, intervalMs: 20 },
        );
        timings['route add → installed (ms)'] = since(posted);
        const routes = await member.kernelRoutes(dev);
        assert.ok(routes.includes(viaLine(VIA_ROUTE)), 'the old via route is still there');
        assert.deepEqual(await member.kernelAddresses(dev), onStock.kernelAddresses, 'and the address');
        const n = await member.network(nwid);
        assert.equal(n?.status, 'OK');
        assert.equal(n?.portDeviceName, dev);
        t.diagnostic(`installed after ${timings['route add → installed (ms)']} ms`);
      }),
    );
  },
);
