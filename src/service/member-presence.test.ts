import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemberPresence, type PresenceEntry } from './member-presence.ts';

const entry = (address: string, lastSeen: number): PresenceEntry => ({
  networkId: 'f8ea0e7924000001',
  address,
  lastSeen,
  physicalAddress: '127.0.0.1/9993',
});

describe('MemberPresence', () => {
  it('batches many notes into one write with the latest value per member', async () => {
    const writes: PresenceEntry[][] = [];
    const presence = new MemberPresence(async (entries) => void writes.push(entries), {
      flushIntervalMs: 60_000,
    });
    for (let i = 0; i < 1000; i++) presence.note(entry(`00000000${String(i % 10).padStart(2, '0')}`, i));
    assert.equal(writes.length, 0, 'nothing is written per packet');
    assert.equal(presence.get('f8ea0e7924000001', '0000000009')?.lastSeen, 999);
    await presence.flush();
    assert.equal(writes.length, 1);
    assert.equal(writes[0]!.length, 10);
    assert.equal(writes[0]!.find((e) => e.address === '0000000009')?.lastSeen, 999);
  });

  it('keeps entries whose write failed for the next flush', async () => {
    let fail = true;
    const written: PresenceEntry[] = [];
    const presence = new MemberPresence(
      async (entries) => {
        if (fail) throw new Error('database busy');
        written.push(...entries);
      },
      { flushIntervalMs: 60_000 },
    );
    presence.note(entry('0000000001', 5));
    await presence.flush();
    fail = false;
    await presence.flush();
    assert.deepEqual(
      written.map((e) => e.lastSeen),
      [5],
    );
  });

  it('rewrites a member only when its time moved by persistEveryMs or its address changed', async () => {
    const writes: PresenceEntry[][] = [];
    const presence = new MemberPresence(async (entries) => void writes.push(entries), {
      flushIntervalMs: 60_000,
      persistEveryMs: 30_000,
    });
    presence.note(entry('0000000001', 1000));
    await presence.flush();
    presence.note(entry('0000000001', 20_000)); // 19 s later: not due
    await presence.flush();
    assert.equal(writes.length, 1);
    assert.equal(presence.get('f8ea0e7924000001', '0000000001')?.lastSeen, 20_000, 'reads stay exact');
    presence.note({ ...entry('0000000001', 21_000), physicalAddress: '10.0.0.9/9993' });
    presence.note(entry('0000000002', 21_000));
    await presence.flush();
    assert.deepEqual(
      writes[1]!.map((e) => [e.address, e.lastSeen, e.physicalAddress]),
      [
        ['0000000001', 21_000, '10.0.0.9/9993'],
        ['0000000002', 21_000, '127.0.0.1/9993'],
      ],
    );
    presence.note({ ...entry('0000000001', 51_000), physicalAddress: '10.0.0.9/9993' }); // 30 s on: due
    await presence.flush();
    assert.deepEqual(
      writes[2]!.map((e) => [e.address, e.lastSeen]),
      [['0000000001', 51_000]],
    );
  });

  it('writes a large flush in transactions of flushChunk rows, keeping the failed rest for the next flush', async () => {
    const writes: number[] = [];
    let failOn = 3;
    const presence = new MemberPresence(
      async (entries) => {
        if (writes.length + 1 === failOn) {
          failOn = 0;
          throw new Error('disk full');
        }
        writes.push(entries.length);
      },
      { flushIntervalMs: 60_000, flushChunk: 100 },
    );
    for (let i = 0; i < 450; i++) presence.note(entry(i.toString(16).padStart(10, '0'), 5));
    await presence.flush();
    assert.deepEqual(writes, [100, 100], 'the third chunk failed');
    await presence.flush();
    assert.deepEqual(writes, [100, 100, 100, 100, 50], 'nothing lost');
  });

  it('close() writes every value fresher than the stored one', async () => {
    const written: PresenceEntry[] = [];
    const presence = new MemberPresence(async (entries) => void written.push(...entries), {
      flushIntervalMs: 60_000,
    });
    presence.note(entry('0000000001', 1000));
    presence.note(entry('0000000002', 1000));
    await presence.flush();
    presence.note(entry('0000000001', 2000));
    await presence.close();
    assert.deepEqual(
      written.map((e) => [e.address, e.lastSeen]),
      [
        ['0000000001', 1000],
        ['0000000002', 1000],
        ['0000000001', 2000],
      ],
    );
  });

  it('forgets deleted members', () => {
    const presence = new MemberPresence(async () => {}, { flushIntervalMs: 60_000 });
    presence.note(entry('0000000001', 5));
    presence.forget('f8ea0e7924000001', '0000000001');
    assert.equal(presence.get('f8ea0e7924000001', '0000000001'), undefined);
  });
});
