// Request bodies of the IPAM endpoints, checked completely before anything happens. Unknown fields
// are refused: a typo such as `perent` would otherwise silently build a different tree.

import { invalidField } from '../errors.ts';
import { has, readObject, show } from '../network/json-input.ts';
import type { SubnetPatch } from './ipam-types.ts';

export interface SubnetCreateInput {
  prefix: string;
  name: string;
  parent?: string | null;
}

const CREATE_FIELDS = ['prefix', 'name', 'parent'];
const PATCH_FIELDS = ['prefix', 'name', 'parent'];

function refuseUnknown(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw invalidField(unknown[0]!, `unknown field(s) ${unknown.join(', ')}; expected ${allowed.join(', ')}`);
  }
}

function readParent(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value === '') {
    throw invalidField('parent', `expected a subnet id or prefix, or null for a root, got ${show(value)}`);
  }
  return value;
}

function readName(value: unknown): string {
  if (typeof value !== 'string') throw invalidField('name', `expected a string, got ${show(value)}`);
  return value;
}

export function parseSubnetCreate(body: unknown): SubnetCreateInput {
  const input = readObject(body, 'body');
  refuseUnknown(input, CREATE_FIELDS);
  if (!has(input, 'prefix')) throw invalidField('prefix', 'required, e.g. "10.1.2.0/24"');
  if (typeof input.prefix !== 'string')
    throw invalidField('prefix', `expected a CIDR string, got ${show(input.prefix)}`);
  const out: SubnetCreateInput = {
    prefix: input.prefix,
    name: has(input, 'name') ? readName(input.name) : '',
  };
  if (has(input, 'parent')) out.parent = readParent(input.parent);
  return out;
}

export function parseSubnetPatch(body: unknown): SubnetPatch {
  const input = readObject(body, 'body');
  refuseUnknown(input, PATCH_FIELDS);
  const patch: SubnetPatch = {};
  if (has(input, 'prefix')) {
    if (typeof input.prefix !== 'string')
      throw invalidField('prefix', `expected a CIDR string, got ${show(input.prefix)}`);
    patch.prefix = input.prefix;
  }
  if (has(input, 'name')) patch.name = readName(input.name);
  if (has(input, 'parent')) patch.parent = readParent(input.parent);
  return patch;
}
