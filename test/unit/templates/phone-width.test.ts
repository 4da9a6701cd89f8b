/**
 * Issue 20.4: the RM reads these on a phone. Every mail kind's HTML is laid out in real Chromium
 * at 400 px: nothing is wider than the screen (no table or word pushes it sideways), so the line
 * an RM must copy ("Team manager: Name <address>") never clips. Runs where Chromium is installed
 * (.ci/run installs it); where it is not, says so and checks nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { MailKind } from '../../../src/domain/case/decision.js';
import { MAIL_KINDS, renderSample } from '../../../src/outbound/render/sample-case.js';
import { findChromium } from '../../../src/reports/pdf.js';
import { ladder, store } from './template-helpers.js';

const chromiumPath = findChromium(process.env).path;
const SHOWN: [MailKind, string, string][] = [
  ...MAIL_KINDS.map((k): [MailKind, string, string] => [k, 'childrens-home-reg5', k.startsWith('approval') ? 'dcs' : 'team-manager-reminder']),
  ['chaser', 'childrens-home-reg5', 'assistant-director'],
  ['confirmation', 'practice-disagreement', 'service-manager'],
  ['step-notice', 'foster-carer-concern', 'operational-lead'],
];

describe('every mail fits a 400 px phone screen (real Chromium)', () => {
  // Unset when there is no Chromium on the machine.
  let browser: Browser | undefined;
  let page: Page;
  beforeAll(async () => {
    if (!chromiumPath) return;
    browser = await chromium.launch({ executablePath: chromiumPath, chromiumSandbox: process.getuid?.() !== 0 });
    page = await browser.newPage({ viewport: { width: 400, height: 800 }, javaScriptEnabled: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(SHOWN)('%s (%s, %s)', async (kind, id, rung) => {
    const mail = renderSample(store, kind, { ladder: ladder(id), rung });
    // Without Chromium there is nothing to lay the mail out with: the check needs `apt-get install chromium`.
    if (!chromiumPath) {
      expect(mail.html.startsWith('<!DOCTYPE html>')).toBe(true);
      return;
    }
    await page.setContent(mail.html, { waitUntil: 'load' });
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width, `${kind} is ${String(width)} px wide`).toBeLessThanOrEqual(400);
  });
});
