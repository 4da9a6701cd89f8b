import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, type OrganisationConfig } from '../../src/config/config-schema.js';
import { ManualClock } from '../../src/lib/clock.js';
import { composeMail } from '../../src/outbound/compose/compose-mail.js';
import { ClientCredentialsTokenProvider } from '../../src/mail-account/oauth/client-credentials-provider.js';
import { TokenProviders } from '../../src/mail-account/oauth/token-provider-factory.js';
import { SendError } from '../../src/runtime/mail-transport.js';
import { SmtpTransport } from '../../src/outbound/transport/smtp-transport.js';
import { createTransport } from '../../src/outbound/transport/transport-factory.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';

const MAILBOX = 'escalations@sunrise-homes.org.uk';
const TENANT = 'sunrise-homes.onmicrosoft.com';
const CLIENT = '5f1c2a7e-0000-4000-8000-00000000c11e';
const SECRET = 'Xy8Q~very-secret-client-value.do-not-log';

let endpoint: TokenEndpoint;
let sink: SmtpSink;
let clock: ManualClock;
let counter = 0;

beforeAll(async () => {
  endpoint = await startTokenEndpoint();
  // The sink stands in for Exchange Online: XOAUTH2 only, and only the token the issuer handed
  // out last is good (an older one has been revoked).
  sink = await startSmtpSink({ auth: 'xoauth2', validateToken: (user, token) => user === MAILBOX && token === endpoint.current });
});
afterAll(async () => {
  await sink.stop();
  await endpoint.stop();
});
beforeEach(() => {
  endpoint.override = undefined;
  sink.clear();
  clock = new ManualClock('2026-11-23T10:00:00Z');
});

const provider = () =>
  new ClientCredentialsTokenProvider({
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    tokenUrl: `${endpoint.origin}/${TENANT}/oauth2/v2.0/token`,
    clock,
  });

const smtp = (tokens: ClientCredentialsTokenProvider) =>
  new SmtpTransport({
    host: sink.host,
    port: sink.port,
    secure: false,
    requireTLS: false,
    tlsRejectUnauthorized: true,
    auth: { type: 'oauth2', user: MAILBOX, tokens },
  });

async function composed(subject: string) {
  counter++;
  return composeMail({
    from: { email: MAILBOX, name: 'Sunrise escalations' },
    to: [{ email: 'iro.team@northshire.gov.uk', name: 'IRO team' }],
    cc: [],
    messageId: `<xoauth2-${counter}-${Date.now()}@sunrise-homes.org.uk>`,
    date: clock.now(),
    rendered: { subject, text: `${subject}\n`, html: `<p>${subject}</p>` },
  });
}

/** Asks the issuer for a token as another client would: the cached one is now revoked. */
async function rotate(): Promise<void> {
  const res = await fetch(`${endpoint.origin}/${TENANT}/oauth2/v2.0/token`, { method: 'POST', body: 'grant_type=client_credentials' });
  expect(res.ok).toBe(true);
}

