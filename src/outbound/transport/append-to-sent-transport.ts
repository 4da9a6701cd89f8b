import type { SentFolder } from '../sent-folder.js';
import type { MailTransport, SendResult } from '../../runtime/mail-transport.js';

/** How long closing waits for copies still on their way to the Sent folder. */
const FLUSH_ON_CLOSE_MS = 10_000;

/** Sends through another transport, then queues a copy for the mailbox's Sent folder. */
export class AppendToSentTransport implements MailTransport {
  readonly name: string;

  constructor(
    private readonly inner: MailTransport,
    readonly sent: SentFolder,
  ) {
    this.name = inner.name;
  }

  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SendResult> {
    const result = await this.inner.send(envelope, raw);
    // Queued, not awaited: the send is done, and the Sent copy must never hold it up or fail it.
    this.sent.enqueue(raw);
    return result;
  }

  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.sent.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_ON_CLOSE_MS)))]);
    clearTimeout(timer);
    await this.inner.close();
  }
}
