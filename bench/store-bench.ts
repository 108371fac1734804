// Store benchmark: the same network of 100,000 members on SQLite and on PostgreSQL, side by side.
// Per backend: populating it through the store's transaction API, single-member durable writes at
// concurrency 1 (store and service, no HTTP), then `routeplane serve` in its own process (as users run
// it, load from this process): GET member latency, member updates per second through the API, the
// two member lists, and the controller's RSS.
//
//   npm run bench:store                          # 100,000 members, SQLite and PostgreSQL
//   npm run bench:store -- --members 10000       # or ROUTEPLANE_BENCH_MEMBERS=10000
//   npm run bench:store -- --backends postgres   # one backend only
//
// PostgreSQL: --postgres URL or ROUTEPLANE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
// everything lives in a scratch schema that is dropped afterwards (also on Ctrl-C). Its tables are
// ANALYZEd after the bulk load, as autovacuum would do a minute or so later: without statistics the
// planner reads the keyset-paged member list with a bitmap scan and a sort per page (~8x slower at
// 100,000 members), and the figures would depend on when autovacuum happened to run.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ControllerService } from '../src/service/controller-service.ts';
import { DATABASE_FILE } from '../src/store/open-store.ts';
import { clientConfig } from '../src/store/postgres/postgres-connection.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import {
  dropSchema,
  scratchSchemaName,
  TEST_DATABASE_URL,
} from '../src/store/postgres/postgres-test-database.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { describeMachine, freshDataDir, positiveInteger } from './lib/bench-setup.ts';
import { startControllerProcess, type ControllerProcess } from './lib/controller-process.ts';
import { durableCommitsPerSecond } from './lib/disk-probe.ts';
import { runKeepAlive, type LoadRun } from './lib/http-load.ts';
import { expectJson, type RequestSpec } from './lib/http-request.ts';
import { timeMemberLists } from './lib/member-lists.ts';
import { BENCH_NETWORK_BODY, memberAddresses, populateStore } from './lib/populate.ts';
import {
  analyzeSchema,
  describePostgres,
  postgresCommitsPerSecond,
  postgresSchemaBytes,
} from './lib/postgres-probe.ts';
import { runBench, type Bench } from './lib/run-bench.ts';
import { SideBySide } from './lib/side-by-side.ts';
import {
  elapsedMsSince,
  formatBytes,
  formatCount,
  formatMs,
  median,
  summarize,
  type LatencySummary,
} from './lib/stats.ts';

type BackendName = 'sqlite' | 'postgres';

const COLUMN: Record<BackendName, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

interface BenchOptions {
  members: number;
  backends: BackendName[];
  postgresUrl: string;
  /** Members per store transaction while populating. */
  batch: number;
  /** Requests per GET-latency run. */
  requests: number;
  /** Duration of the concurrency-16 API update run; the concurrency-1 run takes half. */
  updateSeconds: number;
  /** Duration of each concurrency-1 store / service write run. */
  writeSeconds: number;
  /** Full-list repetitions (the median is reported). */
  lists: number;
}

/** One backend under test: where its data lives and how `serve` and the bench reach it. */
interface Backend {
  name: BackendName;
  column: string;
  dataDir: string;
  /** PostgreSQL only. */
  schema?: string;
  serveArgs: string[];
  openStore(): Promise<Store>;
  commitsPerSecond(): Promise<number>;
  databaseBytes(): Promise<number>;
  /** After the bulk load, before any figure: what the database needs to plan well (PostgreSQL: ANALYZE). */
  afterPopulate?(): Promise<string>;
  /** Drops what lives outside the work dir; idempotent. */
  cleanUp(): Promise<void>;
  /** Ctrl-C: stops the bench's own database work, then cleans up. */
  interrupt(): Promise<void>;
}

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      members: { type: 'string' },
      backends: { type: 'string' },
      postgres: { type: 'string' },
      batch: { type: 'string' },
      requests: { type: 'string' },
      'update-seconds': { type: 'string' },
      'write-seconds': { type: 'string' },
      lists: { type: 'string' },
    },
  });
  const backends = (values.backends ?? 'sqlite,postgres').split(',').map((name) => name.trim());
  for (const name of backends) {
    if (name !== 'sqlite' && name !== 'postgres')
      throw new Error(`--backends: "${name}" is neither sqlite nor postgres`);
  }
  return {
    members: positiveInteger(values.members ?? process.env.ROUTEPLANE_BENCH_MEMBERS, 'members', 100_000),
    backends: [...new Set(backends as BackendName[])],
    postgresUrl: values.postgres ?? TEST_DATABASE_URL,
    batch: positiveInteger(values.batch, 'batch', 5000),
    requests: positiveInteger(values.requests, 'requests', 5000),
    updateSeconds: positiveInteger(values['update-seconds'], 'update-seconds', 10),
    writeSeconds: positiveInteger(values['write-seconds'], 'write-seconds', 3),
    lists: positiveInteger(values.lists, 'lists', 3),
  };
}

