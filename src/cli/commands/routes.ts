// `routeplane routes show|plan`: what a network routes and why, and what a change would do to it,
// through `/api/v1/networks/<nwid>/…`. `plan` writes nothing: it asks the controller for a preview.
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
import { memberRoutes, planPreview, routesReport } from '../routing-views.ts';
import { expectObject, isObject, type Json } from '../views.ts';
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

export function registerRoutesCommands(program: Command): void {
  const routes = exitTwoOnUsageErrors(
    program
      .command('routes')
      .description("show a network's routes and preview route changes (through the controller's API)"),
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
}
