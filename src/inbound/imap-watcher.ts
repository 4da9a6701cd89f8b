import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import type { ImapInboundConfig } from '../config/config-schema.js';
import type { Orm } from '../db/orm.js';
import { Repositories } from '../db/repositories/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { ImapAccount } from '../mail-account/imap-account.js';
import type { AccessTokenProvider } from '../mail-account/oauth/access-token-provider.js';
import type { JobScheduler } from '../runtime/job-scheduler.js';
import { MailboxLock } from './mailbox-lock.js';
import { batches } from './fetch-batches.js';
import { storeInboundMany } from './store-message.js';

export type WatcherState = 'stopped' | 'waiting-for-lock' | 'connecting' | 'syncing' | 'idle' | 'backoff';

export interface ImapWatcherOptions {
  mailbox: string;
  settings: ImapInboundConfig;
  tokens?: AccessTokenProvider;
  orm: Orm;
  databaseUrl: string;
  scheduler: Pick<JobScheduler, 'ingest'>;
  clock: Clock;
  logger: Logger;
  maxMessageBytes: number;
  /** Milliseconds between reconnection attempts grow from this to 60 s. */
  initialBackoffMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Watches one mailbox folder with IMAP IDLE. imapflow never reconnects by itself, so a
 * supervising loop builds a new client after every drop, with backoff. New mail is found by
 * UID (never by sequence number); the last UID and UIDVALIDITY are stored in the same
 * transaction as the message, so a crash re-reads at most what was not committed, and the
 * Message-ID uniqueness makes re-reading harmless. A new UIDVALIDITY means a full re-scan.
 */
export class ImapWatcher {
  state: WatcherState = 'stopped';
  lastSyncAt: Date | undefined;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  /** New mail was announced since the last sync began: sync again instead of waiting. */
  private woken = false;
  private client: ImapFlow | undefined;
  private running: Promise<void> | undefined;
  private readonly lock: MailboxLock;
  private readonly key: string;
  private readonly account: ImapAccount;

  constructor(private readonly o: ImapWatcherOptions) {
    this.key = `${o.mailbox}/${o.settings.mailbox}`;
    this.lock = new MailboxLock(o.databaseUrl, this.key);
    this.account = new ImapAccount({ ...o.settings, ...(o.tokens ? { tokens: o.tokens } : {}) });
  }

  start(): void {
    this.running ??= this.supervise();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.client?.logout().catch(() => this.client?.close());
    await this.running;
    await this.lock.release();
    this.state = 'stopped';
  }

