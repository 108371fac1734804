// Protocol load generator: N simulated members (default 10,000) join a network and keep
// re-requesting their config, multiplexed over a few UDP sockets in this process. Prints config
// replies served per second (peak, from a ramp), p50/p99 latency at 80 % of the peak, what happens
// with more requests than the controller can serve, and the controller's CPU (main thread vs other
// threads) and RSS, each beside its target and zerotier-one 1.14.1's figure on this machine.
//
//   npm run bench:load                              # Routeplane: `routeplane serve` in its own process
//   npm run bench:load -- --members 20000 --step-seconds 4
//   ROUTEPLANE_BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:load
//
// Against another controller (e.g. zerotier-one 1.14.1 on 127.0.0.1), with real member identities
// (generated once into the file when it has too few) and a network whose members need no
// authorization (a public network), or that has them authorized:
//
//   npm run bench:load -- --controller 127.0.0.1/9993 --controller-identity "$(cat identity.public)" \
//     --network 8056c2e21c000001 --identities bench/.cache/identities.txt --controller-pid <pid>
//
// Routeplane's members get synthesised identities (random keys, arbitrary addresses) registered in
// the controller's database before it starts, together with the authorized member records, so
// identity validation (a memory-hard hash, cached per identity) is not part of the measured figures.
import { runBench } from './lib/run-bench.ts';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DATABASE_FILE } from '../src/main.ts';
import { Identity, type IdentityWithPrivate } from '../src/protocol/identity.ts';
import { startControllerProcess, waitForUdp, type ControllerProcess } from './lib/controller-process.ts';
import { expectJson } from './lib/http-request.ts';
import { MemberSwarm, type PhaseStats } from './lib/member-swarm.ts';
import { BENCH_NETWORK_BODY } from './lib/populate.ts';
import { populateSwarm } from './lib/populate-swarm.ts';
import {
  cpuBetween,
  machineBusySeconds,
  sampleCpu,
  threadCount,
  udpReceiveBufferErrors,
  type CpuUse,
} from './lib/proc-stat.ts';
import { Report, target } from './lib/report.ts';
import { elapsedMsSince, formatBytes, formatCount, formatMs, percentile } from './lib/stats.ts';
import { realIdentities, synthesizeIdentities } from './lib/swarm-identities.ts';

const SETUP_STEP_LIMIT_MS = 180_000;

/**
 * One setup step, given SETUP_STEP_LIMIT_MS: a benchmark must end with a message naming the step
 * when a step waits too long. (It cannot help with a blocked event loop: the setup hangs seen in
 * earlier sessions were such a deadlock, in key generation; see swarm-identities.ts.)
 */
