import assert from 'node:assert/strict';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ErrorCodes } from '../../core/errors.ts';
import { sharedPath } from '../../protocol/test-vectors.ts';
import { NotAFileDbError, readFileDbTree } from './filedb-reader.ts';

const NWID = 'f8ea0e79249a7b42';
const NOW = 1_800_000_000_000;

/** The shared recordings are read-only; a test copy must be writable (and removable) by any user. */
function copyWritable(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  for (const entry of ['', ...readdirSync(to, { recursive: true, encoding: 'utf8' })]) {
    const path = join(to, entry);
    chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  }
}

describe('readFileDbTree', () => {
  let dir: string;
  let controllerDir: string;
  let networks: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-filedb-'));
    controllerDir = join(dir, 'controller.d');
    copyWritable(sharedPath('zerotier', 'run-baseline', 'controller.d'), controllerDir);
    networks = join(controllerDir, 'network');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the recorded tree: one network, two members, nothing set aside', async () => {
    const listed: number[] = [];
    let read = 0;
    const tree = await readFileDbTree(controllerDir, {
      now: NOW,
      onListed: (files) => listed.push(files),
      onRead: (files) => (read = files),
    });
    assert.deepEqual(tree.problems, []);
    assert.deepEqual(tree.skipped, []);
    assert.deepEqual(
      tree.networks.map((n) => [n.path, n.record.id]),
      [[join(networks, `${NWID}.json`), NWID]],
    );
    assert.deepEqual(tree.members.map((m) => m.record.address).sort(), ['43e690e007', 'f8ea0e7924']);
    assert.ok(tree.members.every((m) => m.record.networkId === NWID));
    assert.deepEqual(listed, [3]);
    assert.equal(read, 3);
  });

  it('sets aside what zerotier-one would not load: other names, members without a network file', async () => {
    writeFileSync(join(networks, 'README.txt'), 'notes');
    writeFileSync(join(networks, NWID, 'member', '43e690e007.json.bak'), '{}');
    const orphan = join(networks, 'f8ea0e7924aaaaaa', 'member');
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, '1111111111.json'), 'not even JSON');
    const tree = await readFileDbTree(controllerDir, { now: NOW });
    assert.deepEqual(tree.problems, [], 'set-aside files are not parsed');
    assert.deepEqual(
      tree.skipped.map((s) => s.path).sort(),
      [join(networks, 'README.txt'), orphan, join(networks, NWID, 'member', '43e690e007.json.bak')].sort(),
    );
    assert.match(
      tree.skipped.find((s) => s.path === orphan)!.reason,
      /1 member file\(s\) but no network file f8ea0e7924aaaaaa\.json/,
    );
    assert.equal(tree.members.length, 2);
  });

  it('collects every bad file, sorted by path, with the field apart from the message', async () => {
    const memberDir = join(networks, NWID, 'member');
    writeFileSync(join(memberDir, 'f8ea0e7924.json'), '{"id": "f8ea0e7924",');
    writeFileSync(
      join(memberDir, '43e690e007.json'),
      JSON.stringify({ id: '43e690e007', authorized: 'yes' }),
    );
    const tree = await readFileDbTree(controllerDir, { now: NOW });
    assert.equal(tree.networks.length, 1);
    assert.equal(tree.members.length, 0);
    assert.equal(tree.problems.length, 2);
    const [first, second] = tree.problems;
    assert.deepEqual(first, {
      path: join(memberDir, '43e690e007.json'),
      field: 'authorized',
      code: ErrorCodes.INVALID_INPUT,
      message: 'expected true or false, got "yes"',
    });
    assert.equal(second!.path, join(memberDir, 'f8ea0e7924.json'));
    assert.equal(second!.code, ErrorCodes.INVALID_JSON);
    assert.match(second!.message, /^not valid JSON: /);
  });

  it('a folder without network/ is not a FileDB tree', async () => {
    await assert.rejects(readFileDbTree(join(dir, 'nothing-here'), { now: NOW }), NotAFileDbError);
  });
});
