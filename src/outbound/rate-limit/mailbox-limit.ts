import type { OrganisationConfig } from '../../config/config-schema.js';
import type { SendRateLimiter } from '../../runtime/send-rate-limiter.js';

/**
 * Which account's send limit an organisation's mail counts against: the SMTP login when there is
 * one (Exchange Online counts per authenticated mailbox), the Graph mailbox, else the
 * organisation's address. Null when nothing is limited: the file transport, or
 * `rateLimitPerMinute: 0`.
 */
export function mailboxLimit(org: OrganisationConfig): { mailbox: string; perMinute: number } | null {
  const box = org.mailbox;
  if (box.transport === 'graph') {
    // Exchange counts per mailbox whatever the protocol: the Graph mailbox shares SMTP's key.
    return box.graph.rateLimitPerMinute > 0 ? { mailbox: (box.graph.user ?? box.address).toLowerCase(), perMinute: box.graph.rateLimitPerMinute } : null;
  }
  const out = box.outbound;
  if (out.type !== 'smtp' || out.rateLimitPerMinute <= 0) return null;
  const login = out.auth?.user;
  const mailbox = login ? (login.includes('@') ? login : `${login}@${out.host}`) : org.mailbox.address;
  return { mailbox: mailbox.toLowerCase(), perMinute: out.rateLimitPerMinute };
}

/**
 * Takes a send slot for the organisation's mailbox: null if the mail may go now, else when it may
 * (that slot is then kept for `holder`, one attempt of one mail, until it comes back for it).
 */
export async function reserveSendSlot(limiter: SendRateLimiter | undefined, org: OrganisationConfig, holder: string): Promise<Date | null> {
  const limit = limiter ? mailboxLimit(org) : null;
  if (!limiter || !limit) return null;
  const decision = await limiter.acquire(limit.mailbox, limit.perMinute, holder);
  return decision.allowed ? null : decision.retryAt;
}