async function withinSetup<T>(step: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`setup: ${step} took more than ${SETUP_STEP_LIMIT_MS / 1000} s`)),
      SETUP_STEP_LIMIT_MS,
    );
  });
  try {
    return await Promise.race([work(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

interface LoadOptions {
  members: number;
  sockets: number;
  stepSeconds: number;
  steadySeconds: number;
  overloadSeconds: number;
  rampStart: number;
  rampStep: number;
  /** Shortest interval between two requests of one member (the controller ignores repeats within 1 s). */
  minIntervalMs: number;
  timeoutMs: number;
  membersPerSubnet: number;
  verifyEvery: number;
  /** Only one run at this rate for steadySeconds (profiling), no ramp or overload. */
  fixedRate?: number;
  serveNodeArgs: string[];
  external?: {
    ip: string;
    port: number;
    identity: Identity;
    networkId: string;
    identitiesFile: string;
    pid?: number;
  };
}

const TARGETS = {
  peak: 5000,
  steadyP99Ms: 50,
  overloadShare: 0.9,
  overloadP99Ms: 250,
};

const STOCK = {
  peak: '~1,600/s (2,000 members, p99 15–170 ms)',
  overload: '4,000 members: 1,250–1,580/s, median wait 2 s; 6,000: 910–1,080/s, median 5 s, timeouts',
};

const DEFAULT_IDENTITIES_FILE = fileURLToPath(new URL('./.cache/identities.txt', import.meta.url));
const recordedIdentity = (extension: 'secret' | 'public') =>
  fileURLToPath(
    new URL(`../../shared/zerotier/run-baseline/controller-identity.${extension}`, import.meta.url),
  );

function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value.replaceAll('_', ''));
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`--${name}: "${value}" is not a positive number`);
  return number;
}

function parseOptions(): LoadOptions {
  const { values } = parseArgs({
    options: {
      members: { type: 'string' },
      sockets: { type: 'string' },
      'step-seconds': { type: 'string' },
      'steady-seconds': { type: 'string' },
      'overload-seconds': { type: 'string' },
      'ramp-start': { type: 'string' },
      'ramp-step': { type: 'string' },
      'min-interval-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'members-per-subnet': { type: 'string' },
      'verify-every': { type: 'string' },
      controller: { type: 'string' },
      'controller-identity': { type: 'string' },
      'controller-pid': { type: 'string' },
      network: { type: 'string' },
      identities: { type: 'string' },
      rate: { type: 'string' },
    },
  });
  const external = values.controller;
  let ext: LoadOptions['external'];
  if (external !== undefined) {
    const [ip, port] = external.split('/');
    if (!ip || !port) throw new Error('--controller: expected ip/port, e.g. 127.0.0.1/9993');
    if (!values['controller-identity']) throw new Error('--controller needs --controller-identity');
    if (!values.network) throw new Error('--controller needs --network');
    ext = {
      ip,
      port: Number(port),
      identity: Identity.parse(values['controller-identity']),
      networkId: values.network.toLowerCase(),
      identitiesFile: values.identities ?? DEFAULT_IDENTITIES_FILE,
      pid: values['controller-pid'] === undefined ? undefined : Number(values['controller-pid']),
    };
  }
  return {
    members: Math.round(
      positiveNumber(values.members ?? process.env.ROUTEPLANE_BENCH_MEMBERS, 'members', 10_000),
    ),
    sockets: Math.round(positiveNumber(values.sockets, 'sockets', 4)),
    stepSeconds: positiveNumber(values['step-seconds'], 'step-seconds', 5),
    steadySeconds: positiveNumber(values['steady-seconds'], 'steady-seconds', 15),
    overloadSeconds: positiveNumber(values['overload-seconds'], 'overload-seconds', 15),
    rampStart: positiveNumber(values['ramp-start'], 'ramp-start', 1000),
    rampStep: positiveNumber(values['ramp-step'], 'ramp-step', 1000),
    minIntervalMs: positiveNumber(values['min-interval-ms'], 'min-interval-ms', 1050),
    timeoutMs: positiveNumber(values['timeout-ms'], 'timeout-ms', 5000),
    // Routeplane lets a /24 burst 8 new identities; zerotier-one one per 2 s.
    membersPerSubnet: Math.round(
      positiveNumber(values['members-per-subnet'], 'members-per-subnet', ext ? 1 : 8),
    ),
    verifyEvery: Math.round(positiveNumber(values['verify-every'], 'verify-every', 50)),
    fixedRate: values.rate === undefined ? undefined : positiveNumber(values.rate, 'rate', 1000),
    serveNodeArgs: (process.env.ROUTEPLANE_BENCH_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    external: ext,
  };
}

interface PhaseResult {
  stats: PhaseStats;
  offered: number;
  served: number;
  p50: number;
  p99: number;
  max: number;
  unanswered: number;
  cpu?: CpuUse;
  loadgenCores: number;
  /** Cores busy with other processes of the machine meanwhile (other people's tests…). */
  otherCores: number;
  rss?: number;
  rcvbufErrors: number;
}

class LoadBench {
  private readonly report = new Report();
  private controller?: ControllerProcess;
  private swarm?: MemberSwarm;
  private pid?: number;
  private readonly token = randomBytes(24).toString('hex');

  constructor(
    private readonly options: LoadOptions,
    private readonly workDir: string,
  ) {}

  async run(): Promise<void> {
    const { options, report } = this;
    const ext = options.external;
    report.line(
      `Routeplane load generator: ${formatCount(options.members)} simulated members re-requesting their config`,
    );
    report.line(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ` +
        `load generator and controller share it`,
    );
    report.line();

    let controllerIdentity: Identity;
    let ip: string;
    let port: number;
    let networkId: string;
    let identities: IdentityWithPrivate[];
    if (ext) {
      report.line(`== target: external controller ${ext.identity.address} at ${ext.ip}/${ext.port}`);
      identities = await realIdentities(ext.identitiesFile, options.members, (done, total) => {
        if (done % 100 === 0 || done === total) report.line(`  generated identity ${done}/${total}`);
      });
      controllerIdentity = ext.identity;
      ({ ip, port, networkId } = ext);
      this.pid = ext.pid;
      report.line(
        `  ${formatCount(identities.length)} real identities from ${ext.identitiesFile}; the controller validates each one at join`,
      );
    } else {
      ({ controllerIdentity, port, networkId, identities } = await this.setUpRouteplane());
      ip = '127.0.0.1';
    }

    const swarm = new MemberSwarm({
      controller: { identity: controllerIdentity, ip, port },
      networkId,
      identities,
      sockets: options.sockets,
      localIp: '127.0.0.1',
      membersPerJoinSubnet: options.membersPerSubnet,
      joinSubnetBase: 10,
      verifyEvery: options.verifyEvery,
      timeoutMs: options.timeoutMs,
    });
    this.swarm = swarm;
    await swarm.open();

    report.line(`== join (not measured): HELLO from ${formatCount(swarm.size)} members`);
    const joinStart = process.hrtime.bigint();
    let lastPrinted = 0;
    const joined = await this.whileControllerRuns(
      swarm.join(200, (n) => {
        if (n - lastPrinted >= 2500) {
          lastPrinted = n;
          report.line(`  ${formatCount(n)} joined`);
        }
      }),
    );
    report.line(
      `  ${formatCount(joined)} of ${formatCount(swarm.size)} joined in ${formatMs(elapsedMsSince(joinStart))}`,
    );
    if (joined === 0) throw new Error('no member got OK(HELLO) from the controller');

    const maxRate = Math.floor((joined * 1000) / options.minIntervalMs);
    report.line(
      `  offered load is capped at ${formatCount(maxRate)} requests/s: each member asks at most every ${options.minIntervalMs} ms ` +
        `(the controller ignores a member's repeat within 1 s)`,
    );
    report.line();

    report.line('== warm-up (not measured): every member asks once, then a little more');
    // Every member's first request goes to the store; the rest are steady-state repeats.
    const warmRate = Math.min(options.rampStart, maxRate);
    const warm = await this.phase('warm-up', warmRate, Math.ceil(joined / warmRate) + 2);
    this.checkSane(warm);
    this.printPhase(warm);

    if (options.fixedRate !== undefined) {
      report.line(
        `== fixed load: ${formatCount(options.fixedRate)} requests/s for ${options.steadySeconds} s`,
      );
      this.printPhase(await this.phase('fixed', Math.min(options.fixedRate, maxRate), options.steadySeconds));
      if (this.controller) {
        const metrics = (await this.controller.request({ path: '/metrics' })).body.toString();
        for (const line of metrics.split('\n')) {
          if (
            /^routeplane_(config_requests_total|udp_dropped_total|config_admission|config_decision_cache)/.test(
              line,
            )
          )
            report.line(`  ${line}`);
        }
      }
      return;
    }

    report.line(`== ramp: ${options.stepSeconds} s per step until replies fall behind requests`);
    let peak: PhaseResult | undefined;
    let saturated = false;
    for (let rate = options.rampStart; rate <= maxRate + options.rampStep - 1; rate += options.rampStep) {
      const offered = Math.min(rate, maxRate);
      const step = await this.phase(`ramp ${formatCount(offered)}/s`, offered, options.stepSeconds);
      this.printPhase(step);
      if (!peak || step.served > peak.served) peak = step;
      if (step.served < 0.9 * step.offered || step.p99 > 1000) {
        saturated = true;
        break;
      }
      if (offered === maxRate) break;
    }
    if (!peak) throw new Error('the ramp ran no step');
    const peakRate = peak.served;
    report.add({
      name: 'peak config replies/s',
      value:
        `${formatCount(peakRate)}/s (p50 ${formatMs(peak.p50)}, p99 ${formatMs(peak.p99)} at that step` +
        `${saturated ? '' : `; not saturated: offer more with --members > ${formatCount(joined)}`})`,
      target: target(`≥ ${formatCount(TARGETS.peak)}/s`, peakRate >= TARGETS.peak),
      stock: STOCK.peak,
    });
    report.line();

    const steadyRate = Math.floor(peakRate * 0.8);
    report.line(
      `== steady load at 80 % of the peak: ${formatCount(steadyRate)} requests/s for ${options.steadySeconds} s`,
    );
    const steady = await this.phase('steady 80 %', steadyRate, options.steadySeconds);
    this.printPhase(steady);
    report.add({
      name: 'latency at 80 % of peak',
      value:
        `p50 ${formatMs(steady.p50)}, p99 ${formatMs(steady.p99)}, max ${formatMs(steady.max)} ` +
        `(${formatCount(steady.served)}/s served, ${(steady.unanswered * 100).toFixed(2)} % unanswered)`,
      target: target(
        `p99 < ${TARGETS.steadyP99Ms} ms, < 0.1 % unanswered`,
        steady.p99 < TARGETS.steadyP99Ms && steady.unanswered < 0.001,
      ),
      stock: 'p99 15–170 ms at 2,000 members',
    });
    this.cpuFigure('controller CPU at 80 % of peak', steady);

    report.line();
    const overloadRate = maxRate;
    report.line(
      `== overload: every member asks every ${options.minIntervalMs} ms = ${formatCount(overloadRate)} requests/s ` +
        `(${(overloadRate / peakRate).toFixed(2)} × peak) for ${options.overloadSeconds} s`,
    );
    if (overloadRate < 1.2 * peakRate)
      report.line(
        `  note: that is not much above the peak; use --members ≥ ${formatCount(Math.ceil((peakRate * 2 * options.minIntervalMs) / 1000))} for 2 ×`,
      );
    const overload = await this.phase('overload', overloadRate, options.overloadSeconds);
    this.printPhase(overload);
    report.add({
      name: 'overload: replies/s',
      value:
        `${formatCount(overload.served)}/s = ${((overload.served / peakRate) * 100).toFixed(0)} % of peak ` +
        `with ${formatCount(overload.offered)}/s offered; p50 ${formatMs(overload.p50)}, p99 ${formatMs(overload.p99)} ` +
        `of answered; ${(overload.unanswered * 100).toFixed(1)} % not answered (shed)`,
      target: target(
        `≥ ${TARGETS.overloadShare * 100} % of peak, p99 < ${TARGETS.overloadP99Ms} ms`,
        overload.served >= TARGETS.overloadShare * peakRate && overload.p99 < TARGETS.overloadP99Ms,
      ),
      stock: STOCK.overload,
    });
    this.cpuFigure('controller CPU in overload', overload);
    if (this.controller) {
      const { peakRss } = this.controller.memory();
      report.add({ name: 'controller peak RSS (VmHWM)', value: formatBytes(peakRss) });
    }

    report.line();
    report.line(
      "Identity validation is not part of these figures: members were pre-registered in the controller's " +
        'known_identity table (as after their first HELLO), so the controller never ran the memory-hard hash.',
    );
    if (ext)
      report.line(
        '(External controller: real identities, validated by the controller during the join phase only.)',
      );
    const unexpected = [...swarm.unexpected].map(([k, v]) => `${k} ${v}`).join(', ');
    if (unexpected) report.line(`unexpected packets seen by the members: ${unexpected}`);
    report.line();
    report.table();
  }

  private async setUpRouteplane(): Promise<{
    controllerIdentity: Identity;
    port: number;
    networkId: string;
    identities: IdentityWithPrivate[];
  }> {
    const { options, report } = this;
    const dataDir = join(this.workDir, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    copyFileSync(recordedIdentity('secret'), join(dataDir, 'identity.secret'));
    copyFileSync(recordedIdentity('public'), join(dataDir, 'identity.public'));

    report.line(`== setup (not measured): network + ${formatCount(options.members)} authorized members`);
    const setupStart = process.hrtime.bigint();
    let controller = await withinSetup('starting routeplane serve', () =>
      startControllerProcess({ dataDir, token: this.token }),
    );
    const created = expectJson<{ id: string }>(
      await withinSetup('creating the network', () =>
        controller.request({
          method: 'POST',
          path: '/controller/network',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...BENCH_NETWORK_BODY, name: 'bench-load' }),
        }),
      ),
      'create network',
    );
    await withinSetup('stopping routeplane serve', () => controller.stop());
    const identities = synthesizeIdentities(options.members);
    await withinSetup('writing the members', () =>
      populateSwarm(join(dataDir, DATABASE_FILE), created.id, identities),
    );
    report.line(
      `  ${formatCount(identities.length)} synthesised member identities (random keys), written with their ` +
        `known_identity rows in ${formatMs(elapsedMsSince(setupStart))}`,
    );
    controller = await withinSetup('starting routeplane serve again', () =>
      startControllerProcess({
        dataDir,
        token: this.token,
        nodeArgs: options.serveNodeArgs,
      }),
    );
    this.controller = controller;
    this.pid = controller.pid;
    const status = await withinSetup('waiting for the UDP side', () => waitForUdp(controller));
    report.line(
      `  routeplane serve pid ${controller.pid}, UDP port ${status.config.settings.primaryPort}, network ${created.id}, ` +
        `${threadCount(controller.pid)} threads, RSS ${formatBytes(controller.memory().rss)}`,
    );
    return {
      controllerIdentity: Identity.parse(status.publicIdentity),
      port: status.config.settings.primaryPort,
      networkId: created.id,
      identities,
    };
  }

  private async phase(name: string, rate: number, seconds: number): Promise<PhaseResult> {
    const swarm = this.swarm!;
    const cpuBefore = this.pid === undefined ? undefined : sampleCpu(this.pid);
    const ownBefore = process.cpuUsage();
    const rcvBefore = udpReceiveBufferErrors();
    const machineBefore = machineBusySeconds();
    const stats = swarm.startPhase(name);
    swarm.setRate(rate);
    await this.whileControllerRuns(new Promise((resolve) => setTimeout(resolve, seconds * 1000)));
    const cpuAfter = this.pid === undefined ? undefined : sampleCpu(this.pid);
    const own = process.cpuUsage(ownBefore);
    const machineBusy = machineBusySeconds() - machineBefore;
    swarm.endPhase();
    const rcvAfter = udpReceiveBufferErrors();
    // Let this phase's stragglers arrive or time out before the figures are read.
    swarm.setRate(0);
    const settleUntil = performance.now() + this.options.timeoutMs + 200;
    while (
      performance.now() < settleUntil &&
      [...[stats]].some((s) => s.answered + s.timeouts + errorCount(s) < s.sent)
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    const sorted = Float64Array.from(stats.latencies).sort();
    const served = stats.completedInWindow / stats.seconds;
    return {
      stats,
      offered: stats.sent / stats.seconds,
      served,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
      unanswered: stats.sent > 0 ? (stats.sent - stats.answered) / stats.sent : 0,
      cpu: cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined,
      loadgenCores: (own.user + own.system) / 1e6 / stats.seconds,
      otherCores: Math.max(
        0,
        machineBusy / stats.seconds -
          (own.user + own.system) / 1e6 / stats.seconds -
          (cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter).cores : 0),
      ),
      rss: this.controller?.memory().rss,
      rcvbufErrors: rcvAfter - rcvBefore,
    };
  }

  /** `work`, unless the controller we started exits first (then its exit and stderr end the run). */
  private whileControllerRuns<T>(work: Promise<T>): Promise<T> {
    return this.controller ? Promise.race([work, this.controller.diedUnexpectedly]) : work;
  }

  private checkSane(result: PhaseResult): void {
    const { stats } = result;
    if (stats.answered === 0) {
      const errors = [...stats.errors].map(([code, n]) => `code ${code} × ${n}`).join(', ');
      throw new Error(
        `no config reply during warm-up (${stats.sent} requests, ${stats.timeouts} timeouts${errors ? `, errors ${errors}` : ''})`,
      );
    }
    if (stats.verifyFailures > 0)
      throw new Error(`${stats.verifyFailures} config chunks failed signature checks`);
  }

  private printPhase(r: PhaseResult): void {
    const s = r.stats;
    const errors = [...s.errors].map(([code, n]) => `ERROR ${code} × ${n}`).join(', ');
    const perReply = (cores: number) =>
      r.served > 0 ? `${((cores / r.served) * 1e6).toFixed(0)} µs` : 'n/a';
    const cpu = r.cpu
      ? `controller CPU ${r.cpu.cores.toFixed(2)} cores (main ${r.cpu.mainCores.toFixed(2)}, other threads ${r.cpu.otherCores.toFixed(2)}; ` +
        `per reply ${perReply(r.cpu.cores)}: main ${perReply(r.cpu.mainCores)}, others ${perReply(r.cpu.otherCores)})`
      : 'controller CPU n/a';
    const packetsPerReply = s.answered > 0 ? (s.packets / s.answered).toFixed(2) : 'n/a';
    this.report.line(
      `  ${s.name}: offered ${formatCount(r.offered)}/s, served ${formatCount(r.served)}/s, ` +
        `p50 ${formatMs(r.p50)}, p99 ${formatMs(r.p99)}, unanswered ${(r.unanswered * 100).toFixed(1)} %` +
        `${errors ? `, ${errors}` : ''}`,
    );
    this.report.line(
      `    ${cpu}, load generator ${r.loadgenCores.toFixed(2)} cores, other processes ${r.otherCores.toFixed(2)} cores` +
        `${r.rss ? `, RSS ${formatBytes(r.rss)}` : ''}; ` +
        `${packetsPerReply} packets/reply (${s.compressedPackets} compressed, ${s.fragmentedPackets} fragmented), ` +
        `${s.bytes > 0 && s.packets > 0 ? formatCount(s.bytes / s.packets) : 0} B/packet; ` +
        `signatures checked ${s.verified}${s.verifyFailures ? `, FAILED ${s.verifyFailures}` : ''}; ` +
        `kernel UDP receive-buffer drops ${r.rcvbufErrors}`,
    );
    if (s.verifyFailures > 0) throw new Error(`${s.verifyFailures} config chunks failed signature checks`);
  }

  private cpuFigure(name: string, r: PhaseResult): void {
    if (!r.cpu) return;
    this.report.add({
      name,
      value:
        `${r.cpu.cores.toFixed(2)} cores (main thread ${r.cpu.mainCores.toFixed(2)}, other threads ${r.cpu.otherCores.toFixed(2)}); ` +
        `load generator ${r.loadgenCores.toFixed(2)}; other processes ${r.otherCores.toFixed(2)}${r.rss ? `; RSS ${formatBytes(r.rss)}` : ''}`,
    });
  }

  async stop(): Promise<void> {
    await this.swarm?.close();
    await this.controller?.stop();
  }
}

function errorCount(s: PhaseStats): number {
  let n = 0;
  for (const v of s.errors.values()) n += v;
  return n;
}

runBench('loadgen', (workDir) => new LoadBench(parseOptions(), workDir));
