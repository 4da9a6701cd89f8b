import type { Orm } from '../db/orm.js';
import { Repositories } from '../db/repositories/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { GraphAccount } from '../mail-account/graph/graph-accounts.js';
import { GraphError } from '../mail-account/graph/graph-client.js';
import { deltaPage, fetchMime, folderId, isDeltaReset, moveMessage, setCategories, type DeltaMessage } from '../mail-account/graph/graph-mail.js';
import type { JobScheduler } from '../runtime/job-scheduler.js';
import { MailboxLock } from './mailbox-lock.js';
import { normaliseMessageId } from './parse-message.js';
import { storeInbound } from './store-message.js';

export type GraphWatcherState = 'stopped' | 'waiting-for-lock' | 'syncing' | 'idle' | 'backoff';

export interface GraphWatcherOptions {
  /** The organisation's mailbox address (messages are stored under it, as IMAP mail is). */
  mailbox: string;
  account: GraphAccount;
  orm: Orm;
  databaseUrl: string;
  scheduler: Pick<JobScheduler, 'ingest'>;
  clock: Clock;
  logger: Logger;
  maxMessageBytes: number;
  /** Milliseconds between attempts after a failure grow from this to 60 s. */
  initialBackoffMs?: number;
}

const sleep = (ms: number, signal: AbortSignal, wake: (fn: () => void) => void) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      resolve();
    }
    wake(done);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Reads a mailbox through Microsoft Graph: a delta query on each configured folder, every
 * `pollSeconds`. Each page's new messages are fetched as MIME (`$value`) and stored, with the link
 * to ask next, in one transaction: a crash re-reads at most that page, and the (mailbox,
 * Message-ID) uniqueness makes re-reading harmless. A message already stored (seen again because
 * it changed: a category, read in Outlook, or a full resync) is not fetched again. A delta link
 * Graph no longer knows (410 Gone) starts a full round. Stored messages are categorised or moved,
 * as the IMAP watcher flags or moves them. One watcher per mailbox across all processes (the
 * mailbox's advisory lock).
 */
export class GraphWatcher {
  state: GraphWatcherState = 'stopped';
  lastSyncAt: Date | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private readonly lock: MailboxLock;
  private wakeUp: (() => void) | undefined;
  private readonly polled: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly folderIds = new Map<string, string>();
  private processedFolderId: string | undefined;

  constructor(private readonly o: GraphWatcherOptions) {
    this.lock = new MailboxLock(o.databaseUrl, o.mailbox);
  }

  /** The readiness check's name for this watcher. */
  get key(): string {
    return `${this.o.mailbox}/graph`;
  }

  start(): void {
    this.running ??= this.supervise();
  }

  /** Polls now instead of at the next interval; resolves when a poll that began after this call is done (tests, and a nudge). */
  pollNow(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.polled.push({ resolve, reject });
      this.wakeUp?.();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
    await this.lock.release();
    this.state = 'stopped';
    for (const p of this.polled.splice(0)) p.reject(new Error('watcher stopped'));
  }

  private async supervise(): Promise<void> {
    const signal = this.abort.signal;
    const initial = this.o.initialBackoffMs ?? 1000;
    let backoff = initial;
    const wait = (ms: number) => sleep(ms, signal, (fn) => (this.wakeUp = fn));
    while (!signal.aborted) {
      let pause = this.o.account.config.pollSeconds * 1000;
      const waiting = this.polled.splice(0);
      try {
        if (this.lock.lost) await this.lock.release();
        if (!(this.lock.held || (await this.lock.tryAcquire()))) {
          this.state = 'waiting-for-lock';
          this.polled.unshift(...waiting);
          await wait(5000);
          continue;
        }
        this.state = 'syncing';
        for (const folder of this.o.account.config.folders) await this.syncFolder(folder);
        this.lastSyncAt = this.o.clock.now();
        this.state = 'idle';
        backoff = initial;
        for (const p of waiting) p.resolve();
      } catch (error) {
        for (const p of waiting) p.reject(error as Error);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the signal may be aborted while we awaited; TypeScript keeps the loop test's narrowing
        if (signal.aborted) break;
        this.state = 'backoff';
        if (error instanceof GraphError && error.throttled) {
          // Graph said when to come back; that is not a failure to back off from.
          pause = error.retryAfterMs ?? pause;
          this.o.logger.warn({ mailbox: this.o.mailbox, retryAfterMs: pause }, 'Microsoft Graph is throttling this mailbox; reading again when it asked');
        } else {
          pause = backoff;
          backoff = Math.min(60_000, backoff * 2);
          this.o.logger.warn({ mailbox: this.o.mailbox, err: error }, 'reading the mailbox through Microsoft Graph failed; trying again');
        }
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the signal may be aborted while we awaited; TypeScript keeps the loop test's narrowing
      if (signal.aborted) break;
      if (this.polled.length === 0) await wait(pause);
    }
  }

  private async folderIdOf(folder: string): Promise<string> {
    let id = this.folderIds.get(folder);
    if (!id) {
      id = await folderId(this.o.account.client, folder, false);
      this.folderIds.set(folder, id);
    }
    return id;
  }

  /** One delta round over a folder: from the stored link (or from scratch) to the next delta link. */
  private async syncFolder(folder: string): Promise<void> {
    const key = `${this.o.mailbox}/${folder}`;
    const db = Repositories.open(this.o.orm);
    const positions = db.graphDelta;
    const saved = await positions.find(key);
    let from: { folderId: string } | { link: string } = saved ? { link: saved.link } : { folderId: await this.folderIdOf(folder) };
    let resynced = false;
    for (;;) {
      let page;
      try {
        page = await deltaPage(this.o.account.client, from);
      } catch (error) {
        if (!isDeltaReset(error) || !('link' in from) || resynced) throw error;
        // Graph forgot where we were: read the whole folder again. Stored messages are recognised by
        // Message-ID and neither fetched nor ingested again.
        this.o.logger.warn(
          { mailbox: this.o.mailbox, folder, code: (error as GraphError).code },
          'delta link no longer valid (410 Gone); reading the folder again in full',
        );
        await positions.forget(key);
        resynced = true;
        from = { folderId: await this.folderIdOf(folder) };
        continue;
      }
      const next = page.nextLink ? { link: page.nextLink, kind: 'next' as const } : page.deltaLink ? { link: page.deltaLink, kind: 'delta' as const } : null;
      if (!next) throw new Error(`Graph delta page for ${folder} had neither @odata.nextLink nor @odata.deltaLink`);
      await this.storePage(db, key, page.messages, next);
      if (next.kind === 'delta') return;
      from = { link: next.link };
    }
  }

  private async storePage(db: Repositories, key: string, messages: DeltaMessage[], next: { link: string; kind: 'next' | 'delta' }): Promise<void> {
    const client = this.o.account.client;
    const live = messages.filter((m) => !m['@removed'] && !m.isDraft);
    const idOf = (m: DeltaMessage) => normaliseMessageId(m.internetMessageId);
    const known = await db.graphDelta.storedMessageIds(
      this.o.mailbox,
      live.map(idOf).filter((id): id is string => !!id),
    );
    const copies: { m: DeltaMessage; raw: Buffer | null; size: number }[] = [];
    for (const m of live) {
      const id = idOf(m);
      if (id && known.has(id)) continue;
      try {
        copies.push({ m, ...(await fetchMime(client, m.id, this.o.maxMessageBytes)) });
      } catch (error) {
        // Deleted or moved between the listing and the fetch: nothing to keep.
        if (error instanceof GraphError && error.status === 404) continue;
        throw error;
      }
    }
    const stored = await db.transaction(async (tx) => {
      const results: { id: string; created: boolean }[] = [];
      for (const { m, raw, size } of copies) {
        const received = m.receivedDateTime ? new Date(m.receivedDateTime) : undefined;
        results.push(
          await storeInbound(tx.messages, {
            mailbox: this.o.mailbox,
            raw,
            size,
            source: 'graph',
            receivedAt: this.o.clock.now(),
            ...(received && !Number.isNaN(received.getTime()) ? { internalDate: received } : {}),
            ...(m.internetMessageId ? { messageIdHint: m.internetMessageId } : {}),
          }),
        );
      }
      await tx.graphDelta.save(key, next);
      return results;
    });
    for (const s of stored) if (s.created) await this.o.scheduler.ingest(s.id);
    await this.markProcessed(
      live.filter((m) => {
        const id = idOf(m);
        return !id || known.has(id) || copies.some((c) => c.m.id === m.id);
      }),
    );
  }

  /** Stored already; marking is a courtesy for people who look at the mailbox, so a failure is logged and passed over. */
  private async markProcessed(messages: DeltaMessage[]): Promise<void> {
    const p = this.o.account.config.processed;
    const client = this.o.account.client;
    for (const m of messages) {
      try {
        if (p.action === 'categorise') {
          const categories = m.categories ?? [];
          if (!categories.includes(p.category)) await setCategories(client, m.id, [...categories, p.category]);
        } else {
          this.processedFolderId ??= await folderId(client, p.folder, true);
          await moveMessage(client, m.id, this.processedFolderId);
        }
      } catch (error) {
        this.o.logger.warn({ mailbox: this.o.mailbox, err: error }, 'could not mark a message processed');
      }
    }
  }
}
