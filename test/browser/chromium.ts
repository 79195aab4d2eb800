// The browser the console's tests drive: Debian's chromium (with the Noto CJK fonts, so Chinese renders
// as text and not boxes), installed with apt the first time it is missing, and driven by playwright-core
// through its executable — no browser download from a CDN.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { REPO_ROOT } from '../../platform/config.js';
import type { TestEnv } from '../support.js';

export const CHROMIUM = '/usr/bin/chromium';
const PACKAGES = ['chromium', 'fonts-noto-cjk'];

const installed = (pkg: string) => {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).includes('install ok installed');
  } catch {
    return false;
  }
};

/** Installs chromium and the CJK fonts when missing; refreshes apt's lists only if the first try fails. */
export function ensureChromium(): void {
  const missing = PACKAGES.filter((p) => !installed(p));
  if (missing.length === 0 && existsSync(CHROMIUM)) return;
  console.log(`[browser tests] installing ${missing.join(' and ')} with apt-get (once; a minute or two)…`);
  // Browser test files run side by side: each waits for dpkg's lock rather than failing on it, and the
  // later ones find the packages installed.
  const apt = (...args: string[]) =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const install = () => apt('install', '-y', '--no-install-recommends', ...PACKAGES);
  try {
    install();
  } catch {
    try {
      apt('update');
      install();
    } catch (err) {
      throw new Error(`the browser tests need Debian's ${PACKAGES.join(' and ')}: install them with \`apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}\` (as root) and run again`, { cause: err });
    }
  }
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  // Chinese as the browser's own language too, as on the desks it is made for: date fields read 年/月/日.
  const args = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-CN'];
  // Chromium's sandbox refuses to start as root (in containers, CI).
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/** The two screens the console is made for. */
export const DESK = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

const ARTIFACTS = path.join(REPO_ROOT, '.data', 'test-artifacts');

/** Saves full-page screenshots as `.data/test-artifacts/<prefix>-<name>.png`. */
export function screenshots(prefix: string): (page: Page, name: string) => Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${prefix}-${name}.png`), fullPage: true });
}

/** Chromium, and the test env's API listening on a free port: the console's address. */
export async function serveConsole(env: TestEnv): Promise<{ browser: Browser; base: string }> {
  const [browser] = await Promise.all([launchChromium(), env.app.listen({ port: 0, host: '127.0.0.1' })]);
  const address = env.app.server.address();
  return { browser, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** A fresh browser session at desk width, in Chinese and Shanghai time, as the console's users have it. */
export const consoleContext = (browser: Browser): Promise<BrowserContext> =>
  browser.newContext({ viewport: DESK, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });

export interface ConsoleSession {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors (but the 401s a signed-out page expects), for `expect(errors).toEqual([])`. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh browser session signed in to the console at `base` with `key`: the header shows who is in. */
export async function signInConsole(browser: Browser, base: string, key: string): Promise<ConsoleSession> {
  const context = await consoleContext(browser);
  const page = await context.newPage();
  const errors: string[] = [];
  // With where it was thrown: a page error seen only now and then needs its place to be found.
  page.on('pageerror', (err) => errors.push(`${err.message}\n${err.stack ?? ''}`.trim()));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('401')) errors.push(m.text());
  });
  await page.goto(`${base}/console/`);
  await page.fill('#key', key);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#who').waitFor();
  return { context, page, errors, close: () => context.close() };
}
