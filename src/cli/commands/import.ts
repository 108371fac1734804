// `routeplane import --from <zerotier-one home>`: takes over a zerotier-one controller, its identity,
// networks and members (see ../takeover/run-import.ts). Offline: works on the data dir and store
// directly, like serve.
import type { Command } from 'commander';
import { formatJson, writeOut } from '../output.ts';
import { addStoreOptions } from '../store-options.ts';
import type { ImportOptions } from '../takeover/run-import.ts';

export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .description('take over a zerotier-one controller: its identity, networks and members (FileDB)')
    .requiredOption('--from <home>', 'the zerotier-one home holding identity.secret and controller.d/');
  addStoreOptions(command, 'to import into')
    .option('--dry-run', 'validate and report what would be imported; write nothing')
    .option('--force', 'replace a different controller identity and networks the store already holds')
    .option('--json', 'print the report as JSON (for scripts)')
    .option('--no-progress', 'never draw a progress bar')
    .action(async (options: ImportOptions) => {
      const { runImport, formatOutcome, outcomeJson, ImportProblemsError } =
        await import('../takeover/run-import.ts');
      const outcome = await runImport(options).catch((error: unknown) => {
        // Scripts get the problems as data too (file, field, error code); the message goes to stderr.
        if (options.json && error instanceof ImportProblemsError)
          writeOut(formatJson({ imported: false, problems: error.problems }));
        throw error;
      });
      writeOut(options.json ? formatJson(outcomeJson(outcome, options)) : formatOutcome(outcome, options));
    });
}
