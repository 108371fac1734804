// Debian's chromium driven by playwright-core for the dashboard's end-to-end tests: a fresh profile
// per launch, flags that keep it off the network and quiet. Without chromium the tests fail in CI
// (CI=true) with what to install, and are skipped with that reason on a developer's machine.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ROUTEPLANE_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Why browser tests cannot run here, or undefined. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set ROUTEPLANE_CHROMIUM)`;
}

/** For `describe(..., { skip })`: skipped locally without chromium, never in CI. */
export function skipWithoutChromium(): string | false {
  const missing = chromiumMissing();
  return missing !== undefined && process.env.CI !== 'true' ? missing : false;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing !== undefined)
    throw new Error(`browser tests need chromium (CI=${process.env.CI}): ${missing}`);
  const profile = mkdtempSync(join(tmpdir(), 'routeplane-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    reducedMotion: 'reduce',
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
