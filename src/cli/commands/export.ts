// `routeplane export --to DIR`: writes the controller as a zerotier-one home holds it, so leaving
// Routeplane is as easy as arriving (see ../takeover/run-export.ts). Offline: reads the store directly.
import type { Command } from 'commander';
import { formatJson, writeOut } from '../output.ts';
import { addStoreOptions } from '../store-options.ts';
import type { ExportOptions } from '../takeover/run-export.ts';

export function registerExportCommand(program: Command): void {
  const command = program
    .command('export')
    .description('write the controller as a zerotier-one home: identity and controller.d/ (FileDB)')
    .requiredOption('--to <dir>', 'where to write identity.secret, identity.public and controller.d/');
  addStoreOptions(command, 'to export')
    .option('--force', 'replace an existing controller.d/ and a different identity in the target')
    .option('--json', 'print the summary as JSON (for scripts)')
    .option('--no-progress', 'never draw a progress bar')
    .action(async (options: ExportOptions) => {
      const { runExport, formatExport } = await import('../takeover/run-export.ts');
      const outcome = await runExport(options);
      writeOut(options.json ? formatJson(outcome) : formatExport(outcome));
    });
}
