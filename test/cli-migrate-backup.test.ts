// `routeplane backup` (online, while the controller writes), the periodic controller.db.backup, and
// `routeplane migrate` SQLite → PostgreSQL → SQLite, then a controller started on the migrated
// PostgreSQL database serving the same controller and networks. Plus the refusals.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startController } from '../src/main.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import {
  dropSchema,
  scratchSchemaName,
  TEST_DATABASE_URL,
} from '../src/store/postgres/postgres-test-database.ts';
import { assertFails, assertOk, runCli } from './helpers/cli-runner.ts';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';

describe('routeplane backup and migrate', () => {
  let zt: TestController;
  let nwid: string;
  const work = mkdtempSync(join(tmpdir(), 'routeplane-migrate-'));
  const schemas = [scratchSchemaName(), scratchSchemaName()];

  before(async () => {
    zt = await startTestController();
    const created = await zt.request('POST', '/controller/network', {
      name: 'moving',
      routes: [{ target: '10.9.0.0/24', via: null }],
    });
    nwid = created.body.id;
    for (let i = 0; i < 30; i++) {
      const res = await zt.request(
        'POST',
        `/controller/network/${nwid}/member/${(0x2000000000 + i).toString(16)}`,
        {
          authorized: true,
          ipAssignments: [`10.9.0.${i + 10}`],
        },
      );
      assert.equal(res.status, 200);
    }
  });
  after(async () => {
    await zt.close();
    for (const schema of schemas) await dropSchema(schema);
    rmSync(work, { recursive: true, force: true });
  });

  it('backs up the database while the controller keeps writing; refuses to overwrite without --force', async () => {
    const out = join(work, 'copy.db');
    // Writes in flight during the backup.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++)
        await zt.request('POST', `/controller/network/${nwid}`, { name: `moving-${i}` });
    })();
    const result = await runCli(['backup', '--data-dir', zt.dataDir, '--out', out], work);
    writing = false;
    await writer;
    assertOk(result, 'backup');
    assert.match(result.stdout, /Backed up .*controller\.db to .*copy\.db \(\d+ pages/);
    const copy = await openSqliteStore({ file: out });
    try {
      assert.equal((await copy.listMembers(nwid)).length, 30);
      assert.match((await copy.getNetwork(nwid))!.name, /^moving/);
    } finally {
      await copy.close();
    }
    assertFails(
      await runCli(['backup', '--data-dir', zt.dataDir, '--out', out], work),
      2,
      /exists; pass --force/,
      'exists',
    );
    assertOk(await runCli(['backup', '--data-dir', zt.dataDir, '--out', out, '--force'], work), 'force');
    assertFails(
      await runCli(['backup', '--data-dir', join(work, 'nowhere'), '--out', join(work, 'x.db')], work),
      2,
      /no database at .*nowhere/,
      'no database',
    );
  });

  it('keeps a periodic controller.db.backup in the data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'routeplane-periodic-'));
    const controller = await startController({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      udpPort: 0,
      udpBind: '127.0.0.1',
      backupIntervalMs: 100,
      logger: pino({ level: 'silent' }),
    });
    try {
      await controller.service.createNetwork({ name: 'kept' });
      const backup = join(dataDir, 'controller.db.backup');
      const deadline = Date.now() + 5000;
      while (!existsSync(backup)) {
        assert.ok(Date.now() < deadline, 'no controller.db.backup after 5 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const copy = await openSqliteStore({ file: backup });
      try {
        assert.deepEqual(
          (await copy.listNetworks()).map((n) => n.name),
          ['kept'],
        );
      } finally {
        await copy.close();
      }
    } finally {
      await controller.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('migrates SQLite → PostgreSQL → SQLite, and a controller on the PostgreSQL copy serves the same data', async () => {
    const source = join(work, 'source.db');
    assertOk(await runCli(['backup', '--data-dir', zt.dataDir, '--out', source], work), 'snapshot');
    const pgUrl = TEST_DATABASE_URL;
    const toPg = await runCli(
      ['migrate', '--from', `sqlite:${source}`, '--to', pgUrl, '--to-schema', schemas[0]!],
      work,
    );
    assertOk(toPg, 'to postgres');
    assert.match(toPg.stdout, /Copied \d+ rows from sqlite:.*source\.db to postgres:/);
    assert.match(toPg.stdout, /member\s+30/);

    const back = join(work, 'back.db');
    assertOk(
      await runCli(
        ['migrate', '--from', pgUrl, '--from-schema', schemas[0]!, '--to', `sqlite:${back}`],
        work,
      ),
      'back to sqlite',
    );
    const copy = await openSqliteStore({ file: back });
    try {
      assert.equal((await copy.listMembers(nwid)).length, 30);
    } finally {
      await copy.close();
    }

    // A controller process on the migrated database: same controller, same network and members.
    const dataDir = mkdtempSync(join(tmpdir(), 'routeplane-on-pg-'));
    const controller = await startController({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      udpPort: 0,
      udpBind: '127.0.0.1',
      databaseUrl: pgUrl,
      databaseSchema: schemas[0],
      logger: pino({ level: 'silent' }),
    });
    try {
      assert.equal(controller.identity.address, zt.controller.identity.address);
      assert.equal((await controller.service.listMemberRevisions(nwid)).length, 30);
      assert.equal((await controller.service.getMember(nwid, '2000000005')).ipAssignments[0], '10.9.0.15');
    } finally {
      await controller.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses bad sources and targets, copying nothing', async () => {
    assertFails(
      await runCli(
        ['migrate', '--from', `sqlite:${join(work, 'missing.db')}`, '--to', TEST_DATABASE_URL],
        work,
      ),
      2,
      /--from: no database at .*missing\.db/,
      'missing source',
    );
    assertFails(
      await runCli(['migrate', '--from', 'mysql://x', '--to', 'sqlite:y'], work),
      2,
      /--from "mysql:\/\/x" is neither/,
      'url',
    );
    // A target holding data (the schema migrated into above) is refused and left as it was.
    const source = join(work, 'source.db');
    const busy = await runCli(
      ['migrate', '--from', `sqlite:${source}`, '--to', TEST_DATABASE_URL, '--to-schema', schemas[0]!],
      work,
    );
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /nothing was copied: the target database is not empty/);
    assertFails(
      await runCli(['migrate', '--from', `sqlite:${source}`, '--to', `sqlite:${source}`], work),
      2,
      /the same database/,
      'same',
    );
  });
});
