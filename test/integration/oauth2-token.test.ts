import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { TokenRequestError } from '../../src/mail-account/oauth/access-token-provider.js';
import { ClientCredentialsTokenProvider, MICROSOFT_OUTLOOK_SCOPE, microsoftTokenUrl } from '../../src/mail-account/oauth/client-credentials-provider.js';
import { GOOGLE_MAIL_SCOPE, GoogleServiceAccountTokenProvider } from '../../src/mail-account/oauth/google-service-account-provider.js';
import { refreshMarginMs } from '../../src/mail-account/oauth/refreshing-token-provider.js';
import { StaticTokenProvider } from '../../src/mail-account/oauth/static-token-provider.js';
import { TokenProviders, type OAuth2AuthConfig } from '../../src/mail-account/oauth/token-provider-factory.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';

const TENANT = 'sunrise-homes.onmicrosoft.com';
const CLIENT = '5f1c2a7e-0000-4000-8000-00000000c11e';
const SECRET = 'Xy8Q~very-secret-client-value.do-not-log';

let endpoint: TokenEndpoint;
let clock: ManualClock;

beforeAll(async () => {
  endpoint = await startTokenEndpoint();
});
afterAll(async () => {
  await endpoint.stop();
});
beforeEach(() => {
  endpoint.override = undefined;
  endpoint.expiresIn = 3600;
  clock = new ManualClock('2026-11-23T10:00:00Z');
});

function microsoft(extra: Partial<ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]> = {}) {
  return new ClientCredentialsTokenProvider({
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    tokenUrl: `${endpoint.origin}/${TENANT}/oauth2/v2.0/token`,
    clock,
    ...extra,
  });
}

const requestsSince = (n: number) => endpoint.requests.length - n;

