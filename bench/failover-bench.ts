// Subnet router failover at scale (issue 5): 1,000 simulated members and two router members in one
// network, both routers advertising 192.168.50.0/24 and approved, every member routing via the
// primary. Each run kills the primary (its ZeroTier node stops: it no longer answers the
// controller's ECHO probes) and measures
//
//   detection: from the kill until the controller declares the router down and picks the backup:
//              the `at` the controller stamps on the `route.failover` event (its clock when the
//              verdict's re-selection ran; same machine, same wall clock as this process);
//   members:   from the kill until the LAST member's traffic to the prefix goes via the backup: the
//              longest match for hosts at both ends of the LAN in the member's (simulated) kernel
//              table. The swarm parses every config a member receives (pushes, which it
//              acknowledges with OK(ECHO) at that moment, and replies to its periodic requests) and
//              applies it with the zerotier-one 1.14.1 route rules of test/support/managed-routes.ts
//              (a via change on an existing target is ignored, so only a real target change counts),
//              at the real client's pace: old routes removed first, one per second, new ones after.
//
// Then the old primary comes back; the bench waits until it is healthy again, the backup is still
// primary (no flap: equal metrics) and every member is settled, and the next run kills the new
// primary (roles swap every run). The kill lands at a random offset within the probe interval after
// a probe the victim answered, so detection is not always the best case: with the defaults
// (ECHO every 2 s, a miss after 1 s, 2 misses = down, a confirming probe once the first is late by
// a few round trips: 50 ms on loopback) detection from the kill is (time to the next probe) +
// 50 ms + 1 s, i.e. between about 1.05 and 3.05 s.
//
//   npm run bench:failover
//   npm run bench:failover -- --runs 20 --members 1000
//   npm run bench:failover -- --kill-offset-ms 0     # kill right after a probe: the worst case
//   ROUTEPLANE_BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:failover
//
// The controller runs as `routeplane serve` in its own process (SQLite file, UDP on loopback); the
// members are a MemberSwarm (real protocol, synthesised identities pre-registered in the database
// like bench:load), the routers are TsMembers (a full ZeroTierNode each, as in the e2e test).
import { runBench } from './lib/run-bench.ts';
import { randomBytes, randomInt } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DATABASE_FILE } from '../src/main.ts';
import {
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  MIN_GRACE_MS,
} from '../src/protocol/controller/router-prober.ts';
import { Identity, type IdentityWithPrivate } from '../src/protocol/identity.ts';
import { Verb } from '../src/protocol/packet.ts';
import {
  emptyManagedState,
  kernelGatewayFor,
  kernelRoutes,
  removalSteps,
  syncManaged,
  type ManagedState,
} from '../test/support/managed-routes.ts';
import { TsMember } from '../test/support/ts-member.ts';
import { startControllerProcess, waitForUdp, type ControllerProcess } from './lib/controller-process.ts';
import { expectJson } from './lib/http-request.ts';
import { MemberSwarm, type SwarmConfigEvent } from './lib/member-swarm.ts';
import { BENCH_NETWORK_BODY, memberIp } from './lib/populate.ts';
import { populateSwarm } from './lib/populate-swarm.ts';
import { cpuBetween, machineBusySeconds, sampleCpu, type CpuSample } from './lib/proc-stat.ts';
import { Report, target } from './lib/report.ts';
import { elapsedMsSince, formatCount, formatMs, median } from './lib/stats.ts';
import { synthesizeIdentities } from './lib/swarm-identities.ts';

const PREFIX = '192.168.50.0/24';
const inPrefix = (target: string) => target.startsWith('192.168.50.');
/** Hosts at both ends of the LAN: their longest matches are where a member's traffic goes. */
const LAN_HOSTS = ['192.168.50.10', '192.168.50.200'];
/** The real client's wait after each route it removes (FINDINGS §9). */
const CLIENT_REMOVAL_MS = 1000;

/** The router the LAN hosts are reached through ('' none, 'split' when they differ). */
function lanViaOf(state: ManagedState): string {
  return kernelGatewayFor(kernelRoutes(state), LAN_HOSTS) ?? '';
}

const TARGETS = { detectionMs: 3000, updatedMs: 5000 };

