import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../orm.js';
import { CaseRepository } from './case-repository.js';
import { FoldedNoticeRepository } from './folded-notice-repository.js';
import { GraphDeltaRepository } from './graph-delta-repository.js';
import { MailboxStateRepository } from './mailbox-state-repository.js';
import { MessageRepository } from './message-repository.js';
import { OrganisationRepository } from './organisation-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { RetentionRepository } from './retention-repository.js';
import { SenderConfirmationRepository } from './sender-confirmation-repository.js';
import { WebActionRepository } from './web-action-repository.js';
import { WebSessionRepository } from './web-session-repository.js';

export {
  CaseRepository,
  GraphDeltaRepository,
  MailboxStateRepository,
  MessageRepository,
  OrganisationRepository,
  OutboxRepository,
  RetentionRepository,
  SenderConfirmationRepository,
  WebActionRepository,
  WebSessionRepository,
};
export type { CaseFilter, PlainRow } from './case-repository.js';
export { bundleMark } from './outbox-repository.js';
export type { FollowUp, NewOutboxRow, ResendRow } from './outbox-repository.js';
export type { MessageVerdict, NewMessage, PendingMessage } from './message-repository.js';

/**
 * The repositories over one EntityManager: one unit of work (one identity map), for one job, one
 * command or one transaction. `Repositories.open(orm)` forks a fresh one; `transaction` runs a
 * function on repositories bound to a new transaction (committed when it returns).
 */
export class Repositories {
  readonly cases: CaseRepository;
  readonly outbox: OutboxRepository;
  readonly messages: MessageRepository;
  readonly mailboxes: MailboxStateRepository;
  readonly organisations: OrganisationRepository;
  readonly retention: RetentionRepository;
  readonly confirmations: SenderConfirmationRepository;
  readonly folded: FoldedNoticeRepository;
  readonly graphDelta: GraphDeltaRepository;
  readonly webSessions: WebSessionRepository;
  readonly webActions: WebActionRepository;

  constructor(readonly em: EntityManager) {
    this.cases = new CaseRepository(em);
    this.outbox = new OutboxRepository(em);
    this.messages = new MessageRepository(em);
    this.mailboxes = new MailboxStateRepository(em);
    this.organisations = new OrganisationRepository(em);
    this.retention = new RetentionRepository(em);
    this.confirmations = new SenderConfirmationRepository(em);
    this.folded = new FoldedNoticeRepository(em);
    this.graphDelta = new GraphDeltaRepository(em);
    this.webSessions = new WebSessionRepository(em);
    this.webActions = new WebActionRepository(em);
  }

  /** A request-scoped unit of work: its own EntityManager, forked from the ORM (never the global one). */
  static open(orm: Orm): Repositories {
    return new Repositories(orm.em.fork());
  }

  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.em.transactional((em) => fn(new Repositories(em)));
  }

  /** Writes what was created or changed through the ORM (new rows, events, a case's new state). */
  flush(): Promise<void> {
    return this.em.flush();
  }
}
