// The static list of migrations: imported, not scanned from disk, so it works the same under tsx,
// compiled to dist/, and bundled. Names sort in the order they run; add new ones at the end.
import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.ts';
import { memberPresenceMigration } from './0002-member-presence.ts';
import { ipamSubnetsMigration } from './0003-ipam-subnets.ts';
import { subnetRoutersMigration } from './0004-subnet-routers.ts';
import { changeLogMigration } from './0005-change-log.ts';

export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-initial': initialMigration,
  '0002-member-presence': memberPresenceMigration,
  '0003-ipam-subnets': ipamSubnetsMigration,
  '0004-subnet-routers': subnetRoutersMigration,
  '0005-change-log': changeLogMigration,
});

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrations }),
};
