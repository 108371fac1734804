// `routeplane token`: prints the API token of a data dir (creating it if the controller never ran).
import type { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { loadOrCreateToken } from '../../api/token-file.ts';
import { DEFAULT_DATA_DIR } from '../default-options.ts';

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('print the API token (creates it on first use)')
    .option('--data-dir <dir>', 'data dir of the controller', DEFAULT_DATA_DIR)
    .action(async (options: { dataDir: string }) => {
      await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
      const { token } = await loadOrCreateToken(options.dataDir, process.env.ROUTEPLANE_TOKEN);
      process.stdout.write(`${token}\n`);
    });
}
