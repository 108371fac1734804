// Subnet routers (issue 5, item 5 and its acceptance "with real clients") against unmodified
// zerotier-one members in network namespaces (see lab.ts). Seven ZeroTier nodes and three LANs:
//
//   router-1 (rp-zt<pid>-a) 10.150.0.1 ── lan0 192.168.50.1/24 ── rp-zt<pid>-x: LAN host 192.168.50.10
//   router-2 (rp-zt<pid>-b) 10.150.0.2 ── lan0 192.168.50.1/24 ── rp-zt<pid>-y: LAN host 192.168.50.10
//   router-3 (rp-zt<pid>-c) 10.150.0.3 ── lan0 192.168.50.1/24 ── rp-zt<pid>-z: LAN host 192.168.50.10
//   member-1..4 (rp-zt<pid>-d..g) 10.150.0.11..14
//
// Every router forwards (ip_forward=1) and advertises 192.168.50.0/24; its LAN host has a default
// route back through it. The three LANs use the same addresses (three sites of one HA prefix), so
// which router carried a ping shows in the ICMP counters of its LAN host. What the cases establish
// is written up in FINDINGS.md §9:
//   1. router-1 and router-2 advertise, both approved: members install the prefix via the primary,
//      in the primary's target form (slot 0: the prefix, slot 1: halves, slot 2: quarters); routers
//      get no route to their own prefix.
//   2. A config push reaches each member once and is not passed on between members (stock sends
//      configs without the fast-propagate flag; with it, 1.14.1 members flood every chunk onwards).
//   3. The primary's zerotier-one is killed: every member's kernel route moves to the backup; the
//      time is measured (target ≤ 5 s) from the kernel tables, `ip monitor route` and pings.
//   4. The old primary comes back: no flap (the backup stays primary, kernel tables unchanged).
//   5. The new primary's namespace link is cut: members move back (halves → whole prefix); the link
//      returns: no flap.
//   6. Spread mode with three routers: members are divided; killing one moves only its members.
// Each move reports: when the controller decided, when each member's kernel changed first (its new
// config arrived), when the kernel sent LAN traffic via the new router, and every ping gap. The
// client removes old targets before it adds new ones, one second each, forwarding nothing meanwhile
// (FINDINGS.md §9), so members are also sent the shallower routers' forms beneath the chosen one
// (standby): a move then only adds routes, or only removes the dead router's.
//
//   ZEROTIER_ONE=/path/to/zerotier-one node --import tsx --test --test-reporter=spec test/interop/subnet-routers.test.ts
// Needs root and ping (iputils-ping). INTEROP_KEEP=1 keeps the temp dir (logs, homes).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { BINARY, skipReason } from './interop-env.ts';
import { Lab, mustRun, run, type LabProcess } from './lab.ts';
import { RouteplaneProcess, dataDirIn } from './routeplane-process.ts';
import { waitFor } from './wait.ts';
import { lines, ZeroTierMember } from './zerotier-member.ts';

const PREFIX = '192.168.50.0/24';
const SUBNET = '10.150.0.0/24';
const LAN_GW = '192.168.50.1';
const LAN_HOST = '192.168.50.10';
/** Both ends of the LAN: a move that removes targets one by one reaches them at different times. */
const LAN_ENDS = [LAN_HOST, '192.168.50.200'];
/** The acceptance target: every member's kernel route on the backup this long after the stop. */
const TARGET_MS = 5000;
/** How long a "no flap" window watches the members' kernel tables. */
const QUIET_MS = 8000;

/** The targets a router holding `slot` is sent for 192.168.50.0/24: the prefix split 2^slot ways. */
function formOf(slot: number): string[] {
  const bits = 24 + slot;
  const step = 256 >> slot;
  return Array.from({ length: 1 << slot }, (_, i) => `192.168.50.${i * step}/${bits}`);
}

/** The kernel lines (`ip -4 route show dev zt…`) of a member routing the prefix via `router`. */
function kernelLinesVia(router: Node, slot: number): string[] {
  return formOf(slot)
    .map((t) => `${t} via ${router.ip} proto static metric 5000`)
    .sort();
}

interface Node {
  zt: ZeroTierMember;
  ip: string;
  /** The ZeroTier device on the test network. */
  dev: string;
  /** Routers: the namespace of the LAN host behind it. */
  lanNs?: string;
}

/** One line of `ip -4 monitor route` about the prefix, with the wall-clock time it arrived. */
interface RouteEvent {
  at: number;
  line: string;
}

/** `ip -4 monitor route` in a member's namespace: the kernel's own account of every route change. */
class RouteMonitor {
  readonly events: RouteEvent[] = [];
  private buffer = '';
  proc?: LabProcess;

  constructor(
    readonly lab: Lab,
    readonly node: Node,
    readonly logFile: string,
  ) {}

  start(): void {
    this.proc = this.lab.spawn(
      `monitor-${this.node.zt.name}`,
      this.node.zt.ns,
      ['ip', '-4', 'monitor', 'route'],
      this.logFile,
    );
    this.proc.child.stdout?.on('data', (chunk: Buffer) => {
      const at = Date.now();
      this.buffer += chunk.toString('utf8');
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      for (const line of parts) if (line.includes('192.168.50.')) this.events.push({ at, line: line.trim() });
    });
  }

  since(t: number): RouteEvent[] {
    return this.events.filter((e) => e.at >= t);
  }
}

/**
 * Polls what one member holds (`listnetworks -j`: netconfRevision and the prefix's routes) and what
 * the controller says it is sent (`GET …/members/<addr>/routes`), recording every change with its
 * wall-clock time, until stopped.
 */
class ConfigTimeline {
  readonly client: string[] = [];
  readonly controller: string[] = [];
  private running = true;
  private done: Promise<void> = Promise.resolve();

  constructor(
    readonly t0: () => number,
    private readonly clientProbe: () => Promise<string>,
    private readonly controllerProbe: () => Promise<string>,
  ) {}

