import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailTransport, SendResult } from '../../runtime/mail-transport.js';

/**
 * Local development: every "sent" message is written as an .eml file you can open in a mail
 * client, so the service runs end to end without any mail account.
 */
export class FileTransport implements MailTransport {
  readonly name = 'file';
  private counter = 0;

  constructor(private readonly dir: string) {}

  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SendResult> {
    await mkdir(this.dir, { recursive: true });
    const id = /^Message-ID:\s*<([^>]+)>/im.exec(raw.toString('latin1'))?.[1] ?? `mail-${Date.now()}`;
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++this.counter).padStart(4, '0')}-${id.replace(/[^A-Za-z0-9.-]/g, '_')}.eml`;
    const envelopeHeader = `X-Envelope-From: ${envelope.from}\r\nX-Envelope-To: ${envelope.to.join(', ')}\r\n`;
    await writeFile(join(this.dir, name), Buffer.concat([Buffer.from(envelopeHeader), raw]));
    return { accepted: envelope.to, rejected: [], response: `250 written to ${name}` };
  }

  close(): Promise<void> {
    // Each mail is written and closed as it goes: nothing is held open.
    return Promise.resolve();
  }
}
