/** How a chased recipient's reply reads: what the case does with it (see apply-reply.ts). */
export const REPLY_CLASSES = ['resolved', 'promise', 'acknowledged', 'disputed', 'other'] as const;
export type ReplyClass = (typeof REPLY_CLASSES)[number];
