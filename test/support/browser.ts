/**
 * A real browser for the web view's tests and screenshots: Debian's Chromium driven by
 * playwright-core (no browser download; CHROMIUM_PATH overrides). As root Chromium's sandbox will
 * not start, and these pages are our own test fixtures, so it runs without it then.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '../../src/reports/pdf.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launchBrowser(): Promise<Browser> {
  const { path, tried } = findChromium();
  if (!path) throw new Error(`the browser tests need Chromium (looked for ${tried.join(', ')}): apt-get install chromium`);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: path, headless: true, chromiumSandbox: !root });
}

/** Opens `path`, signs in at the test provider's form as `login`, and waits to be back on the web view. */
export async function signInWithBrowser(page: Page, base: string, login: string, path = '/'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.getByLabel('User name').fill(login);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.href.startsWith(base) && !url.pathname.startsWith('/auth/'));
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's WCAG 2.2 A/AA rules on the page as it stands; the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  // A string, evaluated in the page: the project's TypeScript has no DOM types.
  const result = await page.evaluate<{ violations: AxeViolation[] }>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`,
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })),
    }));
}

/** True when the page fits the viewport's width (nothing to scroll sideways). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
}
