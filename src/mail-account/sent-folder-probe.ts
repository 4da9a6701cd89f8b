import type { ImapFlow } from 'imapflow';
import type { Logger } from '../lib/logger.js';
import type { DeliveryEvidence } from '../runtime/delivery-evidence.js';
import { ImapAccount, type ImapAccountSettings } from './imap-account.js';

export interface SentFolderProbeOptions extends ImapAccountSettings {
  folder: string;
  logger: Logger;
}

/** Looks for a mail abandoned mid-send in the account's Sent folder (see src/runtime/delivery-evidence.ts). */
export class SentFolderProbe {
  private readonly account: ImapAccount;

  constructor(private readonly o: SentFolderProbeOptions) {
    this.account = new ImapAccount(o);
  }

  /**
   * `copies`: how many messages with this Message-ID the folder must hold to count as found (more
   * than one for a follow-up, whose Message-ID the server also filed for the submissions before it).
   */
  async lookFor(messageId: string, copies = 1): Promise<DeliveryEvidence> {
    let client: ImapFlow | undefined;
    try {
      client = await this.account.connect({ setup: (c) => c.on('error', () => undefined) });
      const box = await client.mailboxOpen(this.o.folder, { readOnly: true });
      if (box.exists === 0) return 'not-found';
      const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
      return Array.isArray(found) && found.length >= Math.max(1, copies) ? 'found' : 'not-found';
    } catch (error) {
      this.o.logger.warn({ folder: this.o.folder, err: error }, 'could not read the server’s Sent folder');
      return 'unknown';
    } finally {
      await client?.logout().catch(() => client?.close());
    }
  }
}
