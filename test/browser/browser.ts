/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (which
 * never downloads a browser of its own). Each launch gets a fresh profile directory, removed on close,
 * so no state (cookies, stored Swagger auth) leaks between tests.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '@ca/shared';

export const CHROMIUM = process.env.CA_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots and traces go here (gitignored). */
export const ARTIFACTS = path.join(REPO_ROOT, '.artifacts');

// No GPU, no sandbox (containers run as root), and nothing that talks to Google's servers.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserHandle {
  context: BrowserContext;
  page: Page;
  /** Save a full-page screenshot of `page` under .artifacts/ and return its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  close(): Promise<void>;
}

export const hasChromium = (): boolean => existsSync(CHROMIUM);

export async function launchBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<BrowserHandle> {
  if (!hasChromium()) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CA_CHROMIUM to its path)`);
  }
  // playwright refuses --user-data-dir in launch args; a persistent context on a fresh temp dir is the same thing.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ca-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      timeout: 60_000,
    });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async screenshot(name, p = page) {
      await mkdir(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.png`);
      await p.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
