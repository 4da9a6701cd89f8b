/**
 * The web case view's pages for `npm run screenshots`: the whole service on the test services
 * (PostgreSQL, Redis, Dovecot and an SMTP sink, as `npm test` uses them), a real OpenID Connect
 * provider, cases made through real mail, then the board, a case, a confirmation with its draft
 * and a case held for an address, each at desktop width and at 400 px, into <out>/web/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { signInWithBrowser } from '../test/support/browser.js';
import { seedWebCases, startWebHarness, WEB_USERS } from '../test/support/web-harness.js';

export async function shootWebPages(browser: Browser, out: string): Promise<string[]> {
  const dir = join(out, 'web');
  mkdirSync(dir, { recursive: true });
  const w = await startWebHarness({ name: 'screenshots', start: '2026-11-23T10:00:00Z' });
  const written: string[] = [];
  try {
    const cases = await seedWebCases(w.h);
    const pages: [string, string][] = [
      ['board', '/'],
      ['case-approval', `/cases/${cases.approval.ref}`],
      ['confirm-approve', `/cases/${cases.approval.ref}/confirm?action=approve`],
      ['case-held-for-address', `/cases/${cases.missing.ref}`],
      ['case-reply', `/cases/${cases.replied.ref}`],
      ['case-awaiting-confirmation', `/cases/${cases.done.ref}`],
    ];
    for (const width of [1200, 400]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await signInWithBrowser(page, w.base, WEB_USERS.rm.login);
      for (const [name, path] of pages) {
        await page.goto(`${w.base}${path}`);
        const file = join(dir, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        // The first screen as well: what a person sees before scrolling.
        const top = join(dir, `${name}-${width}-top.png`);
        await page.screenshot({ path: top });
        written.push(file, top);
      }
      await context.close();
    }
  } finally {
    await w.close();
  }
  return written;
}
