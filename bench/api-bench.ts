// API benchmark: one network with 100,000 members, served by `routeplane serve` in its own process
// (as users run it) while the load comes from this process. Prints restart-to-serving time, GET member
// latency (keep-alive and a new connection per request, concurrency 1 and 16), member updates per
// second, full-list times, and the controller's RSS, each beside its target and zerotier-one 1.14.1.
//
//   npm run bench:api                        # 100,000 members
//   npm run bench:api -- --members 10000     # or ROUTEPLANE_BENCH_MEMBERS=10000
//
// The members are written straight into the SQLite file before the controller starts; that setup is
// timed and printed but is not part of any figure. To profile the controller, give its node options:
//   ROUTEPLANE_BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:api
import { runBench } from './lib/run-bench.ts';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DATABASE_FILE } from '../src/main.ts';
import { describeMachine, freshDataDir, positiveInteger } from './lib/bench-setup.ts';
import { startControllerProcess, type ControllerProcess } from './lib/controller-process.ts';
import { runKeepAlive, runNewConnectionPerRequest, type LoadRun } from './lib/http-load.ts';
import { runWrk, wrkBinary } from './lib/wrk-load.ts';
import { expectJson, type RequestSpec } from './lib/http-request.ts';
import { timeMemberLists } from './lib/member-lists.ts';
import { durableCommitsPerSecond } from './lib/disk-probe.ts';
import { BENCH_NETWORK_BODY, memberAddresses, populateMembers } from './lib/populate.ts';
import { Report, target } from './lib/report.ts';
import {
  elapsedMsSince,
  formatBytes,
  formatCount,
  formatMs,
  median,
  type LatencySummary,
} from './lib/stats.ts';

interface BenchOptions {
  members: number;
  /** Requests per GET-latency run. */
  requests: number;
  /** Duration of the concurrency-16 update run; the concurrency-1 run takes half. */
  updateSeconds: number;
  /** Starts per restart-to-serving figure (the median is reported). */
  starts: number;
  /** Extra node options for every serve process (ROUTEPLANE_BENCH_SERVE_NODE_ARGS). */
  serveNodeArgs: string[];
}

const TARGETS = {
  servingMs: 1000,
  getP99Ms: 2,
  listMs: 1000,
  updatesPerSecond: 2000,
  rssBytes: 400 * 1024 ** 2,
};

const STOCK = {
  serving: '4–16 s from restart',
  getKeepAlive: '42 ms per request',
  getC1: 'p99 5 ms',
  getC16: 'p99 49 ms',
  updates: '366–662/s',
  list: '6.6 s',
  rss: '0.4–0.9 GB',
};

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      members: { type: 'string' },
      requests: { type: 'string' },
      'update-seconds': { type: 'string' },
      starts: { type: 'string' },
    },
  });
  return {
    members: positiveInteger(values.members ?? process.env.ROUTEPLANE_BENCH_MEMBERS, 'members', 100_000),
    requests: positiveInteger(values.requests, 'requests', 5000),
    updateSeconds: positiveInteger(values['update-seconds'], 'update-seconds', 10),
    starts: positiveInteger(values.starts, 'starts', 3),
    serveNodeArgs: (process.env.ROUTEPLANE_BENCH_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  };
}

function describeLatency(summary: LatencySummary): string {
  return (
    `p50 ${formatMs(summary.p50)}, p99 ${formatMs(summary.p99)} ` +
    `(${formatCount(summary.count)} req, ${summary.errors} errors, ${formatCount(summary.rate)} req/s)`
  );
}

class ApiBench {
  private readonly report = new Report();
  private readonly dataDir: string;
  private readonly token = randomBytes(24).toString('hex');
  private controller: ControllerProcess | undefined;
  private networkId = '';
  private addresses: string[] = [];

  constructor(
    private readonly options: BenchOptions,
    workDir: string,
  ) {
    this.dataDir = join(workDir, 'data');
  }

  async run(): Promise<void> {
    const { report, options } = this;
    const start = process.hrtime.bigint();
    report.line(`Routeplane API benchmark: one network with ${formatCount(options.members)} members`);
    report.line(describeMachine());
    report.line();

    await this.emptyStarts();
    await this.populate();
    await this.restarts();
    await this.getLatency();
    await this.updates();
    await this.lists();
    await this.stop();

    report.line();
    report.table();
    report.line();
    report.line(describeMachine());
    report.line(
      `reproduce: cd ${fileURLToPath(new URL('..', import.meta.url))} && npm run bench:api -- --members ${options.members}`,
    );
    report.line(
      `${report.misses === 0 ? 'all targets met' : `${report.misses} target(s) missed`}; ` +
        `the benchmark took ${formatMs(elapsedMsSince(start))}`,
    );
  }

