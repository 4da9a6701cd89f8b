import * as client from 'openid-client';
import type { WebConfig } from '../config/config-schema.js';
import { must } from '../lib/must.js';
import type { WebUser } from './access.js';

/** What the sign-in keeps in the session between leaving for the provider and coming back. */
export interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

/** Plain http is allowed for an issuer on this machine only (tests, a local provider); never across a network. */
function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * The organisation's OpenID Connect provider, through openid-client: authorization code with
 * PKCE (S256), state and nonce checked on the way back. Discovery happens on first use and is
 * kept; a failure is tried again on the next sign-in.
 */
export class OidcClient {
  private config: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: WebConfig['oidc'],
    private readonly redirectUri: string,
  ) {}

  private configuration(): Promise<client.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.settings.issuer);
      const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
      this.config = client
        .discovery(
          issuer,
          this.settings.clientId,
          this.settings.clientSecret,
          undefined,
          // openid-client marks this deprecated only so that it stands out; it is used for a plain-http
          // issuer on this machine (a local test IdP) and nowhere else.
          // eslint-disable-next-line @typescript-eslint/no-deprecated
          insecure ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.config = undefined;
          throw error;
        });
    }
    return this.config;
  }

  async start(returnTo: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const pending = { verifier, state: client.randomState(), nonce: client.randomNonce(), returnTo };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Exchanges the code; the user's groups come from the ID token, else from the userinfo endpoint. */
  async finish(currentUrl: URL, pending: PendingSignIn): Promise<WebUser> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    // idTokenExpected: openid-client has already refused an answer without an ID token.
    let claims: Record<string, unknown> = { ...must(tokens.claims(), 'an ID token from the identity provider') };
    const key = this.settings.groupsClaim;
    if (!(key in claims) || !claims.email) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub as string);
      claims = { ...info, ...claims, ...(key in claims ? {} : { [key]: info[key] }) };
    }
    const groups = claims[key];
    const email = claimText(claims.email) ?? claimText(claims.preferred_username) ?? claimText(claims.upn) ?? '';
    return {
      sub: String(claims.sub),
      email,
      name: claimText(claims.name) ?? email,
      groups: Array.isArray(groups) ? groups.map(String) : typeof groups === 'string' ? [groups] : [],
      emailVerified: claims.email_verified === true || claims.email_verified === 'true',
      ...(typeof claims.hd === 'string' && claims.hd ? { hostedDomain: claims.hd } : {}),
    };
  }
}

/** A claim as text: a string, or a number written out; anything else (an object, a list) is no answer. */
function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
