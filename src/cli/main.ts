// `routeplane` command line. Commands that change a running controller go through its HTTP API (so
// every change is pushed); offline ones (serve, token, planet, migrate, backup, import, export) use
// the data dir and store directly.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerTokenCommand } from './commands/token.ts';
import { registerPlanetCommand } from './commands/planet.ts';
import { registerBackupCommand } from './commands/backup.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerClientCommands } from './commands/client-commands.ts';
import { CliError } from './cli-error.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('routeplane')
    .description('Self-hosted ZeroTier network controller')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerTokenCommand(program);
  registerPlanetCommand(program);
  registerMigrateCommand(program);
  registerBackupCommand(program);
  registerImportCommand(program);
  registerExportCommand(program);
  registerClientCommands(program);
  return program;
}

/** Runs the CLI and returns the process exit code (serve resolves only when it stops). */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; every other commander error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`routeplane: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`routeplane: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
