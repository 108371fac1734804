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
    const presence = new MemberPresence(async (entries) => void writes.push(entries), 60_000);
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
    const presence = new MemberPresence(async (entries) => {
      if (fail) throw new Error('database busy');
      written.push(...entries);
    }, 60_000);
    presence.note(entry('0000000001', 5));
    await presence.flush();
    fail = false;
    await presence.flush();
    assert.deepEqual(
      written.map((e) => e.lastSeen),
      [5],
    );
  });

  it('forgets deleted members', () => {
    const presence = new MemberPresence(async () => {}, 60_000);
    presence.note(entry('0000000001', 5));
    presence.forget('f8ea0e7924000001', '0000000001');
    assert.equal(presence.get('f8ea0e7924000001', '0000000001'), undefined);
  });
});