/** The error count, only when there were errors: a clean run's cells stay short. */
function errorsNote(errors: number): string {
  return errors === 0 ? '' : `, ${formatCount(errors)} ERRORS`;
}

function latency(summary: LatencySummary): string {
  return `${formatMs(summary.p50)} / ${formatMs(summary.p99)}${errorsNote(summary.errors)}`;
}

function rate(summary: LatencySummary, seconds: number): string {
  return `${formatCount(summary.rate)}/s (${formatCount(summary.count)} in ${seconds} s${errorsNote(summary.errors)})`;
}

function fileBytes(file: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal']) {
    try {
      bytes += statSync(file + suffix).size;
    } catch {
      // No WAL file: it was checkpointed away on close.
    }
  }
  return bytes;
}

/**
 * Cancels the statements our own connections run (Ctrl-C during a long populate transaction), so the
 * schema can be dropped at once: a cancel fails only the running query, a terminate would crash us.
 */
async function cancelQueries(url: string, applicationName: string): Promise<void> {
  const client = new pg.Client(clientConfig({ connectionString: url, applicationName: 'routeplane-bench' }));
  await client.connect();
  try {
    await client.query(
      "select pg_cancel_backend(pid) from pg_stat_activity where application_name = $1 and state = 'active'",
      [applicationName],
    );
  } finally {
    await client.end();
  }
}

class StoreBench implements Bench {
  private readonly table: SideBySide;
  private readonly token = randomBytes(24).toString('hex');
  private readonly addresses: string[];
  private readonly backends: Backend[];
  private controller: ControllerProcess | undefined;
  private store: Store | undefined;
  private service: ControllerService | undefined;
  private current: Backend | undefined;
  private networkId = '';
  private sequence = 0;
  private totalErrors = 0;

  constructor(
    private readonly options: BenchOptions,
    workDir: string,
  ) {
    this.table = new SideBySide(options.backends.map((name) => COLUMN[name]));
    this.addresses = memberAddresses(options.members);
    this.backends = options.backends.map((name) => this.backend(name, join(workDir, name)));
  }

  private backend(name: BackendName, dataDir: string): Backend {
    const column = COLUMN[name];
    if (name === 'sqlite') {
      const file = join(dataDir, DATABASE_FILE);
      return {
        name,
        column,
        dataDir,
        // Explicit, so a ROUTEPLANE_DATABASE_URL in the environment cannot turn this run into PostgreSQL.
        serveArgs: ['--database', `sqlite:${file}`],
        openStore: () => openSqliteStore({ file }),
        commitsPerSecond: async () => durableCommitsPerSecond(join(dataDir, 'commit-probe.db')),
        databaseBytes: async () => fileBytes(file),
        cleanUp: async () => undefined,
        interrupt: async () => undefined,
      };
    }
    const url = this.options.postgresUrl;
    const schema = scratchSchemaName();
    const applicationName = `routeplane-bench-${schema}`;
    let dropped: Promise<void> | undefined;
    return {
      name,
      column,
      dataDir,
      schema,
      serveArgs: ['--database', url, '--database-schema', schema],
      openStore: () => openPostgresStore({ connectionString: url, schema, applicationName }),
      commitsPerSecond: () => postgresCommitsPerSecond(url, schema),
      databaseBytes: () => postgresSchemaBytes(url, schema),
      async afterPopulate() {
        const start = process.hrtime.bigint();
        await analyzeSchema(url, schema);
        return `ANALYZE ${formatMs(elapsedMsSince(start))}`;
      },
      cleanUp() {
        dropped ??= dropSchema(schema, url);
        return dropped;
      },
      async interrupt() {
        await cancelQueries(url, applicationName).catch(() => undefined);
        await this.cleanUp();
      },
    };
  }

