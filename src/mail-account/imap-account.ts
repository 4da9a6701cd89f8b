import { ImapFlow } from 'imapflow';
import type { MailAuthConfig } from '../config/config-schema.js';
import type { AccessTokenProvider } from './oauth/access-token-provider.js';

/** Where and how to log in to a mail account over IMAP (the organisation's `inbound` block, and its token provider). */
export interface ImapAccountSettings {
  host: string;
  port: number;
  secure: boolean;
  tlsRejectUnauthorized: boolean;
  auth: MailAuthConfig;
  /** Needed when `auth` is OAuth2. */
  tokens?: AccessTokenProvider;
}

export interface ImapConnectOptions {
  /** Called on the new client before it connects: attach listeners here (`error` at least; imapflow throws an unheard one). */
  setup(client: ImapFlow): void;
  /** An OAuth2 login the server refuses is tried once more at once with a fresh token (else the next connect asks for one). */
  retryRefusedToken?: boolean;
  /** imapflow's delay before it starts IDLE when nothing is running (the watcher's wake-up latency). */
  autoIdleDelayMs?: number;
}

/**
 * One IMAP login for everything that reads or writes the account: the inbox watcher, the copy of
 * sent mail kept in the Sent folder, and the Sent-folder check for a mail abandoned mid-send.
 * imapflow never reconnects, so each use asks for a new connected client. An OAuth2 token the
 * server refused is not offered again: the next login asks the issuer for a new one.
 */
export class ImapAccount {
  private tokenRefused = false;

  constructor(readonly settings: ImapAccountSettings) {}

  get host(): string {
    return this.settings.host;
  }

  async connect(options: ImapConnectOptions): Promise<ImapFlow> {
    try {
      return await this.login(options);
    } catch (error) {
      if (!options.retryRefusedToken || !this.tokenRefused) throw error;
      return this.login(options);
    }
  }

  private async login(options: ImapConnectOptions): Promise<ImapFlow> {
    const s = this.settings;
    const client = new ImapFlow({
      host: s.host,
      port: s.port,
      secure: s.secure,
      auth: await this.credentials(),
      logger: false,
      ...(options.autoIdleDelayMs !== undefined ? { autoIdleDelay: options.autoIdleDelayMs } : {}),
      tls: { rejectUnauthorized: s.tlsRejectUnauthorized },
    });
    options.setup(client);
    try {
      await client.connect();
    } catch (error) {
      if (s.auth.type === 'oauth2' && (error as { authenticationFailed?: boolean }).authenticationFailed) this.tokenRefused = true;
      throw error;
    }
    return client;
  }

  private async credentials(): Promise<{ user: string; pass?: string; accessToken?: string }> {
    const a = this.settings.auth;
    if (a.type === 'password') return { user: a.user, pass: a.password };
    if (!this.settings.tokens) throw new Error('OAuth2 configured but no token provider');
    const accessToken = await this.settings.tokens.getToken(this.tokenRefused);
    this.tokenRefused = false;
    return { user: a.user, accessToken };
  }
}
