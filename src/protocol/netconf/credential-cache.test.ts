import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlowRule } from '../../core/network/flow-rules.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import { decodeCapabilities } from './capability-credential.ts';
import { decodeCom, verifyCom } from './certificate-of-membership.ts';
import { decodeCoo } from './certificate-of-ownership.ts';
import { CredentialCache } from './credential-cache.ts';
import { planNetworkConfig, type NetworkConfigInput } from './network-config.ts';
import { controllerIdentity, memberIdentity, recordedMember, recordedNetwork } from './recorded-run.ts';
import { decodeTags } from './tag-credential.ts';

const WINDOW = 30 * 60_000;

function network(): NetworkRecord {
  return {
    ...recordedNetwork(1),
    certificateTimeoutWindowSize: WINDOW,
    capabilities: [{ id: 3, default: false, rules: [parseFlowRule({ type: 'ACTION_ACCEPT' }, 'r')] }],
    tags: [{ id: 20, default: 7 }],
  };
}

function plan(now: number, credentials: CredentialCache, change: Partial<NetworkConfigInput> = {}) {
  const net = network();
  const d = planNetworkConfig({
    network: net,
    member: { ...recordedMember(), capabilities: [3] },
    memberIdentity: memberIdentity(),
    controller: controllerIdentity(),
    now,
    routes: net.routes,
    activeBridges: [],
    rulesEngineSupported: true,
    credentials,
    ...change,
  }).dictionary;
  return {
    ts: d.getUint64('ts'),
    com: decodeCom(d.get('C')!),
    cooTimestamp: decodeCoo(d.get('COO')!).timestamp,
    capTimestamp: decodeCapabilities(d.get('CAP')!)[0]!.timestamp,
    tagTimestamp: decodeTags(d.get('TAG')!)[0]!.timestamp,
  };
}

const comTimestamp = (com: ReturnType<typeof decodeCom>) => com.qualifiers[0]!.value;

test('a re-request within a quarter of the credential window gets the same signed credentials, with a fresh config timestamp', () => {
  const cache = new CredentialCache();
  const first = plan(1_000_000, cache);
  const again = plan(1_000_000 + WINDOW / 4 - 1, cache);
  assert.equal(again.ts, BigInt(1_000_000 + WINDOW / 4 - 1));
  for (const p of [first, again]) {
    assert.equal(comTimestamp(p.com), 1_000_000n);
    assert.equal(p.cooTimestamp, 1_000_000n);
    assert.equal(p.capTimestamp, 1_000_000n);
    assert.equal(p.tagTimestamp, 1_000_000n);
    assert.ok(verifyCom(p.com, controllerIdentity()));
  }
  assert.deepEqual({ issued: cache.issued, reused: cache.reused }, { issued: 4, reused: 4 });
});

test('credentials are re-issued once a quarter of the window has passed, or when the clock went back', () => {
  const cache = new CredentialCache();
  plan(1_000_000, cache);
  assert.equal(comTimestamp(plan(1_000_000 + WINDOW / 4, cache).com), BigInt(1_000_000 + WINDOW / 4));
  assert.equal(comTimestamp(plan(999_000, cache).com), 999_000n);
});

test('BUG: a member deauthorized and authorized again must not get a credential older than its revocation', () => {
  // Peers drop credentials issued before a revocation's threshold (the deauthorization time). The
  // re-authorized member's record has a new revision, which every content key carries.
  const cache = new CredentialCache();
  plan(1_000_000, cache);
  const member = { ...recordedMember(), capabilities: [3], revision: recordedMember().revision + 2 };
  const after = plan(1_060_000, cache, { member });
  assert.equal(comTimestamp(after.com), 1_060_000n);
  assert.equal(after.cooTimestamp, 1_060_000n);
  assert.equal(after.capTimestamp, 1_060_000n);
  assert.equal(after.tagTimestamp, 1_060_000n);
});

test('a change to what a credential certifies re-issues only that credential', () => {
  const cache = new CredentialCache();
  plan(1_000_000, cache);
  // A shorter window: the COM carries it as its max delta.
  const shorter = { ...network(), certificateTimeoutWindowSize: 10 * 60_000 };
  const p = plan(1_001_000, cache, { network: shorter, routes: shorter.routes });
  assert.equal(comTimestamp(p.com), 1_001_000n);
  assert.equal(p.com.qualifiers[0]!.maxDelta, BigInt(10 * 60_000));
  assert.equal(p.cooTimestamp, 1_000_000n);
  // Other capability rules: a new capability, the rest reused.
  const rules = {
    ...network(),
    capabilities: [{ id: 3, default: false, rules: [parseFlowRule({ type: 'ACTION_DROP' }, 'r')] }],
  };
  const q = plan(1_002_000, cache, { network: rules, routes: rules.routes });
  assert.equal(q.capTimestamp, 1_002_000n);
  assert.equal(q.tagTimestamp, 1_000_000n);
});

test('the cache holds at most maxMembers members, dropping the least recently issued', () => {
  const cache = new CredentialCache({ maxMembers: 2 });
  const issue = (t: number) => Uint8Array.of(t & 0xff);
  cache.credential('a', 'com', 'k', 1, WINDOW, issue);
  cache.credential('b', 'com', 'k', 2, WINDOW, issue);
  cache.credential('a', 'coo', 'k', 3, WINDOW, issue); // a is now the most recent
  cache.credential('c', 'com', 'k', 4, WINDOW, issue);
  assert.equal(cache.size, 2);
  assert.deepEqual(cache.credential('a', 'com', 'k', 5, WINDOW, issue), Uint8Array.of(1));
  assert.deepEqual(cache.credential('b', 'com', 'k', 5, WINDOW, issue), Uint8Array.of(5));
});

test('a reuse share outside 0..0.5 is refused', () => {
  assert.throws(() => new CredentialCache({ reuseFraction: 0.9 }), /reuseFraction 0.9/);
});
