// What every client command shares: the connection options (--url, --token, --data-dir, --json),
// the API client built from them, local checks of IDs, and exit code 2 for usage errors.
import { CommanderError, Option, type Command } from 'commander';
import { canonicalMemberAddress, canonicalNetworkId } from '../core/network/network-id.ts';
import { CliError } from './cli-error.ts';
import { DEFAULT_DATA_DIR } from './default-options.ts';
import { ApiClient, DEFAULT_URL, resolveConnection } from './http-client.ts';
import { formatJson, writeOut } from './output.ts';

/** Usage errors exit 2; commander reports them with 1. */
export const USAGE_EXIT_CODE = 2;

const COMMANDER_USAGE_ERRORS = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.excessArguments',
  'commander.invalidArgument',
  'commander.conflictingOption',
  // A command group run without a subcommand prints its help to stderr.
  'commander.help',
]);

/**
 * Makes commander's usage errors in `command` and the subcommands created after this call exit with
 * 2 (subcommands inherit the exit override when they are created).
 */
export function exitTwoOnUsageErrors(command: Command): Command {
  return command.exitOverride((error) => {
    if (error.exitCode === 1 && COMMANDER_USAGE_ERRORS.has(error.code)) {
      throw new CommanderError(USAGE_EXIT_CODE, error.code, error.message);
    }
    throw error;
  });
}

export interface ClientOptions {
  url?: string;
  token?: string;
  dataDir: string;
  json?: boolean;
}

export function addClientOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'controller API URL').env('ROUTEPLANE_URL').default(DEFAULT_URL))
    .addOption(
      new Option('--token <token>', 'API token (default: the token file in --data-dir)').env(
        'ROUTEPLANE_TOKEN',
      ),
    )
    .option('--data-dir <dir>', 'controller data dir to read authtoken.secret from', DEFAULT_DATA_DIR)
    .option('--json', 'print the JSON the API returned (for scripts)');
}

export interface ClientContext {
  api: ApiClient;
  json: boolean;
  /** Prints `value` as JSON with --json, else the human view. */
  print(value: unknown, human: () => string): void;
}

export async function clientContext(command: Command): Promise<ClientContext> {
  const options = command.opts<ClientOptions>();
  const source = command.getOptionValueSource('token');
  const connection = await resolveConnection({
    url: options.url,
    token: options.token,
    dataDir: options.dataDir,
    tokenFrom: source === 'env' ? 'env' : source === 'cli' ? 'cli' : undefined,
  });
  const json = options.json === true;
  return {
    api: new ApiClient(connection),
    json,
    print: (value, human) => writeOut(json ? formatJson(value) : human()),
  };
}

/** A network ID argument, lower-cased; checked here so a typo never reaches a URL path. */
export function networkIdArgument(value: string): string {
  const id = canonicalNetworkId(value);
  if (id === undefined) {
    throw new CliError(
      `network ID "${value}" is not valid: expected 16 hex digits, e.g. f8ea0e79249a7b42`,
      USAGE_EXIT_CODE,
    );
  }
  return id;
}

export function memberAddressArgument(value: string): string {
  const address = canonicalMemberAddress(value);
  if (address === undefined) {
    throw new CliError(
      `member address "${value}" is not valid: expected a ZeroTier address of 10 hex digits, e.g. 43e690e007`,
      USAGE_EXIT_CODE,
    );
  }
  return address;
}

/** Collects a repeatable option's values (no default, so help shows none). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
