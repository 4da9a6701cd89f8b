import type { DovecotServer } from '../../test/support/dovecot.js';

/** Deletes every message in the bench user's INBOX (each scenario starts with an empty mailbox). */
export async function emptyInbox(dovecot: DovecotServer): Promise<void> {
  const client = await dovecot.connect('escalations');
  try {
    const box = await client.mailboxOpen('INBOX');
    if (box.exists > 0) await client.messageDelete('1:*');
  } finally {
    await client.logout().catch(() => undefined);
  }
}
