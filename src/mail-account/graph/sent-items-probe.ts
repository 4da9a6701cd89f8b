import type { Logger } from '../../lib/logger.js';
import type { DeliveryEvidence } from '../../runtime/delivery-evidence.js';
import type { GraphClient } from './graph-client.js';
import { sentItemsWith } from './graph-mail.js';

/**
 * "Did it go?" for a Graph mailbox: Exchange files every message sent through sendMail in Sent
 * Items, so a mail abandoned mid-send is looked for there by its Message-ID
 * (`$filter=internetMessageId eq '…'`), as the IMAP Sent-folder check does for SMTP.
 */
export class SentItemsProbe {
  constructor(
    private readonly client: GraphClient,
    private readonly logger: Logger,
  ) {}

  async lookFor(messageId: string, copies = 1): Promise<DeliveryEvidence> {
    try {
      return (await sentItemsWith(this.client, messageId)) >= Math.max(1, copies) ? 'found' : 'not-found';
    } catch (error) {
      this.logger.warn({ mailbox: this.client.user, err: error }, 'could not read Sent Items through Microsoft Graph');
      return 'unknown';
    }
  }
}
