// The node endpoints controller UIs call before anything else: `GET /status` (ztnet and OpenWISP
// read `address` from it to build network IDs), `GET /network` (networks this node joined: none) and
// `GET /peer` (online status of members; filled by the protocol layer).
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';

/** What the protocol layer will report about peers, in zerotier-one's `/peer` shape. */
export interface PeerSource {
  listPeers(): unknown[];
  getPeer(address: string): unknown | undefined;
}

export interface NodeInfo {
  address: string;
  publicIdentity: string;
  /** The UDP port the node is bound to (known once the ZeroTier side has started). */
  udpPort: () => number;
  version: string;
  clock: () => number;
  peers?: PeerSource;
}

/** The zerotier-one API level we mirror; UIs gate features on it. */
const COMPAT_VERSION = { major: 1, minor: 14, rev: 1 };

export function registerNodeRoutes(app: FastifyInstance, info: NodeInfo): void {
  const tags = ['node (stock API)'];
  const security = [{ zt1Auth: [] }];

  app.get(
    '/status',
    { schema: { tags, security, summary: 'Node status (address, identity, version …)' } },
    async () => ({
      address: info.address,
      clock: info.clock(),
      config: {
        settings: {
          allowSecondaryPort: false,
          allowTcpFallbackRelay: false,
          forceTcpRelay: false,
          listeningOn: [],
          portMappingEnabled: false,
          primaryPort: info.udpPort(),
          secondaryPort: 0,
          softwareUpdate: 'disable',
          softwareUpdateChannel: 'release',
          surfaceAddresses: [],
          tertiaryPort: 0,
        },
      },
      online: true,
      planetWorldId: 0,
      planetWorldTimestamp: 0,
      publicIdentity: info.publicIdentity,
      tcpFallbackActive: false,
      version: `${COMPAT_VERSION.major}.${COMPAT_VERSION.minor}.${COMPAT_VERSION.rev}`,
      versionBuild: 0,
      versionMajor: COMPAT_VERSION.major,
      versionMinor: COMPAT_VERSION.minor,
      versionRev: COMPAT_VERSION.rev,
      routeplane: { version: info.version },
    }),
  );

  app.get(
    '/network',
    { schema: { tags, security, summary: 'Networks this node has joined (always none)' } },
    async () => [],
  );

  app.get('/peer', { schema: { tags, security, summary: 'Peers known to the controller node' } }, async () =>
    info.peers ? info.peers.listPeers() : [],
  );

  app.get<{ Params: { address: string } }>(
    '/peer/:address',
    { schema: { tags, security, summary: 'One peer' } },
    async (request) => {
      const peer = info.peers?.getPeer(request.params.address.toLowerCase());
      if (peer === undefined) throw notFound(`peer ${request.params.address}`);
      return peer;
    },
  );
}
