import type { EntityManager } from '@mikro-orm/postgresql';
import { DelayedError, type Job } from 'bullmq';
import type { Deps } from '../../app/deps.js';
import { OutboxMail } from '../../db/entities/index.js';
import type { OutboxRow } from '../../db/entities/types.js';
import { lockCase } from '../../db/repositories/case-repository.js';
import { applyBounce, recordDeliveryFailure } from '../../domain/case/apply-reply.js';
import { reserveSendSlot } from '../../outbound/rate-limit/mailbox-limit.js';
import { SendError, type SendResult } from '../../outbound/transport/mail-transport.js';
import { dispatch, persistDecision, type AfterCommit } from '../persist-decision.js';
import { claimWithBundle, composeBundle, recordBundle, releaseBundle, type Bundle } from '../chaser-bundle.js';
import type { OrgRuntime } from '../../app/organisations.js';
import type { JobPayload } from '../job-catalogue.js';

type SendDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret' | 'transportFor' | 'limiter' | 'metrics' | 'deliveryEvidence'>;

/** Waits between attempts after a temporary failure: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

/** After this many temporary failures the mail is given up on and the RM told. */
export const MAX_ATTEMPTS = 12;

/**
 * How long a mail abandoned mid-send waits for the server's Sent folder to answer whether it went;
 * after that it is sent again (a possible duplicate is better than a chaser never sent).
 */
export const EVIDENCE_PATIENCE_MS = 60 * 60_000;

/**
 * Sends one outbox row. The row is claimed (pending → sending) before SMTP is touched, so a
 * second run of the same job finds nothing to do. A crash between the server's 250 and our
 * update leaves the row in `sending`; the reconciler takes it back after a grace period, marked
 * abandoned, and the next attempt first asks the server's Sent folder where there is one (see
 * delivery-evidence.ts); elsewhere it is sent again, with the same Message-ID.
 */
export function sendMailJob(deps: SendDeps) {
  return async ({ outboxId }: JobPayload<'send-mail'>, job?: Job): Promise<void> => {
    const em = deps.orm.em.fork() as EntityManager;
    const now = deps.clock.now();
    const bundling = await bundlingOrg(em, deps, outboxId);
    let others: OutboxRow[] = [];
    let claimed: Array<{ id: string }>;
    if (bundling) {
      const taken = await claimWithBundle(em, bundling, outboxId, now);
      claimed = taken.claimed ? [{ id: outboxId }] : [];
      others = taken.others;
    } else {
      claimed = await em.execute<Array<{ id: string }>>(
        `update outbox_mail set status = 'sending', claimed_at = ?, attempts = attempts + 1, updated_at = ?
         where id = ? and status = 'pending' and not_before <= ? returning id`,
        [now, now, outboxId, now],
      );
    }
    if (claimed.length === 0) {
      const row = await em.findOne(OutboxMail, { id: outboxId });
      // Woken early (a promoted job, or a clock change): go back to sleep until it may go.
      if (row?.status === 'pending' && row.notBefore > now) await sleepUntil(deps, job, row.id, row.attempts, row.notBefore);
      return;
    }
    const row = (await em.findOne(OutboxMail, { id: outboxId }, { refresh: true }))!;
    if (!row.raw) {
      // Only mail long sent or given up on is ever purged; a claimable row without its bytes is a bug, not a retry.
      await em.nativeUpdate(OutboxMail, { id: row.id }, { status: 'failed', lastError: 'raw message missing (purged?)', updatedAt: now });
      deps.logger.error({ outbox: row.id, kind: row.kind }, 'outbox row has no raw message; not sent');
      return;
    }
    const raw = Buffer.from(row.raw);
    if (row.abandonedAt && (await acceptedBefore(em, deps, job, row, now))) return;
    const slotAt = await reserveSendSlot(deps.limiter, deps.orgs.get(row.organisationId).config, `${row.id}:${row.attempts}`).catch((error: unknown) => {
      // Redis trouble: sending is worth more than the count (the server's own limit still holds).
      deps.logger.warn({ outbox: row.id, err: { message: (error as Error).message } }, 'mailbox rate limiter unavailable; sending anyway');
      return null;
    });
    if (slotAt) {
      // The mailbox is at its per-minute limit: back to pending until the window has room, and
      // the claim's attempt is given back (a wait is not a failure).
      await em.execute(
        `update outbox_mail set status = 'pending', attempts = attempts - 1, not_before = ?, claimed_at = null, updated_at = ? where id = ? and status = 'sending'`,
        [slotAt, now, row.id],
      );
      deps.logger.info({ outbox: row.id, kind: row.kind, retryAt: slotAt.toISOString() }, 'mailbox at its send rate limit; mail deferred');
      await sleepUntil(deps, job, row.id, row.attempts - 1, slotAt);
      return;
    }
    const transport = deps.transportFor(row.organisationId);
    if (bundling && others.length > 0) {
      await sendBundle(em, deps, bundling, [row, ...others], now);
      return;
    }
    let result: SendResult;
    try {
      result = await transport.send({ from: row.envelopeFrom, to: row.envelopeTo }, raw);
    } catch (error) {
      const failure = error instanceof SendError ? error : new SendError(String(error), true);
      await onFailure(em, deps, row, failure);
      return;
    }
    await markSent(em, deps, row, result);
    deps.logger.info({ outbox: row.id, kind: row.kind, transport: transport.name, rejected: result.rejected.length }, 'mail sent');
    if (deps.metrics) deps.metrics.mailSent(row.kind, row.kind === 'chaser' ? await rungOf(em, row) : undefined);
    if (result.rejected.length > 0) await recordRejections(em, deps, row, result.rejected);
  };
}