  async stop(): Promise<void> {
    await this.controller?.stop();
    this.controller = undefined;
  }

  private get live(): ControllerProcess {
    if (!this.controller) throw new Error('the controller is not running');
    return this.controller;
  }

  private memberPath(address: string): string {
    return `/controller/network/${this.networkId}/member/${address}`;
  }

  private randomMember(): string {
    return this.addresses[Math.floor(Math.random() * this.addresses.length)]!;
  }

  /** Starts `serve` `starts` times (after `prepare` each time); the last one is left running. */
  private async timeStarts(prepare: () => void) {
    const times: number[] = [];
    for (let i = 0; i < this.options.starts; i++) {
      if (i > 0) await this.stop();
      prepare();
      this.controller = await startControllerProcess({
        dataDir: this.dataDir,
        token: this.token,
        nodeArgs: this.options.serveNodeArgs,
      });
      times.push(this.controller.startupMs);
    }
    return { median: median(times), all: times.map(formatMs).join(', ') };
  }

  private servingFigure(name: string, times: { median: number; all: string }) {
    this.report.add({
      name,
      value: `${formatMs(times.median)} (median of ${this.options.starts}: ${times.all})`,
      target: target(`< ${formatMs(TARGETS.servingMs)}`, times.median < TARGETS.servingMs),
      stock: STOCK.serving,
    });
  }

  /** First starts on an empty database; the last one creates the benchmark network. */
  private async emptyStarts(): Promise<void> {
    this.report.line('== start to serving, empty database (fresh data dir each time)');
    const times = await this.timeStarts(() => freshDataDir(this.dataDir));
    const created = expectJson<{ id: string }>(
      await this.live.request({
        method: 'POST',
        path: '/controller/network',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(BENCH_NETWORK_BODY),
      }),
      'create network',
    );
    this.networkId = created.id;
    await this.stop();
    this.servingFigure('serving after start, empty DB', times);
  }

  private async populate(): Promise<void> {
    const { members } = this.options;
    this.report.line(
      `== setup (not measured): ${formatCount(members)} members into network ${this.networkId}`,
    );
    const start = process.hrtime.bigint();
    this.addresses = memberAddresses(members);
    await populateMembers(join(this.dataDir, DATABASE_FILE), this.networkId, this.addresses);
    this.report.line(
      `  written in ${formatMs(elapsedMsSince(start))}, half authorized, one IPv4 address each`,
    );
  }

  private async restarts(): Promise<void> {
    this.report.line(`== restart to serving with ${formatCount(this.options.members)} members`);
    const times = await this.timeStarts(() => undefined);
    this.servingFigure(`serving after restart, ${formatCount(this.options.members)} members`, times);
    this.memoryFigure('RSS after restart (idle)', false);
  }

  private loadRun(
    concurrency: number,
    next: () => RequestSpec,
    amount: Pick<LoadRun, 'requests' | 'seconds'>,
  ): LoadRun {
    return { endpoint: this.live.endpoint, headers: this.live.authHeaders, concurrency, next, ...amount };
  }

  private getRequest = (): RequestSpec => ({ path: this.memberPath(this.randomMember()) });

