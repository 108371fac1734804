// Runs the real `routeplane` binary as a child process, as a user would, for the CLI tests; plus the
// assertions and table parsing they share.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/routeplane.mjs', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with no ROUTEPLANE_* variables from the test's own environment, unless given. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.ROUTEPLANE_URL;
  delete childEnv.ROUTEPLANE_TOKEN;
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: childEnv, cwd, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function assertOk(result: Run, label: string): void {
  assert.equal(result.code, 0, `${label}: exit ${result.code}, stderr: ${result.stderr}`);
  assert.equal(result.stderr, '', `${label}: stderr`);
}

export function assertFails(result: Run, code: number, stderr: RegExp, label: string): void {
  assert.equal(result.code, code, `${label}: exit code (stderr: ${result.stderr})`);
  assert.match(result.stderr, stderr, label);
  assert.equal(result.stdout, '', `${label}: stdout`);
}

/** Lines of a table, each split on runs of 2+ spaces. */
export function tableRows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}
