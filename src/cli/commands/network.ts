// `routeplane network create|list|show|set|delete`: networks of a running controller, through its API.
import { Option, type Command } from 'commander';
import { CliError } from '../cli-error.ts';
import {
  USAGE_EXIT_CODE,
  addClientOptions,
  clientContext,
  collect,
  exitTwoOnUsageErrors,
  networkIdArgument,
} from '../client-context.ts';
import { expectObject, listData, networkDetails, networkTable, type Json } from '../views.ts';

/** The routing settings `create`, `set` and `routes plan` share. */
export interface RoutingOptions {
  ipamSubnet?: string;
  routesFromIpam?: boolean;
  ipamGateway?: string;
  routeLimitStrategy?: string;
}

interface CreateOptions extends RoutingOptions {
  name?: string;
  private?: boolean;
  public?: boolean;
  pool?: string[];
  route?: string[];
  v4Auto?: boolean;
  mtu?: string;
}

export interface SetOptions extends RoutingOptions {
  name?: string;
  private?: boolean;
  public?: boolean;
  route?: string[];
  clearRoutes?: boolean;
  mtu?: string;
}

/** `START-END` → an ipAssignmentPools entry; the API checks the addresses. */
export function parsePoolArgument(value: string): { ipRangeStart: string; ipRangeEnd: string } {
  const parts = value.split('-').map((part) => part.trim());
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new CliError(
      `--pool: "${value}" is not a range START-END, e.g. 10.147.17.10-10.147.17.100`,
      USAGE_EXIT_CODE,
    );
  }
  return { ipRangeStart: parts[0]!, ipRangeEnd: parts[1]! };
}

/** `TARGET[@VIA]` → a routes entry; the API checks the CIDR and the gateway. */
export function parseRouteArgument(value: string): { target: string; via: string | null } {
  const parts = value.split('@').map((part) => part.trim());
  if (parts.length > 2 || parts[0] === '' || parts[1] === '') {
    throw new CliError(
      `--route: "${value}" is not TARGET or TARGET@VIA, e.g. 10.147.17.0/24 or 10.200.0.0/16@10.147.17.1`,
      USAGE_EXIT_CODE,
    );
  }
  return { target: parts[0]!, via: parts[1] ?? null };
}

function parseMtu(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new CliError(`--mtu: "${value}" is not a whole number`, USAGE_EXIT_CODE);
  }
  return Number(value.trim());
}

/** `none` (or nothing) clears a setting: the API takes null. */
function orNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' || trimmed.toLowerCase() === 'none' ? null : trimmed;
}

/** Adds the routing settings given to `body`; the API checks the CIDR, the IP and that they fit. */
export function applyRoutingOptions(body: Json, options: RoutingOptions): Json {
  if (options.ipamSubnet !== undefined) body.ipamSubnet = orNull(options.ipamSubnet);
  if (options.routesFromIpam !== undefined) body.routesFromIpam = options.routesFromIpam;
  if (options.ipamGateway !== undefined) body.ipamGateway = orNull(options.ipamGateway);
  if (options.routeLimitStrategy !== undefined) body.routeLimitStrategy = options.routeLimitStrategy;
  return body;
}

export function addRoutingOptions(command: Command): Command {
  return command
    .option('--ipam-subnet <cidr|none>', "the network's IPAM subnet (one that exists in IPAM), or none")
    .option('--routes-from-ipam', 'push a route per child subnet of the IPAM subnet too')
    .option('--no-routes-from-ipam', 'push only the IPAM subnet itself')
    .option(
      '--ipam-gateway <ip|none>',
      "via of the IPAM subnet's route when routes come from IPAM (inside the subnet), or none",
    )
    .addOption(
      new Option(
        '--route-limit-strategy <strategy>',
        'over 128 routes per member: refuse the change (error) or merge routes to fit (aggregate)',
      ).choices(['error', 'aggregate']),
    );
}

export function createBody(options: CreateOptions): Json {
  const body: Json = {};
  if (options.name !== undefined) body.name = options.name;
  if (options.private === true) body.private = true;
  if (options.public === true) body.private = false;
  if (options.mtu !== undefined) body.mtu = parseMtu(options.mtu);
  if (options.v4Auto === true) body.v4AssignMode = { zt: true };
  if (options.pool !== undefined) body.ipAssignmentPools = options.pool.map(parsePoolArgument);
  if (options.route !== undefined) body.routes = options.route.map(parseRouteArgument);
  return applyRoutingOptions(body, options);
}