/** The organisation, when this row is a chaser of an organisation that bundles chasers. */
async function bundlingOrg(em: EntityManager, deps: SendDeps, outboxId: string): Promise<OrgRuntime | undefined> {
  // No organisation bundles (the default): no need to read the row to know (a query per mail sent).
  if (!deps.orgs.all().some((o) => o.config.bundleChasers)) return undefined;
  const rows = await em.execute<Array<{ organisation_id: string; kind: string }>>(`select organisation_id, kind from outbox_mail where id = ?`, [outboxId]);
  const org = rows[0] && rows[0].kind === 'chaser' ? deps.orgs.find(rows[0].organisation_id) : undefined;
  return org?.config.bundleChasers ? org : undefined;
}

/** Several chasers to the same people go as one combined mail (organisations with `bundleChasers`). */
async function sendBundle(em: EntityManager, deps: SendDeps, org: OrgRuntime, rows: OutboxRow[], now: Date): Promise<void> {
  const [row, ...others] = rows as [OutboxRow, ...OutboxRow[]];
  let bundle: Bundle;
  try {
    bundle = await composeBundle(em, org, deps.secret, rows, now);
  } catch (error) {
    await releaseBundle(em, others, now);
    throw error;
  }
  let result: SendResult;
  try {
    result = await deps.transportFor(org.id).send(bundle.composed.envelope, bundle.composed.raw);
  } catch (error) {
    // Each case's chaser goes back to its own sending (and its own retries).
    await releaseBundle(em, others, now);
    await onFailure(em, deps, row, error instanceof SendError ? error : new SendError(String(error), true));
    return;
  }
  // Accepted: recording it comes first and is retried through a database blip, as for one mail.
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await recordBundle(em, org, bundle, result.response, deps.clock.now());
      break;
    } catch (error) {
      if (Date.now() - started > MARK_SENT_RETRY_MS) throw error;
      deps.logger.warn({ outbox: row.id, attempt, err: { message: (error as Error).message } }, 'combined mail sent but not yet recorded; retrying');
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
    }
  }
  deps.logger.info({ outbox: rows.map((r) => r.id), kind: 'chaser-bundle', cases: rows.length }, 'chasers sent as one mail');
  if (deps.metrics) for (const r of rows) deps.metrics.mailSent(r.kind, await rungOf(em, r));
  if (result.rejected.length > 0) for (const r of rows) await recordRejections(em, deps, r, result.rejected);
}

/** How long recording a send may keep retrying through a database outage (a restart, a dropped connection). */
export const MARK_SENT_RETRY_MS = 60_000;

