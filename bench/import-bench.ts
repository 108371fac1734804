// Takeover benchmark: a synthetic zerotier-one controller home of 10 networks × 10,000 members (the
// exact file shapes zerotier-one 1.14 writes) is imported into a fresh SQLite data dir, then exported
// back, in this process through the same functions `routeplane import` / `export` run. Prints the
// time to read and validate every file, to write the one transaction, and the export time.
//
//   npm run bench:import                                   # 10 × 10,000
//   npm run bench:import -- --networks 2 --members 5000   # smaller
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { runExport } from '../src/cli/takeover/run-export.ts';
import { runImport } from '../src/cli/takeover/run-import.ts';
import { writeSyntheticHome } from '../test/support/synthetic-filedb.ts';
import { Report, target } from './lib/report.ts';
import { runBench } from './lib/run-bench.ts';
import { formatCount, formatMs } from './lib/stats.ts';

const { values } = parseArgs({
  options: { networks: { type: 'string' }, members: { type: 'string' }, runs: { type: 'string' } },
});
const NETWORKS = Number(values.networks ?? 10);
const MEMBERS = Number(values.members ?? 10_000);
const RUNS = Number(values.runs ?? 3);
/** What "imports quickly" means here: a 100,000-member controller in well under a minute. */
const TARGET_MS = 30_000;

runBench('import-bench', (workDir) => ({
  async run() {
    const report = new Report();
    const total = NETWORKS * MEMBERS;
    report.line(
      `import benchmark: ${NETWORKS} networks × ${formatCount(MEMBERS)} members (${formatCount(total)} member files)`,
    );
    let started = performance.now();
    const home = writeSyntheticHome(join(workDir, 'zerotier-one'), {
      networks: NETWORKS,
      membersPerNetwork: MEMBERS,
    });
    report.line(`  synthetic home written in ${formatMs(performance.now() - started)}`);

    const totals: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const dataDir = join(workDir, `routeplane-${run}`);
      started = performance.now();
      const outcome = await runImport({ from: home.home, dataDir, progress: false });
      const ms = performance.now() - started;
      totals.push(ms);
      if (outcome.plan.totals.members !== total)
        throw new Error(`imported ${outcome.plan.totals.members} members, not ${total}`);
      report.line(
        `  run ${run}: ${formatMs(ms)} (read + validate ${formatMs(outcome.readMs)}, one transaction ${formatMs(outcome.writeMs)}), ` +
          `database ${(statSync(join(dataDir, 'controller.db')).size / 1e6).toFixed(0)} MB`,
      );
    }
    const best = Math.min(...totals);
    report.add({
      name: `import ${formatCount(total)} members (best of ${RUNS})`,
      value: `${formatMs(best)} (${formatCount(Math.round((total / best) * 1000))} members/s)`,
      target: target(`< ${formatMs(TARGET_MS)}`, best < TARGET_MS),
    });

    started = performance.now();
    const exported = await runExport({
      to: join(workDir, 'exported'),
      dataDir: join(workDir, 'routeplane-1'),
      progress: false,
    });
    const exportMs = performance.now() - started;
    if (exported.members !== total) throw new Error(`exported ${exported.members} members, not ${total}`);
    report.add({ name: `export ${formatCount(total)} members`, value: formatMs(exportMs) });
    report.line();
    report.table();
    report.line(`reproduce: npm run bench:import -- --networks ${NETWORKS} --members ${MEMBERS}`);
  },
  async stop() {},
}));
