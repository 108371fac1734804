// export∘import is the identity on every record a FileDB tree can carry: what `routeplane export`
// writes, `routeplane import` reads back unchanged (through JSON text, as on disk).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { memberRecordArbitrary, networkRecordArbitrary } from './filedb-arbitraries.ts';
import { memberToFileJson, parseMemberFile } from './filedb-member.ts';
import { networkToFileJson, parseNetworkFile } from './filedb-network.ts';

const CONTROLLER = 'f8ea0e7924';
const NOW = 1_800_000_000_000;
const viaDisk = (json: unknown): unknown => JSON.parse(JSON.stringify(json));

test('a network written as a FileDB file reads back as the same record, nothing ignored', () => {
  fc.assert(
    fc.property(networkRecordArbitrary(CONTROLLER), (network) => {
      const { record, ignoredKeys } = parseNetworkFile(viaDisk(networkToFileJson(network)), network.id, NOW);
      assert.deepEqual(record, network);
      assert.deepEqual(ignoredKeys, []);
    }),
    { numRuns: 300 },
  );
});

test('a member written as a FileDB file reads back as the same record, nothing ignored', () => {
  const nwid = `${CONTROLLER}0000aa`;
  fc.assert(
    fc.property(memberRecordArbitrary(nwid), (member) => {
      const { record, ignoredKeys } = parseMemberFile(
        viaDisk(memberToFileJson(member)),
        nwid,
        member.address,
        NOW,
      );
      assert.deepEqual(record, member);
      assert.deepEqual(ignoredKeys, []);
    }),
    { numRuns: 300 },
  );
});

test('writing is stable: the file of a re-read record is the same text', () => {
  fc.assert(
    fc.property(networkRecordArbitrary(CONTROLLER), (network) => {
      const text = JSON.stringify(networkToFileJson(network));
      const again = parseNetworkFile(JSON.parse(text), network.id, NOW).record;
      assert.equal(JSON.stringify(networkToFileJson(again)), text);
    }),
    { numRuns: 100 },
  );
});