/** The client re-requests its config once it is this old (ZT_NETWORK_AUTOCONF_DELAY). */
const CLIENT_REFRESH_MS = 60_000;

interface FailoverOptions {
  runs: number;
  members: number;
  sockets: number;
  /** Fixed delay from the victim's last answered probe to the kill; random within the interval when absent. */
  killOffsetMs?: number;
  /** Give up on a run when not every member moved this long after the kill. */
  runTimeoutMs: number;
  membersPerSubnet: number;
}

function positiveNumber(
  value: string | undefined,
  name: string,
  fallback: number,
  allowZero = false,
): number {
  if (value === undefined) return fallback;
  const number = Number(value.replaceAll('_', ''));
  if (!Number.isFinite(number) || number < 0 || (number === 0 && !allowZero))
    throw new Error(`--${name}: "${value}" is not a ${allowZero ? 'non-negative' : 'positive'} number`);
  return number;
}

function parseOptions(): FailoverOptions {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      members: { type: 'string' },
      sockets: { type: 'string' },
      'kill-offset-ms': { type: 'string' },
      'run-timeout-ms': { type: 'string' },
      'members-per-subnet': { type: 'string' },
    },
  });
  const killOffset = values['kill-offset-ms'];
  return {
    runs: Math.round(positiveNumber(values.runs, 'runs', 10)),
    members: Math.round(positiveNumber(values.members, 'members', 1000)),
    sockets: Math.round(positiveNumber(values.sockets, 'sockets', 4)),
    killOffsetMs:
      killOffset === undefined ? undefined : positiveNumber(killOffset, 'kill-offset-ms', 0, true),
    runTimeoutMs: positiveNumber(values['run-timeout-ms'], 'run-timeout-ms', 20_000),
    membersPerSubnet: Math.round(positiveNumber(values['members-per-subnet'], 'members-per-subnet', 8)),
  };
}

const recordedIdentity = (extension: 'secret' | 'public') =>
  fileURLToPath(
    new URL(`../../shared/zerotier/run-baseline/controller-identity.${extension}`, import.meta.url),
  );

interface Router {
  name: string;
  identity: IdentityWithPrivate;
  ip: string;
  member: TsMember;
  /** performance.now() of the last ECHO the controller sent it. */
  lastEcho: number;
  echoWaiters: Array<(at: number) => void>;
}

interface MemberState {
  managed: ManagedState;
  /** The router its LAN traffic goes through ('' when none, 'split' when the hosts differ). */
  vias: string;
  /** This run: when the member's LAN traffic went via the backup (performance.now()). */
  updatedAt: number;
  updatedBy: 'push' | 'reply' | '';
  /** Configs this run: pushes and replies. */
  pushes: number;
  replies: number;
  /** Configs whose new via the client ignored (target unchanged): the route did not move. */
  viaIgnored: number;
}

interface RouterRow {
  member: string;
  prefix: string;
  primary: boolean;
  health: string | null;
}

interface RunResult {
  run: number;
  victim: string;
  backup: string;
  /** ms from the victim's last answered probe to the kill. */
  offsetMs: number;
  /** ms from the kill to the controller's failover decision, by its event. */
  detectionMs: number;
  /** ms the probe schedule alone predicts: next probe + the confirming probe's grace + a timeout. */
  expectedMs: number;
  /** ms from the kill to the last member holding routes via the backup (NaN: not all did). */
  lastMemberMs: number;
  p50MemberMs: number;
  updated: number;
  byPush: number;
  byReply: number;
  viaIgnored: number;
  pushesSent: number;
  pushesCurrent: number;
  pushesFailed: number;
  acks: number;
  ackMeanMs: number;
  controllerCores: number;
  /** ms from the first to the last member moving, and the controller's CPU meanwhile. */
  firstMemberMs: number;
  fanOutMs: number;
  fanOutMainCores: number;
  fanOutOtherCores: number;
  benchCores: number;
  otherCores: number;
  flapped: boolean;
}

type Metrics = Map<string, number>;

