// The web case view over HTTP, signed in against a real OpenID Connect provider: the sign-in round
// trip, and every route refusing an anonymous user, another organisation's user and an auditor
// trying to act; an action posted twice acts once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { RM } from '../support/escalator-harness.js';
import { WebClient, hiddenField } from '../support/web-client.js';
import { startWebHarness, WEB_USERS, type WebHarness } from '../support/web-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const KIM = 'kim.lowe@northshire.gov.uk';
const PDF = Buffer.from('%PDF-1.4\n% the review minutes\n'.padEnd(4000, '.'));

describe('web view: sign-in and who may do what', () => {
  let w: WebHarness;
  let c: OpenedCase;
  /** A case whose professional said it is done, with a PDF: it waits for the RM's RESOLVED or NOT DONE. */
  let done: OpenedCase;
  let routes: string[];

  beforeAll(async () => {
    w = await startWebHarness({ name: 'web_access', start: '2026-11-23T10:00:00Z' });
    const mail = new CaseMail(w.h);
    c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-4001'] });
    done = await mail.open({ professional: `Kim Lowe <${KIM}>`, directives: ['Child: AB-4002'] });
    await mail.reply(done, `Kim Lowe <${KIM}>`, 'Please find the review minutes for AB attached.\r\n\r\nKim', {
      attachment: { filename: 'review-minutes.pdf', content: PDF },
    });
    routes = [
      '/',
      '/export.csv',
      `/cases/${c.ref}`,
      `/cases/${c.ref}/confirm?action=resolve`,
      `/cases/${c.ref}/evidence.html`,
      `/cases/${c.ref}/evidence.pdf`,
      `/cases/${c.ref}/case.csv`,
    ];
  });
  afterAll(async () => {
    await ifStarted(w, (x) => x.close());
  });

  const caseRow = async (ref = c.ref) => (await w.h.em().execute<{ status: string }[]>(`select status from escalation_case where ref = ?`, [ref]))[0]!;
  const eventCount = async (ref = c.ref) =>
    Number(
      (await w.h.em().execute<{ n: string }[]>(`select count(*) n from case_event e join escalation_case c on c.id = e.case_id where c.ref = ?`, [ref]))[0]!.n,
    );

  it('sends an anonymous user to sign in from every page, and refuses every action', async () => {
    const anon = new WebClient();
    for (const path of routes) {
      const r = await anon.request('GET', `${w.base}${path}`);
      expect(r.status, path).toBe(302);
      expect(r.headers.get('location'), path).toBe(`/auth/login?return=${encodeURIComponent(path)}`);
    }
    const before = await eventCount();
    const post = await anon.request('POST', `${w.base}/cases/${c.ref}/act`, { action: 'resolve', key: crypto.randomUUID(), _csrf: 'x' });
    expect([401, 403]).toContain(post.status);
    expect(await eventCount()).toBe(before);
    expect((await caseRow()).status).toBe('open');
  });

  it('signs an RM in through the provider (code + PKCE) and lands on the page asked for, with a session kept in PostgreSQL', async () => {
    const rm = new WebClient();
    const first = await rm.request('GET', `${w.base}/auth/login?return=${encodeURIComponent(`/cases/${c.ref}`)}`);
    expect(first.status).toBe(302);
    const authorize = new URL(first.headers.get('location')!);
    expect(authorize.origin).toBe(w.idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();

    const page = await rm.signIn(w.base, WEB_USERS.rm.login, `/cases/${c.ref}`);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${w.base}/cases/${c.ref}`);
    expect(page.body).toContain('Alex Morgan');
    expect(page.body).toContain(c.ref);
    expect(page.body).toContain('Registered Manager');
    const sessions = await w.h.em().execute<{ n: string }[]>(`select count(*) n from web_session where data->'user'->>'email' = ?`, [RM]);
    expect(Number(sessions[0]!.n)).toBe(1);

    const board = await rm.get(`${w.base}/`);
    expect(board.body).toContain(`/cases/${c.ref}`);
  });

  it('refuses a sign-in whose groups give no access', async () => {
    const page = await new WebClient().signIn(w.base, WEB_USERS.nobody.login);
    expect(page.status).toBe(403);
    expect(page.body).toContain('none of your groups is given access');
  });

  it('maps a Google-like account without groups by its verified address or its Workspace domain (hd), never by an address alone', async () => {
    const jordan = new WebClient();
    const board = await jordan.signIn(w.base, WEB_USERS.byEmail.login);
    expect(board.status).toBe(200);
    expect(board.body).toContain('Registered Manager');
    expect(board.body).toContain(c.ref);

    // The same address, not vouched for by the provider: refused.
    const unverified = await new WebClient().signIn(w.base, WEB_USERS.unverified.login);
    expect(unverified.status).toBe(403);

    // A Workspace account of the other organisation (hd claim): an auditor there, and nothing of ours.
    const gwen = new WebClient();
    const theirs = await gwen.signIn(w.base, WEB_USERS.byDomain.login);
    expect(theirs.status).toBe(200);
    expect(theirs.body).toContain('Auditor (read only)');
    expect(theirs.body).not.toContain(c.ref);
    expect((await gwen.request('GET', `${w.base}/cases/${c.ref}`)).status).toBe(404);

    // An address at that domain without the hd claim (a consumer account): refused.
    const personal = await new WebClient().signIn(w.base, WEB_USERS.consumer.login);
    expect(personal.status).toBe(403);
  });

  it('never shows another organisation’s user a case: not on the board, not by its address, not to act on', async () => {
    const other = new WebClient();
    const board = await other.signIn(w.base, WEB_USERS.otherRm.login);
    expect(board.status).toBe(200);
    expect(board.body).not.toContain(c.ref);
    for (const path of routes.filter((p) => p.startsWith('/cases/'))) {
      const r = await other.request('GET', `${w.base}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain(c.subject);
    }
    const csv = await other.get(`${w.base}/export.csv`);
    expect(csv.body).not.toContain(c.ref);
    const before = await eventCount();
    const post = await other.request('POST', `${w.base}/cases/${c.ref}/act`, {
      action: 'resolve',
      key: crypto.randomUUID(),
      _csrf: hiddenField(board.body, '_csrf'),
    });
    expect(post.status).toBe(404);
    expect(await eventCount()).toBe(before);
  });

  it('lets an auditor read everything but act on nothing', async () => {
    const auditor = new WebClient();
    const board = await auditor.signIn(w.base, WEB_USERS.auditor.login);
    expect(board.body).toContain(c.ref);
    const page = await auditor.get(`${w.base}/cases/${c.ref}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('your role cannot act on it');
    expect(page.body).not.toContain('/confirm?action=resolve');
    expect((await auditor.request('GET', `${w.base}/cases/${c.ref}/confirm?action=resolve`)).status).toBe(403);
    const before = await eventCount();
    const post = await auditor.request('POST', `${w.base}/cases/${c.ref}/act`, {
      action: 'resolve',
      key: crypto.randomUUID(),
      _csrf: hiddenField(page.body, '_csrf'),
    });
    expect(post.status).toBe(403);
    expect(await eventCount()).toBe(before);
    expect((await caseRow()).status).toBe('open');
  });

  it('refuses a form without its CSRF token', async () => {
    const rm = new WebClient();
    await rm.signIn(w.base, WEB_USERS.rm.login);
    const before = await eventCount();
    const post = await rm.request('POST', `${w.base}/cases/${c.ref}/act`, { action: 'resolve', key: crypto.randomUUID() });
    expect(post.status).toBe(403);
    expect(await eventCount()).toBe(before);
  });

  it('serves pages with a CSP that allows no script, and none inline', async () => {
    const rm = new WebClient();
    const page = await rm.signIn(w.base, WEB_USERS.rm.login, `/cases/${c.ref}`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).not.toMatch(/<script|\son\w+=/i);
    expect(page.headers.get('x-frame-options')).toBeTruthy();
  });

  it('acts once when the same confirmed action is posted twice, recorded as the signed-in user', async () => {
    const rm = new WebClient();
    await rm.signIn(w.base, WEB_USERS.rm.login);
    const confirm = await rm.get(`${w.base}/cases/${c.ref}/confirm?action=resolve`);
    expect(confirm.status).toBe(200);
    const form = { _csrf: hiddenField(confirm.body, '_csrf'), key: hiddenField(confirm.body, 'key'), action: 'resolve' };
    const [a, b] = await Promise.all([rm.request('POST', `${w.base}/cases/${c.ref}/act`, form), rm.request('POST', `${w.base}/cases/${c.ref}/act`, form)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const again = await rm.follow('POST', `${w.base}/cases/${c.ref}/act`, form);
    expect(again.status).toBe(200);
    expect((await caseRow()).status).toBe('resolved');
    const applied = await w.h
      .em()
      .execute<{ actor: string; cause: string }[]>(
        `select e.actor, e.cause from case_event e join escalation_case c on c.id = e.case_id where c.ref = ? and e.type = 'commands-applied'`,
        [c.ref],
      );
    expect(applied).toEqual([{ actor: RM, cause: `web:${RM}` }]);
    const rejected = await w.h
      .em()
      .execute<{ n: string }[]>(
        `select count(*) n from case_event e join escalation_case c on c.id = e.case_id where c.ref = ? and e.type = 'command-rejected'`,
        [c.ref],
      );
    expect(Number(rejected[0]!.n)).toBe(0);
  });

  it('offers NOT DONE on a case awaiting confirmation to the RM only; posted twice it acts once, as the mailed NOT DONE', async () => {
    expect((await caseRow(done.ref)).status).toBe('awaiting-confirmation');
    const notDone = `/cases/${done.ref}/confirm?action=not-done`;
    const form = (body: string) => ({ _csrf: hiddenField(body, '_csrf'), key: crypto.randomUUID(), action: 'not-done' });

    // Anonymous, another organisation, an auditor: refused, and nothing changes.
    const before = await eventCount(done.ref);
    expect((await new WebClient().request('GET', `${w.base}${notDone}`)).status).toBe(302);
    expect([401, 403]).toContain(
      (await new WebClient().request('POST', `${w.base}/cases/${done.ref}/act`, { action: 'not-done', key: crypto.randomUUID(), _csrf: 'x' })).status,
    );
    const other = new WebClient();
    const otherBoard = await other.signIn(w.base, WEB_USERS.otherRm.login);
    expect((await other.request('GET', `${w.base}${notDone}`)).status).toBe(404);
    expect((await other.request('POST', `${w.base}/cases/${done.ref}/act`, form(otherBoard.body))).status).toBe(404);
    const auditor = new WebClient();
    await auditor.signIn(w.base, WEB_USERS.auditor.login);
    const auditorPage = await auditor.get(`${w.base}/cases/${done.ref}`);
    expect(auditorPage.body).not.toContain('action=not-done');
    expect((await auditor.request('GET', `${w.base}${notDone}`)).status).toBe(403);
    expect((await auditor.request('POST', `${w.base}/cases/${done.ref}/act`, form(auditorPage.body))).status).toBe(403);
    expect(await eventCount(done.ref)).toBe(before);
    expect((await caseRow(done.ref)).status).toBe('awaiting-confirmation');

    // The RM: the button, a confirmation page saying what happens, then one NOT DONE however often the form is sent.
    const rm = new WebClient();
    await rm.signIn(w.base, WEB_USERS.rm.login);
    const page = await rm.get(`${w.base}/cases/${done.ref}`);
    expect(page.body).toContain(`href="${notDone}"`);
    const confirm = await rm.get(`${w.base}${notDone}`);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('the reminders go on');
    expect(confirm.body).toContain('<strong>NOT DONE</strong>');
    const posted = { _csrf: hiddenField(confirm.body, '_csrf'), key: hiddenField(confirm.body, 'key'), action: 'not-done' };
    const [a, b] = await Promise.all([
      rm.request('POST', `${w.base}/cases/${done.ref}/act`, posted),
      rm.request('POST', `${w.base}/cases/${done.ref}/act`, posted),
    ]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const after = await rm.follow('POST', `${w.base}/cases/${done.ref}/act`, posted);
    expect(after.body).toContain('Not done: the reminders go on');
    expect((await caseRow(done.ref)).status).toBe('open');
    const events = await w.h
      .em()
      .execute<{ type: string; actor: string; cause: string }[]>(
        `select e.type, e.actor, e.cause from case_event e join escalation_case c on c.id = e.case_id where c.ref = ? and e.type in ('not-done', 'commands-applied', 'command-rejected') order by e.id`,
        [done.ref],
      );
    expect(events).toEqual([
      { type: 'not-done', actor: RM, cause: `web:${RM}` },
      { type: 'commands-applied', actor: RM, cause: `web:${RM}` },
    ]);
    // Now nothing waits for confirmation: the button is gone.
    expect((await rm.get(`${w.base}/cases/${done.ref}`)).body).not.toContain('action=not-done');
  });

  it('shows every message with how it was read, the words that decided it, and its attachments with their sizes', async () => {
    const rm = new WebClient();
    await rm.signIn(w.base, WEB_USERS.rm.login);
    const page = await rm.get(`${w.base}/cases/${done.ref}`);
    expect(page.body).toMatch(/<dt>Classification<\/dt>\s*<dd class="class">Done: it is here or has been sent<\/dd>/);
    expect(page.body).toMatch(/<dt>Evidence<\/dt>\s*<dd><q class="evidence">[^<]*attached[^<]*<\/q><\/dd>/);
    expect(page.body).toMatch(/<li>review-minutes\.pdf <span class="size">\(4 kB\)<\/span><\/li>/);
    // Only the reply is classified: the request that opened the case is no reply.
    expect(page.body.match(/<dt>Classification<\/dt>/g)).toHaveLength(1);
    // Outbound mail says what kind it was; the RM's notice forwarded the PDF, so it is listed there too.
    expect(page.body).toContain('<dd>Is it done? Asked of the RM');
    expect(page.body).toContain('<dd>Confirmation that the case is open');
    expect(page.body.match(/review-minutes\.pdf <span class="size">/g)!.length).toBeGreaterThanOrEqual(2);
  });

  it('limits how often one address may start a sign-in', async () => {
    const client = new WebClient();
    const statuses: number[] = [];
    // The harness allows 40 a minute (the tests before sign in many times); the 41st is refused.
    for (let i = 0; i < 45; i++) statuses.push((await client.request('GET', `${w.base}/auth/login`)).status);
    expect(statuses).toContain(429);
  });
});
