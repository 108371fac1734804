// Routeplane's own API for routing (`/api/v1`): IPAM subnets, every route of a network with where it
// comes from, one member's exact routes and template variables, the preview of a network change, and
// the event log. Bodies are checked by the core, so errors name the field as elsewhere.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidField } from '../../core/errors.ts';
import { isMemberAddress, isNetworkId } from '../../core/network/network-id.ts';
import type { Actor, ControllerService } from '../../service/controller-service.ts';
import { parseChildrenMode } from '../../service/ipam-service.ts';
import type { EventQuery } from '../../store/store.ts';

type SubnetRequest = FastifyRequest<{ Params: { ref: string }; Querystring: Record<string, string> }>;
type NetworkRequest = FastifyRequest<{ Params: { nwid: string } }>;
type MemberRequest = FastifyRequest<{ Params: { nwid: string; address: string } }>;
type EventsRequest = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

const API_ACTOR: Actor = { name: 'api' };
export const EVENT_PAGE_DEFAULT = 100;
export const EVENT_PAGE_MAX = 1000;

const doc = (tag: string, summary: string) => ({ schema: { tags: [tag], summary } });

function readId(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw invalidField(field, `expected an event id (a whole number), got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `?network=&member=&type=&after=&before=&limit=&order=` → a store query, each value checked. */
export function parseEventQuery(query: Record<string, string | undefined>): EventQuery {
  const known = ['network', 'member', 'type', 'after', 'before', 'limit', 'order', 'auth'];
  const unknown = Object.keys(query).filter((key) => !known.includes(key));
  if (unknown.length > 0)
    throw invalidField(unknown[0]!, `unknown parameter; expected ${known.slice(0, -1).join(', ')}`);
  const out: EventQuery = {};
  if (query.network !== undefined) {
    if (!isNetworkId(query.network))
      throw invalidField('network', `${JSON.stringify(query.network)} is not a 16-digit hex network ID`);
    out.networkId = query.network.toLowerCase();
  }
  if (query.member !== undefined) {
    if (!isMemberAddress(query.member))
      throw invalidField('member', `${JSON.stringify(query.member)} is not a 10-digit hex member address`);
    out.memberAddress = query.member.toLowerCase();
  }
  if (query.type !== undefined && query.type !== '') out.typePrefix = query.type;
  const after = readId(query.after, 'after');
  if (after !== undefined) out.afterId = after;
  const before = readId(query.before, 'before');
  if (before !== undefined) out.beforeId = before;
  const limit = readId(query.limit, 'limit') ?? EVENT_PAGE_DEFAULT;
  if (limit < 1 || limit > EVENT_PAGE_MAX)
    throw invalidField('limit', `expected 1 to ${EVENT_PAGE_MAX}, got ${limit}`);
  out.limit = limit;
  if (query.order !== undefined) {
    if (query.order !== 'asc' && query.order !== 'desc')
      throw invalidField('order', `expected asc or desc, got ${JSON.stringify(query.order)}`);
    out.order = query.order;
  }
  return out;
}

export function registerRoutingRoutes(app: FastifyInstance, service: ControllerService): void {
  // ---- IPAM --------------------------------------------------------------------------------
  app.get('/api/v1/ipam/subnets', doc('ipam', 'List IPAM subnets in prefix order'), async () => ({
    subnets: await service.ipam.list(),
  }));
  app.post(
    '/api/v1/ipam/subnets',
    doc('ipam', 'Add a subnet: {prefix, name?, parent?}'),
    async (request, reply) => reply.code(201).send(await service.ipam.create(request.body, API_ACTOR)),
  );
  app.get(
    '/api/v1/ipam/subnets/:ref',
    doc('ipam', 'One subnet, by id or URL-encoded prefix'),
    (request: SubnetRequest) => service.ipam.get(request.params.ref),
  );
  app.patch(
    '/api/v1/ipam/subnets/:ref',
    doc('ipam', 'Rename or move a subnet: {name?, prefix?, parent?}'),
    (request: SubnetRequest) => service.ipam.update(request.params.ref, request.body, API_ACTOR),
  );
  app.delete(
    '/api/v1/ipam/subnets/:ref',
    doc('ipam', 'Delete a subnet; ?children=refuse (default), promote or delete'),
    (request: SubnetRequest) =>
      service.ipam.remove(request.params.ref, parseChildrenMode(request.query.children), API_ACTOR),
  );
  app.get(
    '/api/v1/ipam/subnets/:ref/tree',
    doc('ipam', 'The nested tree under a subnet with utilisation (assigned member IPs / size)'),
    (request: SubnetRequest) => service.ipam.tree(request.params.ref),
  );

  // ---- routes ------------------------------------------------------------------------------
  app.get(
    '/api/v1/networks/:nwid/routes',
    doc('routes', 'Every route of a network: source, owner, via, status, members that get it'),
    (request: NetworkRequest) => service.routesReport(request.params.nwid),
  );
  app.post(
    '/api/v1/networks/:nwid/plan',
    doc(
      'routes',
      'Preview a network change (a stock network body): routes added and removed, per member; writes nothing',
    ),
    (request: NetworkRequest) => service.previewNetworkChange(request.params.nwid, request.body),
  );
  app.get(
    '/api/v1/networks/:nwid/members/:address/routes',
    doc('routes', 'Exactly the routes this member is sent: {revision, memberRevision, routes}'),
    (request: MemberRequest) => service.memberRoutes(request.params.nwid, request.params.address),
  );
  app.get(
    '/api/v1/networks/:nwid/members/:address/variables',
    doc('routes', "A member's template variables: ipamSubnet, ipamChildSubnet …"),
    (request: MemberRequest) => service.memberVariables(request.params.nwid, request.params.address),
  );

  // ---- events ------------------------------------------------------------------------------
  app.get(
    '/api/v1/events',
    doc(
      'events',
      'The event log: ?network=&member=&type=<prefix>&after=<id>&before=<id>&limit=&order=asc|desc',
    ),
    async (request: EventsRequest) => {
      const query = parseEventQuery(request.query);
      const events = await service.listEvents(query);
      const last = events[events.length - 1];
      return { events, next: last ? last.id : null };
    },
  );
}
