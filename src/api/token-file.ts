// The API token lives in `<data dir>/authtoken.secret` (mode 0600), as zerotier-one keeps its own.
// ROUTEPLANE_TOKEN overrides it for deployments that inject secrets.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const TOKEN_FILE = 'authtoken.secret';

export function tokenPath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE);
}

export async function readToken(dataDir: string): Promise<string | undefined> {
  try {
    const text = (await readFile(tokenPath(dataDir), 'utf8')).trim();
    return text.length > 0 ? text : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Returns the token to require, creating the token file on first start. */
export async function loadOrCreateToken(
  dataDir: string,
  fromEnvironment: string | undefined,
): Promise<{ token: string; source: 'environment' | 'file' | 'created' }> {
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    return { token: fromEnvironment.trim(), source: 'environment' };
  }
  const existing = await readToken(dataDir);
  if (existing !== undefined) {
    await chmod(tokenPath(dataDir), 0o600);
    return { token: existing, source: 'file' };
  }
  const token = randomBytes(24).toString('base64url');
  const temporary = `${tokenPath(dataDir)}.${process.pid}.tmp`;
  await writeFile(temporary, `${token}\n`, { mode: 0o600 });
  await rename(temporary, tokenPath(dataDir));
  return { token, source: 'created' };
}

/** Replaces the token file (0600), e.g. with the token every process on a shared database uses. */
export async function saveToken(dataDir: string, token: string): Promise<void> {
  const temporary = `${tokenPath(dataDir)}.${process.pid}.tmp`;
  await writeFile(temporary, `${token}\n`, { mode: 0o600 });
  await rename(temporary, tokenPath(dataDir));
}
