// A network file of zerotier-one's FileDB (`controller.d/network/<nwid>.json`) <-> NetworkRecord.
// The client-writable fields go through the API's own update parser (applyNetworkUpdate), so a file
// is held to exactly the rules of `POST /controller/network/<nwid>`; only the fields a client cannot
// write (id, revision, creationTime …) are read here.

import { invalidField } from '../errors.ts';
import { has, show } from '../network/json-input.ts';
import { newNetwork } from '../network/network-defaults.ts';
import { canonicalNetworkId } from '../network/network-id.ts';
import { ROUTEPLANE_NETWORK_EXTRAS, networkToJson, stockNetworkJson } from '../network/network-json.ts';
import type { ManagedRoute, NetworkRecord } from '../network/network-types.ts';
import { WRITABLE_NETWORK_FIELDS, applyNetworkUpdate } from '../network/network-update.ts';
import {
  checkObjtype,
  pick,
  readCounter,
  readRecordObject,
  unknownKeys,
  type ParsedRecord,
} from './filedb-fields.ts';

/** What FileDB writes besides the writable fields. */
const READ_ONLY_FIELDS = ['id', 'nwid', 'objtype', 'revision', 'creationTime'];

/**
 * Only the stock fields are taken from a file: Routeplane's extras (ipamSubnet, steering …) refer to
 * state a FileDB tree does not carry, so they are reported as ignored instead.
 */
const STOCK_WRITABLE_FIELDS = WRITABLE_NETWORK_FIELDS.filter(
  (key) => !ROUTEPLANE_NETWORK_EXTRAS.includes(key),
);

const KNOWN_FIELDS = new Set([...READ_ONLY_FIELDS, ...STOCK_WRITABLE_FIELDS]);

/**
 * Validates a network file completely and returns the record it describes. `fileNetworkId` is the ID
 * the file's name stands for; the `id` inside must agree (stock trusts `id`, so a renamed file would
 * silently serve another network). A missing creationTime becomes `now`, as stock does on load.
 */
export function parseNetworkFile(
  value: unknown,
  fileNetworkId: string,
  now: number,
): ParsedRecord<NetworkRecord> {
  const file = readRecordObject(value);
  checkObjtype(file, 'network');
  const id = canonicalNetworkId(file.id);
  if (id === undefined) throw invalidField('id', `expected a 16-hex-digit network ID, got ${show(file.id)}`);
  if (id !== fileNetworkId) {
    throw invalidField('id', `${id} does not match the file name (${fileNetworkId}.json)`);
  }
  if (has(file, 'nwid') && canonicalNetworkId(file.nwid) !== id) {
    throw invalidField('nwid', `${show(file.nwid)} differs from id ${id}`);
  }
  const creationTime = readCounter(file, 'creationTime', now);
  const revision = readCounter(file, 'revision', 0);
  const network = applyNetworkUpdate(newNetwork(id, creationTime), pick(file, STOCK_WRITABLE_FIELDS));
  network.revision = revision;
  return { record: network, ignoredKeys: unknownKeys(file, KNOWN_FIELDS) };
}

/** Rule types stock spells differently: `_parseRule` reads only its own spelling. */
const STOCK_RULE_TYPES: Readonly<Record<string, string>> = { MATCH_INTEGER_RANGE: 'INTEGER_RANGE' };

function stockRules(rules: unknown): unknown {
  if (!Array.isArray(rules)) return rules;
  return rules.map((rule: Record<string, unknown>) => {
    const type = STOCK_RULE_TYPES[rule.type as string];
    return type === undefined ? rule : { ...rule, type };
  });
}

/**
 * The file zerotier-one would keep for this network: the stock JSON (no Routeplane extras) with
 * `routes` as members get them, so a stock controller reading it sends the same routes.
 */
export function networkToFileJson(
  network: NetworkRecord,
  effectiveRoutes: readonly ManagedRoute[] = network.routes,
): Record<string, unknown> {
  const json = stockNetworkJson(networkToJson(network, effectiveRoutes));
  json.rules = stockRules(json.rules);
  json.capabilities = (json.capabilities as Array<Record<string, unknown>>).map((cap) => ({
    ...cap,
    rules: stockRules(cap.rules),
  }));
  return json;
}
