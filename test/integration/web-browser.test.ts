// The web view in a real browser (Debian's Chromium through playwright-core) against a real OpenID
// Connect provider: sign in, walk the board, approve a draft (the mail goes out once), resolve a
// case, download the evidence pack; axe-core on every page, at desktop width and at 400 px.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { INBOX, RM, SECRET } from '../support/escalator-harness.js';
import { PATIENCE_MS } from '../support/patience.js';
import { fitsWidth, launchBrowser, seriousViolations, signInWithBrowser } from '../support/browser.js';
import { seedWebCases, startWebHarness, WEB_USERS, type SeededCases, type WebHarness } from '../support/web-harness.js';
import { ifStarted } from '../support/if-started.js';

describe('web view in a browser', () => {
  let w: WebHarness;
  let cases: SeededCases;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    w = await startWebHarness({ name: 'web_browser', start: '2026-11-23T10:00:00Z' });
    cases = await seedWebCases(w.h);
    browser = await launchBrowser();
    // bypassCSP lets the test inject axe-core; the pages' own policy is asserted over HTTP (web-access.test.ts).
    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true, acceptDownloads: true });
    // Every wait (a click, a navigation, a download) as patient as the rest of the suite: a loaded
    // machine shares two cores between several suites and Chromium.
    context.setDefaultTimeout(PATIENCE_MS);
    context.setDefaultNavigationTimeout(PATIENCE_MS);
    page = await context.newPage();
  });
  afterAll(async () => {
    await ifStarted(browser, (x) => x.close());
    await ifStarted(w, (x) => x.close());
  });

  const noSeriousViolations = async (what: string) => {
    expect(await seriousViolations(page), what).toEqual([]);
  };

  it('signs in through the provider and shows the board grouped by what needs the RM', async () => {
    await signInWithBrowser(page, w.base, WEB_USERS.rm.login);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Cases');
    const groups = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(groups.map((g) => g.replace(/\s*\d+$/, '').trim())).toEqual([
      'Approvals waiting',
      'Replies awaiting confirmation',
      'Addresses needed',
      'Everything else open',
    ]);
    const approvals = page.locator('section', { has: page.getByRole('heading', { name: /Approvals waiting/ }) });
    expect(await approvals.getByRole('link').allTextContents()).toEqual([cases.approval.ref]);
    const confirmations = page.locator('section', { has: page.getByRole('heading', { name: /Replies awaiting confirmation/ }) });
    expect(await confirmations.getByRole('link').allTextContents()).toEqual([cases.done.ref]);
    await noSeriousViolations('board');
  });

  it('filters the board by ladder, authority and status', async () => {
    await page.getByLabel('Status').selectOption('resolved');
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.locator('.summary').textContent()).toContain('0 of 5 cases shown');
    await page.goto(`${w.base}/?authority=${encodeURIComponent('Northshire County Council')}`);
    const refs = await page.locator('table.cases tbody th a').allTextContents();
    expect(refs.sort()).toEqual([cases.approval.ref, cases.plain.ref, cases.replied.ref, cases.done.ref].sort());
    await page.goto(`${w.base}/?status=awaiting-confirmation`);
    expect(await page.locator('table.cases tbody th a').allTextContents()).toEqual([cases.done.ref]);
    await noSeriousViolations('filtered board');
  });

  it('approves the drafted DCS letter after showing it exactly; the letter goes out once, even if the form is sent again', async () => {
    await page.goto(`${w.base}/`);
    await page.getByRole('link', { name: cases.approval.ref }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(cases.approval.ref);
    await noSeriousViolations('case page');
    await page.getByRole('link', { name: 'Approve the draft' }).click();
    const draft = page.locator('section.draft');
    expect(await draft.textContent()).toContain('dcs@northshire.gov.uk');
    await noSeriousViolations('confirmation page');
    const dcsLetter = messageIdFor(SECRET, cases.approval.id, cases.approval.ref, 's4-chaser', INBOX);
    expect(w.h.sink.byMessageId(dcsLetter)).toBeUndefined();

    await page.getByRole('button', { name: 'Approve and send this draft' }).click();
    await page.waitForURL(/\?done=/);
    expect(await page.getByRole('status').textContent()).toContain('Done.');
    await w.h.settle();
    const sent = await w.h.sink.waitFor((m) => m.messageId === dcsLetter);
    expect(sent.envelope.to).toContain('dcs@northshire.gov.uk');

    // The browser's back button and the same form sent again: nothing more happens.
    await page.goBack();
    await page.getByRole('button', { name: 'Approve and send this draft' }).click();
    await page.waitForURL(/\?done=/);
    await w.h.settle();
    expect(w.h.sink.messages.filter((m) => m.messageId === dcsLetter)).toHaveLength(1);
    const approvals = await w.h
      .em()
      .execute<{ actor: string }[]>(`select e.actor from case_event e where e.case_id = ? and e.type = 'commands-applied' and e.cause = ?`, [
        cases.approval.id,
        `web:${RM}`,
      ]);
    expect(approvals).toEqual([{ actor: RM }]);
  });

  it('resolves a case after asking for confirmation', async () => {
    await page.goto(`${w.base}/cases/${cases.plain.ref}`);
    await page.getByRole('link', { name: 'Resolve' }).click();
    await noSeriousViolations('resolve confirmation');
    await page.getByRole('button', { name: 'Mark the case resolved (no more chasers)' }).click();
    await page.waitForURL(/\?done=/);
    expect((await w.h.caseByRef(cases.plain.ref))!.status).toBe('resolved');
    expect(await page.locator('.facts').textContent()).toContain('Resolved');
  });

  it('shows how the done reply was read, and takes NOT DONE after asking', async () => {
    await page.goto(`${w.base}/cases/${cases.done.ref}`);
    const reply = page.locator('article.msg-in', { hasText: 'Please find the review minutes' });
    expect(await reply.locator('dd.class').textContent()).toBe('Done: it is here or has been sent');
    expect(await reply.locator('q.evidence').textContent()).toMatch(/attached/);
    expect(await reply.locator('ul.files').textContent()).toContain('review-minutes.pdf (4 kB)');
    expect(await page.locator('ul.holds').textContent()).toContain('Held for your confirmation');
    await page.getByRole('link', { name: 'Not done' }).click();
    await noSeriousViolations('NOT DONE confirmation');
    await page.getByRole('button', { name: 'Say it is not done (the next steps go ahead)' }).click();
    await page.waitForURL(/\?done=/);
    expect(await page.getByRole('status').textContent()).toContain('Not done: the reminders go on');
    expect((await w.h.caseByRef(cases.done.ref))!.status).toBe('open');
    expect(await page.getByRole('link', { name: 'Not done' }).count()).toBe(0);
  });

  it('downloads the evidence pack as HTML', async () => {
    await page.goto(`${w.base}/cases/${cases.approval.ref}`);
    const [html] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'HTML', exact: true }).click()]);
    expect(html.suggestedFilename()).toBe(`${cases.approval.ref}-evidence.html`);
    const pack = readFileSync(await html.path(), 'utf8');
    expect(pack).toContain(cases.approval.ref);
    expect(pack).toContain('dcs@northshire.gov.uk');
  });

  // The server prints the PDF with a Chromium of its own before the download starts: on two loaded
  // cores that has taken over a minute (once while another suite printed PDFs too), so this one
  // wait is four times the support's patience, and the test's own limit above it.
  it(
    'downloads the evidence pack as PDF',
    async () => {
      await page.goto(`${w.base}/cases/${cases.approval.ref}`);
      const [pdf] = await Promise.all([
        page.waitForEvent('download', { timeout: 4 * PATIENCE_MS }),
        page.getByRole('link', { name: 'PDF', exact: true }).click(),
      ]);
      expect(
        readFileSync(await pdf.path())
          .subarray(0, 4)
          .toString('latin1'),
      ).toBe('%PDF');
    },
    5 * PATIENCE_MS,
  );

  it('downloads the case as CSV', async () => {
    await page.goto(`${w.base}/cases/${cases.approval.ref}`);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'this case as CSV' }).click()]);
    expect(readFileSync(await csv.path(), 'utf8')).toContain(cases.approval.ref);
  });

  // One test a page: each is well inside the test timeout even when Chromium and axe crawl under load.
  const narrowPages: [string, () => string][] = [
    ['the board', () => '/'],
    ['a case with a draft', () => `/cases/${cases.approval.ref}`],
    ['a case held for an address', () => `/cases/${cases.missing.ref}`],
    ['a case with a done reply', () => `/cases/${cases.done.ref}`],
    ['the extend confirmation', () => `/cases/${cases.replied.ref}/confirm?action=extend&days=3`],
    ['the pause confirmation', () => `/cases/${cases.replied.ref}/confirm?action=pause&until=2026-12-14`],
  ];
  for (const [name, path] of narrowPages) {
    it(`works at 400 px, ${name}: nothing scrolls sideways, and axe finds nothing serious`, async () => {
      await page.setViewportSize({ width: 400, height: 860 });
      await page.goto(`${w.base}${path()}`);
      expect(await fitsWidth(page), path()).toBe(true);
      await noSeriousViolations(`${path()} at 400 px`);
    });
  }

  it('keeps the refusal pages accessible too (a case that is not there)', async () => {
    await page.setViewportSize({ width: 1200, height: 900 });
    const missing = await page.goto(`${w.base}/cases/ESC-1999-9999`);
    expect(missing?.status()).toBe(404);
    await noSeriousViolations('not found');
  });

  it('signs out', async () => {
    await page.goto(`${w.base}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${w.base}/signed-out`);
    await noSeriousViolations('signed out');
    // The provider's own session stays (single sign-on), so only our session is looked at: gone.
    const again = await page.request.get(`${w.base}/`, { maxRedirects: 0 });
    expect(again.status()).toBe(302);
    expect(again.headers().location).toMatch(/^\/auth\/login/);
  });
});
