// Group commit against a fake database that logs every step and keeps writes like a real one would
// (savepoints undo, only COMMIT keeps), so batch boundaries, savepoints and failures are visible.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit, type BatchDriver } from './group-commit.ts';

interface FakeTrx {
  id: number;
  writes: string[];
  savepoint: number | undefined;
}

class FakeDatabase implements BatchDriver<FakeTrx> {
  readonly log: string[] = [];
  committed: string[] = [];
  failCommit = false;
  failBegin = false;
  onCommit: (() => void) | undefined;
  private next = 0;

  begin(): Promise<FakeTrx> {
    if (this.failBegin) {
      this.failBegin = false;
      this.log.push('begin failed');
      return Promise.reject(new Error('begin failed'));
    }
    this.log.push('begin');
    return Promise.resolve({ id: ++this.next, writes: [], savepoint: undefined });
  }
  async commit(trx: FakeTrx): Promise<void> {
    this.onCommit?.();
    await tick();
    if (this.failCommit) {
      this.failCommit = false;
      this.log.push('commit failed');
      throw new Error('disk full');
    }
    this.log.push('commit');
    this.committed.push(...trx.writes);
  }
  rollback(trx: FakeTrx): Promise<void> {
    this.log.push('rollback');
    trx.writes = [];
    return Promise.resolve();
  }
  savepoint(trx: FakeTrx): Promise<void> {
    assert.equal(trx.savepoint, undefined, 'savepoints never nest');
    this.log.push('savepoint');
    trx.savepoint = trx.writes.length;
    return Promise.resolve();
  }
  rollbackToSavepoint(trx: FakeTrx): Promise<void> {
    this.log.push('rollback to savepoint');
    trx.writes.length = trx.savepoint!;
    trx.savepoint = undefined;
    return Promise.resolve();
  }
  releaseSavepoint(trx: FakeTrx): Promise<void> {
    this.log.push('release');
    trx.savepoint = undefined;
    return Promise.resolve();
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

class Boom extends Error {}

/** A call that writes `name`, logs that it ran, and (optionally) throws after writing. */
function call(db: FakeDatabase, name: string, fail = false) {
  return async (trx: FakeTrx): Promise<string> => {
    await tick();
    trx.writes.push(name);
    db.log.push(`run ${name}`);
    if (fail) throw new Boom(name);
    return `${name} done`;
  };
}

/** Settles every promise and logs when each settled, so acknowledgements are ordered against COMMIT. */
function track<T>(db: FakeDatabase, name: string, promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => {
      db.log.push(`ack ${name}`);
      return { status: 'fulfilled', value } as const;
    },
    (reason: unknown) => {
      db.log.push(`fail ${name}`);
      return { status: 'rejected', reason } as const;
    },
  );
}

describe('group commit', () => {
  it('runs a lone call as BEGIN, fn, COMMIT: no savepoint', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db);
    assert.equal(await group.run(call(db, 'a')), 'a done');
    assert.deepEqual(db.log, ['begin', 'run a', 'commit']);
    assert.deepEqual(db.committed, ['a']);
  });

  it('batches calls that arrive while one runs into one transaction, in call order, acked after COMMIT', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => track(db, name, group.run(call(db, name)))),
    );
    assert.deepEqual(
      results.map((result) => result.status === 'fulfilled' && result.value),
      ['a done', 'b done', 'c done'],
    );
    assert.deepEqual(db.log, [
      'begin',
      'run a',
      'savepoint',
      'run b',
      'release',
      'savepoint',
      'run c',
      'release',
      'commit',
      'ack a',
      'ack b',
      'ack c',
    ]);
    assert.deepEqual(db.committed, ['a', 'b', 'c']);
    assert.deepEqual(group.stats, { transactions: 1, calls: 3, largestBatch: 3 });
  });

  it('takes late arrivals into the running batch, and those during COMMIT into the next', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db);
    const late: Array<Promise<string>> = [];
    db.onCommit = () => {
      db.onCommit = undefined;
      late.push(group.run(call(db, 'next')));
    };
    const first = group.run(async (trx) => {
      late.push(group.run(call(db, 'joined')));
      return call(db, 'a')(trx);
    });
    await first;
    await Promise.all(late);
    // 'joined' arrived while 'a' ran: same transaction; 'next' arrived during its COMMIT: the next one.
    assert.deepEqual(db.log, [
      'begin',
      'run a',
      'savepoint',
      'run joined',
      'release',
      'commit',
      'begin',
      'run next',
      'commit',
    ]);
  });

  it('a failing call undoes only its own writes and fails only its caller', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db);
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => track(db, name, group.run(call(db, name, name === 'c')))),
    );
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const failed = results[2] as PromiseRejectedResult;
    assert.ok(failed.reason instanceof Boom && failed.reason.message === 'c');
    assert.deepEqual(db.committed, ['a', 'b', 'd']);
    // c learns of its failure as soon as its savepoint is rolled back; the others only after COMMIT.
    assert.deepEqual(db.log.slice(db.log.indexOf('run c')), [
      'run c',
      'rollback to savepoint',
      'savepoint',
      'fail c',
      'run d',
      'release',
      'commit',
      'ack a',
      'ack b',
      'ack d',
    ]);
  });

  it('a failing first call rolls back its transaction; the queue goes on in a new one', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => track(db, name, group.run(call(db, name, name === 'a')))),
    );
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual(db.committed, ['b', 'c']);
    assert.deepEqual(db.log, [
      'begin',
      'run a',
      'rollback',
      'fail a',
      'begin',
      'run b',
      'savepoint',
      'run c',
      'release',
      'commit',
      'ack b',
      'ack c',
    ]);
  });

  it('a failed COMMIT fails every caller of the batch and keeps nothing; the next batch works', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db);
    db.failCommit = true;
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => track(db, name, group.run(call(db, name, name === 'b')))),
    );
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected', 'rejected'],
    );
    const reasons = results.map((result) => ((result as PromiseRejectedResult).reason as Error).message);
    // b failed on its own before the COMMIT; a and c get the COMMIT's error.
    assert.deepEqual(reasons, ['disk full', 'b', 'disk full']);
    assert.deepEqual(db.committed, []);
    assert.ok(db.log.indexOf('commit failed') < db.log.indexOf('fail a'));
    assert.equal(db.log.includes('ack a'), false);

    assert.equal(await group.run(call(db, 'd')), 'd done');
    assert.deepEqual(db.committed, ['d']);
  });

  it('a failed BEGIN fails the callers of that batch only', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db, 2);
    db.failBegin = true;
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => track(db, name, group.run(call(db, name)))),
    );
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(db.committed, ['c']);
  });

  it('bounds the batch size', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db, 4);
    const names = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await Promise.all(names.map((name) => group.run(call(db, name))));
    assert.deepEqual(db.committed, names);
    assert.equal(db.log.filter((line) => line === 'commit').length, 3);
    assert.deepEqual(group.stats, { transactions: 3, calls: 10, largestBatch: 4 });
  });

  it('idle() waits for queued calls', async () => {
    const db = new FakeDatabase();
    const group = new GroupCommit(db);
    await group.idle();
    const running = Promise.all(['a', 'b'].map((name) => group.run(call(db, name))));
    await group.idle();
    assert.deepEqual(db.committed, ['a', 'b']);
    await running;
  });
});