  private updateSequence = 0;
  private updateRequest = (): RequestSpec => ({
    method: 'POST',
    path: this.memberPath(this.randomMember()),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `bench-renamed-${++this.updateSequence}` }),
  });

  private async getLatency(): Promise<void> {
    const { requests } = this.options;
    this.report.line(
      `== GET member latency, random member each request (${formatCount(requests)} requests per run)`,
    );
    // Warm-up so the figures show the steady state, not the JIT and the SQLite page cache filling.
    await runKeepAlive(this.loadRun(16, this.getRequest, { requests: Math.min(2000, requests) }));

    const modes = [
      { label: 'keep-alive', load: runKeepAlive, stock: () => STOCK.getKeepAlive },
      {
        label: 'new connection per request',
        load: runNewConnectionPerRequest,
        stock: (concurrency: number) => (concurrency === 1 ? STOCK.getC1 : STOCK.getC16),
      },
    ];
    for (const mode of modes) {
      for (const concurrency of [1, 16]) {
        const summary = await mode.load(this.loadRun(concurrency, this.getRequest, { requests }));
        const gated = concurrency === 16;
        this.report.add({
          name: `GET member, ${mode.label}, c${concurrency}`,
          value: describeLatency(summary),
          target: gated
            ? target(
                `p99 < ${formatMs(TARGETS.getP99Ms)}, 0 errors`,
                summary.p99 < TARGETS.getP99Ms && summary.errors === 0,
              )
            : target('0 errors', summary.errors === 0),
          stock: mode.stock(concurrency),
        });
      }
    }
    await this.wrkLatency();
  }

  /**
   * Keep-alive latency from wrk, a C load generator in its own process: the in-process generators
   * above share the event loop and the machine's two cores with what they measure, wrk barely does.
   */
  private async wrkLatency(): Promise<void> {
    const binary = wrkBinary();
    if (!binary) {
      this.report.line(
        '  (wrk is not installed: apt-get install wrk for the keep-alive figures from a C load generator)',
      );
      return;
    }
    const paths = Array.from({ length: 5000 }, () => this.memberPath(this.randomMember()));
    for (const connections of [1, 16]) {
      const summary = await runWrk(binary, {
        endpoint: this.live.endpoint,
        headers: this.live.authHeaders,
        connections,
        threads: 1,
        seconds: 10,
        paths,
      });
      this.report.add({
        name: `GET member, keep-alive, wrk, c${connections}`,
        value:
          `p50 ${formatMs(summary.p50)}, p90 ${formatMs(summary.p90)}, p99 ${formatMs(summary.p99)} ` +
          `(${formatCount(summary.requests)} req in 10 s, ${summary.errors} errors, ${formatCount(summary.rate)} req/s)`,
        target:
          connections === 16
            ? target(
                `p99 < ${formatMs(TARGETS.getP99Ms)}, 0 errors`,
                summary.p99 < TARGETS.getP99Ms && summary.errors === 0,
              )
            : target('0 errors', summary.errors === 0),
        stock: STOCK.getKeepAlive,
      });
    }
  }

  private async updates(): Promise<void> {
    const seconds = this.options.updateSeconds;
    this.report.line('== member updates: POST a new name to a random member (each a committed transaction)');
    this.report.add({
      name: 'disk: durable SQLite commits/s (no server)',
      value: `${formatCount(durableCommitsPerSecond(join(this.dataDir, 'commit-probe.db')))}/s, one 800-byte row each`,
    });
    // Warm-up bounded in time: at a few updates per second a fixed count could take minutes.
    await runKeepAlive(this.loadRun(16, this.updateRequest, { seconds: 1 }));
    for (const [concurrency, duration] of [
      [16, seconds],
      [1, Math.max(1, Math.round(seconds / 2))],
    ] as const) {
      const summary = await runKeepAlive(
        this.loadRun(concurrency, this.updateRequest, { seconds: duration }),
      );
      const gated = concurrency === 16;
      this.report.add({
        name: `member updates, c${concurrency}`,
        value: `${formatCount(summary.rate)}/s over ${duration} s (${formatCount(summary.count)} updates, ${summary.errors} errors, p50 ${formatMs(summary.p50)}, p99 ${formatMs(summary.p99)})`,
        target: gated
          ? target(
              `≥ ${formatCount(TARGETS.updatesPerSecond)}/s, 0 errors`,
              summary.rate >= TARGETS.updatesPerSecond && summary.errors === 0,
            )
          : target('0 errors', summary.errors === 0),
        stock: STOCK.updates,
      });
    }
    this.memoryFigure('RSS after updates', true);
  }

  private async lists(): Promise<void> {
    const members = this.options.members;
    this.report.line(`== full member list, median of 3`);
    const names = {
      revisions: 'list revisions (GET …/member)',
      objects: 'list full objects (GET /unstable/…/member)',
    };
    for (const { kind, times, bytes } of await timeMemberLists(this.live, this.networkId, members, 3)) {
      const time = median(times);
      this.report.add({
        name: names[kind],
        value: `${formatMs(time)} for ${formatCount(members)} members, ${formatBytes(bytes)} (${times.map(formatMs).join(', ')})`,
        target: target(`< ${formatMs(TARGETS.listMs)}`, time < TARGETS.listMs),
        stock: STOCK.list,
      });
    }
    this.memoryFigure('RSS after lists', true);
    const { peakRss } = this.live.memory();
    this.report.add({
      name: 'peak RSS (VmHWM)',
      value: formatBytes(peakRss),
      target: target(`< ${formatBytes(TARGETS.rssBytes)}`, peakRss < TARGETS.rssBytes),
      stock: STOCK.rss,
    });
  }

  private memoryFigure(name: string, gated: boolean): void {
    const { rss } = this.live.memory();
    this.report.add({
      name,
      value: formatBytes(rss),
      ...(gated ? { target: target(`< ${formatBytes(TARGETS.rssBytes)}`, rss < TARGETS.rssBytes) } : {}),
      stock: STOCK.rss,
    });
  }
}

runBench('api-bench', (workDir) => new ApiBench(parseOptions(), workDir));
