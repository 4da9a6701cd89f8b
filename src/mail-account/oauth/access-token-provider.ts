/** Gives a current OAuth2 access token (Microsoft 365, Google Workspace), refreshing before expiry. */
export interface AccessTokenProvider {
  /**
   * The cached token while it is comfortably valid, otherwise a new one. `forceRefresh` asks the
   * issuer for a new token even if the cached one looks valid (the server just rejected it).
   */
  getToken(forceRefresh?: boolean): Promise<string>;
}

/**
 * A token endpoint refused, or could not be reached. The message names the tenant or account and
 * the client, and the issuer's error code and description; it never contains the secret.
 */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  constructor(
    message: string,
    /** HTTP status, when the endpoint answered. */
    readonly status?: number,
    /** The OAuth2 `error` field (`invalid_client`, `unauthorized_client` …). */
    readonly errorCode?: string,
  ) {
    super(message);
  }
}
