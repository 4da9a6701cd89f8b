import { AuthError, ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { TokenRequestError } from '../oauth/access-token-provider.js';
import { RefreshingTokenProvider, type IssuedToken } from '../oauth/refreshing-token-provider.js';
import type { GraphCredential } from './graph-credential.js';
import type { GraphHttp } from './graph-http.js';
import { errorMessage } from '../../lib/error-message.js';
import { firstLine } from '../../lib/first-line.js';

export interface GraphTokenOptions {
  tenantId: string;
  clientId: string;
  credential: GraphCredential;
  /** The sign-in origin, e.g. https://login.microsoftonline.com. */
  loginUrl: string;
  /** The Graph origin; the token is for `<graphUrl>/.default` (the application permissions granted). */
  graphUrl: string;
  http: GraphHttp;
  clock: Clock;
  logger?: Logger;
}

/**
 * The app's own token for Microsoft Graph (client credentials), issued through MSAL: MSAL signs the
 * client assertion for a certificate (RFC 7523: PS256, `x5t#S256` header, `aud` the token
 * endpoint) or sends the secret, and reads Entra's errors. Caching and the refresh before expiry
 * stay in RefreshingTokenProvider, on the injected clock, shared by the mailbox's reader and
 * sender; MSAL is asked only when a new token is wanted (`skipCache`).
 *
 * The authority's metadata is given, not discovered: the v2 endpoints of a tenant are fixed
 * (`<login>/<tenant>/oauth2/v2.0/token`), and a wrong tenant then comes back from the token
 * endpoint as AADSTS90002 rather than as MSAL's wordless `endpoints_resolution_error`. The
 * sign-in host is a known authority, so MSAL makes no instance-discovery call either.
 */
export class GraphTokenProvider extends RefreshingTokenProvider {
  private readonly app: ConfidentialClientApplication;
  readonly tokenUrl: string;
  readonly scope: string;

  constructor(private readonly o: GraphTokenOptions) {
    super(o.clock, o.logger);
    const authority = `${o.loginUrl}/${encodeURIComponent(o.tenantId)}`;
    this.tokenUrl = `${authority}/oauth2/v2.0/token`;
    this.scope = `${o.graphUrl}/.default`;
    const c = o.credential;
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: o.clientId,
        authority,
        knownAuthorities: [new URL(o.loginUrl).host],
        authorityMetadata: JSON.stringify({
          token_endpoint: this.tokenUrl,
          issuer: `${authority}/v2.0`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
        }),
        ...(c.kind === 'certificate'
          ? { clientCertificate: { thumbprintSha256: c.thumbprintSha256, privateKey: c.privateKeyPem } }
          : { clientSecret: c.secret }),
      },
      system: {
        networkClient: o.http.msalNetwork(),
        // Retries are ours: a failed refresh keeps the current token, and the next use asks again.
        disableInternalRetries: true,
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
      },
    });
  }

  /** Who the tokens are for (log lines and errors; never the credential). */
  get who(): string {
    return `Microsoft 365 tenant ${this.o.tenantId}, client ${this.o.clientId}`;
  }

  protected describe(): Record<string, string> {
    return { provider: 'microsoft-graph', tenant: this.o.tenantId, client: this.o.clientId };
  }

  protected async requestToken(): Promise<IssuedToken> {
    const c = this.o.credential;
    if (c.kind === 'certificate' && this.clock.now() >= c.notAfter) {
      throw new TokenRequestError(
        `${this.who}: the certificate ${c.path} (thumbprint ${c.thumbprintSha1}) expired on ${c.notAfter.toISOString()}; upload a new certificate to the app registration and point certificatePath at it`,
        undefined,
        'certificate_expired',
      );
    }
    const startedAt = Date.now();
    try {
      const result = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache: true });
      if (!result?.accessToken) throw new TokenRequestError(`${this.who}: token request to ${this.tokenUrl} gave no access token`);
      // MSAL turns expires_in into a date by the system clock, in whole seconds; the lifetime is that
      // date less when we asked, to the nearest 10 s: a slow answer (a busy machine) or MSAL's
      // truncation must not make a 600 s token read as 601 s. The refresh margin (10 %, at least
      // 6 s) covers the rounding.
      const lifetimeS = result.expiresOn ? Math.max(60, Math.round((result.expiresOn.getTime() - startedAt) / 10_000) * 10) : 600;
      return { accessToken: result.accessToken, expiresInSeconds: lifetimeS };
    } catch (error) {
      throw this.explain(error);
    }
  }

  private explain(error: unknown): TokenRequestError {
    if (error instanceof TokenRequestError) return error;
    const secret = this.o.credential.kind === 'secret' ? this.o.credential.secret : undefined;
    const scrub = (t: string) => (secret && secret.length >= 4 ? t.split(secret).join('[redacted]') : t);
    if (error instanceof AuthError) {
      // Entra's description starts "AADSTS700016: Application with identifier … was not found …"; MSAL wraps it.
      const aadsts = /AADSTS\d+:[^\r\n]*/.exec(error.errorMessage)?.[0];
      const status = (error as AuthError & { status?: number }).status;
      const first = firstLine(error.errorMessage);
      const detail = aadsts ?? (first === '' ? error.errorCode : first);
      return new TokenRequestError(
        scrub(`${this.who}: token request to ${this.tokenUrl} failed: ${status ? `HTTP ${status} ` : ''}${error.errorCode}: ${detail.slice(0, 500)}`),
        status,
        error.errorCode,
      );
    }
    const e = error as Error & { cause?: { message?: string } };
    return new TokenRequestError(
      scrub(`${this.who}: token request to ${this.tokenUrl} failed: ${e.message}${e.cause?.message ? ` (${e.cause.message})` : ''}`),
    );
  }
}

/** The AADSTS number in a token error, if Entra gave one (`AADSTS700027` → 700027). */
export function aadstsCode(error: unknown): number | undefined {
  const m = /AADSTS(\d+)/.exec(errorMessage(error) ?? '');
  return m ? Number(m[1]) : undefined;
}
