// `routeplane routes show|plan|advertise|approve|reject|drain`: what a network routes and why, what a
// change would do to it, and its subnet routers, through `/api/v1/networks/<nwid>/…`. `plan` writes
// nothing: it asks the controller for a preview. `advertise` is what a router runs, with a token
// scoped to its member (`routeplane tokens create --network … --member …`) or the admin token.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import {
  USAGE_EXIT_CODE,
  addClientOptions,
  clientContext,
  exitTwoOnUsageErrors,
  memberAddressArgument,
  networkIdArgument,
} from '../client-context.ts';
import { formatJson, writeOut } from '../output.ts';
import { advertiseResult, approvalResult, drainResult } from '../router-views.ts';
import { memberRoutes, planPreview, routesReport } from '../routing-views.ts';
import { expectObject, isObject, objects, type Json } from '../views.ts';
import {
  ROUTING_OPTION_NAMES,
  addManualRouteOptions,
  addRoutingOptions,
  setBody,
  type SetOptions,
} from './network.ts';

/** The body argument of `routes plan`: JSON text, or `@file` holding it; it must be an object. */
export async function readBodyArgument(value: string): Promise<Json> {
  let source = value;
  let where = 'the body';
  if (value.startsWith('@')) {
    where = value.slice(1);
    try {
      source = await readFile(where, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new CliError(`cannot read the body from ${where} (${reason})`, USAGE_EXIT_CODE);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new CliError(
      `${where} is not JSON (${error instanceof Error ? error.message : String(error)}); ` +
        `expected a network body, e.g. '{"routesFromIpam": true}'`,
      USAGE_EXIT_CODE,
    );
  }
  if (!isObject(parsed)) {
    throw new CliError(
      `${where} must be a JSON object (a network body), e.g. '{"routesFromIpam": true}'`,
      USAGE_EXIT_CODE,
    );
  }
  return parsed;
}

/** The change to preview: the JSON body, with the options given on top. */
export async function planBody(json: string | undefined, options: SetOptions): Promise<Json> {
  const body = { ...(json === undefined ? {} : await readBodyArgument(json)), ...setBody(options) };
  if (Object.keys(body).length === 0) {
    throw new CliError(
      `nothing to preview: give a JSON network body or ${ROUTING_OPTION_NAMES}`,
      USAGE_EXIT_CODE,
    );
  }
  return body;
}

/** `--metric`: a whole number; the API checks the range (0 to 65535) and names the field. */
export function parseMetric(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new CliError(`--metric: "${value}" is not a whole number`, USAGE_EXIT_CODE);
  }
  return Number(value.trim());
}

/** The body of `PUT …/advertised`: every prefix as given (the API checks them), the metric if set. */
export function advertiseBody(prefixes: readonly string[] | undefined, metric: string | undefined): Json {
  const body: Json = { prefixes: [...(prefixes ?? [])] };
  if (metric !== undefined) body.metric = parseMetric(metric);
  return body;
}

/** The `routes` list of a router answer (`{routes: [RouterView…]}`). */
function routerViews(answer: unknown, what: string): Json[] {
  const routes = expectObject(answer, what).routes;
  if (!Array.isArray(routes)) {
    throw new CliError(`unexpected answer from the controller: ${what} has no "routes" list`);
  }
  return objects(routes);
}

const memberPath = (nwid: string, address: string) => `/api/v1/networks/${nwid}/members/${address}`;

export function registerRoutesCommands(program: Command): void {
  const routes = exitTwoOnUsageErrors(
    program
      .command('routes')
      .description(
        "show a network's routes, preview route changes and manage subnet routers (through the controller's API)",
      ),
  );

  addClientOptions(
    routes
      .command('show')
      .description("every route of a network with its source, or exactly one member's routes")
      .argument('<nwid>', 'network ID')
      .option('--member <address>', "show this member's exact route list instead"),
  ).action(async (nwid: string, options: { member?: string }, command: Command) => {
    const id = networkIdArgument(nwid);
    const address = options.member === undefined ? undefined : memberAddressArgument(options.member);
    const client = await clientContext(command);
    if (address === undefined) {
      const answer = expectObject(await client.api.get(`/api/v1/networks/${id}/routes`), 'the routes report');
      client.print(answer, () => routesReport(answer));
      return;
    }
    const answer = expectObject(
      await client.api.get(`/api/v1/networks/${id}/members/${address}/routes`),
      "the member's routes",
    );
    client.print(answer, () => memberRoutes(answer, id, address));
  });

  addClientOptions(
    addRoutingOptions(
      addManualRouteOptions(
        routes
          .command('plan')
          .description(
            'preview a network change: which routes members would gain and lose, or why it would be refused; changes nothing',
          )
          .argument('<nwid>', 'network ID')
          .argument('[body]', `a network body as JSON, or @file (options given override its fields)`),
      ),
    ),
  ).action(async (nwid: string, json: string | undefined, options: SetOptions, command: Command) => {
    const id = networkIdArgument(nwid);
    const body = await planBody(json, options);
    const client = await clientContext(command);
    const preview = expectObject(await client.api.post(`/api/v1/networks/${id}/plan`, body), 'the plan');
    if (preview.outcome === 'rejected') {
      // A refused change exits 1 like a refused write, so a script can gate on the preview.
      if (client.json) writeOut(formatJson(preview));
      const error = isObject(preview.error) ? preview.error : {};
      const message = typeof error.message === 'string' ? error.message : 'no reason given';
      throw new CliError(`the change would be refused: ${message}`);
    }
    client.print(preview, () => planPreview(preview, id));
  });

  addClientOptions(
    routes
      .command('advertise')
      .description(
        'replace the prefixes a member routes for (a subnet router); no prefixes withdraws them all. ' +
          'Works with a token scoped to the member',
      )
      .argument('<nwid>', 'network ID')
      .argument('<member>', 'the router: member address (10 hex digits)')
      .argument('[prefix...]', 'CIDRs the member routes for, e.g. 192.168.1.0/24; none withdraws all')
      .option('--metric <n>', 'metric of these prefixes: a lower one is preferred as primary (default 100)'),
  ).action(
    async (
      nwid: string,
      member: string,
      prefixes: string[] | undefined,
      options: { metric?: string },
      command: Command,
    ) => {
      const [id, address] = [networkIdArgument(nwid), memberAddressArgument(member)];
      const body = advertiseBody(prefixes, options.metric);
      const client = await clientContext(command);
      const answer = await client.api.put(`${memberPath(id, address)}/advertised`, body);
      const views = routerViews(answer, 'the advertised routes');
      client.print(answer, () => advertiseResult(views, id, address));
    },
  );

  for (const [name, approve, description] of [
    ['approve', true, 'approve a prefix a member advertises, so members may be routed through it'],
    ['reject', false, 'take back the approval of an advertised prefix (it stays advertised)'],
  ] as const) {
    addClientOptions(
      routes
        .command(name)
        .description(description)
        .argument('<nwid>', 'network ID')
        .argument('<member>', 'the router: member address (10 hex digits)')
        .argument('<prefix>', 'the advertised CIDR, e.g. 192.168.1.0/24'),
    ).action(async (nwid: string, member: string, prefix: string, _options: unknown, command: Command) => {
      const [id, address] = [networkIdArgument(nwid), memberAddressArgument(member)];
      const client = await clientContext(command);
      const answer = expectObject(
        await client.api.post(`/api/v1/networks/${id}/routes/${name}`, { member: address, prefix }),
        'the router',
      );
      client.print(answer, () => approvalResult(answer, approve, id));
    });
  }

  addClientOptions(
    routes
      .command('drain')
      .description('drain a router: members move off it as soon as another router of its prefixes is healthy')
      .argument('<nwid>', 'network ID')
      .argument('<member>', 'the router: member address (10 hex digits)')
      .option('--undo', 'stop draining the router'),
  ).action(async (nwid: string, member: string, options: { undo?: boolean }, command: Command) => {
    const [id, address] = [networkIdArgument(nwid), memberAddressArgument(member)];
    const draining = options.undo !== true;
    const client = await clientContext(command);
    const answer = await client.api.post(`${memberPath(id, address)}/drain`, { draining });
    const views = routerViews(answer, 'the drained router');
    client.print(answer, () => drainResult(views, draining, id, address));
  });
}