function parseMetrics(text: string): Metrics {
  const out: Metrics = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

const delta = (a: Metrics, b: Metrics, key: string) => (b.get(key) ?? 0) - (a.get(key) ?? 0);

class FailoverBench {
  private readonly report = new Report();
  private readonly token = randomBytes(24).toString('hex');
  private controller?: ControllerProcess;
  private swarm?: MemberSwarm;
  private readonly routers: Router[] = [];
  private networkId = '';
  private controllerIdentity?: Identity;
  private udpPort = 0;
  private states: MemberState[] = [];
  /** The IP members must route via for a member to count as updated this run ('' between runs). */
  private runBackupIp = '';
  private runUpdated = 0;
  /** Controller CPU when the first and the last member of a run moved (the push fan-out). */
  private fanOutCpu: { first?: CpuSample; last?: CpuSample } = {};

  constructor(
    private readonly options: FailoverOptions,
    private readonly workDir: string,
  ) {}

  async run(): Promise<void> {
    const { options, report } = this;
    report.line(
      `Routeplane failover benchmark: ${formatCount(options.members)} simulated members, two routers advertising ${PREFIX}, ` +
        `the primary killed ${options.runs} times`,
    );
    report.line(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ` +
        `members, routers and controller share it`,
    );
    report.line(
      `controller defaults: ECHO probe every ${DEFAULT_PROBE_INTERVAL_MS} ms, a miss after ${DEFAULT_PROBE_TIMEOUT_MS} ms, ` +
        `2 misses = down (re-probed at once after a miss)`,
    );
    report.line();
    await this.setUp();
    const results: RunResult[] = [];
    report.line(
      `== runs: kill the primary ${options.killOffsetMs === undefined ? `at a random offset within the ${DEFAULT_PROBE_INTERVAL_MS} ms probe interval` : `${options.killOffsetMs} ms`} after a probe it answered`,
    );
    for (let run = 1; run <= options.runs; run++) results.push(await this.oneRun(run));
    this.summary(results);
  }

  // ---- setup (not measured) ----------------------------------------------------------------

  private async setUp(): Promise<void> {
    const { options, report } = this;
    const setupStart = process.hrtime.bigint();
    const dataDir = join(this.workDir, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (existsSync(recordedIdentity('secret'))) {
      copyFileSync(recordedIdentity('secret'), join(dataDir, 'identity.secret'));
      copyFileSync(recordedIdentity('public'), join(dataDir, 'identity.public'));
    }
    report.line(
      `== setup (not measured): network, ${formatCount(options.members)} members + 2 routers authorized with IPs`,
    );
    const nodeArgs = (process.env.ROUTEPLANE_BENCH_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    let controller = await startControllerProcess({ dataDir, token: this.token });
    const created = expectJson<{ id: string }>(
      await controller.request({
        method: 'POST',
        path: '/controller/network',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...BENCH_NETWORK_BODY, name: 'bench-failover' }),
      }),
      'create network',
    );
    this.networkId = created.id;
    await controller.stop();
    // Members 0..n-1 are the swarm, n and n+1 the routers (their IPs come from the same sequence).
    const identities = synthesizeIdentities(options.members + 2);
    await populateSwarm(join(dataDir, DATABASE_FILE), created.id, identities);
    controller = await startControllerProcess({ dataDir, token: this.token, nodeArgs });
    this.controller = controller;
    const status = await waitForUdp(controller);
    this.controllerIdentity = Identity.parse(status.publicIdentity);
    this.udpPort = status.config.settings.primaryPort;
    report.line(
      `  routeplane serve pid ${controller.pid}, UDP port ${this.udpPort}, network ${created.id} ` +
        `(started in ${formatMs(controller.startupMs)})`,
    );

    // Routers: full ZeroTier nodes on their own loopback addresses.
    for (const [i, name] of ['router-a', 'router-b'].entries()) {
      const index = options.members + i;
      const identity = identities[index]!;
      const router: Router = {
        name,
        identity,
        ip: memberIp(index),
        member: new TsMember({
          identity,
          roots: [
            {
              identity: this.controllerIdentity.withoutPrivate(),
              endpoints: [{ ip: '127.0.0.1', port: this.udpPort }],
            },
          ],
          bindIpv4: `127.20.${i}.1`,
        }),
        lastEcho: 0,
        echoWaiters: [],
      };
      router.member.node.onVerb(Verb.ECHO, (packet) => {
        if (packet.source !== this.controllerIdentity?.address) return;
        router.lastEcho = performance.now();
        for (const waiter of router.echoWaiters.splice(0)) waiter(router.lastEcho);
      });
      router.member.join(this.networkId);
      await router.member.start();
      this.routers.push(router);
    }
    for (const r of this.routers) await r.member.waitForConfig(this.networkId, 0, 15_000);
    for (const r of this.routers) {
      await this.api('PUT', `/api/v1/networks/${this.networkId}/members/${r.identity.address}/advertised`, {
        prefixes: [PREFIX],
        metric: 100,
      });
      await this.api('POST', `/api/v1/networks/${this.networkId}/routes/approve`, {
        member: r.identity.address,
        prefix: PREFIX,
      });
    }
    const primary = await this.primary();
    report.line(
      `  routers ${this.routers.map((r) => `${r.name} ${r.identity.address} (${r.ip})`).join(', ')} advertise ${PREFIX}, ` +
        `both approved; primary ${this.nameOf(primary)}`,
    );

    // Members: join, ask once each, then re-ask every 60 s as the client does (stay online).
    this.states = identities.slice(0, options.members).map(() => ({
      managed: emptyManagedState(),
      vias: '',
      updatedAt: 0,
      updatedBy: '',
      pushes: 0,
      replies: 0,
      viaIgnored: 0,
    }));
    const swarm = new MemberSwarm({
      controller: { identity: this.controllerIdentity, ip: '127.0.0.1', port: this.udpPort },
      networkId: this.networkId,
      identities: identities.slice(0, options.members),
      sockets: options.sockets,
      localIp: '127.0.0.1',
      membersPerJoinSubnet: options.membersPerSubnet,
      joinSubnetBase: 10,
      verifyEvery: 0,
      timeoutMs: 5000,
      onConfig: (event) => this.onMemberConfig(event),
    });
    this.swarm = swarm;
    await swarm.open();
    const joined = await swarm.join(200, () => undefined);
    if (joined !== options.members)
      throw new Error(`only ${joined} of ${options.members} members got OK(HELLO) from the controller`);
    // Members take turns asking (each one every 4 s, as a client without a config retries every
    // 5 s) until every one holds the route: a reply lost or shed is asked again.
    const warm = swarm.startPhase('warm-up');
    swarm.setRate(joined / 4);
    const primaryIp = this.routerByAddress(primary).ip;
    await this.waitUntil(
      () => this.membersVia(primaryIp) === options.members,
      60_000,
      () => `every member routes via the primary (${this.membersVia(primaryIp)} of ${options.members} do)`,
    );
    swarm.setRate(joined / (CLIENT_REFRESH_MS / 1000));
    swarm.endPhase();
    const errors = [...warm.errors].map(([code, n]) => `ERROR ${code} × ${n}`).join(', ');
    report.line(
      `  warm-up: ${formatCount(warm.sent)} requests, ${formatCount(warm.answered)} answered, ${warm.timeouts} timed out` +
        `${errors ? `, ${errors}` : ''} in ${formatMs(warm.seconds * 1000)}`,
    );
    report.line(
      `  ${formatCount(joined)} members joined and hold ${PREFIX} via ${this.nameOf(primary)} ` +
        `(${formatMs(elapsedMsSince(setupStart))} of setup); each re-requests its config every ${CLIENT_REFRESH_MS / 1000} s`,
    );
    report.line();
  }

  // ---- members -----------------------------------------------------------------------------

  private onMemberConfig(event: SwarmConfigEvent): void {
    const state = this.states[event.member]!;
    const { state: managed, decisions } = syncManaged(state.managed, event.config);
    // When, at the client's pace, its traffic reached the backup: the first removal is at once,
    // each later step one removal wait after the previous one.
    const steps = removalSteps(state.managed, managed);
    const reached = steps.findIndex((step) => lanViaOf(step) === this.runBackupIp);
    const paceMs = reached <= 1 ? 0 : (reached - 1) * CLIENT_REMOVAL_MS;
    state.managed = managed;
    state.vias = lanViaOf(managed);
    if (this.runBackupIp === '') return;
    if (event.source === 'push') state.pushes++;
    else state.replies++;
    if (
      decisions.some(
        (d) => inPrefix(d.target) && d.outcome === 'via-change-ignored' && d.via === this.runBackupIp,
      )
    )
      state.viaIgnored++;
    if (state.updatedAt === 0 && state.vias === this.runBackupIp) {
      state.updatedAt = event.at + paceMs;
      state.updatedBy = event.source;
      this.runUpdated++;
      if (this.runUpdated === 1) this.fanOutCpu.first = sampleCpu(this.controller!.pid);
      if (this.runUpdated === this.options.members) this.fanOutCpu.last = sampleCpu(this.controller!.pid);
    }
  }

  private membersVia(ip: string): number {
    let n = 0;
    for (const s of this.states) if (s.vias === ip) n++;
    return n;
  }

  // ---- one run -----------------------------------------------------------------------------

  private async oneRun(run: number): Promise<RunResult> {
    const { options } = this;
    const nwid = this.networkId;
    const victimAddress = await this.primary();
    const victim = this.routerByAddress(victimAddress);
    const backup = this.routers.find((r) => r !== victim)!;
    const lastEventId = await this.lastEventId();
    const metricsBefore = await this.metrics();
    for (const s of this.states) {
      s.updatedAt = 0;
      s.updatedBy = '';
      s.pushes = 0;
      s.replies = 0;
      s.viaIgnored = 0;
    }
    this.runUpdated = 0;
    this.fanOutCpu = {};

    // A probe the victim answers, then a delay within the probe interval, then the kill.
    const echoAt = await this.nextEcho(victim);
    const offset = options.killOffsetMs ?? randomInt(DEFAULT_PROBE_INTERVAL_MS);
    await sleep(Math.max(0, echoAt + offset - performance.now()));
    const cpuBefore = sampleCpu(this.controller!.pid);
    const ownBefore = process.cpuUsage();
    const machineBefore = machineBusySeconds();
    this.runBackupIp = backup.ip;
    const killedAt = performance.now();
    const killedAtEpoch = performance.timeOrigin + killedAt;
    await victim.member.stop();
    const offsetMs = killedAt - echoAt;

    // Every member via the backup, or the run's time is up.
    await this.waitUntil(
      () => this.membersVia(backup.ip) === options.members,
      options.runTimeoutMs,
      undefined,
    ).catch(() => undefined);
    const cpuAfter = sampleCpu(this.controller!.pid);
    const own = process.cpuUsage(ownBefore);
    const machineBusy = machineBusySeconds() - machineBefore;
    const windowS = (cpuAfter.at - cpuBefore.at) / 1000;

    const failovers = await this.waitForEvents(lastEventId, 'route.failover', 5000);
    const failover = failovers.find((e) => e.data.from === victim.identity.address);
    const decidedAt = typeof failover?.data.at === 'number' ? failover.data.at : Number.NaN;
    // Let the pushes' acks arrive before the controller-side counters are read.
    await sleep(300);
    const metricsAfter = await this.metrics();
    this.runBackupIp = '';

    const updated = this.states.filter((s) => s.updatedAt > 0);
    const times = updated.map((s) => s.updatedAt - killedAt);
    const acks = delta(metricsBefore, metricsAfter, 'routeplane_config_push_acks_total');
    const ackSum = delta(metricsBefore, metricsAfter, 'routeplane_config_push_ack_seconds_sum');
    const cpu = cpuBetween(cpuBefore, cpuAfter);
    const benchCores = (own.user + own.system) / 1e6 / windowS;
    const result: RunResult = {
      run,
      victim: victim.name,
      backup: backup.name,
      offsetMs,
      detectionMs: decidedAt - killedAtEpoch,
      expectedMs: echoAt + DEFAULT_PROBE_INTERVAL_MS + MIN_GRACE_MS + DEFAULT_PROBE_TIMEOUT_MS - killedAt,
      lastMemberMs: updated.length === options.members ? Math.max(...times) : Number.NaN,
      p50MemberMs: median(times),
      updated: updated.length,
      byPush: updated.filter((s) => s.updatedBy === 'push').length,
      byReply: updated.filter((s) => s.updatedBy === 'reply').length,
      viaIgnored: this.states.filter((s) => s.viaIgnored > 0).length,
      pushesSent: delta(metricsBefore, metricsAfter, 'routeplane_config_pushes_total{result="sent"}'),
      pushesCurrent: delta(
        metricsBefore,
        metricsAfter,
        'routeplane_config_pushes_total{result="already-current"}',
      ),
      pushesFailed: delta(metricsBefore, metricsAfter, 'routeplane_config_pushes_total{result="failed"}'),
      acks,
      ackMeanMs: acks > 0 ? (ackSum / acks) * 1000 : Number.NaN,
      controllerCores: cpu.cores,
      firstMemberMs: times.length > 0 ? Math.min(...times) : Number.NaN,
      fanOutMs: times.length > 1 ? Math.max(...times) - Math.min(...times) : Number.NaN,
      fanOutMainCores: Number.NaN,
      fanOutOtherCores: Number.NaN,
      benchCores,
      otherCores: Math.max(0, machineBusy / windowS - benchCores - cpu.cores),
      flapped: false,
    };
    const { first, last } = this.fanOutCpu;
    if (first && last && last.at - first.at > 50) {
      const fan = cpuBetween(first, last);
      result.fanOutMainCores = fan.mainCores;
      result.fanOutOtherCores = fan.otherCores;
    }
    if (!failover)
      this.report.line(
        `  run ${run}: no route.failover event from ${victim.name} (events: ${failovers.map((e) => JSON.stringify(e.data)).join('; ') || 'none'})`,
      );

    // Bring the victim back; it must turn healthy without taking the prefix back (equal metrics).
    const restoreStart = performance.now();
    await victim.member.start();
    await victim.member.waitForConfig(nwid, 0, 15_000);
    await this.waitUntil(
      async () => {
        const rows = await this.routerRows();
        return rows.every((r) => r.health === 'healthy');
      },
      15_000,
      () => `${victim.name} healthy again`,
      100,
    );
    await this.settle(backup.ip);
    const stillPrimary = await this.primary();
    const failbacks = (await this.events(lastEventId)).filter(
      (e) => e.type.startsWith('route.') && e.type !== 'route.failover',
    );
    result.flapped = stillPrimary !== backup.identity.address || failbacks.length > 0;
    this.printRun(
      result,
      performance.now() - restoreStart,
      failbacks.map((e) => e.type),
    );
    return result;
  }

  /** Waits until every member routes via `ip` and the controller has sent no push for a second. */
  private async settle(ip: string): Promise<void> {
    const pushes = (m: Metrics) =>
      [...m].filter(([k]) => k.startsWith('routeplane_config_pushes_total')).reduce((a, [, v]) => a + v, 0);
    let last = pushes(await this.metrics());
    let quietSince = performance.now();
    await this.waitUntil(
      async () => {
        const now = pushes(await this.metrics());
        if (now !== last) {
          last = now;
          quietSince = performance.now();
        }
        return this.membersVia(ip) === this.options.members && performance.now() - quietSince >= 1000;
      },
      20_000,
      () => `members settled via ${ip} (${this.membersVia(ip)} of ${this.options.members})`,
      250,
    );
  }

  // ---- output ------------------------------------------------------------------------------

  private printRun(r: RunResult, restoreMs: number, otherEvents: string[]): void {
    const all = r.updated === this.options.members;
    this.report.line(
      `  run ${String(r.run).padStart(2)}: killed ${r.victim} ${formatMs(r.offsetMs)} after a probe; ` +
        `detection ${formatMs(r.detectionMs)} (probe schedule alone: ${formatMs(r.expectedMs)}); ` +
        `last member via ${r.backup} ${all ? formatMs(r.lastMemberMs) : `NOT ALL: ${r.updated}/${this.options.members}`} ` +
        `(p50 ${formatMs(r.p50MemberMs)}; ${r.byPush} by push, ${r.byReply} by reply` +
        `${r.viaIgnored ? `; ${r.viaIgnored} members got a via change the client ignores` : ''})`,
    );
    this.report.line(
      `          fan-out: first member ${formatMs(r.firstMemberMs - r.detectionMs)} after the decision, first to last ${formatMs(r.fanOutMs)} (${formatMs(r.fanOutMs / Math.max(1, r.updated - 1))} per member), ` +
        `controller CPU meanwhile: main thread ${r.fanOutMainCores.toFixed(2)}, other threads ${r.fanOutOtherCores.toFixed(2)} cores`,
    );
    this.report.line(
      `          controller: ${r.pushesSent} pushes sent, ${r.pushesCurrent} already current, ${r.pushesFailed} failed, ` +
        `${r.acks} acked (mean ack ${formatMs(r.ackMeanMs)}); CPU controller ${r.controllerCores.toFixed(2)}, bench ${r.benchCores.toFixed(2)}, ` +
        `others ${r.otherCores.toFixed(2)} cores; back to healthy and settled in ${formatMs(restoreMs)}` +
        `${r.flapped ? `; FLAP: ${otherEvents.join(', ') || 'primary moved back'}` : ', no flap'}`,
    );
  }

  private summary(results: RunResult[]): void {
    const { report } = this;
    report.line();
    const detections = results.map((r) => r.detectionMs).filter(Number.isFinite);
    const lasts = results.map((r) => (Number.isFinite(r.lastMemberMs) ? r.lastMemberMs : Infinity));
    const fanOut = results.map((r) => r.lastMemberMs - r.detectionMs).filter(Number.isFinite);
    const incomplete = results.filter((r) => r.updated !== this.options.members).length;
    const missingDetection = results.length - detections.length;
    const maxOf = (v: number[]) => (v.length ? Math.max(...v) : Number.NaN);
    const detMed = median(detections);
    const detMax = missingDetection ? Infinity : maxOf(detections);
    const lastMed = median(lasts);
    const lastMax = maxOf(lasts);
    report.add({
      name: `detection, median of ${results.length}`,
      value: formatMs(detMed),
      target: target(`≤ ${formatMs(TARGETS.detectionMs)}`, detMed <= TARGETS.detectionMs),
    });
    report.add({
      name: `detection, max of ${results.length}`,
      value: `${formatMs(detMax)}${missingDetection ? ` (${missingDetection} runs without a failover event)` : ''}`,
      target: target(`≤ ${formatMs(TARGETS.detectionMs)}`, detMax <= TARGETS.detectionMs),
    });
    report.add({
      name: `last member updated, median of ${results.length}`,
      value: formatMs(lastMed),
      target: target(`≤ ${formatMs(TARGETS.updatedMs)}`, lastMed <= TARGETS.updatedMs),
    });
    report.add({
      name: `last member updated, max of ${results.length}`,
      value: `${formatMs(lastMax)}${incomplete ? ` (${incomplete} runs where not every member moved within ${formatMs(this.options.runTimeoutMs)})` : ''}`,
      target: target(`≤ ${formatMs(TARGETS.updatedMs)}`, lastMax <= TARGETS.updatedMs),
    });
    report.add({
      name: 'decision → last member (push fan-out)',
      value: `median ${formatMs(median(fanOut))}, max ${formatMs(maxOf(fanOut))}`,
    });
    report.add({
      name: 'kill → decision minus probe schedule',
      value: (() => {
        const overhead = results.map((r) => r.detectionMs - r.expectedMs).filter(Number.isFinite);
        return `median ${formatMs(median(overhead))}, max ${formatMs(maxOf(overhead))} (controller's own delay)`;
      })(),
    });
    const flaps = results.filter((r) => r.flapped).length;
    report.add({
      name: 'flaps when the old primary came back',
      value: `${flaps} of ${results.length}`,
      target: target('0', flaps === 0),
    });
    report.line();
    report.line(
      `Detection is measured from the kill to the controller's failover decision (the \`at\` of its route.failover ` +
        `event). Kills land ${this.options.killOffsetMs === undefined ? 'at a random offset' : `${this.options.killOffsetMs} ms`} after a probe the ` +
        `primary answered, so with the defaults detection is (${DEFAULT_PROBE_INTERVAL_MS} ms − offset) + ${MIN_GRACE_MS} ms ` +
        `(the confirming probe's grace on loopback) + ${DEFAULT_PROBE_TIMEOUT_MS} ms plus the controller's own delay: between ` +
        `${formatMs(MIN_GRACE_MS + DEFAULT_PROBE_TIMEOUT_MS)} and ` +
        `${formatMs(DEFAULT_PROBE_INTERVAL_MS + MIN_GRACE_MS + DEFAULT_PROBE_TIMEOUT_MS)}.`,
    );
    report.line(
      "A member counts as updated when its simulated kernel table (zerotier-one's rules, applied at the real client's " +
        'pace: old routes removed first, 1 s each) sends traffic for both ends of the LAN via the backup; a member ' +
        'updated by a push acknowledged it with OK(ECHO) when it arrived.',
    );
    const swarm = this.swarm!;
    const c = swarm.counters;
    report.line(
      `members over the whole bench: ${formatCount(c.pushesAcked)} pushes acknowledged, ${formatCount(c.repliesParsed)} replies parsed, ` +
        `${c.echoesAnswered} ECHOs answered, ${c.rejected} chunks/configs rejected`,
    );
    const unexpected = [...swarm.unexpected].map(([k, v]) => `${k} ${v}`).join(', ');
    if (unexpected) report.line(`unexpected packets seen by the members: ${unexpected}`);
    report.line();
    report.table();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const result = await this.controller!.request({
      method,
      path,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return expectJson<T>(result, `${method} ${path}`);
  }

  private async routerRows(): Promise<RouterRow[]> {
    const report = await this.api<{ advertised: Array<{ prefix: string; routers: RouterRow[] }> }>(
      'GET',
      `/api/v1/networks/${this.networkId}/routes`,
    );
    return report.advertised.find((p) => p.prefix === PREFIX)?.routers ?? [];
  }

  private async primary(): Promise<string> {
    const report = await this.api<{ advertised: Array<{ prefix: string; primary: string | null }> }>(
      'GET',
      `/api/v1/networks/${this.networkId}/routes`,
    );
    const primary = report.advertised.find((p) => p.prefix === PREFIX)?.primary;
    if (!primary) throw new Error(`${PREFIX} has no primary: ${JSON.stringify(report.advertised)}`);
    return primary;
  }

  private routerByAddress(address: string): Router {
    const router = this.routers.find((r) => r.identity.address === address);
    if (!router) throw new Error(`the primary ${address} is not one of the routers`);
    return router;
  }

  private nameOf(address: string): string {
    return this.routers.find((r) => r.identity.address === address)?.name ?? address;
  }

  private nextEcho(router: Router): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${router.name} got no ECHO from the controller in 10 s`)),
        10_000,
      );
      router.echoWaiters.push((at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  private async metrics(): Promise<Metrics> {
    const result = await this.controller!.request({ path: '/metrics' });
    if (result.status !== 200) throw new Error(`GET /metrics: HTTP ${result.status}`);
    return parseMetrics(result.body.toString('utf8'));
  }

  private async events(
    afterId: number,
    type?: string,
  ): Promise<Array<{ id: number; type: string; data: Record<string, unknown> }>> {
    const query = new URLSearchParams({ network: this.networkId, after: String(afterId), order: 'asc' });
    if (type) query.set('type', type);
    const page = await this.api<{
      events: Array<{ id: number; type: string; data: Record<string, unknown> }>;
    }>('GET', `/api/v1/events?${query}`);
    return page.events;
  }

  private async lastEventId(): Promise<number> {
    const query = new URLSearchParams({ network: this.networkId, order: 'desc', limit: '1' });
    const page = await this.api<{ events: Array<{ id: number }> }>('GET', `/api/v1/events?${query}`);
    return page.events[0]?.id ?? 0;
  }

  private async waitForEvents(afterId: number, type: string, timeoutMs: number) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const events = await this.events(afterId, type);
      if (events.length > 0 || performance.now() > deadline) return events;
      await sleep(100);
    }
  }

  private async waitUntil(
    check: () => boolean | Promise<boolean>,
    timeoutMs: number,
    what: (() => string) | undefined,
    pollMs = 20,
  ): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (performance.now() > deadline)
        throw new Error(`timed out after ${formatMs(timeoutMs)} waiting for ${what?.() ?? 'a condition'}`);
      await sleep(pollMs);
    }
  }

  async stop(): Promise<void> {
    await this.swarm?.close();
    for (const r of this.routers) await r.member.stop().catch(() => undefined);
    await this.controller?.stop();
  }
}

runBench('failover', (workDir) => new FailoverBench(parseOptions(), workDir));
