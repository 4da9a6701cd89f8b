import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { startOAuthDovecot, type OAuthDovecot } from '../support/oauth-dovecot.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const TENANT = 'sunrise-homes.onmicrosoft.com';

/** The Sent folder as a fresh session sees it (a selected mailbox only learns of appends on its next command). */
async function sentFolder(imap: OAuthDovecot) {
  const client = await imap.connect();
  try {
    if (!(await client.list()).some((b) => b.path === 'Sent')) return [];
    const lock = await client.getMailboxLock('Sent');
    try {
      const out: { source: Buffer; seen: boolean }[] = [];
      if (client.mailbox && client.mailbox.exists === 0) return out;
      for await (const m of client.fetch('1:*', { source: true, flags: true }))
        out.push({ source: Buffer.from(m.source!), seen: m.flags?.has('\\Seen') ?? false });
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/**
 * The whole service against an IMAP server that only takes bearer tokens and checks them with
 * the issuer: the watcher and the Sent folder log in with the same Microsoft client-credentials
 * token as the SMTP sender, and a token the server stops accepting is renewed on reconnect.
 */
describe('IMAP with OAuth2: one token provider for the watcher, the Sent folder and SMTP', () => {
  let h: EscalatorHarness;
  let endpoint: TokenEndpoint;
  let imap: OAuthDovecot;

  beforeAll(async () => {
    endpoint = await startTokenEndpoint();
    endpoint.introspectUser = 'escalations';
    imap = await startOAuthDovecot({ introspectionUrl: `${endpoint.origin}/introspect` });
    h = await EscalatorHarness.start({ name: 'imap-oauth2', start: '2026-11-23T10:00:00Z' });
    const auth = {
      type: 'oauth2' as const,
      provider: 'microsoft' as const,
      user: 'escalations',
      tenantId: TENANT,
      clientId: '5f1c2a7e-0000-4000-8000-00000000c11e',
      clientSecret: 'Xy8Q~very-secret-client-value.do-not-log',
      tokenUrl: `${endpoint.origin}/${TENANT}/oauth2/v2.0/token`,
    };
    const mailbox = h.loaded.config.organisations[0]!.mailbox;
    if (mailbox.inbound.type !== 'imap' || mailbox.outbound.type !== 'smtp') throw new Error('unexpected harness config');
    Object.assign(mailbox.inbound, { host: imap.host, port: imap.port, auth });
    mailbox.outbound.appendToSent = 'Sent';
    await h.restart();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
    await ifStarted(imap, (x) => x.dispose());
    await ifStarted(endpoint, (x) => x.stop());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-30).join('\n'), imap.log().split('\n').slice(-20).join('\n'));
  });

  it('reads the mailbox and keeps sent mail with one token from the issuer', async () => {
    expect(h.service.imapWatchers[0]!.state).toBe('idle');
    expect(endpoint.introspections.length).toBeGreaterThan(0);
    expect(endpoint.introspections.every((i) => i.active)).toBe(true);

    await imap.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: 'Sam Patel <sam.patel@northshire.gov.uk>',
        cc: INBOX,
        subject: 'LAC review minutes for AB-1234 [escalate]',
        messageId: '<imap-oauth2-request@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Hi Sam,\r\n\r\nCould you send the minutes of the review?\r\n\r\nChild: AB-1234\r\n\r\nAlex',
      }),
    );
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    const sent = await waitFor(
      async () => {
        const s = await sentFolder(imap);
        return s.length > 0 && s;
      },
      { what: 'the confirmation in Sent' },
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.source.equals(confirmation.raw)).toBe(true);
    expect(sent[0]!.seen).toBe(true);
    // The watcher's login and the Sent folder's login shared one token request.
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]!.form.get('scope')).toBe('https://outlook.office365.com/.default');
  });

  it('renews a token the IMAP server refuses when it reconnects', async () => {
    const watcher = h.service.imapWatchers[0]!;
    const cached = endpoint.current;
    // Another client of the app gets a new token; the one the service holds is now refused.
    const res = await fetch(`${endpoint.origin}/${TENANT}/oauth2/v2.0/token`, { method: 'POST', body: 'grant_type=client_credentials' });
    expect(res.ok).toBe(true);
    expect(endpoint.current).not.toBe(cached);
    const requestsBefore = endpoint.requests.length;

    // The server drops the connection: the watcher reconnects, is refused with the cached token,
    // asks for a fresh one and gets back to idle.
    const refusedBefore = endpoint.introspections.filter((i) => !i.active).length;
    await imap.kick();
    await waitFor(() => endpoint.introspections.filter((i) => !i.active).length > refusedBefore, { what: 'a login with the old token' });
    await waitFor(() => watcher.state === 'idle' && endpoint.introspections.at(-1)?.active, { what: 'the watcher to log in again' });
    expect(h.logs.lines.some((l) => l.msg === 'IMAP session ended; reconnecting')).toBe(true);

    expect(endpoint.introspections.some((i) => i.token === cached && !i.active)).toBe(true);
    expect(endpoint.introspections.at(-1)).toEqual({ token: endpoint.current, active: true });
    // Exactly one new token request: the forced refresh after the refusal.
    expect(endpoint.requests.length - requestsBefore).toBe(1);

    // And mail is read again.
    await imap.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: 'Jo Bennett <jo.bennett@northshire.gov.uk>',
        cc: INBOX,
        subject: 'Panel paperwork for CD-5678 [escalate]',
        messageId: '<imap-oauth2-request-2@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Hi Jo,\r\n\r\nCould you send the panel paperwork?\r\n\r\nChild: CD-5678\r\n\r\nAlex',
      }),
    );
    await h.sink.waitFor((m) => m.parsed.subject?.includes('Panel paperwork') ?? false);
  });
});
