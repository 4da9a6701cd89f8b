/**
 * How a chased recipient's reply reads: what the case does with it (see apply-reply.ts).
 * - `resolved`: the thing asked for is here or has been sent.
 * - `promise`: a commitment to a date (`promiseDate`).
 * - `acknowledged`: received, in hand, conditional, or a date already past.
 * - `disputed`: not owed, not late, or not theirs to do.
 * - `redirected`: someone else now holds it (`redirectTo`: the new contact's address, when given).
 * - `secure-message`: the content is behind a secure-mail link (`secureService`: Egress, Purview, …).
 * - `other`: anything else, shown to the RM.
 */
export const REPLY_CLASSES = ['resolved', 'promise', 'acknowledged', 'disputed', 'redirected', 'secure-message', 'other'] as const;
export type ReplyClass = (typeof REPLY_CLASSES)[number];
