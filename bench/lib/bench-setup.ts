// Setup shared by the benchmarks that start `routeplane serve`: option parsing, a data dir holding
// the recorded controller identity (so no identity is generated), and a one-line machine description.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from './stats.ts';

const recordedIdentity = (extension: 'secret' | 'public') =>
  fileURLToPath(
    new URL(`../../../shared/zerotier/run-baseline/controller-identity.${extension}`, import.meta.url),
  );

/** `value` (underscores allowed: 100_000) as a positive integer, `fallback` when absent. */
export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(number) || number < 1)
    throw new Error(`--${name}: "${value}" is not a positive integer`);
  return number;
}

/** A data dir holding only the recorded controller identity, so no identity is generated. */
export function freshDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  copyFileSync(recordedIdentity('secret'), join(dataDir, 'identity.secret'));
  copyFileSync(recordedIdentity('public'), join(dataDir, 'identity.public'));
}

/** CPU, cores, RAM, OS, Node version and the load average right now. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return (
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${formatBytes(os.totalmem())} RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}, load average ${load}`
  );
}
