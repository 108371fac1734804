// `routeplane member list|show|authorize|deauthorize|set|delete`: members of a network, through the
// controller's API. As with the stock controller, authorizing or setting an address that has not
// joined yet creates the member (pre-authorization).
import type { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import {
  USAGE_EXIT_CODE,
  addClientOptions,
  clientContext,
  collect,
  exitTwoOnUsageErrors,
  memberAddressArgument,
  networkIdArgument,
} from '../client-context.ts';
import { expectObject, listData, memberDetails, memberTable, type Json } from '../views.ts';

interface SetOptions {
  name?: string;
  ip?: string[];
  clearIps?: boolean;
  autoAssign?: boolean;
}

export function setBody(options: SetOptions): Json {
  const body: Json = {};
  if (options.name !== undefined) body.name = options.name;
  if (options.ip !== undefined) body.ipAssignments = options.ip.map((ip) => ip.trim());
  if (options.clearIps === true) body.ipAssignments = [];
  if (options.autoAssign !== undefined) body.noAutoAssignIps = !options.autoAssign;
  if (Object.keys(body).length === 0) {
    throw new CliError(
      'nothing to change: give --name, --ip, --clear-ips, --auto-assign or --no-auto-assign',
      USAGE_EXIT_CODE,
    );
  }
  return body;
}

const memberPath = (nwid: string, address: string) => `/controller/network/${nwid}/member/${address}`;

function memberArguments(command: Command): Command {
  return command.argument('<nwid>', 'network ID').argument('<address>', 'member address (10 hex digits)');
}

export function registerMemberCommands(program: Command): void {
  const member = exitTwoOnUsageErrors(
    program
      .command('member')
      .description("list, show, authorize and change members (through the controller's API)"),
  );

  addClientOptions(
    member.command('list').description('list the members of a network').argument('<nwid>', 'network ID'),
  ).action(async (nwid: string, _options: unknown, command: Command) => {
    const id = networkIdArgument(nwid);
    const client = await clientContext(command);
    const answer = await client.api.get(`/unstable/controller/network/${id}/member`);
    client.print(answer, () => memberTable(listData(answer, 'the member list'), Date.now()));
  });

  addClientOptions(memberArguments(member.command('show').description('show one member'))).action(
    async (nwid: string, address: string, _options: unknown, command: Command) => {
      const [id, addr] = [networkIdArgument(nwid), memberAddressArgument(address)];
      const client = await clientContext(command);
      const answer = expectObject(await client.api.get(memberPath(id, addr)), 'the member');
      client.print(answer, () => memberDetails(answer, Date.now()));
    },
  );

  for (const [name, authorized, description] of [
    ['authorize', true, 'authorize a member (creates it if it has not joined yet)'],
    ['deauthorize', false, 'deauthorize a member'],
  ] as const) {
    addClientOptions(memberArguments(member.command(name).description(description))).action(
      async (nwid: string, address: string, _options: unknown, command: Command) => {
        const [id, addr] = [networkIdArgument(nwid), memberAddressArgument(address)];
        const client = await clientContext(command);
        const answer = expectObject(
          await client.api.post(memberPath(id, addr), { authorized }),
          'the member',
        );
        client.print(answer, () => `${name}d member ${addr} on network ${id}`);
      },
    );
  }

  addClientOptions(
    memberArguments(
      member.command('set').description('change a member (creates it if it has not joined yet)'),
    )
      .option('--name <name>', 'member name')
      .option('--ip <ip>', 'assigned IP address; replaces the current ones (repeatable)', collect)
      .option('--clear-ips', 'remove all assigned IP addresses')
      .option('--auto-assign', 'let the controller assign IPs from the pools')
      .option('--no-auto-assign', 'never assign IPs automatically (only those given with --ip)'),
  ).action(async (nwid: string, address: string, options: SetOptions, command: Command) => {
    const [id, addr] = [networkIdArgument(nwid), memberAddressArgument(address)];
    if (options.clearIps === true && options.ip !== undefined) {
      throw new CliError('--clear-ips and --ip cannot be used together', USAGE_EXIT_CODE);
    }
    const body = setBody(options);
    const client = await clientContext(command);
    const answer = expectObject(await client.api.post(memberPath(id, addr), body), 'the member');
    client.print(answer, () => memberDetails(answer, Date.now()));
  });

  addClientOptions(memberArguments(member.command('delete').description('delete a member'))).action(
    async (nwid: string, address: string, _options: unknown, command: Command) => {
      const [id, addr] = [networkIdArgument(nwid), memberAddressArgument(address)];
      const client = await clientContext(command);
      const answer = expectObject(await client.api.delete(memberPath(id, addr)), 'the deleted member');
      client.print(answer, () => `deleted member ${addr} from network ${id}`);
    },
  );
}
