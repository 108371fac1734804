// OpenAPI descriptions of the stock endpoints. Bodies are validated by the core (so errors name the
// field the way zerotier-one users expect), so these schemas document rather than validate.
import type { RouteShorthandOptions } from 'fastify';

const nwidParam = {
  type: 'object',
  properties: { nwid: { type: 'string', description: '16 hex digits (or `<controller>______` to create)' } },
} as const;
const memberParams = {
  type: 'object',
  properties: {
    nwid: { type: 'string', description: '16 hex digits' },
    address: { type: 'string', description: '10 hex digits' },
  },
} as const;

const anyObject = { type: 'object', additionalProperties: true } as const;

interface Doc {
  summary: string;
  params?: typeof nwidParam | typeof memberParams;
  body?: boolean;
}

const DOCS = {
  controllerStatus: { summary: 'Controller status: {controller, apiVersion, clock, databaseReady}' },
  listNetworks: { summary: 'List network IDs' },
  createNetwork: { summary: 'Create a network with a random free ID under this controller', body: true },
  getNetwork: { summary: 'Get a network', params: nwidParam },
  postNetwork: {
    summary:
      'Update a network (partial merge; bumps revision), create it with this ID, or legacy-create with <addr>______',
    params: nwidParam,
    body: true,
  },
  deleteNetwork: {
    summary: 'Delete a network and its members; returns the deleted network',
    params: nwidParam,
  },
  listMembers: {
    summary: 'Member addresses with their revisions: {"<address>": revision}',
    params: nwidParam,
  },
  getMember: { summary: 'Get a member', params: memberParams },
  postMember: {
    summary: 'Create or update a member (authorize, IPs, name, tags …)',
    params: memberParams,
    body: true,
  },
  deleteMember: { summary: 'Delete a member; returns the deleted member', params: memberParams },
  unstableListNetworks: { summary: 'All networks with member counts in meta' },
  unstableListMembers: { summary: 'All members of a network with counts in meta', params: nwidParam },
} satisfies Record<string, Doc>;

export function compatSchema(name: keyof typeof DOCS): RouteShorthandOptions {
  const doc: Doc = DOCS[name];
  return {
    // Documentation only: the core validates bodies and names the offending field itself.
    validatorCompiler: () => (value: unknown) => ({ value }),
    schema: {
      tags: ['controller (stock API)'],
      summary: doc.summary,
      ...(doc.params ? { params: doc.params } : {}),
      ...(doc.body
        ? { body: { ...anyObject, description: 'Stock JSON fields; unknown fields are ignored' } }
        : {}),
      security: [{ zt1Auth: [] }],
    },
  };
}
