import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { RefreshingTokenProvider, type IssuedToken } from './refreshing-token-provider.js';
import { requestToken, type FetchLike } from './token-endpoint.js';

/** Exchange Online's IMAP and SMTP resource; `.default` means "the application permissions granted". */
export const MICROSOFT_OUTLOOK_SCOPE = 'https://outlook.office365.com/.default';

export function microsoftTokenUrl(tenantId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

export interface ClientCredentialsOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Defaults to https://outlook.office365.com/.default. */
  scope?: string;
  /** Defaults to the global Microsoft identity platform v2 endpoint for the tenant. */
  tokenUrl?: string;
  clock: Clock;
  logger?: Logger;
  fetch?: FetchLike;
  timeoutMs?: number;
}

/**
 * Microsoft identity platform v2 client-credentials grant: the app's own token (no user), which
 * Exchange Online accepts for IMAP and SMTP once the app has IMAP.AccessAsApp / SMTP.SendAsApp,
 * a service principal in Exchange, and permission on the mailbox (docs/microsoft-365.md).
 */
export class ClientCredentialsTokenProvider extends RefreshingTokenProvider {
  private readonly url: string;
  private readonly scope: string;

  constructor(private readonly o: ClientCredentialsOptions) {
    super(o.clock, o.logger);
    this.url = o.tokenUrl ?? microsoftTokenUrl(o.tenantId);
    this.scope = o.scope ?? MICROSOFT_OUTLOOK_SCOPE;
  }

  protected describe(): Record<string, string> {
    return { provider: 'microsoft', tenant: this.o.tenantId, client: this.o.clientId };
  }

  protected requestToken(): Promise<IssuedToken> {
    return requestToken({
      url: this.url,
      form: { client_id: this.o.clientId, client_secret: this.o.clientSecret, scope: this.scope, grant_type: 'client_credentials' },
      who: `Microsoft 365 tenant ${this.o.tenantId}, client ${this.o.clientId}`,
      secrets: [this.o.clientSecret],
      fetch: this.o.fetch ?? globalThis.fetch,
      timeoutMs: this.o.timeoutMs ?? 15_000,
    });
  }
}
