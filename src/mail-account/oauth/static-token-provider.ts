import type { AccessTokenProvider } from './access-token-provider.js';

/**
 * A token supplied from outside (a test, or a sidecar that refreshes it into the environment).
 * It cannot be renewed: a forced refresh gives the same token back.
 */
export class StaticTokenProvider implements AccessTokenProvider {
  constructor(private readonly token: string) {
    if (!token) throw new Error('a static OAuth2 provider needs an access token');
  }

  getToken(): Promise<string> {
    return Promise.resolve(this.token);
  }
}