/**
 * The server has accepted the mail: recording that is the first thing done, before logging or
 * counting, because a row left in `sending` is sent again by the reconciler (the one window in
 * which a crash sends a mail twice). A database blip at this moment must not widen that window,
 * so the update is retried, on a fresh connection each time, for up to a minute.
 */
async function markSent(em: EntityManager, deps: SendDeps, row: OutboxRow, result: SendResult): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await em.nativeUpdate(
        OutboxMail,
        { id: row.id },
        { status: 'sent', sentAt: deps.clock.now(), smtpResponse: result.response.slice(0, 1000), lastError: null, updatedAt: deps.clock.now() },
      );
      return;
    } catch (error) {
      if (Date.now() - started > MARK_SENT_RETRY_MS) throw error;
      deps.logger.warn({ outbox: row.id, attempt, err: { message: (error as Error).message } }, 'mail sent but not yet recorded; retrying');
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
    }
  }
}

/**
 * A row the reconciler took back from a worker that died mid-send: the server may already have
 * it. Where the server keeps a Sent folder we ask it first. True when nothing more is to be done
 * now (recorded as sent, or put back to wait for the folder to answer).
 */
async function acceptedBefore(em: EntityManager, deps: SendDeps, job: Job | undefined, row: OutboxRow, now: Date): Promise<boolean> {
  const evidence = deps.deliveryEvidence ? await deps.deliveryEvidence(row.organisationId, row.messageId) : undefined;
  if (evidence === 'found') {
    await markSent(em, deps, row, { accepted: row.envelopeTo, rejected: [], response: 'not sent again: found in the server’s Sent folder after the sending worker died' });
    deps.metrics?.recovered.inc({ what: 'found-in-sent-folder' });
    deps.logger.warn({ outbox: row.id, kind: row.kind }, 'mail abandoned mid-send had been accepted by the server; not sent again');
    return true;
  }
  if (evidence === 'unknown' && now.getTime() - row.abandonedAt!.getTime() < EVIDENCE_PATIENCE_MS) {
    const at = new Date(now.getTime() + 2 * 60_000);
    await em.execute(
      `update outbox_mail set status = 'pending', attempts = attempts - 1, not_before = ?, claimed_at = null, updated_at = ? where id = ? and status = 'sending'`,
      [at, now, row.id],
    );
    deps.logger.info({ outbox: row.id, kind: row.kind, retryAt: at.toISOString() }, 'cannot tell yet whether a mail abandoned mid-send went; asking the Sent folder again later');
    await sleepUntil(deps, job, row.id, row.attempts - 1, at);
    return true;
  }
  return false;
}

/** The ladder and rung a chaser was for, for the metric (read from the case's steps). */
async function rungOf(em: EntityManager, row: OutboxRow): Promise<{ ladder: string; rung: string } | undefined> {
  if (!row.case || row.step === null || row.step === undefined) return undefined;
  const rows = await em
    .execute<Array<{ ladder_id: string; rung: string | null }>>(
      `select ladder_id, (select s->>'rungId' from jsonb_array_elements(state->'steps') s where (s->>'n')::int = ? limit 1) as rung
       from escalation_case where id = ?`,
      [row.step, row.case],
    )
    .catch(() => []);
  return rows[0] ? { ladder: rows[0].ladder_id, rung: rows[0].rung ?? `step-${row.step}` } : undefined;
}

/**
 * Puts this same job back to sleep until `at`. A new job for the same attempt would share this
 * one's id and be ignored by the queue, so the running job is moved to delayed instead (the
 * DelayedError tells the worker it was not a failure). BullMQ delays run on the wall clock; only
 * the length of the wait comes from the injected clock. Without a job (called directly) a new one
 * is scheduled, and the reconciler covers the case where its id is taken.
 */
async function sleepUntil(deps: SendDeps, job: Job | undefined, outboxId: string, attempts: number, at: Date): Promise<void> {
  if (!job?.token) {
    await deps.scheduler.send(outboxId, attempts, at);
    return;
  }
  await job.moveToDelayed(Date.now() + Math.max(0, at.getTime() - deps.clock.now().getTime()), job.token);
  throw new DelayedError();
}

