// The stock `/controller` JSON API of the ZeroTier One 1.14 embedded controller (PROTOCOL-NOTES §3):
// same paths, field names, defaults and shapes, so ztncui, ztnet, ZeroUI and scripts keep working.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidField } from '../../core/errors.ts';
import { memberJsonText, memberToJson } from '../../core/member/member-json.ts';
import type { MemberRecord } from '../../core/member/member-types.ts';
import { networkToJson } from '../../core/network/network-json.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import type { ControllerService } from '../../service/controller-service.ts';
import { compatSchema } from './compat-schemas.ts';
import { memberListStream } from './member-list-stream.ts';

const LEGACY_CREATE = /^([0-9a-fA-F]{10})______$/;
/** Members per page of the streamed full list: one query and one JSON chunk each. */
const MEMBER_PAGE_SIZE = 1000;

type NetworkRequest = FastifyRequest<{ Params: { nwid: string } }>;
type MemberRequest = FastifyRequest<{ Params: { nwid: string; address: string } }>;

export function registerControllerRoutes(
  app: FastifyInstance,
  service: ControllerService,
  clock: () => number,
): void {
  const controllerStatus = async () => ({
    controller: true,
    apiVersion: 4,
    clock: clock(),
    databaseReady: true,
  });

  /** The stock JSON, with `routes` as members get them (manual, IPAM …) and the Routeplane extras. */
  const networkJson = async (network: NetworkRecord) =>
    networkToJson(network, await service.effectiveRoutes(network));
  const memberJson = async (member: MemberRecord, network: NetworkRecord) =>
    memberToJson(member, network, clock(), (await service.ipamFieldsOf(network))(member));

  const createNetwork = async (request: FastifyRequest) =>
    networkJson(await service.createNetwork(request.body));

  const postNetwork = async (request: NetworkRequest) => {
    const { nwid } = request.params;
    const legacy = LEGACY_CREATE.exec(nwid);
    if (!legacy) return networkJson(await service.upsertNetwork(nwid, request.body));
    // Legacy create: `<controller address>______` asks for a random free ID under that address.
    if (legacy[1]!.toLowerCase() !== service.controllerAddress) {
      throw invalidField(
        'nwid',
        `"${nwid}" names controller ${legacy[1]}, but this controller is ${service.controllerAddress}`,
      );
    }
    return networkJson(await service.createNetwork(request.body));
  };

  const postMember = async (request: MemberRequest) => {
    const { nwid, address } = request.params;
    const member = await service.upsertMember(nwid, address, request.body);
    return memberJson(member, await service.getNetwork(nwid));
  };

  app.get('/controller', compatSchema('controllerStatus'), controllerStatus);
  app.get('/unstable/controller', compatSchema('controllerStatus'), controllerStatus);

  app.get('/controller/network', compatSchema('listNetworks'), () => service.listNetworkIds());
  // zerotier-one's HTTP service treats PUT as POST.
  app.post('/controller/network', compatSchema('createNetwork'), createNetwork);
  app.put('/controller/network', compatSchema('createNetwork'), createNetwork);

  app.get('/controller/network/:nwid', compatSchema('getNetwork'), async (request: NetworkRequest) =>
    networkJson(await service.getNetwork(request.params.nwid)),
  );
  app.post('/controller/network/:nwid', compatSchema('postNetwork'), postNetwork);
  app.put('/controller/network/:nwid', compatSchema('postNetwork'), postNetwork);
  app.delete('/controller/network/:nwid', compatSchema('deleteNetwork'), async (request: NetworkRequest) =>
    networkToJson(await service.deleteNetwork(request.params.nwid)),
  );

  app.get('/controller/network/:nwid/member', compatSchema('listMembers'), async (request: NetworkRequest) =>
    Object.fromEntries(await service.listMemberRevisions(request.params.nwid)),
  );

  app.get<{ Params: { nwid: string; address: string } }>(
    '/controller/network/:nwid/member/:address',
    compatSchema('getMember'),
    async (request, reply) => {
      const { nwid, address } = request.params;
      // One member query: the network comes from the service's cache. The hottest read: written
      // as text directly (the same bytes fastify would make of memberJson's object).
      const { member, network } = await service.getMemberWithNetwork(nwid, address);
      const ipam = (await service.ipamFieldsOf(network))(member);
      return reply
        .type('application/json; charset=utf-8')
        .send(memberJsonText(member, network, clock(), ipam));
    },
  );
  app.post('/controller/network/:nwid/member/:address', compatSchema('postMember'), postMember);
  app.put('/controller/network/:nwid/member/:address', compatSchema('postMember'), postMember);
  app.delete(
    '/controller/network/:nwid/member/:address',
    compatSchema('deleteMember'),
    async (request: MemberRequest) => {
      const { nwid, address } = request.params;
      const network = await service.getNetwork(nwid);
      return memberJson(await service.deleteMember(nwid, address), network);
    },
  );

  app.get('/unstable/controller/network', compatSchema('unstableListNetworks'), async () => {
    const networks = await service.listNetworks();
    const data = [];
    for (const network of networks) {
      const counts = await service.countMembers(network.id);
      data.push({
        ...(await networkJson(network)),
        meta: { authorizedMemberCount: counts.authorized, totalMemberCount: counts.total },
      });
    }
    return { data, meta: { networkCount: data.length } };
  });

  app.get<{ Params: { nwid: string } }>(
    '/unstable/controller/network/:nwid/member',
    compatSchema('unstableListMembers'),
    async (request, reply) => {
      // Unknown network: a 404 before any byte of the list is written.
      const network = await service.getNetwork(request.params.nwid);
      // Streamed page by page (memory stays flat at any size); same bytes as the whole object.
      return reply
        .type('application/json; charset=utf-8')
        .send(
          memberListStream(
            service.memberPages(network.id, MEMBER_PAGE_SIZE),
            network,
            clock(),
            await service.ipamFieldsOf(network),
          ),
        );
    },
  );
}
