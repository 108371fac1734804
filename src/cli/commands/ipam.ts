// `routeplane ipam add|list|show|tree|set|rename|rm`: the IPAM subnet tree of a running controller,
// through `/api/v1/ipam`. A subnet is named by its id or its prefix; the API checks both, so a bad
// prefix or an unknown subnet comes back as the API's own message.
import { Option, type Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { USAGE_EXIT_CODE, addClientOptions, clientContext, exitTwoOnUsageErrors } from '../client-context.ts';
import { subnetAdded, subnetDetails, subnetRemoved, subnetTable, subnetTree } from '../routing-views.ts';
import { expectObject, isObject, type Json } from '../views.ts';

const SUBNETS = '/api/v1/ipam/subnets';

/** The API path of one subnet: an id, or a prefix whose `/` must not split the path (10.1.2.0%2F24). */
export function subnetPath(ref: string, suffix = ''): string {
  const trimmed = ref.trim();
  if (trimmed === '') {
    throw new CliError('a subnet id or prefix is required, e.g. 10.1.2.0/24', USAGE_EXIT_CODE);
  }
  return `${SUBNETS}/${encodeURIComponent(trimmed)}${suffix}`;
}

interface ParentOptions {
  parent?: string;
  root?: boolean;
}

interface AddOptions extends ParentOptions {
  name?: string;
}

interface SetOptions extends ParentOptions {
  name?: string;
  prefix?: string;
}

/** `--parent <ref>` → that parent; `--root` → null (no parent); neither → the API picks the parent. */
function applyParent(body: Json, options: ParentOptions): void {
  if (options.root === true) body.parent = null;
  else if (options.parent !== undefined) {
    if (options.parent.trim() === '')
      throw new CliError('--parent: give a subnet id or prefix', USAGE_EXIT_CODE);
    body.parent = options.parent.trim();
  }
}

export function addBody(prefix: string, options: AddOptions): Json {
  if (prefix.trim() === '') throw new CliError('a prefix is required, e.g. 10.1.2.0/24', USAGE_EXIT_CODE);
  const body: Json = { prefix: prefix.trim() };
  if (options.name !== undefined) body.name = options.name;
  applyParent(body, options);
  return body;
}

export function patchBody(options: SetOptions): Json {
  const body: Json = {};
  if (options.name !== undefined) body.name = options.name;
  if (options.prefix !== undefined) body.prefix = options.prefix.trim();
  applyParent(body, options);
  if (Object.keys(body).length === 0) {
    throw new CliError('nothing to change: give --name, --prefix, --parent or --root', USAGE_EXIT_CODE);
  }
  return body;
}

function parentOptions(command: Command, parentHelp: string): Command {
  return command
    .option('--parent <id|prefix>', parentHelp)
    .addOption(new Option('--root', 'make it a root subnet (no parent)').conflicts('parent'));
}

function subnetList(answer: unknown): Json[] {
  const subnets = isObject(answer) ? answer.subnets : undefined;
  if (!Array.isArray(subnets))
    throw new CliError('unexpected answer from the controller: the subnet list has no "subnets" list');
  return subnets.filter(isObject);
}

export function registerIpamCommands(program: Command): void {
  const ipam = exitTwoOnUsageErrors(
    program.command('ipam').description("manage the IPAM subnet tree (through the controller's API)"),
  );

  addClientOptions(
    parentOptions(
      ipam
        .command('add')
        .description('add a subnet; it lands under the smallest subnet that contains it')
        .argument('<prefix>', 'the subnet, e.g. 10.1.2.0/24')
        .option('--name <name>', 'subnet name'),
      'put it under this subnet (default: the smallest subnet containing it)',
    ),
  ).action(async (prefix: string, options: AddOptions, command: Command) => {
    const body = addBody(prefix, options);
    const client = await clientContext(command);
    const created = expectObject(await client.api.post(SUBNETS, body), 'the new subnet');
    client.print(created, () => subnetAdded(created));
  });

  addClientOptions(ipam.command('list').description('list every subnet in prefix order')).action(
    async (_options: unknown, command: Command) => {
      const client = await clientContext(command);
      const answer = await client.api.get(SUBNETS);
      client.print(answer, () => subnetTable(subnetList(answer)));
    },
  );

  addClientOptions(
    ipam.command('show').description('show one subnet').argument('<id|prefix>', 'subnet id or prefix'),
  ).action(async (ref: string, _options: unknown, command: Command) => {
    const path = subnetPath(ref);
    const client = await clientContext(command);
    const answer = expectObject(await client.api.get(path), 'the subnet');
    client.print(answer, () => subnetDetails(answer));
  });

  addClientOptions(
    ipam
      .command('tree')
      .description('show a subnet and everything under it, with how full each one is')
      .argument('<id|prefix>', 'subnet id or prefix'),
  ).action(async (ref: string, _options: unknown, command: Command) => {
    const path = subnetPath(ref, '/tree');
    const client = await clientContext(command);
    const answer = expectObject(await client.api.get(path), 'the subnet tree');
    client.print(answer, () => subnetTree(answer));
  });

  addClientOptions(
    parentOptions(
      ipam
        .command('set')
        .description('rename, resize or move a subnet')
        .argument('<id|prefix>', 'subnet id or prefix')
        .option('--name <name>', 'new name')
        .option('--prefix <prefix>', 'new prefix'),
      'move it under this subnet',
    ),
  ).action(async (ref: string, options: SetOptions, command: Command) => {
    const path = subnetPath(ref);
    const body = patchBody(options);
    const client = await clientContext(command);
    const answer = expectObject(await client.api.patch(path, body), 'the subnet');
    client.print(answer, () => subnetDetails(answer));
  });

  addClientOptions(
    ipam
      .command('rename')
      .description('rename a subnet')
      .argument('<id|prefix>', 'subnet id or prefix')
      .argument('<name>', 'new name'),
  ).action(async (ref: string, name: string, _options: unknown, command: Command) => {
    const path = subnetPath(ref);
    const client = await clientContext(command);
    const answer = expectObject(await client.api.patch(path, { name }), 'the subnet');
    client.print(answer, () => subnetDetails(answer));
  });

  addClientOptions(
    ipam
      .command('rm')
      .alias('delete')
      .description('delete a subnet')
      .argument('<id|prefix>', 'subnet id or prefix')
      .addOption(
        new Option(
          '--children <mode>',
          'a subnet with children: refuse (default), promote them to its parent, or delete them too',
        ).choices(['refuse', 'promote', 'delete']),
      ),
  ).action(async (ref: string, options: { children?: string }, command: Command) => {
    const query = options.children === undefined ? '' : `?children=${options.children}`;
    const path = subnetPath(ref) + query;
    const client = await clientContext(command);
    const answer = expectObject(await client.api.delete(path), 'the delete result');
    client.print(answer, () => subnetRemoved(answer));
  });
}