describe('Microsoft client-credentials token provider', () => {
  it('posts the client-credentials grant for Exchange Online and caches the token', async () => {
    const before = endpoint.requests.length;
    const tokens = microsoft();
    const first = await tokens.getToken();
    expect(first).toBe(endpoint.current);
    expect(await tokens.getToken()).toBe(first);
    clock.advance(30 * 60_000);
    expect(await tokens.getToken()).toBe(first);
    expect(requestsSince(before)).toBe(1);

    const req = endpoint.requests.at(-1)!;
    expect(req.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(req.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(req.form)).toEqual({
      client_id: CLIENT,
      client_secret: SECRET,
      scope: 'https://outlook.office365.com/.default',
      grant_type: 'client_credentials',
    });
    expect(MICROSOFT_OUTLOOK_SCOPE).toBe('https://outlook.office365.com/.default');
    expect(microsoftTokenUrl(TENANT)).toBe(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
  });

  it('refreshes a safety margin before expires_in, by the injected clock', async () => {
    // A one-hour token is refreshed 5 minutes early; a 10-minute one 10% (1 minute) early.
    expect(refreshMarginMs(3600_000)).toBe(300_000);
    expect(refreshMarginMs(600_000)).toBe(60_000);

    endpoint.expiresIn = 600;
    const before = endpoint.requests.length;
    const tokens = microsoft();
    const first = await tokens.getToken();
    clock.advance(540_000 - 1);
    expect(await tokens.getToken()).toBe(first);
    expect(requestsSince(before)).toBe(1);
    clock.advance(1);
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(second).toBe(endpoint.current);
    expect(requestsSince(before)).toBe(2);
    // The new token's lifetime counts from its own issue.
    clock.advance(539_000);
    expect(await tokens.getToken()).toBe(second);
    expect(requestsSince(before)).toBe(2);
  });

  it('gives concurrent callers one request', async () => {
    const before = endpoint.requests.length;
    const tokens = microsoft();
    const release = endpoint.hold();
    const callers = Array.from({ length: 8 }, () => tokens.getToken());
    // Let the first request reach the endpoint, then let it answer.
    await new Promise((r) => setTimeout(r, 50));
    release();
    const got = await Promise.all(callers);
    expect(new Set(got).size).toBe(1);
    expect(requestsSince(before)).toBe(1);
    // A forced refresh arriving while a request is under way joins it.
    const release2 = endpoint.hold();
    const forced = [tokens.getToken(true), tokens.getToken(true), tokens.getToken(true)];
    await new Promise((r) => setTimeout(r, 50));
    release2();
    const renewed = await Promise.all(forced);
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(got[0]);
    expect(requestsSince(before)).toBe(2);
  });

  it('asks for a new token when forced, though the cached one is still valid', async () => {
    const tokens = microsoft();
    const first = await tokens.getToken();
    const before = endpoint.requests.length;
    const second = await tokens.getToken(true);
    expect(second).not.toBe(first);
    expect(requestsSince(before)).toBe(1);
    expect(await tokens.getToken()).toBe(second);
  });

  it('reports an AAD error with the tenant, client, code and description, never the secret', async () => {
    endpoint.override = () => ({
      status: 401,
      body: {
        error: 'invalid_client',
        error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT}'.\r\nTrace ID: 0b8a5b6e-1111-2222-3333-444455556666\r\nCorrelation ID: 9d2c1f00-aaaa-bbbb-cccc-ddddeeeeffff\r\nTimestamp: 2026-11-23 10:00:00Z`,
        error_codes: [7000215],
        timestamp: '2026-11-23 10:00:00Z',
        trace_id: '0b8a5b6e-1111-2222-3333-444455556666',
        correlation_id: '9d2c1f00-aaaa-bbbb-cccc-ddddeeeeffff',
      },
    });
    const error = await microsoft()
      .getToken()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TokenRequestError);
    const e = error as TokenRequestError;
    expect(e.status).toBe(401);
    expect(e.errorCode).toBe('invalid_client');
    expect(e.message).toContain(`tenant ${TENANT}`);
    expect(e.message).toContain(`client ${CLIENT}`);
    expect(e.message).toContain('HTTP 401 invalid_client');
    expect(e.message).toContain('AADSTS7000215: Invalid client secret provided');
    expect(e.message).toContain('correlation id 9d2c1f00-aaaa-bbbb-cccc-ddddeeeeffff');
    expect(e.message).not.toContain('Timestamp:');
    expect(e.message).not.toContain(SECRET);
  });

  it('scrubs the secret even if the issuer echoes it, and reports a non-JSON error page', async () => {
    endpoint.override = () => ({ status: 400, body: { error: 'invalid_request', error_description: `AADSTS900144: bad value ${SECRET}` } });
    const echoed = await microsoft()
      .getToken()
      .catch((e: unknown) => e);
    expect((echoed as Error).message).toContain('AADSTS900144');
    expect((echoed as Error).message).not.toContain(SECRET);

    endpoint.override = () => ({ status: 502, body: '<html><body>Bad gateway</body></html>' });
    const proxy = await microsoft()
      .getToken()
      .catch((e: unknown) => e);
    expect(proxy).toBeInstanceOf(TokenRequestError);
    expect((proxy as Error).message).toMatch(new RegExp(`tenant ${TENANT}.*HTTP 502: <html><body>Bad gateway`));
  });

  it('names the tenant and client when the endpoint cannot be reached', async () => {
    const closed = await startTokenEndpoint();
    const url = `${closed.origin}/${TENANT}/oauth2/v2.0/token`;
    await closed.stop();
    const error = await microsoft({ tokenUrl: url })
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as Error).message).toContain(`Microsoft 365 tenant ${TENANT}, client ${CLIENT}: token request to ${url} failed`);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('keeps using a still-valid token when a routine refresh fails, but not when forced', async () => {
    endpoint.expiresIn = 600;
    const tokens = microsoft();
    const first = await tokens.getToken();
    endpoint.override = () => ({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred.' } });
    clock.advance(550_000); // past the refresh point, before expiry
    expect(await tokens.getToken()).toBe(first);
    await expect(tokens.getToken(true)).rejects.toThrow(/HTTP 503 temporarily_unavailable: AADSTS90033/);
    clock.advance(50_000); // expired now
    await expect(tokens.getToken()).rejects.toThrow(TokenRequestError);
    endpoint.override = undefined;
    expect(await tokens.getToken()).toBe(endpoint.current);
  });
});

describe('Google service account token provider', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const SA = 'escalator@sunrise-mail.iam.gserviceaccount.com';
  const USER = 'escalations@sunrise-homes.org.uk';

  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

  it('exchanges an RS256 JWT (iss = service account, sub = mailbox) with the JWT bearer grant', async () => {
    const tokenUrl = `${endpoint.origin}/token`;
    // As pasted into an environment variable: newlines escaped.
    const tokens = new GoogleServiceAccountTokenProvider({ serviceAccountEmail: SA, privateKey: pem.replace(/\n/g, '\\n'), user: USER, tokenUrl, clock });
    const before = endpoint.requests.length;
    const token = await tokens.getToken();
    expect(token).toBe(endpoint.current);
    expect(await tokens.getToken()).toBe(token);
    expect(requestsSince(before)).toBe(1);

    const form = endpoint.requests.at(-1)!.form;
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const jwt = form.get('assertion')!;
    const [header, claims, signature] = jwt.split('.') as [string, string, string];
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    // A tampered claim set no longer verifies.
    const forged = Buffer.from(JSON.stringify({ ...decode(claims), sub: 'someone.else@sunrise-homes.org.uk' })).toString('base64url');
    expect(verify('sha256', Buffer.from(`${header}.${forged}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(false);

    const iat = Math.floor(clock.now().getTime() / 1000);
    expect(decode(claims)).toEqual({ iss: SA, sub: USER, scope: GOOGLE_MAIL_SCOPE, aud: tokenUrl, iat, exp: iat + 3600 });
    expect(GOOGLE_MAIL_SCOPE).toBe('https://mail.google.com/');

    // Refreshed like the Microsoft one, with a fresh assertion dated by the clock.
    clock.advance(55 * 60_000);
    const renewed = await tokens.getToken();
    expect(renewed).not.toBe(token);
    const again = decode(endpoint.requests.at(-1)!.form.get('assertion')!.split('.')[1]!);
    expect(again.iat).toBe(iat + 55 * 60);
  });

  it('explains unauthorized_client as missing domain-wide delegation', async () => {
    endpoint.override = () => ({
      status: 401,
      body: {
        error: 'unauthorized_client',
        error_description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      },
    });
    const tokens = new GoogleServiceAccountTokenProvider({ serviceAccountEmail: SA, privateKey: pem, user: USER, tokenUrl: `${endpoint.origin}/token`, clock });
    const error = (await tokens.getToken().catch((e: unknown) => e)) as TokenRequestError;
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error.message).toContain(`Google service account ${SA} acting as ${USER}`);
    expect(error.message).toContain('unauthorized_client');
    expect(error.message).toContain('domain-wide delegation');
    expect(error.message).not.toContain('BEGIN PRIVATE KEY');
  });

  it('refuses a private key it cannot read, naming the account', () => {
    expect(() => new GoogleServiceAccountTokenProvider({ serviceAccountEmail: SA, privateKey: 'not a key', user: USER, clock })).toThrow(new RegExp(SA));
  });
});

describe('token providers from config', () => {
  const ms = (user: string): OAuth2AuthConfig => ({
    type: 'oauth2',
    provider: 'microsoft',
    user,
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    tokenUrl: `${endpoint.origin}/${TENANT}/oauth2/v2.0/token`,
  });

  it('shares one provider between blocks that would get the same token', async () => {
    const providers = new TokenProviders({ clock });
    const imap = providers.forAuth(ms('escalations@sunrise-homes.org.uk'));
    const smtp = providers.forAuth(ms('escalations@sunrise-homes.org.uk'));
    expect(imap).toBeDefined();
    expect(smtp).toBe(imap);
    // An app token is not tied to a mailbox: another mailbox of the same app shares it too.
    expect(providers.forAuth(ms('panel@sunrise-homes.org.uk'))).toBe(imap);
    expect(providers.forAuth({ ...ms('x@y.z'), clientSecret: 'another-secret-value' })).not.toBe(imap);
    expect(providers.forAuth({ type: 'password', user: 'u', password: 'p' })).toBeUndefined();
    expect(providers.forAuth(undefined)).toBeUndefined();

    const before = endpoint.requests.length;
    const [a, b] = await Promise.all([imap!.getToken(), smtp!.getToken()]);
    expect(a).toBe(b);
    expect(requestsSince(before)).toBe(1);

    const fixed = providers.forAuth({ type: 'oauth2', provider: 'static', user: 'u', accessToken: 'from-the-sidecar' });
    expect(await fixed!.getToken(true)).toBe('from-the-sidecar');
    expect(new StaticTokenProvider('t')).toBeInstanceOf(StaticTokenProvider);
  });
});
