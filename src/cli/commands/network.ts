// `routeplane network create|list|show|delete`: networks of a running controller, through its API.
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

interface CreateOptions {
  name?: string;
  private?: boolean;
  public?: boolean;
  pool?: string[];
  route?: string[];
  v4Auto?: boolean;
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

export function createBody(options: CreateOptions): Json {
  const body: Json = {};
  if (options.name !== undefined) body.name = options.name;
  if (options.private === true) body.private = true;
  if (options.public === true) body.private = false;
  if (options.mtu !== undefined) body.mtu = parseMtu(options.mtu);
  if (options.v4Auto === true) body.v4AssignMode = { zt: true };
  if (options.pool !== undefined) body.ipAssignmentPools = options.pool.map(parsePoolArgument);
  if (options.route !== undefined) body.routes = options.route.map(parseRouteArgument);
  return body;
}

export function registerNetworkCommands(program: Command): void {
  const network = exitTwoOnUsageErrors(
    program
      .command('network')
      .description("create, list, show and delete networks (through the controller's API)"),
  );

  addClientOptions(
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
