import type { InferEntity } from '@mikro-orm/core';
import type { Case, CaseEvent, MailboxState, Message, OutboxMail } from './index.js';

export type CaseRow = InferEntity<typeof Case>;
export type MessageRow = InferEntity<typeof Message>;
export type CaseEventRow = InferEntity<typeof CaseEvent>;
export type OutboxRow = InferEntity<typeof OutboxMail>;
export type MailboxStateRow = InferEntity<typeof MailboxState>;
