// Reads a zerotier-one controller's FileDB tree (`controller.d/network/…`) from disk and turns each
// file into a record with the core's parsers. Nothing stops at the first bad file: every problem is
// collected with its path and field, so one run shows everything to fix. Entries zerotier-one itself
// would not load (other names, member folders without a network file) are set aside and reported.
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { join } from 'node:path';
import { ErrorCodes, isRpError } from '../../core/errors.ts';
import type { MemberRecord } from '../../core/member/member-types.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import {
  MEMBERS_DIR,
  NETWORKS_DIR,
  memberAddressOfFileName,
  networkIdOfDirName,
  networkIdOfFileName,
} from '../../core/takeover/filedb-layout.ts';
import { parseMemberFile } from '../../core/takeover/filedb-member.ts';
import { parseNetworkFile } from '../../core/takeover/filedb-network.ts';
import type { ParsedRecord } from '../../core/takeover/filedb-fields.ts';
import type { SourcedRecord, TakeoverProblem } from '../../core/takeover/takeover-plan.ts';

/**
 * Files read between two turns of the event loop. Small files are read synchronously: 2-3 times
 * faster than through the thread pool (measured: 23 vs 56 µs a file), and the loop still turns
 * often enough for a progress bar.
 */
const READ_BATCH = 500;

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface FileDbTree {
  networks: SourcedRecord<NetworkRecord>[];
  members: SourcedRecord<MemberRecord>[];
  problems: TakeoverProblem[];
  skipped: SkippedEntry[];
}

export interface ReadTreeOptions {
  /** Stands in for a missing creationTime, as stock does on load. */
  now: number;
  /** How many record files were found, once the folders are listed. */
  onListed?(files: number): void;
  /** The running count of files read. */
  onRead?(files: number): void;
}

/** Thrown when the folder is not a FileDB tree at all (no `network/` inside). */
export class NotAFileDbError extends Error {}

interface PendingFile {
  path: string;
  parse(json: unknown): ParsedRecord<NetworkRecord> | ParsedRecord<MemberRecord>;
  kind: 'network' | 'member';
}

export async function readFileDbTree(controllerDir: string, options: ReadTreeOptions): Promise<FileDbTree> {
  const networksPath = join(controllerDir, NETWORKS_DIR);
  const top = await readdir(networksPath, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      throw new NotAFileDbError(`${networksPath} does not exist: not a zerotier-one controller's data`);
    }
    throw new Error(`${networksPath}: cannot list: ${error.message}`, { cause: error });
  });

  const skipped: SkippedEntry[] = [];
  const pending: PendingFile[] = [];
  const networkFiles = new Set<string>();
  const memberDirs: Array<{ name: string; networkId: string }> = [];
  for (const entry of top) {
    const path = join(networksPath, entry.name);
    const fileNetworkId = networkIdOfFileName(entry.name);
    const dirNetworkId = networkIdOfDirName(entry.name);
    if (fileNetworkId !== undefined && !entry.isDirectory()) {
      networkFiles.add(fileNetworkId);
      pending.push({
        path,
        kind: 'network',
        parse: (json) => parseNetworkFile(json, fileNetworkId, options.now),
      });
    } else if (dirNetworkId !== undefined && entry.isDirectory()) {
      memberDirs.push({ name: entry.name, networkId: dirNetworkId });
    } else {
      skipped.push({ path, reason: 'not a network file (<16 hex digits>.json) or network folder' });
    }
  }

  for (const { name, networkId } of memberDirs) {
    const dir = join(networksPath, name, MEMBERS_DIR);
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw new Error(`${dir}: cannot list: ${error.message}`, { cause: error });
    });
    if (!networkFiles.has(networkId)) {
      // zerotier-one loads members only through their network's file, so these were never served.
      if (entries.length > 0) {
        skipped.push({
          path: dir,
          reason: `${entries.length} member file(s) but no network file ${networkId}.json (zerotier-one ignores them too)`,
        });
      }
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const address = memberAddressOfFileName(entry.name);
      if (address === undefined || entry.isDirectory()) {
        skipped.push({ path, reason: 'not a member file (<10 hex digits>.json)' });
        continue;
      }
      pending.push({
        path,
        kind: 'member',
        parse: (json) => parseMemberFile(json, networkId, address, options.now),
      });
    }
  }
  options.onListed?.(pending.length);

  const tree: FileDbTree = { networks: [], members: [], problems: [], skipped };
  let read = 0;
  for (const file of pending) {
    const outcome = readRecord(file);
    if ('problem' in outcome) tree.problems.push(outcome.problem);
    else if (file.kind === 'network') tree.networks.push(outcome.sourced as SourcedRecord<NetworkRecord>);
    else tree.members.push(outcome.sourced as SourcedRecord<MemberRecord>);
    if (++read % READ_BATCH === 0) {
      options.onRead?.(read);
      await yieldToLoop();
    }
  }
  options.onRead?.(read);
  // Folders list in any order; problems are shown in path order so runs are comparable.
  tree.problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return tree;
}

function readRecord(file: PendingFile): { sourced: SourcedRecord<unknown> } | { problem: TakeoverProblem } {
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (error) {
    const message = `cannot read: ${(error as Error).message}`;
    return { problem: { path: file.path, code: ErrorCodes.INVALID_INPUT, message } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = `not valid JSON: ${(error as Error).message}`;
    return { problem: { path: file.path, code: ErrorCodes.INVALID_JSON, message } };
  }
  try {
    const { record, ignoredKeys } = file.parse(json);
    return { sourced: { path: file.path, record, ignoredKeys } };
  } catch (error) {
    if (!isRpError(error)) throw error;
    const problem: TakeoverProblem = { path: file.path, code: error.code, message: error.message };
    if (error.field !== undefined) {
      problem.field = error.field;
      // invalidField() puts the field first; the report puts it there itself.
      const prefix = `${error.field}: `;
      if (error.message.startsWith(prefix)) problem.message = error.message.slice(prefix.length);
    }
    return { problem };
  }
}
