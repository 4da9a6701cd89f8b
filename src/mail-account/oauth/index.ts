export { TokenRequestError, type AccessTokenProvider } from './access-token-provider.js';
export { ClientCredentialsTokenProvider, MICROSOFT_OUTLOOK_SCOPE, microsoftTokenUrl, type ClientCredentialsOptions } from './client-credentials-provider.js';
export { GoogleServiceAccountTokenProvider, GOOGLE_MAIL_SCOPE, GOOGLE_TOKEN_URL, type GoogleServiceAccountOptions } from './google-service-account-provider.js';
export { refreshMarginMs } from './refreshing-token-provider.js';
export { StaticTokenProvider } from './static-token-provider.js';
export { createTokenProvider, tokenProviderKey, TokenProviders, type OAuth2AuthConfig, type TokenProviderOptions } from './token-provider-factory.js';
