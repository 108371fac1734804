// `routeplane serve`: runs the controller until SIGTERM/SIGINT, then shuts down gracefully.
import type { Command } from 'commander';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_UDP_PORT,
  parsePort,
} from '../default-options.ts';

function parseMilliseconds(value: string, name: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 50 || ms > 600_000) {
    throw new Error(`--${name}: "${value}" is not a duration in ms (50-600000)`);
  }
  return ms;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the controller (embedded SQLite in the data dir, or a shared PostgreSQL database)')
    .option('--data-dir <dir>', 'where the database, identity and token live', DEFAULT_DATA_DIR)
    .option('--host <host>', 'HTTP API listen address', DEFAULT_HOST)
    .option('--port <port>', 'HTTP API port', (v) => parsePort(v), DEFAULT_PORT)
    .option('--udp-port <port>', 'ZeroTier UDP port', (v) => parsePort(v, 'udp-port'), DEFAULT_UDP_PORT)
    .option('--udp-bind <address>', 'ZeroTier UDP listen address (default: all interfaces, IPv4 and IPv6)')
    .option(
      '--database <url>',
      'postgres://user@host/db to share one database with other controller processes (env ROUTEPLANE_DATABASE_URL; default: SQLite in the data dir)',
    )
    .option('--database-schema <name>', 'PostgreSQL schema to use (default public)')
    .option(
      '--backup-interval <minutes>',
      'SQLite: copy the database to controller.db.backup in the data dir this often (default 60; 0 = never)',
      (v) => {
        const minutes = Number(v);
        if (!/^\d+(\.\d+)?$/.test(v) || minutes > 10_080)
          throw new Error(`--backup-interval: "${v}" is not a number of minutes (0-10080)`);
        return minutes;
      },
    )
    .option('--planet <file>', "follow this planet's roots (default: act as the root of our own planet)")
    .option(
      '--probe-interval <ms>',
      'subnet routers: ECHO probe every <ms> (default 2000); detection takes interval + 2 x timeout at worst',
      (v) => parseMilliseconds(v, 'probe-interval'),
    )
    .option(
      '--probe-timeout <ms>',
      'subnet routers: a probe unanswered for <ms> is a miss (default 1000); two misses = down',
      (v) => parseMilliseconds(v, 'probe-timeout'),
    )
    .action(
      async (options: {
        dataDir: string;
        host: string;
        port: number;
        udpPort: number;
        udpBind?: string;
        planet?: string;
        database?: string;
        databaseSchema?: string;
        backupInterval?: number;
        probeInterval?: number;
        probeTimeout?: number;
      }) => {
        // Loaded here, not at the top: the server's modules (fastify, SQLite, protocol) take about a
        // second to load, which every client command would otherwise pay.
        const { startController } = await import('../../main.ts');
        const controller = await startController({
          dataDir: options.dataDir,
          host: options.host,
          port: options.port,
          udpPort: options.udpPort,
          udpBind: options.udpBind,
          planetFile: options.planet,
          databaseUrl: options.database ?? nonEmpty(process.env.ROUTEPLANE_DATABASE_URL),
          databaseSchema: options.databaseSchema,
          backupIntervalMs:
            options.backupInterval === undefined ? undefined : options.backupInterval * 60_000,
          token: process.env.ROUTEPLANE_TOKEN,
          probeIntervalMs: options.probeInterval,
          probeTimeoutMs: options.probeTimeout,
        });
        const say = (line: string) => process.stdout.write(`${line}\n`);
        say(
          `routeplane: controller ${controller.identity.address}${controller.identityCreated ? ' (new identity)' : ''}`,
        );
        say(`routeplane: API listening on ${controller.url}`);
        say(
          process.env.ROUTEPLANE_TOKEN
            ? 'routeplane: API token from ROUTEPLANE_TOKEN'
            : `routeplane: API token in ${controller.tokenFile}`,
        );
        say(`routeplane: data in ${controller.dataDir}`);
        if (controller.store.kind === 'postgres') say('routeplane: database PostgreSQL (shared)');
        const sayUdp = () => {
          const ports = controller.udpPorts;
          say(
            `routeplane: ZeroTier UDP on ${[
              ports.ipv4 && `IPv4 port ${ports.ipv4}`,
              ports.ipv6 && `IPv6 port ${ports.ipv6}`,
            ]
              .filter(Boolean)
              .join(', ')}; planet: ${controller.topology.source}`,
          );
        };
        if (controller.leading) sayUdp();
        else {
          say(
            'routeplane: following: another controller process leads (UDP, probes); taking over if it stops',
          );
          void controller.whenLeading().then(() => {
            say('routeplane: now leading');
            sayUdp();
          });
        }

        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            say(`routeplane: ${signal} received, shutting down`);
            controller.close().then(resolve, (error: unknown) => {
              process.stderr.write(`routeplane: shutdown failed: ${String(error)}\n`);
              resolve();
            });
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
      },
    );
}