  async run(): Promise<void> {
    const { options, table } = this;
    const start = process.hrtime.bigint();
    table.line(
      `Routeplane store benchmark: one network with ${formatCount(options.members)} members, ` +
        options.backends.map((name) => COLUMN[name]).join(' and '),
    );
    table.line(describeMachine());
    if (options.backends.includes('postgres')) {
      const server = await describePostgres(options.postgresUrl).catch((error: unknown) => {
        throw new Error(
          `PostgreSQL at ${options.postgresUrl} is not reachable (${String(error)}); ` +
            'start it, pass --postgres URL, or run --backends sqlite',
        );
      });
      table.line(`database: ${server}, on the same machine`);
    }

    for (const backend of this.backends) {
      table.line();
      table.line(`== ${backend.column}${backend.schema ? ` (schema ${backend.schema})` : ''}`);
      this.current = backend;
      try {
        await this.createNetwork(backend);
        await this.storeFigures(backend);
        await this.apiFigures(backend);
      } finally {
        await this.stop();
        await backend.cleanUp();
      }
    }

    table.line();
    table.line(
      `Side by side (latencies p50 / p99; writes are committed transactions; RSS is the controller process only)`,
    );
    table.table();
    table.line();
    table.line(describeMachine());
    table.line(`command: cd ${fileURLToPath(new URL('..', import.meta.url))} && ${this.command()}`);
    table.line(
      `${this.totalErrors === 0 ? 'no errors' : `${formatCount(this.totalErrors)} ERRORS`}; ` +
        `the benchmark took ${formatMs(elapsedMsSince(start))}`,
    );
  }

  private command(): string {
    const args = process.argv.slice(2);
    if (!args.includes('--members')) args.unshift('--members', String(this.options.members));
    return `npm run bench:store -- ${args.join(' ')}`;
  }

  async stop(): Promise<void> {
    await this.controller?.stop();
    this.controller = undefined;
    await this.service?.close();
    this.service = undefined;
    await this.store?.close();
    this.store = undefined;
  }

  async interrupted(): Promise<void> {
    await Promise.all(this.backends.map((backend) => backend.interrupt()));
  }

  private set(row: string, value: string): void {
    this.table.set(this.current!.column, row, value);
  }

  private get live(): ControllerProcess {
    if (!this.controller) throw new Error('the controller is not running');
    return this.controller;
  }

  private async startController(backend: Backend): Promise<number> {
    this.controller = await startControllerProcess({
      dataDir: backend.dataDir,
      token: this.token,
      serveArgs: [...backend.serveArgs, '--udp-bind', '127.0.0.1'],
    });
    return this.controller.startupMs;
  }

  /** A first start on an empty database creates the schema, the identity setting and the network. */
  private async createNetwork(backend: Backend): Promise<void> {
    freshDataDir(backend.dataDir);
    await this.startController(backend);
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
  }

  private randomMember(): string {
    return this.addresses[Math.floor(Math.random() * this.addresses.length)]!;
  }

  /** Runs `write` one call at a time for `seconds` and times each call. */
  private async sequential(seconds: number, write: () => Promise<unknown>): Promise<LatencySummary> {
    const samples: number[] = [];
    let errors = 0;
    const start = process.hrtime.bigint();
    while (elapsedMsSince(start) < seconds * 1000) {
      const one = process.hrtime.bigint();
      try {
        await write();
        samples.push(elapsedMsSince(one));
      } catch {
        errors++;
      }
    }
    this.totalErrors += errors;
    return summarize(samples, errors, elapsedMsSince(start));
  }

