import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { graphSchema, type GraphConfig } from '../../src/config/graph-schema.js';
import { ManualClock } from '../../src/lib/clock.js';
import { GraphAccounts } from '../../src/mail-account/graph/graph-accounts.js';
import { GraphError } from '../../src/mail-account/graph/graph-client.js';
import { GraphCredentialError, loadGraphCredential } from '../../src/mail-account/graph/graph-credential.js';
import { fetchMime, sentItemsWith } from '../../src/mail-account/graph/graph-mail.js';
import { TokenRequestError } from '../../src/mail-account/oauth/access-token-provider.js';
import { INBOX, RM } from '../support/escalator-harness.js';
import { GraphServer, makeCertificate, type TestCertificate } from '../support/graph-server.js';
import { REPO_ROOT } from '../support/repo-root.js';

const TENANT = 'sunrise-homes.onmicrosoft.com';
const CLIENT = '3f0c9e52-8d1a-4b7e-9c61-5a2d7e4b1c90';
const SECRET = 'Q8w~graph-secret-value.do-not-log';

let server: GraphServer;
let cert: TestCertificate;
let clock: ManualClock;
const open: GraphAccounts[] = [];

beforeAll(async () => {
  [server, cert] = await Promise.all([GraphServer.start({ tenant: TENANT, clientId: CLIENT, mailboxes: [INBOX, RM] }), makeCertificate()]);
  server.registerCertificate(cert.certPem);
  server.registerSecret(SECRET);
});
afterAll(async () => {
  await server.stop();
});
beforeEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
  clock = new ManualClock('2026-11-23T10:00:00Z');
  server.tokenLifetimeSeconds = 3599;
});

function accounts(): GraphAccounts {
  const a = new GraphAccounts({ clock, baseDir: REPO_ROOT });
  open.push(a);
  return a;
}
const config = (extra: Record<string, unknown> = {}): GraphConfig => graphSchema.parse(server.graphConfig({ certificatePath: cert.path }, extra));
const tokenRequests = () => server.tokenRequests.length;

