import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { AccessTokenProvider } from './access-token-provider.js';

/** What a token endpoint gave us. */
export interface IssuedToken {
  accessToken: string;
  /** Lifetime from the moment of issue, in seconds (`expires_in`). */
  expiresInSeconds: number;
}

/** Refresh this long before expiry: 10% of the lifetime, at most 5 minutes. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(5 * 60_000, Math.floor(lifetimeMs / 10));
}

interface Cached {
  token: string;
  expiresAt: number;
  refreshAt: number;
}

/**
 * Caching and refresh shared by the Microsoft and Google providers. The token is reused until a
 * safety margin before it expires (times from the injected clock); concurrent callers share one
 * request to the issuer. If a routine refresh fails while the current token is still valid, the
 * current token is used (and the failure logged); a forced refresh never falls back.
 */
export abstract class RefreshingTokenProvider implements AccessTokenProvider {
  private cached: Cached | undefined;
  private inFlight: Promise<string> | undefined;

  protected constructor(
    protected readonly clock: Clock,
    protected readonly logger?: Logger,
  ) {}

  /** Asks the issuer for a new token. */
  protected abstract requestToken(): Promise<IssuedToken>;

  /** Who the tokens are for, for log lines (never a secret). */
  protected abstract describe(): Record<string, string>;

  getToken(forceRefresh = false): Promise<string> {
    const cached = this.cached;
    if (!forceRefresh && cached && this.clock.now().getTime() < cached.refreshAt) return Promise.resolve(cached.token);
    // A forced refresh joins a request already under way: that one brings a new token too.
    this.inFlight ??= this.refresh(forceRefresh).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(forced: boolean): Promise<string> {
    // Lifetimes count from before the request, so network time only makes us refresh earlier.
    const startedAt = this.clock.now().getTime();
    try {
      const issued = await this.requestToken();
      const lifetimeMs = issued.expiresInSeconds * 1000;
      const expiresAt = startedAt + lifetimeMs;
      this.cached = { token: issued.accessToken, expiresAt, refreshAt: expiresAt - refreshMarginMs(lifetimeMs) };
      this.logger?.debug({ ...this.describe(), expiresAt: new Date(expiresAt).toISOString(), forced }, 'OAuth2 access token issued');
      return issued.accessToken;
    } catch (error) {
      const cached = this.cached;
      if (!forced && cached && this.clock.now().getTime() < cached.expiresAt) {
        this.logger?.warn(
          { ...this.describe(), expiresAt: new Date(cached.expiresAt).toISOString(), err: error },
          'OAuth2 token refresh failed; using the current token until it expires',
        );
        return cached.token;
      }
      throw error;
    }
  }
}
