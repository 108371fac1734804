// Commands that talk to a running controller over its HTTP API (as zerotier-cli and headscale do),
// so every change goes through the service and is pushed to online members.
import type { Command } from 'commander';
import { registerEventsCommand } from './events.ts';
import { registerIpamCommands } from './ipam.ts';
import { registerMemberCommands } from './member.ts';
import { registerNetworkCommands } from './network.ts';
import { registerRoutesCommands } from './routes.ts';
import { registerTokensCommands } from './tokens.ts';

export function registerClientCommands(program: Command): void {
  registerNetworkCommands(program);
  registerMemberCommands(program);
  registerIpamCommands(program);
  registerRoutesCommands(program);
  registerEventsCommand(program);
  registerTokensCommands(program);
}
