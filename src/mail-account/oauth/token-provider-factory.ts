import { createHash } from 'node:crypto';
import type { MailAuthConfig } from '../../config/config-schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { AccessTokenProvider } from './access-token-provider.js';
import { ClientCredentialsTokenProvider } from './client-credentials-provider.js';
import { GoogleServiceAccountTokenProvider } from './google-service-account-provider.js';
import { StaticTokenProvider } from './static-token-provider.js';
import type { FetchLike } from './token-endpoint.js';

export type OAuth2AuthConfig = Extract<MailAuthConfig, { type: 'oauth2' }>;

export interface TokenProviderOptions {
  clock: Clock;
  logger?: Logger;
  fetch?: FetchLike;
  timeoutMs?: number;
}

const required = (auth: OAuth2AuthConfig, key: keyof OAuth2AuthConfig): string => {
  const value = auth[key];
  if (typeof value !== 'string' || !value) throw new Error(`OAuth2 provider ${auth.provider} for ${auth.user} needs ${key}`);
  return value;
};

/** Builds the token provider an `auth: { type: oauth2 }` block describes. */
export function createTokenProvider(auth: OAuth2AuthConfig, opts: TokenProviderOptions): AccessTokenProvider {
  const common = {
    clock: opts.clock,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(auth.tokenUrl ? { tokenUrl: auth.tokenUrl } : {}),
    ...(auth.scope ? { scope: auth.scope } : {}),
  };
  switch (auth.provider) {
    case 'microsoft':
      return new ClientCredentialsTokenProvider({
        ...common,
        tenantId: required(auth, 'tenantId'),
        clientId: required(auth, 'clientId'),
        clientSecret: required(auth, 'clientSecret'),
      });
    case 'google':
      return new GoogleServiceAccountTokenProvider({
        ...common,
        serviceAccountEmail: required(auth, 'serviceAccountEmail'),
        privateKey: required(auth, 'privateKey'),
        user: auth.user,
      });
    case 'static':
      return new StaticTokenProvider(required(auth, 'accessToken'));
  }
}

/**
 * Two auth blocks get the same provider when they would get the same tokens: a Microsoft app's
 * client-credentials token is not tied to a mailbox (so IMAP and SMTP, or several mailboxes of one
 * app, share it); a Google token is the delegated user's. Hashed so the map holds no secrets.
 */
export function tokenProviderKey(auth: OAuth2AuthConfig): string {
  const identity =
    auth.provider === 'microsoft'
      ? [auth.provider, auth.tenantId, auth.clientId, auth.clientSecret, auth.tokenUrl, auth.scope]
      : auth.provider === 'google'
        ? [auth.provider, auth.serviceAccountEmail, auth.privateKey, auth.user, auth.tokenUrl, auth.scope]
        : [auth.provider, auth.accessToken];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** One provider per distinct OAuth2 configuration, shared by every transport and watcher using it. */
export class TokenProviders {
  private readonly providers = new Map<string, AccessTokenProvider>();

  constructor(private readonly opts: TokenProviderOptions) {}

  /** The provider for an auth block; undefined for password auth or none. */
  forAuth(auth: MailAuthConfig | undefined): AccessTokenProvider | undefined {
    if (auth?.type !== 'oauth2') return undefined;
    const key = tokenProviderKey(auth);
    let provider = this.providers.get(key);
    if (!provider) {
      provider = createTokenProvider(auth, this.opts);
      this.providers.set(key, provider);
    }
    return provider;
  }
}