describe('Graph token: client credentials with a certificate or a secret, through MSAL', () => {
  it('signs a client assertion the token endpoint verifies against the registered certificate', async () => {
    const before = tokenRequests();
    const account = accounts().forMailbox(INBOX, config());
    const folder = await account.client.json<{ displayName: string }>({ method: 'GET', path: 'mailFolders/inbox' });
    expect(folder?.displayName).toBe('Inbox');
    const req = server.tokenRequests.at(-1)!;
    expect(tokenRequests() - before).toBe(1);
    expect(req.status).toBe(200);
    expect(req.form.grant_type).toBe('client_credentials');
    expect(req.form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(req.form.scope).toBe(`${server.origin}/.default`);
    expect(req.form.client_secret).toBeUndefined();
    const header = JSON.parse(Buffer.from(req.form.client_assertion!.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
    expect(header.alg).toBe('PS256');
    expect(Buffer.from(header['x5t#S256']!, 'base64url').toString('hex').toUpperCase()).toBe(cert.thumbprintSha256);
  });

  it('refuses a certificate the app registration does not have (AADSTS700027), naming tenant and client', async () => {
    const other = await makeCertificate({ cn: 'not-uploaded' });
    const account = accounts().forMailbox(INBOX, graphSchema.parse(server.graphConfig({ certificatePath: other.path })));
    const error = await account.tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as Error).message).toContain(`Microsoft 365 tenant ${TENANT}, client ${CLIENT}`);
    expect((error as Error).message).toContain(
      'AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application',
    );
  });

  it('says which tenant or app is wrong (AADSTS90002, AADSTS700016) and never prints the secret', async () => {
    const wrongTenant = accounts().forMailbox(INBOX, config({ tenantId: 'sunrise-homs.onmicrosoft.com' }));
    await expect(wrongTenant.tokens.getToken()).rejects.toThrow(/AADSTS90002: Tenant 'sunrise-homs\.onmicrosoft\.com' not found/);
    const wrongClient = accounts().forMailbox(INBOX, config({ clientId: '00000000-0000-4000-8000-000000000000' }));
    await expect(wrongClient.tokens.getToken()).rejects.toThrow(/AADSTS700016: Application with identifier '00000000-0000-4000-8000-000000000000'/);
    const badSecret = accounts().forMailbox(INBOX, graphSchema.parse({ ...server.graphConfig({ clientSecret: `${SECRET}-wrong` }) }));
    const error = (await badSecret.tokens.getToken().catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('AADSTS7000215: Invalid client secret provided');
    expect(error.message).not.toContain(SECRET);
    const goodSecret = accounts().forMailbox(INBOX, graphSchema.parse(server.graphConfig({ clientSecret: SECRET })));
    expect(await goodSecret.tokens.getToken()).toMatch(/^graph-token-/);
    expect(server.tokenRequests.at(-1)!.form.client_secret).toBe(SECRET);
  });

  it('refuses an expired certificate before asking, and says what to do', async () => {
    const expired = await makeCertificate({ cn: 'expired', notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-01-01T00:00:00Z') });
    server.registerCertificate(expired.certPem);
    const before = tokenRequests();
    const account = accounts().forMailbox(INBOX, graphSchema.parse(server.graphConfig({ certificatePath: expired.path })));
    const error = (await account.tokens.getToken().catch((e: unknown) => e)) as TokenRequestError;
    expect(error.errorCode).toBe('certificate_expired');
    expect(error.message).toContain('expired on 2025-01-01T00:00:00.000Z; upload a new certificate to the app registration and point certificatePath at it');
    expect(tokenRequests()).toBe(before);
  });

  it('names a certificate file that cannot be used: missing, no key, a key of another certificate', async () => {
    const other = await makeCertificate({ cn: 'other' });
    expect(() => loadGraphCredential({ certificatePath: '/nonexistent/graph.pem' }, REPO_ROOT)).toThrow(
      'cannot read the certificate file /nonexistent/graph.pem: ENOENT',
    );
    expect(() => loadGraphCredential({ certificatePath: cert.path, privateKeyPath: other.path }, REPO_ROOT)).toThrow(
      /this private key does not belong to the certificate/,
    );
    expect(() => loadGraphCredential({ certificatePath: cert.path, privateKeyPath: '/nonexistent/key.pem' }, REPO_ROOT)).toThrow(GraphCredentialError);
  });

  it('one token for the mailbox’s reader and sender, refreshed a margin before it expires by the injected clock', async () => {
    server.tokenLifetimeSeconds = 600;
    const registry = accounts();
    const reader = registry.forMailbox(INBOX, config());
    const sender = registry.forMailbox(INBOX, config());
    expect(sender.tokens).toBe(reader.tokens);
    // Another mailbox of the same app shares the app's token too.
    expect(registry.forMailbox(RM, config({ user: RM })).tokens).toBe(reader.tokens);
    const before = tokenRequests();
    const first = await reader.tokens.getToken();
    expect(await sender.tokens.getToken()).toBe(first);
    // A 10-minute token is refreshed 1 minute (10%) early.
    clock.advance(540_000 - 1);
    expect(await sender.tokens.getToken()).toBe(first);
    expect(tokenRequests() - before).toBe(1);
    clock.advance(1);
    const second = await reader.tokens.getToken();
    expect(second).not.toBe(first);
    expect(tokenRequests() - before).toBe(2);
  });

  it('asks for a fresh token when Graph answers 401 (a token expired or revoked early), and goes on', async () => {
    const account = accounts().forMailbox(INBOX, config());
    await account.client.json({ method: 'GET', path: 'mailFolders/inbox' });
    const before = tokenRequests();
    server.expireTokens();
    const folder = await account.client.json<{ displayName: string }>({ method: 'GET', path: 'mailFolders/inbox' });
    expect(folder?.displayName).toBe('Inbox');
    expect(tokenRequests() - before).toBe(1);
    expect(server.requests.slice(-2).map((r) => r.status)).toEqual([401, 200]);
  });
});

describe('Graph client: the mailbox’s limits and answers', () => {
  it('never has more than 4 requests at once in flight to one mailbox', async () => {
    const account = accounts().forMailbox(INBOX, config());
    // Answers are held until four requests are in flight: the client must stop there by itself
    // (the server answers a fifth with 429), however slowly a busy machine sends them.
    server.maxInFlight.clear();
    const release = server.holdAnswers();
    try {
      const all = Promise.all(Array.from({ length: 12 }, () => account.client.json({ method: 'GET', path: 'mailFolders/inbox' })));
      await vi.waitFor(
        () => {
          expect(server.inFlight(INBOX)).toBe(4);
        },
        { timeout: 30_000, interval: 20 },
      );
      release();
      await all;
      expect(server.maxInFlight.get(INBOX)).toBe(4);
      expect(server.requests.filter((r) => r.user === INBOX && r.status === 429)).toEqual([]);
    } finally {
      release();
    }
  });

  it('reports 429 with Graph’s Retry-After, and 403 for a mailbox outside the app’s scope', async () => {
    const account = accounts().forMailbox(INBOX, config());
    server.throttle({ count: 1, retryAfterSeconds: 17 });
    const throttled = (await account.client.json({ method: 'GET', path: 'mailFolders/inbox' }).catch((e: unknown) => e)) as GraphError;
    expect(throttled).toBeInstanceOf(GraphError);
    expect([throttled.status, throttled.code, throttled.retryAfterMs, throttled.throttled]).toEqual([429, 'ApplicationThrottled', 17_000, true]);
    const denied = (await account.client
      .forUser(RM)
      .json({ method: 'GET', path: 'mailFolders/inbox' })
      .catch((e: unknown) => e)) as GraphError;
    expect([denied.status, denied.code]).toEqual([403, 'ErrorAccessDenied']);
  });

  it('fetches a message as MIME, keeping only a reference past the size limit; finds Sent Items by Message-ID', async () => {
    const account = accounts().forMailbox(INBOX, config());
    const small = server.deliver(INBOX, 'Message-ID: <small@x.org>\r\nSubject: s\r\n\r\nhello\r\n');
    const big = server.deliver(INBOX, `Message-ID: <big@x.org>\r\nSubject: b\r\n\r\n${'x'.repeat(5000)}\r\n`);
    expect((await fetchMime(account.client, small.id, 4096)).raw?.toString()).toContain('hello');
    expect(await fetchMime(account.client, big.id, 4096)).toEqual({ raw: null, size: big.raw.length });
    server.deliver(INBOX, "Message-ID: <o'brien@x.org>\r\n\r\nsent\r\n", 'sentitems');
    expect(await sentItemsWith(account.client, "<o'brien@x.org>")).toBe(1);
    expect(await sentItemsWith(account.client, '<never@x.org>')).toBe(0);
  });
});