  start(): void {
    const loop = async (probe: () => Promise<string>, out: string[]) => {
      let last = '';
      while (this.running) {
        const value = await probe().catch((e: unknown) => `error ${String(e).slice(0, 80)}`);
        if (value !== last) out.push(`+${Date.now() - this.t0()} ${value}`);
        last = value;
        await sleep(40);
      }
    };
    this.done = Promise.all([
      loop(this.clientProbe, this.client),
      loop(this.controllerProbe, this.controller),
    ]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** What `measureMove` saw. */
interface Move {
  result: Record<string, unknown>;
  /** ms from the change until the last mover had the new route in its kernel. */
  lastMs: number;
  /** ms from the change until the last mover's kernel changed at all (its new config arrived). */
  configMs: number;
  /** Config pushes the controller sent meanwhile (its counter). */
  pushesSent: number;
  /** Where each mover went. */
  dest: Map<Node, Node>;
  /** How many targets the movers had to remove (the old form). */
  oldTargets: number;
}

/** What one background `ping -D` saw: reply times (ms, wall clock) and totals. */
interface PingTrace {
  member: string;
  sent: number;
  received: number;
  replies: number[];
  ttls: number[];
  output: string;
  /** When ping exited (ms, wall clock). */
  end: number;
}

describe('subnet routers with real zerotier-one members (issue 5)', { skip: skipReason() }, () => {
  let root: string;
  let planetFile: string;
  let lab: Lab;
  let rp: RouteplaneProcess;
  let nwid: string;
  let r1: Node, r2: Node, r3: Node;
  let routers: Node[];
  let members: Node[];
  let all: Node[];
  const monitors = new Map<Node, RouteMonitor>();
  const lanNamespaces: string[] = [];
  /** Background pollers to stop before the lab goes away. */
  const stopWatchers: Array<() => Promise<void>> = [];
  /** Measurements printed at the end (and written up in FINDINGS.md §9). */
  const report: Record<string, unknown> = {};

  const nameOf = (n: Node) => n.zt.name;
  const byAddress = (address: string) => all.find((n) => n.zt.address === address);

  /** The prefix's lines of a node's kernel table on the ZeroTier device, sorted. */
  async function prefixRoutes(n: Node): Promise<string[]> {
    const out = await n.zt.ip(['-4', 'route', 'show', 'dev', n.dev]);
    return lines(out)
      .filter((l) => l.startsWith('192.168.50.'))
      .sort();
  }

  /** The whole `ip -4 route show dev zt…` of a node, for the record. */
  async function table(n: Node): Promise<string> {
    return lines(await n.zt.ip(['-4', 'route', 'show', 'dev', n.dev])).join(' | ');
  }

  async function routesReport(): Promise<{
    primary: string | null;
    message: string;
    problems: string[];
    routers: Array<{
      member: string;
      slot: number;
      health: string;
      primary: boolean;
      approved: boolean;
      members?: number;
      via: string | null;
      reason: string | null;
    }>;
  }> {
    const body = await rp.api('GET', `/api/v1/networks/${nwid}/routes`);
    const prefix = body.advertised.find((p: { prefix: string }) => p.prefix === PREFIX);
    assert.ok(prefix, `the routes report lists ${PREFIX}: ${JSON.stringify(body.advertised)}`);
    return prefix;
  }

  async function slotOf(router: Node): Promise<number> {
    const row = (await routesReport()).routers.find((r) => r.member === router.zt.address);
    assert.ok(row, `${nameOf(router)} in the routes report`);
    return row.slot;
  }

  async function healthOf(router: Node): Promise<string | undefined> {
    return (await routesReport()).routers.find((r) => r.member === router.zt.address)?.health;
  }

  /**
   * The router a member is sent the prefix via, from `GET …/members/<addr>/routes`: the via of its
   * deepest routes (shallower ones are other routers' standby forms, beneath).
   */
  async function assignedRouter(member: Node): Promise<Node | undefined> {
    const body = await rp.api('GET', `/api/v1/networks/${nwid}/members/${member.zt.address}/routes`);
    const routes: Array<{ bits: number; via: string }> = body.routes
      .filter((r: { target: string }) => r.target.startsWith('192.168.50.'))
      .map((r: { target: string; via: string }) => ({ bits: Number(r.target.split('/')[1]), via: r.via }));
    const deepest = Math.max(...routes.map((r) => r.bits));
    const vias = new Set(routes.filter((r) => r.bits === deepest).map((r) => r.via));
    assert.ok(
      vias.size <= 1,
      `${nameOf(member)}'s deepest routes go via one router: ${[...vias].join(', ')}`,
    );
    const via = [...vias][0];
    return via === undefined ? undefined : routers.find((r) => r.ip === via);
  }

  /** Where the member's kernel sends both ends of the LAN (`ip route get`), e.g. `10.150.0.2`. */
  async function trafficVia(n: Node): Promise<string> {
    const vias = await Promise.all(
      LAN_ENDS.map(async (ip) => /\bvia (\S+)/.exec(await n.zt.ip(['-4', 'route', 'get', ip]))?.[1] ?? '-'),
    );
    return new Set(vias).size === 1 ? vias[0]! : vias.join('/');
  }

  /** Waits until `n`'s kernel sends LAN traffic via `router`; returns the wall-clock time it saw that. */
  async function settleOn(n: Node, router: Node, timeoutMs = 15_000): Promise<number> {
    let last = '';
    try {
      await waitFor(
        `${nameOf(n)} via ${nameOf(router)}`,
        async () => (last = await trafficVia(n)) === router.ip,
        { timeoutMs, intervalMs: 50 },
      );
    } catch {
      assert.equal(last, router.ip, `${nameOf(n)}: LAN traffic via ${nameOf(router)} (${await table(n)})`);
    }
    return Date.now();
  }

  /** Waits until `n`'s prefix lines are exactly `want`; returns the wall-clock time it saw them. */
  async function settle(n: Node, want: string[], timeoutMs = 15_000): Promise<number> {
    let last: string[] = [];
    try {
      await waitFor(
        `${nameOf(n)}: ${JSON.stringify(want)}`,
        async () => {
          last = await prefixRoutes(n);
          return JSON.stringify(last) === JSON.stringify(want);
        },
        { timeoutMs, intervalMs: 50 },
      );
    } catch {
      assert.deepEqual(last, want, `${nameOf(n)}: kernel routes for ${PREFIX} on ${n.dev}`);
    }
    return Date.now();
  }

  /** ICMP echo requests a namespace has received (`Icmp: InEchos` in its /proc/net/snmp). */
  async function inEchos(ns: string): Promise<number> {
    const text = await lab.exec(ns, ['cat', '/proc/net/snmp']);
    const icmp = lines(text).filter((l) => l.startsWith('Icmp:'));
    const names = icmp[0]!.split(/\s+/);
    const values = icmp[1]!.split(/\s+/);
    return Number(values[names.indexOf('InEchos')]);
  }

  /**
   * NETWORK_CONFIG packets a node's zerotier-one has received and sent, from the metrics file it
   * rewrites every 5 s in its home (`zt_packet{packet_type="network_config",direction=…}`).
   */
  function configPackets(n: Node): { rx: number; tx: number } {
    let text = '';
    try {
      text = readFileSync(join(n.zt.home, 'metrics.prom'), 'utf8');
    } catch {
      return { rx: Number.NaN, tx: Number.NaN };
    }
    const count = (direction: string) => {
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('zt_packet{') &&
            l.includes('packet_type="network_config"') &&
            l.includes(`direction="${direction}"`),
        );
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    return { rx: count('rx'), tx: count('tx') };
  }

  /** The controller's member record: `online` and `lastSeen` (its last config request). */
  async function presenceOf(n: Node): Promise<string> {
    const m = await rp.api('GET', `/controller/network/${nwid}/member/${n.zt.address}`);
    const ago =
      typeof m.lastSeen === 'number' ? `${Math.round((Date.now() - m.lastSeen) / 1000)} s ago` : 'never';
    return `online ${m.online}, last config request ${ago}`;
  }

  /** Pings the LAN host until one reply comes, then 3 more; returns the TTLs. */
  async function reachLan(from: Node): Promise<number[]> {
    await waitFor(
      `${nameOf(from)} → ${LAN_HOST}: a reply`,
      async () => (await from.zt.ping(LAN_HOST, { count: 1, waitS: 1 })).ok,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const result = await from.zt.ping(LAN_HOST, { count: 3, waitS: 2 });
    assert.ok(result.ok, `${nameOf(from)} → ${LAN_HOST}:\n${result.output}`);
    return result.ttls;
  }

  /** Which LAN host answers `from`'s pings: the one whose InEchos counter grows by exactly `count`. */
  async function answeringRouter(from: Node, count = 3): Promise<Node | undefined> {
    const before = await Promise.all(routers.map((r) => inEchos(r.lanNs!)));
    const result = await from.zt.ping(LAN_HOST, { count, waitS: 2 });
    assert.ok(result.ok, `${nameOf(from)} → ${LAN_HOST}:\n${result.output}`);
    assert.deepEqual(
      result.ttls,
      result.ttls.map(() => 63),
      'one router forwarded each reply',
    );
    const after = await Promise.all(routers.map((r) => inEchos(r.lanNs!)));
    const grew = routers.filter((_, i) => after[i]! - before[i]! >= count);
    assert.equal(grew.length, 1, `one LAN host answered ${nameOf(from)}: ${before} → ${after}`);
    return grew[0];
  }

  /** `ping -D -i 0.2` from each member to the LAN host for `seconds`, in the background. */
  function backgroundPings(from: Node[], seconds: number): Promise<PingTrace[]> {
    return Promise.all(
      from.map(async (n) => {
        const r = await lab.tryExec(
          n.zt.ns,
          ['ping', '-n', '-D', '-i', '0.2', '-W', '1', '-w', String(seconds), LAN_HOST],
          (seconds + 10) * 1000,
        );
        const replies = [...r.stdout.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from .* ttl=(\d+)/gm)];
        const totals = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
        return {
          member: nameOf(n),
          sent: Number(totals?.[1] ?? 0),
          received: Number(totals?.[2] ?? 0),
          replies: replies.map((m) => Math.round(Number(m[1]) * 1000)),
          ttls: replies.map((m) => Number(m[2])),
          end: Date.now(),
          output: r.stdout.split('\n').slice(-4).join('\n'),
        };
      }),
    );
  }

  /** The longest stretch without a reply around `t0` (last reply before it → first after it). */
  function outage(trace: PingTrace, t0: number): string {
    const replies = trace.replies.filter((t) => t >= t0 - 1500);
    const lost = `${trace.sent - trace.received} of ${trace.sent} lost`;
    if (replies.length === 0) return `no reply at all (${lost})`;
    let gap = 0;
    let from = replies[0]!;
    for (let i = 1; i < replies.length; i++) {
      if (replies[i]! - replies[i - 1]! > gap) {
        gap = replies[i]! - replies[i - 1]!;
        from = replies[i - 1]!;
      }
    }
    const last = replies[replies.length - 1]!;
    if (trace.end - last > Math.max(gap, 1500))
      return `no reply after +${last - t0} until the ping ended at +${trace.end - t0} (${lost})`;
    const gaps: string[] = [];
    for (let i = 1; i < replies.length; i++)
      if (replies[i]! - replies[i - 1]! >= 500)
        gaps.push(`${replies[i]! - replies[i - 1]!} from +${replies[i - 1]! - t0}`);
    return `${gap} from +${from - t0} (${lost}; every gap of 500 ms or more: ${gaps.join(', ')})`;
  }

  /** The latest `route.<type>` event of the network. */
  async function lastEvent(type: string): Promise<
    | {
        at: string;
        reason: string;
        data: { from: string | null; to: string | null; at: number; why: string; change: string };
      }
    | undefined
  > {
    const body = await rp.api('GET', `/api/v1/events?network=${nwid}&type=${type}&order=desc&limit=1`);
    return body.events[0];
  }

  /** Adds every node's table, the routes report and the controller's log tail to a failure. */
  const guarded =
    (body: (t: TestContext) => Promise<void>) =>
    async (t: TestContext): Promise<void> => {
      try {
        await body(t);
      } catch (error) {
        const parts = [error instanceof Error ? (error.stack ?? error.message) : String(error)];
        for (const n of all ?? []) {
          const s = await n.zt
            .network(nwid)
            .then(
              (x) =>
                `${x?.status} ${JSON.stringify(x?.assignedAddresses)} routes ${JSON.stringify(x?.routes.map((r) => `${r.target} via ${r.via}`))}`,
            )
            .catch((e: unknown) => String(e));
          const k = await table(n).catch((e: unknown) => String(e));
          const planned = await rp
            .api('GET', `/api/v1/networks/${nwid}/members/${n.zt.address}/routes`)
            .then(
              (b) =>
                `rev ${b.revision}: ${b.routes
                  .map((r: { target: string; via: string | null }) => `${r.target} via ${r.via}`)
                  .join(', ')}`,
            )
            .catch((e: unknown) => String(e));
          parts.push(
            `--- ${nameOf(n)} ${n.zt.address} ${n.ip}: ${s}\n    kernel: ${k}\n    controller plans: ${planned}`,
          );
        }
        parts.push(
          `--- routes report ---\n${JSON.stringify(await routesReport().catch((e: unknown) => String(e)))}`,
        );
        const samples = await rp.metrics('routeplane_').catch(() => new Map<string, number>());
        parts.push(
          `--- controller counters ---\n${[...samples]
            .filter(([k]) =>
              /udp_dropped|router_verdicts|router_health|eventloop_lag_(max|p99)|verb="(ECHO|OK)"/.test(k),
            )
            .map(([k, v]) => `${k} ${v}`)
            .join('\n')}`,
        );
        if (rp?.process) parts.push(`--- routeplane ---\n${rp.process.tail(20)}`);
        throw new Error(parts.join('\n'), { cause: error });
      }
    };

  before(async () => {
    if ((await run('sh', ['-c', 'command -v ping'])).code !== 0)
      throw new Error('these cases need ping in PATH (apt-get install iputils-ping)');
    await Lab.removeStale();
    root = mkdtempSync(join(tmpdir(), 'routeplane-routers-'));
    lab = new Lab(7);
    await lab.create();
    rp = new RouteplaneProcess(lab, dataDirIn(root), join(root, 'routeplane.log'));
    planetFile = join(root, 'planet');
    await rp.writePlanet(planetFile, `${lab.controller.ip}/9993`);
    await rp.start();
    const names = ['router-1', 'router-2', 'router-3', 'member-1', 'member-2', 'member-3', 'member-4'];
    const ips = [
      '10.150.0.1',
      '10.150.0.2',
      '10.150.0.3',
      '10.150.0.11',
      '10.150.0.12',
      '10.150.0.13',
      '10.150.0.14',
    ];
    all = lab.members.map((node, i) => ({
      zt: new ZeroTierMember(lab, node, names[i]!, BINARY!, join(root, names[i]!)),
      ip: ips[i]!,
      dev: '',
    }));
    routers = all.slice(0, 3);
    members = all.slice(3);
    [r1, r2, r3] = routers as [Node, Node, Node];

    // A LAN behind every router: lan0 192.168.50.1/24 ↔ a LAN host 192.168.50.10 in its own
    // namespace (named like the lab's, so Lab.removeStale also clears it after a crash).
    for (const [i, router] of routers.entries()) {
      const ns = `${lab.tag}-${'xyz'[i]}`;
      await run('ip', ['netns', 'del', ns]);
      await mustRun('ip', ['netns', 'add', ns]);
      lanNamespaces.push(ns);
      router.lanNs = ns;
      await lab.exec(ns, ['ip', 'link', 'set', 'lo', 'up']);
      await lab.exec(router.zt.ns, [
        'ip',
        'link',
        'add',
        'lan0',
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        ns,
      ]);
      await lab.exec(router.zt.ns, ['ip', 'addr', 'add', `${LAN_GW}/24`, 'dev', 'lan0']);
      // router-3 is a plain member until the spread case: with its LAN up, its own connected
      // 192.168.50.0/24 (metric 0) would beat the pushed /24 (metric 5000) but not pushed halves.
      if (router !== r3) await lab.exec(router.zt.ns, ['ip', 'link', 'set', 'lan0', 'up']);
      await lab.exec(router.zt.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
      await lab.exec(ns, ['ip', 'addr', 'add', `${LAN_HOST}/24`, 'dev', 'eth0']);
      await lab.exec(ns, ['ip', 'link', 'set', 'eth0', 'up']);
      await lab.exec(ns, ['ip', 'route', 'add', 'default', 'via', LAN_GW]);
    }

    await Promise.all(all.map((n) => n.zt.start(planetFile)));
    for (const n of all)
      await waitFor(`${nameOf(n)} ONLINE`, async () => (await n.zt.info()).online, { timeoutMs: 30_000 });

    const created = await rp.api('POST', `/controller/network/${rp.address}______`, {
      name: 'subnet-routers',
      private: true,
      v4AssignMode: { zt: false },
      v6AssignMode: { zt: false, rfc4193: false, '6plane': false },
      routes: [{ target: SUBNET, via: null }],
    });
    nwid = created.id;
    for (const n of all) await n.zt.join(nwid);
    await waitFor(
      'every node listed on the network',
      async () => {
        const list = await rp.api('GET', `/controller/network/${nwid}/member`);
        return all.every((n) => n.zt.address in list);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    for (const n of all)
      await rp.api('POST', `/controller/network/${nwid}/member/${n.zt.address}`, {
        authorized: true,
        ipAssignments: [n.ip],
      });
    for (const n of all) {
      const x = await waitFor(
        `${nameOf(n)}: OK with ${n.ip}`,
        async () => {
          const net = await n.zt.network(nwid);
          return net?.status === 'OK' && net.assignedAddresses.includes(`${n.ip}/24`) ? net : undefined;
        },
        { timeoutMs: 30_000 },
      );
      n.dev = x.portDeviceName;
      await waitFor(`${nameOf(n)}: ${n.ip} in the kernel`, async () =>
        (await n.zt.kernelAddresses(n.dev)).includes(`${n.ip}/24`),
      );
    }
    for (const n of all) {
      const monitor = new RouteMonitor(lab, n, join(root, `${nameOf(n)}-routes.log`));
      monitor.start();
      monitors.set(n, monitor);
    }
    report['zerotier-one -v'] = (await run(BINARY!, ['-v'])).stdout.trim();
    report.nodes = Object.fromEntries(all.map((n) => [nameOf(n), `${n.zt.address} ${n.ip}`]));
  });

  after(async () => {
    for (const stop of stopWatchers) await stop();
    process.stdout.write(`subnet routers interop: ${JSON.stringify(report, null, 1)}\n`);
    await lab?.destroy();
    for (const ns of lanNamespaces) await run('ip', ['netns', 'del', ns]);
    if (root && process.env.INTEROP_KEEP !== '1') rmSync(root, { recursive: true, force: true });
    else if (root) process.stdout.write(`interop: kept ${root}\n`);
  });

  /** Members (and routers not advertising) must have nothing for the prefix before approval. */
  it(
    'router-1 and router-2 advertise 192.168.50.0/24, both approved: members route via the primary, routers get no route to their own prefix',
    guarded(async (t) => {
      for (const r of [r1, r2]) {
        const res = await rp.api('PUT', `/api/v1/networks/${nwid}/members/${r.zt.address}/advertised`, {
          prefixes: [PREFIX],
          metric: 100,
        });
        assert.deepEqual(
          res.routes.map((x: { prefix: string; approved: boolean }) => [x.prefix, x.approved]),
          [[PREFIX, false]],
        );
      }
      await sleep(1000);
      for (const n of [...members, r3])
        assert.deepEqual(await prefixRoutes(n), [], `${nameOf(n)}: nothing before approval`);
      for (const r of [r1, r2]) {
        const ok = await rp.api('POST', `/api/v1/networks/${nwid}/routes/approve`, {
          member: r.zt.address,
          prefix: PREFIX,
        });
        assert.equal(ok.approved, true);
      }
      const view = await routesReport();
      t.diagnostic(
        `routes report: primary ${view.primary}; ${view.message}; problems ${JSON.stringify(view.problems)}`,
      );
      for (const r of view.routers)
        t.diagnostic(
          `  ${byAddress(r.member) ? nameOf(byAddress(r.member)!) : r.member}: slot ${r.slot} health ${r.health} primary ${r.primary} via ${r.via}`,
        );
      assert.equal(view.primary, r1.zt.address, 'the first one approved is the first primary');
      assert.equal(await slotOf(r1), 0);
      assert.equal(await slotOf(r2), 1);
      const want = kernelLinesVia(r1, 0);
      for (const n of [...members, r3]) await settle(n, want, 10_000);
      for (const r of [r1, r2]) {
        assert.deepEqual(await prefixRoutes(r), [], `${nameOf(r)}: no route to its own prefix on ${r.dev}`);
        const sent = await rp.api('GET', `/api/v1/networks/${nwid}/members/${r.zt.address}/routes`);
        assert.deepEqual(
          sent.routes.filter((x: { target: string }) => x.target.startsWith('192.168.50.')),
          [],
          `${nameOf(r)} is sent nothing for its own prefix`,
        );
        const get = await r.zt.ip(['-4', 'route', 'get', LAN_HOST]);
        assert.match(get, / dev lan0 /, `${nameOf(r)} reaches its LAN directly`);
      }
      for (const n of all) t.diagnostic(`${nameOf(n)} ${n.ip}: ${await table(n)}`);
      for (const m of members) {
        const ttls = await reachLan(m);
        assert.deepEqual(ttls, [63, 63, 63], `${nameOf(m)} → LAN host through one router`);
        assert.equal(await answeringRouter(m), r1, `${nameOf(m)} is answered by router-1's LAN`);
      }
      const platforms = await Promise.all(
        all.map(async (n) => {
          const b = await rp.api('GET', `/api/v1/networks/${nwid}/members/${n.zt.address}/routes`);
          const subnet = b.routes.find((r: { target: string }) => r.target === SUBNET);
          return `${nameOf(n)}: platform ${b.platform}, ${SUBNET} via ${subnet?.via}`;
        }),
      );
      t.diagnostic(`as the controller plans them: ${platforms.join('; ')}`);
      report['platform and on-link via after authorization'] = platforms;
      report.before = Object.fromEntries(
        await Promise.all(all.map(async (n) => [nameOf(n), await table(n)])),
      );
    }),
  );

  it(
    'a config push reaches each member once and members do not pass it on (no fast-propagate flag, as stock)',
    guarded(async (t) => {
      const before = new Map(all.map((n) => [n, configPackets(n)] as const));
      const name = 'subnet-routers-renamed';
      await rp.api('POST', `/controller/network/${nwid}`, { name });
      for (const n of all)
        await waitFor(
          `${nameOf(n)} applied the rename`,
          async () => (await n.zt.network(nwid))?.name === name,
        );
      await sleep(6000); // zerotier-one rewrites metrics.prom every 5 s
      const deltas = all.map((n) => {
        const a = configPackets(n);
        const b = before.get(n)!;
        return { node: nameOf(n), rx: a.rx - b.rx, tx: a.tx - b.tx };
      });
      t.diagnostic(
        `NETWORK_CONFIG packets per node for one push (received/sent): ${deltas.map((d) => `${d.node} ${d.rx}/${d.tx}`).join(', ')}`,
      );
      report['one push: NETWORK_CONFIG received/sent per node'] = Object.fromEntries(
        deltas.map((d) => [d.node, `${d.rx}/${d.tx}`]),
      );
      assert.deepEqual(
        deltas.filter((d) => d.tx !== 0 || d.rx !== 1),
        [],
        'every node received exactly its own push and sent no NETWORK_CONFIG onwards',
      );
    }),
  );

  /**
   * Runs `act` (a router stops or returns) and measures how `movers` follow: each one's kernel table
   * is polled until it holds the prefix in the form of `destination(m)` (which may wait for the
   * controller's new assignment), while `ip monitor route`, background pings from the movers and
   * the config `movers[0]` holds are recorded. `stayers` must see no kernel route change at all.
   */
  async function measureMove(
    t: TestContext,
    label: string,
    act: () => Promise<void>,
    movers: Node[],
    destination: (m: Node) => Promise<Node>,
    stayers: Node[] = [],
    timeoutMs = 20_000,
  ): Promise<Move> {
    const stayWant = new Map(
      await Promise.all(stayers.map(async (n) => [n, await prefixRoutes(n)] as const)),
    );
    const oldForm = new Map(await Promise.all(movers.map(async (m) => [m, await prefixRoutes(m)] as const)));
    for (const m of movers) await reachLan(m);
    const pings = backgroundPings(movers, 14);
    let t0 = Date.now();
    const watched = movers[0]!;
    const timeline = new ConfigTimeline(
      () => t0,
      async () => {
        const n = (await watched.zt.network(nwid)) as unknown as {
          netconfRevision: number;
          routes: { target: string; via: string | null }[];
        };
        const r = n.routes
          .filter((x) => x.target.startsWith('192.168.50.'))
          .map((x) => `${x.target} via ${x.via}`);
        return `rev ${n.netconfRevision}: ${r.join(', ') || '(none)'}`;
      },
      async () => {
        const b = await rp.api('GET', `/api/v1/networks/${nwid}/members/${watched.zt.address}/routes`);
        const r = b.routes
          .filter((x: { target: string }) => x.target.startsWith('192.168.50.'))
          .map((x: { target: string; via: string }) => `${x.target} via ${x.via}`);
        return `rev ${b.revision}: ${r.join(', ') || '(none)'}`;
      },
    );
    timeline.start();
    const pushesBefore = await rp.metrics('routeplane_config_push');
    await sleep(1500); // replies before the change
    const presence = Object.fromEntries(
      await Promise.all(movers.map(async (m) => [nameOf(m), await presenceOf(m)])),
    );
    t0 = Date.now();
    await act();
    const actMs = Date.now() - t0;
    const settled = new Map<Node, number>();
    const dest = new Map<Node, Node>();
    await Promise.all(
      movers.map(async (m) => {
        const r = await destination(m);
        dest.set(m, r);
        settled.set(m, (await settleOn(m, r, timeoutMs)) - t0);
      }),
    );
    const lastMs = Math.max(...settled.values());
    await sleep(1000);
    await timeline.stop();
    const pushesAfter = await rp.metrics('routeplane_config_push');
    const traces = await pings;
    const firstChange = new Map(
      movers.map((m) => [m, (monitors.get(m)!.since(t0)[0]?.at ?? Number.NaN) - t0]),
    );
    const configMs = Math.max(...firstChange.values());
    const event = await lastEvent('route.failover');
    const sent =
      (pushesAfter.get('routeplane_config_pushes_total{result="sent"}') ?? 0) -
      (pushesBefore.get('routeplane_config_pushes_total{result="sent"}') ?? 0);
    const result: Record<string, unknown> = {
      change: `${label} (${actMs} ms)`,
      'movers per the controller just before': presence,
      'old form → new': Object.fromEntries(
        movers.map((m) => [nameOf(m), `${oldForm.get(m)!.length} target(s) → ${nameOf(dest.get(m)!)}`]),
      ),
      'controller failover event (ms after the change)':
        event && event.data.at >= t0 ? `+${event.data.at - t0}: ${event.reason}` : 'none',
      'first kernel route change = config applied (ms)': Object.fromEntries(
        [...firstChange].map(([m, ms]) => [nameOf(m), ms]),
      ),
      'LAN traffic via the new router in the kernel (ms, `ip route get` of .10 and .200 polled every 50 ms)':
        Object.fromEntries([...settled].map(([m, ms]) => [nameOf(m), ms])),
      'ip monitor route (ms)': Object.fromEntries(
        movers.map((m) => [
          nameOf(m),
          monitors
            .get(m)!
            .since(t0)
            .map((e) => `+${e.at - t0} ${e.line.replace(/ dev \S+ proto static metric 5000/, '')}`),
        ]),
      ),
      [`${nameOf(watched)} config per listnetworks (ms)`]: timeline.client,
      [`${nameOf(watched)} config per the controller (ms)`]: timeline.controller,
      'config pushes meanwhile (counter deltas)': Object.fromEntries(
        [...pushesAfter]
          .filter(([k, v]) => !k.includes('_bucket') && v !== (pushesBefore.get(k) ?? 0))
          .map(([k, v]) => [
            k.replace('routeplane_config_', ''),
            Math.round((v - (pushesBefore.get(k) ?? 0)) * 1000) / 1000,
          ]),
      ),
      'ping every 0.2 s, longest gap between replies (ms, from when)': Object.fromEntries(
        traces.map((tr) => [tr.member, outage(tr, t0)]),
      ),
    };
    for (const [k, v] of Object.entries(result)) t.diagnostic(`${k}: ${JSON.stringify(v)}`);
    for (const m of movers) t.diagnostic(`${nameOf(m)} now: ${await table(m)}`);
    for (const [n, routes] of stayWant) {
      assert.deepEqual(await prefixRoutes(n), routes, `${nameOf(n)} did not move`);
      assert.deepEqual(
        monitors
          .get(n)!
          .since(t0 - 1500)
          .map((e) => e.line),
        [],
        `${nameOf(n)}: no kernel route change`,
      );
    }
    return {
      result,
      lastMs,
      configMs,
      pushesSent: sent,
      dest,
      oldTargets: Math.max(...[...oldForm.values()].map((f) => f.length)),
    };
  }

  /**
   * The acceptance target for a move, as two subtests: the new config reaches every mover within
   * TARGET_MS (its first kernel route change), and the kernel route is on the new router within
   * TARGET_MS — a todo when the old form had more than one target, since zerotier-one 1.14.1
   * removes each old target with a 1 s wait before it adds the new ones (FINDINGS.md §9).
   */
  async function checkTarget(t: TestContext, move: Move): Promise<void> {
    await t.test(`the new config reaches every member within ${TARGET_MS} ms`, () => {
      assert.ok(
        move.configMs <= TARGET_MS,
        `${Number.isFinite(move.configMs) ? `the last member's kernel changed ${move.configMs} ms after the stop` : 'a member saw no kernel change at all'}; the controller sent ` +
          `${move.pushesSent} config push(es) meanwhile` +
          (move.pushesSent === 0 ? ' (none: see FINDINGS.md §9, members not "online")' : ''),
      );
    });
    // Standby forms: a move to a deeper form only adds routes, a move to a shallower one finds it
    // installed beneath and only removes the dead router's deeper routes (the first at once).
    await t.test(`every member's LAN traffic on the new router within ${TARGET_MS} ms`, () => {
      assert.ok(move.lastMs <= TARGET_MS, `every member moved ${move.lastMs} ms after the stop`);
    });
  }

  /**
   * Runs `restore` (the stopped router comes back), waits until the controller calls it healthy and
   * then QUIET_MS more: nothing may change in any other node's kernel table, no config may be
   * pushed, and the primary stays.
   */
  async function noFlap(
    t: TestContext,
    back: Node,
    restore: () => Promise<void>,
    primary: Node,
  ): Promise<Record<string, unknown>> {
    const others = all.filter((n) => n !== back);
    const tables = new Map(await Promise.all(others.map(async (n) => [n, await prefixRoutes(n)] as const)));
    const revision = async (m: Node) =>
      ((await m.zt.network(nwid)) as unknown as { netconfRevision: number }).netconfRevision;
    const revisions = await Promise.all(members.map(revision));
    const t0 = Date.now();
    await restore();
    await waitFor(`${nameOf(back)} healthy again`, async () => (await healthOf(back)) === 'healthy', {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const healthyAfter = Date.now() - t0;
    const samples: string[] = [];
    const end = Date.now() + QUIET_MS;
    while (Date.now() < end) {
      const view = await routesReport();
      samples.push(view.primary === primary.zt.address ? 'P' : `!${view.primary}`);
      for (const n of others)
        assert.deepEqual(await prefixRoutes(n), tables.get(n), `${nameOf(n)}: kernel table unchanged`);
      await sleep(500);
    }
    const changes = others.flatMap((n) =>
      monitors
        .get(n)!
        .since(t0)
        .map((e) => `${nameOf(n)} +${e.at - t0} ${e.line}`),
    );
    const after = await Promise.all(members.map(revision));
    const result = {
      'healthy again (ms after the restore)': healthyAfter,
      'watched after that (ms)': QUIET_MS,
      'primary in the routes report, every 0.5 s (P = unchanged)': samples.join(''),
      'kernel route changes on other nodes': changes,
      'configs pushed to members meanwhile': members.map((m, i) => after[i]! - revisions[i]!),
      [`${nameOf(back)} routes on its ZeroTier device`]: await table(back),
    };
    for (const [k, v] of Object.entries(result)) t.diagnostic(`${k}: ${JSON.stringify(v)}`);
    assert.equal((await routesReport()).primary, primary.zt.address, `${nameOf(primary)} stays primary`);
    assert.deepEqual(changes, [], 'no kernel route change on any other node');
    assert.deepEqual(await prefixRoutes(back), [], `${nameOf(back)} gets no route to its own prefix`);
    return result;
  }

  const killZeroTier = (n: Node) => async () => {
    n.zt.process!.child.kill('SIGKILL');
    await n.zt.process!.exited;
  };
  const restartZeroTier = (n: Node) => async () => {
    await n.zt.start(planetFile);
    await waitFor(`${nameOf(n)} OK again`, async () => (await n.zt.network(nwid))?.status === 'OK', {
      timeoutMs: 30_000,
    });
  };
  const linkDown = (n: Node) => async () => {
    await lab.exec(n.zt.ns, ['ip', 'link', 'set', 'eth0', 'down']);
  };
  const linkUp = (n: Node) => async () => {
    await lab.exec(n.zt.ns, ['ip', 'link', 'set', 'eth0', 'up']);
  };

  it(
    "the primary's zerotier-one is killed: every member's kernel route moves to the backup (prefix → halves)",
    guarded(async (t) => {
      const movers = [...members, r3];
      const move = await measureMove(
        t,
        'SIGKILL router-1 zerotier-one',
        killZeroTier(r1),
        movers,
        async () => r2,
      );
      report['failover 1'] = move.result;
      const event = await lastEvent('route.failover');
      assert.equal(event?.data.from, r1.zt.address);
      assert.equal(event?.data.to, r2.zt.address);
      const view = await routesReport();
      assert.equal(view.primary, r2.zt.address);
      assert.equal(view.routers.find((r) => r.member === r1.zt.address)?.health, 'down');
      for (const m of movers)
        assert.equal(await answeringRouter(m), r2, `${nameOf(m)} is answered by router-2's LAN`);
      report['after failover 1'] = Object.fromEntries(
        await Promise.all(all.filter((n) => n !== r1).map(async (n) => [nameOf(n), await table(n)])),
      );
      await checkTarget(t, move);
    }),
  );

  it(
    'router-1 comes back: no flap (router-2 stays primary, no kernel route changes)',
    guarded(async (t) => {
      report['router-1 back'] = await noFlap(t, r1, restartZeroTier(r1), r2);
    }),
  );

  it(
    "router-2's namespace link is cut: members move back to router-1 (halves → prefix); the link returns: no flap",
    guarded(async (t) => {
      const movers = [...members, r3];
      const move = await measureMove(t, 'router-2 eth0 down', linkDown(r2), movers, async () => r1);
      report['failover 2'] = move.result;
      const event = await lastEvent('route.failover');
      assert.equal(event?.data.from, r2.zt.address);
      assert.equal(event?.data.to, r1.zt.address);
      assert.equal((await routesReport()).primary, r1.zt.address);
      for (const m of movers)
        assert.equal(await answeringRouter(m), r1, `${nameOf(m)} is answered by router-1's LAN`);
      report['after failover 2'] = Object.fromEntries(
        await Promise.all(all.filter((n) => n !== r2).map(async (n) => [nameOf(n), await table(n)])),
      );
      report['router-2 back'] = await noFlap(t, r2, linkUp(r2), r1);
      await checkTarget(t, move);
    }),
  );

  it(
    'spread mode with three routers: members are divided; killing one moves only its members',
    guarded(async (t) => {
      const before = Date.now();
      await lab.exec(r3.zt.ns, ['ip', 'link', 'set', 'lan0', 'up']);
      await rp.api('PUT', `/api/v1/networks/${nwid}/members/${r3.zt.address}/advertised`, {
        prefixes: [PREFIX],
        metric: 100,
      });
      await rp.api('POST', `/api/v1/networks/${nwid}/routes/approve`, {
        member: r3.zt.address,
        prefix: PREFIX,
      });
      await settle(r3, [], 10_000);
      t.diagnostic(
        `router-3 advertises: ${await table(r3)} (route events ${JSON.stringify(
          monitors
            .get(r3)!
            .since(before)
            .map((e) => `+${e.at - before} ${e.line}`),
        )})`,
      );
      const steeredAt = Date.now();
      const spreadTimeline: string[] = [];
      let watching = true;
      const watch = (async () => {
        let last = '';
        while (watching) {
          const now = await Promise.all(
            members.map(async (m) => {
              const planned = await assignedRouter(m).catch(() => undefined);
              const n = (await m.zt.network(nwid).catch(() => undefined)) as
                { netconfRevision: number; routes: { target: string; via: string | null }[] } | undefined;
              const held = n?.routes.find((r) => r.target.startsWith('192.168.50.'))?.via ?? '-';
              const k = (await prefixRoutes(m).catch(() => []))[0]?.split(' via ')[1]?.split(' ')[0] ?? '-';
              return `${nameOf(m)} api:${planned?.ip ?? '-'} cfg:${n?.netconfRevision}/${held} kernel:${k}`;
            }),
          );
          const line = now.join('; ');
          if (line !== last) spreadTimeline.push(`+${Date.now() - steeredAt} ${line}`);
          last = line;
          await sleep(100);
        }
      })();
      report[
        'spread timeline (ms after the steering change; api = router the controller plans, cfg = revision/via the client holds)'
      ] = spreadTimeline;
      stopWatchers.push(async () => {
        watching = false;
        await watch;
      });
      await rp.api('POST', `/controller/network/${nwid}`, { steering: 'spread' });
      assert.equal(await slotOf(r3), 2);
      const assignment = new Map<Node, Node>();
      for (const m of members)
        assignment.set(m, await waitFor(`${nameOf(m)} assigned a router`, () => assignedRouter(m)));
      for (const m of members) await settleOn(m, assignment.get(m)!, 15_000);
      for (const r of routers)
        assert.deepEqual(await prefixRoutes(r), [], `${nameOf(r)}: nothing for its own prefix`);
      const view = await routesReport();
      const counts = Object.fromEntries(
        view.routers.map((r) => [nameOf(byAddress(r.member)!), r.members ?? 0]),
      );
      t.diagnostic(`spread: ${view.message}; members per router ${JSON.stringify(counts)}`);
      for (const m of members) {
        t.diagnostic(`${nameOf(m)} → ${nameOf(assignment.get(m)!)}: ${await table(m)}`);
        assert.equal(
          await answeringRouter(m),
          assignment.get(m),
          `${nameOf(m)} is answered by its router's LAN`,
        );
      }
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        members.length,
        'every member is assigned once',
      );
      const spread: Record<string, unknown> = {
        'members per router': counts,
        tables: Object.fromEntries(await Promise.all(all.map(async (n) => [nameOf(n), await table(n)]))),
      };
      report.spread = spread;

      // The victim: a router with members, leaving some members elsewhere if the hash allows.
      const loads = routers
        .map((r) => ({ r, n: members.filter((m) => assignment.get(m) === r).length }))
        .filter((x) => x.n > 0)
        .sort((a, b) => a.n - b.n);
      const victim = (loads.find((x) => x.n < members.length) ?? loads[0]!).r;
      const movers = members.filter((m) => assignment.get(m) === victim);
      const stayers = members.filter((m) => assignment.get(m) !== victim);
      if (stayers.length === 0)
        t.diagnostic('every member hashed to one router: "only its members" is not observable in this run');
      const newRouter = (m: Node) =>
        waitFor(
          `${nameOf(m)} re-assigned away from ${nameOf(victim)}`,
          async () => {
            const r = await assignedRouter(m);
            return r && r !== victim ? r : undefined;
          },
          { timeoutMs: 20_000, intervalMs: 100 },
        );
      const move = await measureMove(
        t,
        `SIGKILL ${nameOf(victim)} zerotier-one`,
        killZeroTier(victim),
        movers,
        newRouter,
        stayers,
        90_000,
      );
      spread[`${nameOf(victim)} killed`] = move.result;
      await checkTarget(t, move);
      for (const m of movers)
        assert.equal(
          await answeringRouter(m),
          move.dest.get(m),
          `${nameOf(m)} is answered by its new router's LAN`,
        );
      for (const m of stayers)
        assert.equal(
          await answeringRouter(m),
          assignment.get(m),
          `${nameOf(m)} still answered by its router's LAN`,
        );

      // The victim returns: spread mode is not sticky, consistent hashing gives it its members back.
      const back = await measureMove(
        t,
        `${nameOf(victim)} restarted`,
        async () => {
          await restartZeroTier(victim)();
          await waitFor(`${nameOf(victim)} healthy`, async () => (await healthOf(victim)) === 'healthy', {
            timeoutMs: 30_000,
            intervalMs: 100,
          });
        },
        movers,
        async (m) => (await waitFor(`${nameOf(m)} assigned`, () => assignedRouter(m)))!,
        stayers,
        90_000,
      );
      spread[`${nameOf(victim)} back`] = back.result;
      for (const m of movers)
        t.diagnostic(`${nameOf(m)} back on ${nameOf(back.dest.get(m)!)} (was ${nameOf(assignment.get(m)!)})`);
    }),
  );

  it(
    'the event log holds both primary-mode failovers (all event types listed)',
    guarded(async (t) => {
      const body = await rp.api('GET', `/api/v1/events?network=${nwid}&limit=500`);
      const types: Record<string, number> = {};
      for (const e of body.events as { type: string }[]) types[e.type] = (types[e.type] ?? 0) + 1;
      t.diagnostic(JSON.stringify(types));
      report['event types'] = types;
      assert.ok((types['route.failover'] ?? 0) >= 2, 'both primary-mode failovers are events');
    }),
  );
});
