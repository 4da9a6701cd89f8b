import type * as Fastify from 'fastify';
import type { Orm } from '../db/orm.js';
import { Repositories } from '../db/repositories/index.js';

// @fastify/session passes whatever the store rejected with on to its own error handling.
type Callback<T = void> = (err?: unknown, value?: T) => void;

type StoredSession = Fastify.Session & { cookie?: { expires?: string | Date | null } };

/**
 * @fastify/session's store, in PostgreSQL (the service's truth; Redis here keeps nothing on disk):
 * a restart or a second process signs nobody out. Expired rows are never read and are purged
 * now and then.
 */
export class PostgresSessionStore {
  private lastPurge = 0;

  constructor(
    private readonly orm: Orm,
    private readonly defaultMs: number,
  ) {}

  set(sid: string, session: StoredSession, callback: Callback): void {
    const expires = session.cookie.expires ? new Date(session.cookie.expires) : new Date(Date.now() + this.defaultMs);
    const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    Repositories.open(this.orm)
      .webSessions.save(sid, data, expires)
      .then(() => this.purgeNowAndThen())
      .then(
        () => {
          callback(null);
        },
        (err: unknown) => {
          callback(err);
        },
      );
  }

  get(sid: string, callback: Callback<StoredSession | null>): void {
    Repositories.open(this.orm)
      .webSessions.find(sid, new Date())
      .then(
        (data) => {
          callback(null, isStoredSession(data) ? data : null);
        },
        (err: unknown) => {
          callback(err);
        },
      );
  }

  destroy(sid: string, callback: Callback): void {
    Repositories.open(this.orm)
      .webSessions.destroy(sid)
      .then(
        () => {
          callback(null);
        },
        (err: unknown) => {
          callback(err);
        },
      );
  }

  private async purgeNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPurge < 10 * 60_000) return;
    this.lastPurge = Date.now();
    await Repositories.open(this.orm).webSessions.purgeExpired(new Date());
  }
}

/** Every row was written by set() from a whole session, cookie included; anything else is no session. */
function isStoredSession(data: unknown): data is StoredSession {
  return typeof data === 'object' && data !== null && 'cookie' in data && typeof data.cookie === 'object' && data.cookie !== null;
}
