// `routeplane events`: the controller's event log (`/api/v1/events`), one line per event. By default
// the newest events, shown oldest first so the last line is the latest; `--after <id>` pages forward
// (the next events after that id, for following the log), `--before <id>` pages back.
import { Option, type Command } from 'commander';
import { CliError } from '../cli-error.ts';
import {
  USAGE_EXIT_CODE,
  addClientOptions,
  clientContext,
  exitTwoOnUsageErrors,
  memberAddressArgument,
  networkIdArgument,
} from '../client-context.ts';
import { eventTable } from '../routing-views.ts';
import { isObject, type Json } from '../views.ts';

export const DEFAULT_EVENT_LIMIT = 50;

interface EventOptions {
  network?: string;
  member?: string;
  type?: string;
  limit?: string;
  after?: string;
  before?: string;
}

function wholeNumber(value: string, option: string): string {
  const trimmed = value.trim();
  if (!/^\d{1,15}$/.test(trimmed)) {
    throw new CliError(`${option}: "${value}" is not a whole number`, USAGE_EXIT_CODE);
  }
  return String(Number(trimmed));
}

/**
 * The query string. Without `--after` the API is asked for the newest events (order=desc), which the
 * command then prints in reverse; with `--after` for the oldest after that id (order=asc).
 */
export function eventQuery(options: EventOptions): { query: string; newestFirst: boolean } {
  const params = new URLSearchParams();
  if (options.network !== undefined) params.set('network', networkIdArgument(options.network));
  if (options.member !== undefined) params.set('member', memberAddressArgument(options.member));
  if (options.type !== undefined && options.type !== '') params.set('type', options.type);
  if (options.after !== undefined) params.set('after', wholeNumber(options.after, '--after'));
  if (options.before !== undefined) params.set('before', wholeNumber(options.before, '--before'));
  params.set(
    'limit',
    options.limit === undefined ? String(DEFAULT_EVENT_LIMIT) : wholeNumber(options.limit, '--limit'),
  );
  const newestFirst = options.after === undefined;
  params.set('order', newestFirst ? 'desc' : 'asc');
  return { query: params.toString(), newestFirst };
}

function eventList(answer: unknown): Json[] {
  const events = isObject(answer) ? answer.events : undefined;
  if (!Array.isArray(events))
    throw new CliError('unexpected answer from the controller: the event log has no "events" list');
  return events.filter(isObject);
}

export function registerEventsCommand(program: Command): void {
  addClientOptions(
    exitTwoOnUsageErrors(
      program
        .command('events')
        .description(
          'show the event log: the newest events, oldest first (--json prints the API answer, newest first)',
        )
        .option('--network <nwid>', "only this network's events")
        .option('--member <address>', "only this member's events")
        .option(
          '--type <prefix>',
          'only events whose type starts with this, e.g. route. or member.authorized',
        )
        .option('--limit <n>', `how many events (1-1000, default ${DEFAULT_EVENT_LIMIT})`)
        .addOption(new Option('--after <id>', 'the events after this id, oldest first (to follow the log)'))
        .addOption(new Option('--before <id>', 'only events before this id (to page back)')),
    ),
  ).action(async (options: EventOptions, command: Command) => {
    const { query, newestFirst } = eventQuery(options);
    const client = await clientContext(command);
    const answer = await client.api.get(`/api/v1/events?${query}`);
    client.print(answer, () => {
      const events = eventList(answer);
      return eventTable(newestFirst ? [...events].reverse() : events);
    });
  });
}