/** The body of `network set` (and the options of `routes plan`): only what was given. */
export function setBody(options: SetOptions): Json {
  if (options.clearRoutes === true && options.route !== undefined) {
    throw new CliError('--clear-routes and --route cannot be used together', USAGE_EXIT_CODE);
  }
  const body: Json = {};
  if (options.name !== undefined) body.name = options.name;
  if (options.private === true) body.private = true;
  if (options.public === true) body.private = false;
  if (options.mtu !== undefined) body.mtu = parseMtu(options.mtu);
  if (options.route !== undefined) body.routes = options.route.map(parseRouteArgument);
  if (options.clearRoutes === true) body.routes = [];
  return applyRoutingOptions(body, options);
}

/** The routing options, as a usage error lists them. */
export const ROUTING_OPTION_NAMES =
  '--route, --clear-routes, --ipam-subnet, --routes-from-ipam, --no-routes-from-ipam, --ipam-gateway, --route-limit-strategy';

/** `--route` and `--clear-routes`: the manual routes, replaced whole. */
export function addManualRouteOptions(command: Command): Command {
  return command
    .option(
      '--route <target[@via]>',
      'manual route; replaces the current manual routes (repeatable), e.g. 10.0.0.0/8@10.147.17.1',
      collect,
    )
    .option('--clear-routes', 'remove every manual route');
}

export function registerNetworkCommands(program: Command): void {
  const network = exitTwoOnUsageErrors(
    program
      .command('network')
      .description("create, list, show, change and delete networks (through the controller's API)"),
  );

  addClientOptions(
    addRoutingOptions(
      network
        .command('create')
        .description('create a network with a random free ID and print the ID')
        .option('--name <name>', 'network name')
        .addOption(new Option('--private', 'members must be authorized (the default)'))
        .addOption(new Option('--public', 'any node may join without authorization').conflicts('private'))
        .option(
          '--pool <start-end>',
          'IP assignment pool, e.g. 10.147.17.10-10.147.17.100 (repeatable)',
          collect,
        )
        .option(
          '--route <target[@via]>',
          'managed route, e.g. 10.147.17.0/24 or 10.0.0.0/8@10.147.17.1 (repeatable)',
          collect,
        )
        .option('--v4-auto', 'assign IPv4 addresses from the pools automatically')
        .option('--mtu <n>', 'MTU of the virtual network (default 2800)'),
    ),
  ).action(async (options: CreateOptions, command: Command) => {
    const body = createBody(options);
    const client = await clientContext(command);
    const created = expectObject(await client.api.post('/controller/network', body), 'the new network');
    if (typeof created.id !== 'string')
      throw new CliError('unexpected answer from the controller: the new network has no ID');
    client.print(created, () => created.id as string);
  });

  addClientOptions(
    network.command('list').description('list networks with member counts, routes and pools'),
  ).action(async (_options: unknown, command: Command) => {
    const client = await clientContext(command);
    const answer = await client.api.get('/unstable/controller/network');
    client.print(answer, () => networkTable(listData(answer, 'the network list')));
  });

  addClientOptions(
    network.command('show').description('show one network').argument('<nwid>', 'network ID'),
  ).action(async (nwid: string, _options: unknown, command: Command) => {
    const id = networkIdArgument(nwid);
    const client = await clientContext(command);
    const answer = expectObject(await client.api.get(`/controller/network/${id}`), 'the network');
    client.print(answer, () => networkDetails(answer));
  });

  addClientOptions(
    addRoutingOptions(
      addManualRouteOptions(
        network
          .command('set')
          .description('change a network: its name, privacy, MTU, manual routes and routing from IPAM')
          .argument('<nwid>', 'network ID')
          .option('--name <name>', 'network name')
          .addOption(new Option('--private', 'members must be authorized'))
          .addOption(new Option('--public', 'any node may join without authorization').conflicts('private'))
          .option('--mtu <n>', 'MTU of the virtual network'),
      ),
    ),
  ).action(async (nwid: string, options: SetOptions, command: Command) => {
    const id = networkIdArgument(nwid);
    const body = setBody(options);
    if (Object.keys(body).length === 0) {
      throw new CliError(
        `nothing to change: give --name, --private, --public, --mtu, ${ROUTING_OPTION_NAMES}`,
        USAGE_EXIT_CODE,
      );
    }
    const client = await clientContext(command);
    const answer = expectObject(await client.api.post(`/controller/network/${id}`, body), 'the network');
    client.print(answer, () => networkDetails(answer));
  });

  addClientOptions(
    network
      .command('delete')
      .description('delete a network and all its members')
      .argument('<nwid>', 'network ID'),
  ).action(async (nwid: string, _options: unknown, command: Command) => {
    const id = networkIdArgument(nwid);
    const client = await clientContext(command);
    const deleted = expectObject(await client.api.delete(`/controller/network/${id}`), 'the deleted network');
    client.print(deleted, () => {
      const name = typeof deleted.name === 'string' && deleted.name !== '' ? ` (${deleted.name})` : '';
      return `deleted network ${id}${name}`;
    });
  });
}
