/**
 * Did the SMTP server accept a message whose sender died before it could record the answer?
 * SMTP itself cannot say (RFC 1047): a worker killed between the server's 250 and our update
 * leaves a row in `sending` that, sent again, would arrive twice. Some servers keep their own
 * record: Exchange Online and Gmail file every message submitted by a mailbox in that mailbox's
 * Sent folder. Where one is configured (`outbound.serverSentFolder`), a mail abandoned mid-send is
 * looked for there, by its Message-ID, before it is sent again.
 *
 * - `found`: the server has it; it is recorded as sent, not sent again.
 * - `not-found`: the server never accepted it; it is sent.
 * - `unknown`: the folder could not be read now; the caller waits and asks again.
 */
export type DeliveryEvidence = 'found' | 'not-found' | 'unknown';
