import { CaseEvent } from './case-event.entity.js';
import { CaseRefCounter } from './case-ref-counter.entity.js';
import { Case } from './case.entity.js';
import { MailboxState } from './mailbox-state.entity.js';
import { Message } from './message.entity.js';
import { Organisation } from './organisation.entity.js';
import { OutboxMail } from './outbox-mail.entity.js';

export { Case, CaseEvent, CaseRefCounter, MailboxState, Message, Organisation, OutboxMail };

export const ENTITIES = [Organisation, Case, Message, CaseEvent, OutboxMail, MailboxState, CaseRefCounter];
