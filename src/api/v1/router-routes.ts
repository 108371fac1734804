// Subnet routers over HTTP: a router (or an operator) says what a member advertises, operators
// approve, reject and drain, an agent may send heartbeats. A token scoped to a member may call only
// that member's `advertised`, `routes`, `heartbeat` and `variables` (src/api/auth.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidField } from '../../core/errors.ts';
import { isMemberAddress, isNetworkId } from '../../core/network/network-id.ts';
import type { ControllerService } from '../../service/controller-service.ts';

type MemberRequest = FastifyRequest<{ Params: { nwid: string; address: string } }>;
type NetworkRequest = FastifyRequest<{ Params: { nwid: string } }>;

const doc = (summary: string) => ({ schema: { tags: ['routers'], summary } });

/** Who did it, for the event log: the token's name, or `api` for the admin token. */
export function actorOf(request: FastifyRequest): string {
  const principal = request.principal;
  return principal && principal.name !== 'admin' ? `api:${principal.name}` : 'api';
}

function checkIds(nwid: string, address?: string): { nwid: string; address: string } {
  if (!isNetworkId(nwid)) throw invalidField('nwid', `"${nwid}" is not a 16-digit hex network ID`);
  if (address !== undefined && !isMemberAddress(address))
    throw invalidField('address', `"${address}" is not a valid 10-digit hex ZeroTier address`);
  return { nwid: nwid.toLowerCase(), address: (address ?? '').toLowerCase() };
}

function readDraining(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalidField('body', 'expected {"draining": true|false}');
  const value = (body as Record<string, unknown>).draining;
  if (value === undefined) return true;
  if (typeof value !== 'boolean')
    throw invalidField('draining', `expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

export function registerRouterRoutes(app: FastifyInstance, service: ControllerService): void {
  const { routers } = service;

  app.put(
    '/api/v1/networks/:nwid/members/:address/advertised',
    doc('Replace what this member advertises: {"prefixes": [...], "metric": 100}'),
    async (request: MemberRequest) => {
      const { nwid, address } = checkIds(request.params.nwid, request.params.address);
      return { routes: await routers.advertise(nwid, address, request.body, actorOf(request)) };
    },
  );
  app.get(
    '/api/v1/networks/:nwid/members/:address/advertised',
    doc("This member's advertised prefixes with approval, primary and health"),
    async (request: MemberRequest) => {
      const { nwid, address } = checkIds(request.params.nwid, request.params.address);
      await service.getMember(nwid, address);
      return {
        routes: (await routers.routerViews(service.storeReader, nwid)).filter((v) => v.member === address),
      };
    },
  );
  for (const [verb, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    app.post(
      `/api/v1/networks/:nwid/routes/${verb}`,
      doc(`${approve ? 'Approve' : 'Reject'} an advertised prefix: {"member", "prefix"}`),
      async (request: NetworkRequest) => {
        const { nwid } = checkIds(request.params.nwid);
        return routers.approve(nwid, request.body, actorOf(request), approve);
      },
    );
  }
  app.post(
    '/api/v1/networks/:nwid/members/:address/drain',
    doc('Drain a router (members leave it as soon as another is healthy); {"draining": false} undoes it'),
    async (request: MemberRequest) => {
      const { nwid, address } = checkIds(request.params.nwid, request.params.address);
      return { routes: await routers.drain(nwid, address, readDraining(request.body), actorOf(request)) };
    },
  );
  app.post(
    '/api/v1/networks/:nwid/members/:address/heartbeat',
    doc("An agent's proof of life for a router (besides the controller's own probes)"),
    async (request: MemberRequest) => {
      const { nwid, address } = checkIds(request.params.nwid, request.params.address);
      return { health: await service.heartbeat(nwid, address) };
    },
  );
}
