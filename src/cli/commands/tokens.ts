// `routeplane tokens create|list|rm`: named API tokens of a running controller, through
// `/api/v1/tokens`. A token created with --network and --member may act only as that member (a
// subnet router advertising its own prefixes). Not to be confused with `routeplane token`, which
// prints the admin token of a data dir.
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
import { tokenCreated, tokenRemoved, tokenTable } from '../router-views.ts';
import { expectObject, isObject, objects, type Json } from '../views.ts';

const TOKENS = '/api/v1/tokens';

interface CreateOptions {
  name: string;
  network?: string;
  member?: string;
}

/** `{name, network?, member?}`: a scope needs both, checked here so a half scope never reaches the API. */
export function createBody(options: CreateOptions): Json {
  const body: Json = { name: options.name };
  if ((options.network === undefined) !== (options.member === undefined)) {
    const [given, missing] = options.network === undefined ? ['member', 'network'] : ['network', 'member'];
    throw new CliError(
      `--${given} needs --${missing}: a scoped token is for one member of one network`,
      USAGE_EXIT_CODE,
    );
  }
  if (options.network !== undefined) body.network = networkIdArgument(options.network);
  if (options.member !== undefined) body.member = memberAddressArgument(options.member);
  return body;
}

export function registerTokensCommands(program: Command): void {
  const tokens = exitTwoOnUsageErrors(
    program
      .command('tokens')
      .description(
        "create, list and revoke named API tokens, e.g. one a subnet router may use only for itself (through the controller's API)",
      ),
  );

  addClientOptions(
    tokens
      .command('create')
      .description('create a token and print its secret (shown only this once)')
      .requiredOption('--name <name>', 'what the token is for, e.g. router-berlin')
      .option('--network <nwid>', 'scope the token to a member of this network (with --member)')
      .option('--member <address>', 'scope the token to this member: it may only act as that router'),
  ).action(async (options: CreateOptions, command: Command) => {
    const body = createBody(options);
    const client = await clientContext(command);
    const answer = expectObject(await client.api.post(TOKENS, body), 'the new token');
    client.print(answer, () => tokenCreated(answer));
  });

  addClientOptions(tokens.command('list').description('list the tokens (never their secrets)')).action(
    async (_options: unknown, command: Command) => {
      const client = await clientContext(command);
      const answer = await client.api.get(TOKENS);
      if (!isObject(answer) || !Array.isArray(answer.tokens)) {
        throw new CliError('unexpected answer from the controller: the token list has no "tokens" list');
      }
      const list = objects(answer.tokens);
      client.print(answer, () => tokenTable(list));
    },
  );

  addClientOptions(
    tokens
      .command('rm')
      .description('revoke a token: requests with it fail from now on')
      .argument('<id>', 'token id (from "routeplane tokens list")'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const trimmed = id.trim();
    if (trimmed === '') throw new CliError('a token id is required', USAGE_EXIT_CODE);
    const client = await clientContext(command);
    const answer = expectObject(
      await client.api.delete(`${TOKENS}/${encodeURIComponent(trimmed)}`),
      'the revoked token',
    );
    client.print(answer, () => tokenRemoved(answer));
  });
}