  /** With the controller stopped: population and single writes straight through the store. */
  private async storeFigures(backend: Backend): Promise<void> {
    const { members, batch, writeSeconds } = this.options;
    const store = (this.store = await backend.openStore());
    const start = process.hrtime.bigint();
    let reported = 0;
    await populateStore(store, this.networkId, this.addresses, batch, (written) => {
      if (written - reported >= members / 4 || written === members) {
        process.stdout.write(
          `  … ${formatCount(written)} members after ${formatMs(elapsedMsSince(start))}\n`,
        );
        reported = written;
      }
    });
    const populateMs = elapsedMsSince(start);
    const after = backend.afterPopulate ? `, then ${await backend.afterPopulate()}` : '';
    this.set(
      `populate ${formatCount(members)} members (store, ${formatCount(batch)}/transaction)`,
      `${formatMs(populateMs)} (${formatCount((members / populateMs) * 1000)}/s)${after}`,
    );

    this.set(
      'disk: durable commits/s, 1 row each, 1 client',
      `${formatCount(await backend.commitsPerSecond())}/s`,
    );

    // Read-modify-write of one member in its own transaction, as every member write does.
    const networkId = this.networkId;
    const storeWrite = () =>
      store.transaction(async (tx) => {
        const member = await tx.getMember(networkId, this.randomMember());
        if (!member) throw new Error('a populated member is missing');
        await tx.putMember({
          ...member,
          name: `store-write-${++this.sequence}`,
          revision: member.revision + 1,
        });
      });
    await this.sequential(0.5, storeWrite);
    const stored = await this.sequential(writeSeconds, storeWrite);
    this.set('store member write c1 (1 tx, no HTTP): rate', rate(stored, writeSeconds));
    this.set('store member write c1: p50 / p99', latency(stored));

    // The service's write path on top: validation, event, change announcement (NOTIFY on PostgreSQL).
    const service = (this.service = new ControllerService({
      store,
      controllerAddress: networkId.slice(0, 10),
    }));
    const serviceWrite = () =>
      service.upsertMember(networkId, this.randomMember(), { name: `service-write-${++this.sequence}` });
    await this.sequential(0.5, serviceWrite);
    const served = await this.sequential(writeSeconds, serviceWrite);
    this.set('service upsertMember c1 (no HTTP): rate', rate(served, writeSeconds));
    this.set('service upsertMember c1: p50 / p99', latency(served));
    await service.close();
    this.service = undefined;
    await store.close();
    this.store = undefined;

    this.set('database size', formatBytes(await backend.databaseBytes()));
  }

  private loadRun(
    concurrency: number,
    next: () => RequestSpec,
    amount: Pick<LoadRun, 'requests' | 'seconds'>,
  ): LoadRun {
    return { endpoint: this.live.endpoint, headers: this.live.authHeaders, concurrency, next, ...amount };
  }

  private async load(run: LoadRun): Promise<LatencySummary> {
    const summary = await runKeepAlive(run);
    this.totalErrors += summary.errors;
    return summary;
  }

  private memberPath(address: string): string {
    return `/controller/network/${this.networkId}/member/${address}`;
  }

  private getRequest = (): RequestSpec => ({ path: this.memberPath(this.randomMember()) });

  private updateRequest = (): RequestSpec => ({
    method: 'POST',
    path: this.memberPath(this.randomMember()),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `api-write-${++this.sequence}` }),
  });

  /** `serve` in its own process on the populated database; every request over keep-alive connections. */
  private async apiFigures(backend: Backend): Promise<void> {
    const { members, requests, updateSeconds } = this.options;
    const startupMs = await this.startController(backend);
    this.set(`serving after restart, ${formatCount(members)} members (one start)`, formatMs(startupMs));
    this.set('RSS after restart (idle)', formatBytes(this.live.memory().rss));

    // Warm-up: the JIT and the database's page cache, so the figures show the steady state.
    await this.load(this.loadRun(16, this.getRequest, { requests: Math.min(2000, requests) }));
    for (const concurrency of [1, 16]) {
      const summary = await this.load(this.loadRun(concurrency, this.getRequest, { requests }));
      this.set(`GET member c${concurrency}: p50 / p99`, latency(summary));
      if (concurrency === 16) this.set('GET member c16: rate', `${formatCount(summary.rate)}/s`);
    }

    // Warm-up bounded in time: at a few updates per second a fixed count could take minutes.
    await this.load(this.loadRun(16, this.updateRequest, { seconds: 1 }));
    for (const [concurrency, seconds] of [
      [16, updateSeconds],
      [1, Math.max(1, Math.round(updateSeconds / 2))],
    ] as const) {
      const summary = await this.load(this.loadRun(concurrency, this.updateRequest, { seconds }));
      this.set(`API member updates c${concurrency}: rate`, rate(summary, seconds));
      this.set(`API member updates c${concurrency}: p50 / p99`, latency(summary));
    }
    this.set('RSS after updates', formatBytes(this.live.memory().rss));

    const names = {
      revisions: 'GET /controller/network/<nwid>/member',
      objects: 'GET /unstable/controller/network/<nwid>/member',
    };
    for (const { kind, times, bytes } of await timeMemberLists(
      this.live,
      this.networkId,
      members,
      this.options.lists,
    )) {
      this.set(
        `${names[kind]} (median of ${this.options.lists})`,
        `${formatMs(median(times))}, ${formatBytes(bytes)}`,
      );
    }
    const memory = this.live.memory();
    this.set('RSS after lists', formatBytes(memory.rss));
    this.set('peak RSS (VmHWM)', formatBytes(memory.peakRss));
    await this.stop();
  }
}

runBench('store-bench', (workDir) => new StoreBench(parseOptions(), workDir));
