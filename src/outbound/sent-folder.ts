import type { ImapFlow } from 'imapflow';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { ImapAccount, type ImapAccountSettings } from '../mail-account/imap-account.js';

export interface SentFolderOptions extends ImapAccountSettings {
  /** The folder sent mail is appended to (created if missing). */
  folder: string;
  logger: Logger;
  /** Dates each copy (the IMAP internal date) with the moment it was sent; the server's time otherwise. */
  clock?: Clock;
  /** Copies waiting beyond this are dropped (and logged) rather than held in memory. */
  maxQueued?: number;
}

interface Pending {
  raw: Buffer;
  sentAt?: Date;
}

const messageIdOf = (raw: Buffer): string | undefined => /^Message-ID:\s*(<[^>]+>)/im.exec(raw.subarray(0, 64 * 1024).toString('latin1'))?.[1];

/**
 * Keeps a copy of each sent message in the mailbox's Sent folder, flagged \Seen, so people who
 * open the mailbox see what the service sent. Copies queue in memory and go over one short-lived
 * IMAP connection per batch. Best effort: a failure is logged and never fails the send.
 */
export class SentFolder {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private folderReady = false;
  private readonly account: ImapAccount;

  constructor(private readonly o: SentFolderOptions) {
    this.account = new ImapAccount(o);
  }

  get folder(): string {
    return this.o.folder;
  }

  /** Queues a copy; returns at once. */
  enqueue(raw: Buffer): void {
    if (this.queue.length >= (this.o.maxQueued ?? 1000)) {
      this.o.logger.warn({ folder: this.o.folder, messageId: messageIdOf(raw) }, 'too many sent copies waiting; this one is not kept in the Sent folder');
      return;
    }
    this.queue.push({ raw, ...(this.o.clock ? { sentAt: this.o.clock.now() } : {}) });
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves once every copy queued so far was appended or given up on. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      let client: ImapFlow;
      try {
        client = await this.connect();
      } catch (error) {
        const dropped = this.queue.splice(0);
        this.o.logger.warn(
          { folder: this.o.folder, host: this.o.host, messages: dropped.map((p) => messageIdOf(p.raw)), err: error },
          'could not log in to IMAP to keep sent mail; these copies are not in the Sent folder',
        );
        return;
      }
      try {
        if (!this.folderReady) {
          // ALREADYEXISTS comes back as created: false; other refusals show up on APPEND.
          await client.mailboxCreate(this.o.folder).catch(() => undefined);
          this.folderReady = true;
        }
        for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
          try {
            await client.append(this.o.folder, item.raw, ['\\Seen'], item.sentAt);
          } catch (error) {
            this.o.logger.warn({ folder: this.o.folder, messageId: messageIdOf(item.raw), err: error }, 'could not append sent mail to the Sent folder');
          }
        }
      } finally {
        await client.logout().catch(() => {
          client.close();
        });
      }
    }
  }

  /** Logs in; an OAuth2 login the server refuses is tried once more with a fresh token. */
  private connect(): Promise<ImapFlow> {
    return this.account.connect({
      retryRefusedToken: true,
      setup: (client) =>
        client.on('error', (err: Error) => {
          this.o.logger.warn({ folder: this.o.folder, err: err }, 'IMAP error while keeping sent mail');
        }),
    });
  }
}
