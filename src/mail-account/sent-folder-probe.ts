import { ImapFlow } from 'imapflow';
import type { MailAuthConfig } from '../config/config-schema.js';
import type { Logger } from '../lib/logger.js';
import type { DeliveryEvidence } from '../runtime/delivery-evidence.js';
import type { AccessTokenProvider } from './oauth/access-token-provider.js';

export interface SentFolderProbeOptions {
  host: string;
  port: number;
  secure: boolean;
  tlsRejectUnauthorized: boolean;
  auth: MailAuthConfig;
  tokens?: AccessTokenProvider;
  folder: string;
  logger: Logger;
}

/** Looks for a mail abandoned mid-send in the account's Sent folder (see src/runtime/delivery-evidence.ts). */
export class SentFolderProbe {
  constructor(private readonly o: SentFolderProbeOptions) {}

  /**
   * `copies`: how many messages with this Message-ID the folder must hold to count as found (more
   * than one for a follow-up, whose Message-ID the server also filed for the submissions before it).
   */
  async lookFor(messageId: string, copies = 1): Promise<DeliveryEvidence> {
    let client: ImapFlow | undefined;
    try {
      client = await this.connect();
      const box = await client.mailboxOpen(this.o.folder, { readOnly: true });
      if (box.exists === 0) return 'not-found';
      const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
      return Array.isArray(found) && found.length >= Math.max(1, copies) ? 'found' : 'not-found';
    } catch (error) {
      this.o.logger.warn({ folder: this.o.folder, err: { message: (error as Error).message } }, 'could not read the server’s Sent folder');
      return 'unknown';
    } finally {
      await client?.logout().catch(() => client?.close());
    }
  }

  private async connect(): Promise<ImapFlow> {
    const a = this.o.auth;
    let auth: { user: string; pass?: string; accessToken?: string };
    if (a.type === 'password') auth = { user: a.user, pass: a.password };
    else {
      if (!this.o.tokens) throw new Error('OAuth2 configured but no token provider');
      auth = { user: a.user, accessToken: await this.o.tokens.getToken(false) };
    }
    const client = new ImapFlow({
      host: this.o.host,
      port: this.o.port,
      secure: this.o.secure,
      auth,
      logger: false,
      tls: { rejectUnauthorized: this.o.tlsRejectUnauthorized },
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }
}
