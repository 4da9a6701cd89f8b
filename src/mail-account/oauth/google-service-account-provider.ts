import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { TokenRequestError } from './access-token-provider.js';
import { RefreshingTokenProvider, type IssuedToken } from './refreshing-token-provider.js';
import { requestToken, type FetchLike } from './token-endpoint.js';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** Full IMAP and SMTP access to Gmail. */
export const GOOGLE_MAIL_SCOPE = 'https://mail.google.com/';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google issues tokens for at most an hour, and wants assertions that expire within one. */
const ASSERTION_LIFETIME_S = 3600;

export interface GoogleServiceAccountOptions {
  /** The service account's e-mail (`client_email` in its JSON key). */
  serviceAccountEmail: string;
  /** The service account's PEM private key (`private_key`); `\n` escapes are accepted. */
  privateKey: string;
  /** The Workspace mailbox to act as (domain-wide delegation). */
  user: string;
  scope?: string;
  tokenUrl?: string;
  clock: Clock;
  logger?: Logger;
  fetch?: FetchLike;
  timeoutMs?: number;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Google Workspace service account with domain-wide delegation: an RS256-signed JWT (iss = the
 * service account, sub = the mailbox) exchanged at the token endpoint with the JWT bearer grant.
 */
export class GoogleServiceAccountTokenProvider extends RefreshingTokenProvider {
  private readonly key: KeyObject;
  private readonly url: string;
  private readonly scope: string;

  constructor(private readonly o: GoogleServiceAccountOptions) {
    super(o.clock, o.logger);
    try {
      // Keys pasted into environment variables usually arrive with literal "\n".
      this.key = createPrivateKey(o.privateKey.replace(/\\n/g, '\n'));
    } catch (error) {
      throw new Error(`Google service account ${o.serviceAccountEmail}: the private key is not a readable PEM key (${(error as Error).message})`);
    }
    this.url = o.tokenUrl ?? GOOGLE_TOKEN_URL;
    this.scope = o.scope ?? GOOGLE_MAIL_SCOPE;
  }

  protected describe(): Record<string, string> {
    return { provider: 'google', serviceAccount: this.o.serviceAccountEmail, user: this.o.user };
  }

  /** The signed assertion for the token request (exposed for tests). */
  assertion(): string {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
    const claims = base64url(
      JSON.stringify({ iss: this.o.serviceAccountEmail, sub: this.o.user, scope: this.scope, aud: this.url, iat, exp: iat + ASSERTION_LIFETIME_S }),
    );
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), this.key);
    return `${header}.${claims}.${base64url(signature)}`;
  }

  protected async requestToken(): Promise<IssuedToken> {
    const assertion = this.assertion();
    try {
      return await requestToken({
        url: this.url,
        form: { grant_type: JWT_BEARER, assertion },
        who: `Google service account ${this.o.serviceAccountEmail} acting as ${this.o.user}`,
        secrets: [assertion],
        fetch: this.o.fetch ?? globalThis.fetch,
        timeoutMs: this.o.timeoutMs ?? 15_000,
      });
    } catch (error) {
      // Google's wording for a missing delegation does not say what to fix.
      if (error instanceof TokenRequestError && error.errorCode === 'unauthorized_client') {
        throw new TokenRequestError(
          `${error.message} — check domain-wide delegation for this service account's client ID with scope ${this.scope} (docs/google-workspace.md)`,
          error.status,
          error.errorCode,
        );
      }
      throw error;
    }
  }
}