describe('SMTP with an OAuth2 (XOAUTH2) token from the client-credentials provider', () => {
  it('authenticates with the issued token and sends the composed message', async () => {
    const tokens = provider();
    const transport = smtp(tokens);
    try {
      const mail = await composed('Reg 5 notification — first chaser');
      const result = await transport.send(mail.envelope, mail.raw);
      expect(result.accepted).toEqual(['iro.team@northshire.gov.uk']);
      const captured = sink.byMessageId(mail.messageId)!;
      expect(captured).toBeDefined();
      expect(captured.authenticatedUser).toBe(MAILBOX);
      expect(captured.raw.equals(mail.raw)).toBe(true);
      expect(sink.authAttempts).toEqual([{ method: 'XOAUTH2', user: MAILBOX, accepted: true }]);
      expect(endpoint.requests.at(-1)!.form.get('scope')).toBe('https://outlook.office365.com/.default');
    } finally {
      await transport.close();
    }
  });

  it('renews a token the server rejects (nodemailer retries with renew=true) and the send succeeds', async () => {
    const tokens = provider();
    const first = smtp(tokens);
    const mail1 = await composed('before rotation');
    await first.send(mail1.envelope, mail1.raw);
    const cached = await tokens.getToken();
    expect(cached).toBe(endpoint.current);
    await first.close();

    await rotate();
    expect(endpoint.current).not.toBe(cached);
    const requestsBefore = endpoint.requests.length;
    sink.clear();

    // A new connection (a restarted worker, a dropped pool connection) logs in with the cached,
    // now revoked token; the server refuses it and nodemailer asks the provider to renew.
    const second = smtp(tokens);
    try {
      const mail2 = await composed('after rotation');
      const result = await second.send(mail2.envelope, mail2.raw);
      expect(result.accepted).toEqual(['iro.team@northshire.gov.uk']);
      expect(sink.byMessageId(mail2.messageId)?.authenticatedUser).toBe(MAILBOX);
      expect(sink.authAttempts).toEqual([
        { method: 'XOAUTH2', user: MAILBOX, accepted: false },
        { method: 'XOAUTH2', user: MAILBOX, accepted: true },
      ]);
      // Exactly one forced refresh, and the provider now caches the new token.
      expect(endpoint.requests.length - requestsBefore).toBe(1);
      expect(await tokens.getToken()).toBe(endpoint.current);
    } finally {
      await second.close();
    }
  });

  it('turns a failing token endpoint into a temporary send failure that names the tenant, not the secret', async () => {
    endpoint.override = () => ({
      status: 401,
      body: { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys for app are expired.' },
    });
    const transport = smtp(provider());
    try {
      const mail = await composed('token endpoint refuses');
      const error = await transport.send(mail.envelope, mail.raw).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendError);
      const e = error as SendError;
      expect(e.temporary).toBe(true);
      expect(e.message).toContain(`tenant ${TENANT}`);
      expect(e.message).toContain('AADSTS7000222');
      expect(e.message).not.toContain(SECRET);
      expect(sink.messages).toHaveLength(0);
    } finally {
      await transport.close();
    }
  });

  it('is built from the organisation config: auth oauth2 / provider microsoft with a tokenUrl', async () => {
    const tokenUrl = `${endpoint.origin}/${TENANT}/oauth2/v2.0/token`;
    const auth = { type: 'oauth2', provider: 'microsoft', user: MAILBOX, tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, tokenUrl };
    const org: OrganisationConfig = configSchema.parse({
      database: { url: 'postgres://unused' },
      redis: { url: 'redis://unused' },
      secret: 'test-secret-0123456789abcdef',
      organisations: [
        {
          id: 'sunrise-homes',
          name: 'Sunrise',
          nation: 'england-and-wales',
          manager: { email: 'alex.morgan@sunrise-homes.org.uk' },
          staff: { domains: ['sunrise-homes.org.uk'] },
          mailbox: {
            address: MAILBOX,
            inbound: { type: 'imap', host: '127.0.0.1', port: 1, secure: false, auth },
            outbound: { type: 'smtp', host: sink.host, port: sink.port, secure: false, requireTLS: false, auth },
          },
        },
      ],
    }).organisations[0]!;
    const out = org.mailbox.outbound;
    expect(out.type === 'smtp' && out.rateLimitPerMinute).toBe(30);

    const providers = new TokenProviders({ clock });
    const tokens = providers.forAuth(out.type === 'smtp' ? out.auth : undefined);
    // The IMAP watcher of the same mailbox gets the very same provider.
    expect(providers.forAuth(org.mailbox.inbound.type === 'imap' ? org.mailbox.inbound.auth : undefined)).toBe(tokens);
    const transport = createTransport(org, '/tmp', tokens);
    try {
      const mail = await composed('from config');
      await transport.send(mail.envelope, mail.raw);
      expect(sink.byMessageId(mail.messageId)?.authenticatedUser).toBe(MAILBOX);
    } finally {
      await transport.close();
    }
    expect(() => createTransport(org, '/tmp')).toThrow(/OAuth2 needs a token provider/);
  });
});
