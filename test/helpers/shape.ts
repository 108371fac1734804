// Compares a response with a recorded zerotier-one response: the same keys (Routeplane may add the
// listed extras), the same JSON types, and the same values except for the volatile keys given.
import assert from 'node:assert/strict';

import { ROUTEPLANE_NETWORK_EXTRAS } from '../../src/core/network/network-json.ts';

export { ROUTEPLANE_NETWORK_EXTRAS };

export const ROUTEPLANE_MEMBER_EXTRAS = [
  'ipamChildSubnet',
  'ipamSubnet',
  'lastSeen',
  'online',
  'physicalAddress',
  'rfc4193Address',
  'sixPlaneAddress',
];

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function assertSameShape(
  actual: Record<string, unknown>,
  recorded: Record<string, unknown>,
  options: { volatile?: string[]; extras?: string[]; label?: string } = {},
): void {
  const label = options.label ?? 'response';
  // Network objects always carry Routeplane's routing extras (ipamSubnet …).
  const extras = new Set([
    ...(options.extras ?? []),
    ...(actual.objtype === 'network' ? ROUTEPLANE_NETWORK_EXTRAS : []),
  ]);
  const volatile = new Set(options.volatile ?? []);
  const missing = Object.keys(recorded).filter((key) => !(key in actual));
  assert.deepEqual(missing, [], `${label}: keys missing compared with zerotier-one`);
  const unexpected = Object.keys(actual).filter((key) => !(key in recorded) && !extras.has(key));
  assert.deepEqual(unexpected, [], `${label}: keys zerotier-one does not have`);
  for (const [key, value] of Object.entries(recorded)) {
    assert.equal(jsonType(actual[key]), jsonType(value), `${label}.${key}: type differs from zerotier-one`);
    if (!volatile.has(key))
      assert.deepEqual(actual[key], value, `${label}.${key}: value differs from zerotier-one`);
  }
}