async function onFailure(em: EntityManager, deps: SendDeps, row: OutboxRow, failure: SendError): Promise<void> {
  const now = deps.clock.now();
  const attempts = row.attempts;
  deps.metrics?.sendFailed(row.kind, failure.temporary && attempts < MAX_ATTEMPTS);
  if (failure.temporary && attempts < MAX_ATTEMPTS) {
    const at = new Date(now.getTime() + retryDelayMs(attempts));
    await em.nativeUpdate(OutboxMail, { id: row.id }, { status: 'pending', notBefore: at, lastError: failure.message.slice(0, 1000), updatedAt: now });
    deps.logger.warn({ outbox: row.id, code: failure.code, attempts, retryAt: at.toISOString() }, 'mail deferred after a temporary failure');
    await deps.scheduler.send(row.id, attempts, at);
    return;
  }
  await em.nativeUpdate(OutboxMail, { id: row.id }, { status: 'failed', lastError: failure.message.slice(0, 1000), smtpResponse: failure.response?.slice(0, 1000) ?? null, updatedAt: now });
  deps.logger.error({ outbox: row.id, kind: row.kind, code: failure.code, attempts }, 'mail failed permanently');
  // Refused addresses are undeliverable; a refused message (or one we gave up on) is not the addresses' fault.
  if (failure.rejected.length > 0) await recordRejections(em, deps, row, failure.rejected, failure.message);
  else await recordFailure(em, deps, row, failure.temporary ? `gave up after ${attempts} attempts: ${failure.message}` : failure.message);
}

/** Mail to people outside the organisation that could not be sent: the RM is told, with the server's reason. */
async function recordFailure(em: EntityManager, deps: SendDeps, row: OutboxRow, reason: string): Promise<void> {
  if (!row.case) return;
  const caseId = row.case;
  const org = deps.orgs.get(row.organisationId);
  const external = row.envelopeTo.some((a) => !org.isStaff(a));
  const after = await em.transactional(async (tx): Promise<AfterCommit | null> => {
    const caseRow = await lockCase(tx, caseId);
    if (!caseRow) return null;
    const ctx = org.caseContext(caseRow.ladderId, deps.clock.now());
    const decision = recordDeliveryFailure(
      caseRow.state,
      { kind: row.kind, ...(row.step !== null && row.step !== undefined ? { step: row.step } : {}), to: row.to, reason: reason.slice(0, 300), messageKey: `o${row.id.replace(/-/g, '').slice(0, 16)}`, notify: external },
      ctx,
    );
    return persistDecision(tx, org, caseRow, decision, ctx, deps, `outbox:${row.id}`);
  });
  await dispatch(deps.scheduler, after);
}

/**
 * Refused recipients are handled like a bounce: the address is marked undeliverable on the case
 * and the RM is told. Failures of mail to the organisation itself only go on the case record
 * (telling the RM that mail to the RM failed would loop).
 */
async function recordRejections(
  em: EntityManager,
  deps: SendDeps,
  row: OutboxRow,
  rejected: Array<{ address: string; code?: number; response?: string }>,
  reason?: string,
): Promise<void> {
  if (!row.case) return;
  const caseId = row.case;
  const org = deps.orgs.get(row.organisationId);
  const external = rejected.filter((r) => !org.isStaff(r.address));
  const after = await em.transactional(async (tx): Promise<AfterCommit | null> => {
    const caseRow = await lockCase(tx, caseId);
    if (!caseRow) return null;
    const ctx = org.caseContext(caseRow.ladderId, deps.clock.now());
    const decision = applyBounce(
      caseRow.state,
      { recipients: rejected.map((r) => ({ address: r.address, status: r.code ? String(r.code) : 'rejected', action: 'failed' })), messageKey: `o${row.id.replace(/-/g, '').slice(0, 16)}` },
      ctx,
    );
    decision.events.unshift({ type: 'mail-failed', actor: 'system', at: ctx.now.toISOString(), detail: { outbox: row.id, kind: row.kind, reason: reason ?? 'recipients refused', recipients: rejected } });
    if (external.length === 0) decision.mails = [];
    return persistDecision(tx, org, caseRow, decision, ctx, deps, `outbox:${row.id}`);
  });
  await dispatch(deps.scheduler, after);
}
