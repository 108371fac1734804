// Probes against a real node on loopback: answers while it runs, misses (a confirming probe while
// the first is late) once it is stopped, answers again when a node with the same identity comes back.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeIdentityWorkers } from '../identity-pool.ts';
import type { ZeroTierNode } from '../node/index.ts';
import { rootOf, startNode, vectorIdentities, waitFor } from '../node/test-support.ts';
import { RouterProber, type ProbeResult } from './router-prober.ts';

const nodes: ZeroTierNode[] = [];
after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await closeIdentityWorkers();
});

test('answers while the router runs, misses in quick succession once it is gone, answers again', async () => {
  const controller = await startNode(vectorIdentities[0]!, { isRoot: true });
  nodes.push(controller);
  let router = await startNode(vectorIdentities[1]!, { roots: [rootOf(controller)] });
  nodes.push(router);
  await waitFor('the controller knows the router', () => controller.peer(router.address));

  const results: ProbeResult[] = [];
  const prober = new RouterProber({
    node: controller,
    targets: () => [router.address],
    onResult: (r) => results.push(r),
    intervalMs: 300,
    timeoutMs: 150,
  });
  prober.start();
  try {
    await waitFor('two answers', () => results.filter((r) => r.answered).length >= 2, 3000);
    assert.ok(results.every((r) => r.answered && r.rttMs! >= 0 && r.address === router.address));

    await router.stop();
    const stoppedAt = Date.now();
    const count = results.length;
    await waitFor('two misses', () => results.slice(count).filter((r) => !r.answered).length >= 2, 3000);
    const misses = results.slice(count).filter((r) => !r.answered);
    // A probe late by a few round trips (here the 50 ms minimum) gets a confirming probe, so the
    // second miss follows the first by that grace, not by a timeout or a whole interval.
    const between = misses[1]!.at - misses[0]!.at;
    assert.ok(between >= 30 && between < 120, `${between} ms between misses`);
    assert.ok(misses[1]!.at - stoppedAt <= 300 + 50 + 150 + 100, 'down within interval + grace + timeout');

    router = await startNode(vectorIdentities[1]!, { roots: [rootOf(controller)] });
    nodes.push(router);
    const back = results.length;
    await waitFor('answers again', () => results.slice(back).some((r) => r.answered), 3000);
  } finally {
    prober.stop();
  }
});