  private async supervise(): Promise<void> {
    const signal = this.abort.signal;
    let backoff = this.o.initialBackoffMs ?? 1000;
    while (!signal.aborted) {
      try {
        if (!(await this.ensureLock())) {
          this.state = 'waiting-for-lock';
          await sleep(5000, signal);
          continue;
        }
        await this.session(signal);
        backoff = this.o.initialBackoffMs ?? 1000;
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the signal may be aborted while we awaited; TypeScript keeps the loop test's narrowing
        if (signal.aborted) break;
        this.o.logger.warn({ mailbox: this.key, err: error }, 'IMAP session ended; reconnecting');
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the signal may be aborted while we awaited; TypeScript keeps the loop test's narrowing
      if (signal.aborted) break;
      this.state = 'backoff';
      await sleep(backoff, signal);
      backoff = Math.min(60_000, backoff * 2);
    }
  }

  private async ensureLock(): Promise<boolean> {
    if (this.lock.lost) await this.lock.release();
    return this.lock.held || this.lock.tryAcquire();
  }

  /** One connection's life: connect, sync, then sync again on every wake-up until it drops. */
  private async session(signal: AbortSignal): Promise<void> {
    const s = this.o.settings;
    this.state = 'connecting';
    // Set by the close handler while we await: typed boolean, or TypeScript would read it as always false.
    let closed = false as boolean;
    // A token the server refused is not offered again: the next login (after the backoff) asks for a new one.
    const client = await this.account.connect({
      autoIdleDelayMs: 200,
      setup: (c) => {
        // EXISTS also arrives while we sync (as an untagged answer to FETCH or STORE), when nobody is
        // waiting: it is remembered, or mail delivered during a sync would wait for the next resync.
        c.on('exists', () => {
          this.woken = true;
          this.wake?.();
        });
        c.on('close', () => {
          closed = true;
          this.wake?.();
        });
        c.on('error', (err: Error) => {
          this.o.logger.warn({ mailbox: this.key, err: err }, 'IMAP error');
        });
        this.client = c;
      },
    });
    try {
      while (!signal.aborted && !closed && !this.lock.lost) {
        this.state = 'syncing';
        this.woken = false;
        // The folder stays selected between syncs; the lock is held only while we read, because
        // imapflow starts IDLE (and so hears about new mail) only when no lock is held.
        const lock = await client.getMailboxLock(s.mailbox);
        try {
          await this.sync(client);
        } finally {
          lock.release();
        }
        this.state = 'idle';
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the EXISTS handler sets it while we sync; TypeScript sees only the reset above
        if (this.woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, s.resyncSeconds * 1000);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    } finally {
      if (!closed)
        await client.logout().catch(() => {
          client.close();
        });
      this.client = undefined;
    }
    if (this.lock.lost) throw new Error('lost the mailbox lock (database connection dropped)');
    if (closed && !signal.aborted) throw new Error('connection closed');
  }

  private async sync(client: ImapFlow): Promise<void> {
    const box = client.mailbox;
    if (!box) throw new Error('no mailbox selected');
    const uidValidity = Number(box.uidValidity);
    const db = Repositories.open(this.o.orm);
    const saved = await db.mailboxes.find(this.key);
    let lastUid = saved?.lastUid ?? 0;
    if (saved && saved.uidValidity !== uidValidity) {
      this.o.logger.warn(
        { mailbox: this.key, was: saved.uidValidity, now: uidValidity },
        'UIDVALIDITY changed; re-scanning the folder (stored Message-IDs prevent reprocessing)',
      );
      lastUid = 0;
    }
    if (box.exists === 0) {
      await db.mailboxes.save(this.key, uidValidity, lastUid);
      this.lastSyncAt = this.o.clock.now();
      return;
    }
    // Collect first: no other IMAP command may run inside a fetch iterator.
    const found: { uid: number; size: number; messageId?: string; internalDate?: Date }[] = [];
    for await (const msg of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true, envelope: true, internalDate: true }, { uid: true })) {
      if (msg.uid > lastUid) {
        found.push({
          uid: msg.uid,
          size: msg.size ?? 0,
          ...(msg.envelope?.messageId ? { messageId: msg.envelope.messageId } : {}),
          ...(msg.internalDate ? { internalDate: new Date(msg.internalDate) } : {}),
        });
      }
    }
    found.sort((a, b) => a.uid - b.uid);
    const processed: number[] = [];
    for (const batch of batches(found, this.o.maxMessageBytes)) {
      // One FETCH for the batch's sources, then one transaction that stores them all and moves the
      // mailbox's last UID past them: a crash anywhere leaves either all of them or none stored.
      const wanted = batch.filter((m) => m.size <= this.o.maxMessageBytes);
      const sources = new Map<number, Buffer>();
      if (wanted.length > 0) {
        for await (const full of client.fetch(wanted.map((m) => m.uid).join(','), { uid: true, source: true }, { uid: true })) {
          // imapflow's source is a Buffer already: copying 25 MB again would be the event loop's time.
          if (full.source) sources.set(full.uid, Buffer.isBuffer(full.source) ? full.source : Buffer.from(full.source));
        }
      }
      // Over the limit: its header section and its SHA-256 (streamed, never held whole) are what is kept.
      const oversized = new Map<number, { headers: string; sha256: string }>();
      const over = batch.filter((m) => m.size > this.o.maxMessageBytes);
      if (over.length > 0) {
        const heads = new Map<number, string>();
        for await (const h of client.fetch(over.map((m) => m.uid).join(','), { uid: true, headers: true }, { uid: true })) {
          if (h.headers) heads.set(h.uid, Buffer.from(h.headers).toString('latin1'));
        }
        for (const m of over) {
          const headers = heads.get(m.uid);
          if (headers === undefined) continue;
          oversized.set(m.uid, { headers, sha256: await this.digestOf(client, m.uid) });
        }
      }
      const copies = batch.flatMap((m) => {
        const raw = m.size <= this.o.maxMessageBytes ? sources.get(m.uid) : null;
        const big = oversized.get(m.uid);
        // Expunged between the listing and the fetch: nothing to keep.
        if (raw === undefined || (raw === null && !big)) return [];
        return [{ m, raw, big }];
      });
      if (copies.length === 0) continue;
      const stored = await db.transaction(async (tx) => {
        const results = await storeInboundMany(
          tx.messages,
          copies.map(({ m, raw, big }) => ({
            mailbox: this.o.mailbox,
            raw,
            ...(big ? { headers: big.headers, sha256: big.sha256 } : {}),
            size: m.size,
            source: 'imap' as const,
            receivedAt: this.o.clock.now(),
            ...(m.internalDate ? { internalDate: m.internalDate } : {}),
            uid: m.uid,
            uidValidity,
            ...(m.messageId ? { messageIdHint: m.messageId } : {}),
          })),
        );
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- copies is not empty (an empty batch continued above)
        await tx.mailboxes.save(this.key, uidValidity, copies.at(-1)!.m.uid);
        return results;
      });
      for (const s of stored) if (s.created) await this.o.scheduler.ingest(s.id);
      processed.push(...copies.map((c) => c.m.uid));
    }
    if (found.length === 0) await db.mailboxes.save(this.key, uidValidity, lastUid);
    if (processed.length > 0) await this.markProcessed(client, processed);
    this.lastSyncAt = this.o.clock.now();
  }

  /** SHA-256 of a message streamed from the server, for one too large to keep. */
  private async digestOf(client: ImapFlow, uid: number): Promise<string> {
    const hash = createHash('sha256');
    const dl = await client.download(String(uid), undefined, { uid: true });
    if ('content' in dl && dl.content) for await (const chunk of dl.content) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  private async markProcessed(client: ImapFlow, uids: number[]): Promise<void> {
    const range = uids.join(',');
    const p = this.o.settings.processed;
    try {
      if (p.action === 'move') {
        await client.mailboxCreate(p.folder).catch(() => undefined);
        await client.messageMove(range, p.folder, { uid: true });
      } else {
        await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
      }
    } catch (error) {
      // Stored already; marking is a courtesy for people who look at the mailbox.
      this.o.logger.warn({ mailbox: this.key, err: error }, 'could not mark messages processed');
    }
  }
}
