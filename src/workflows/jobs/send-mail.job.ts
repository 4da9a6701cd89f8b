import { DelayedError, type Job } from 'bullmq';
import type { Deps } from '../../runtime/deps.js';
import type { OutboxRow } from '../../db/entities/types.js';
import { Repositories } from '../../db/repositories/index.js';
import { applyBounce, recordDeliveryFailure } from '../../domain/case/apply-reply.js';
import type { OutboxKind } from '../../domain/case/mail-intents.js';
import type { WorkCalendar } from '../../domain/calendar/work-calendar.js';
import { reserveSendSlot } from '../../outbound/rate-limit/mailbox-limit.js';
import { SendError, type SendResult } from '../../runtime/mail-transport.js';
import { dispatch, persistDecision, type AfterCommit } from '../persist-decision.js';
import { bundleRow, composeBundle, MAX_BUNDLE, type Bundle } from '../chaser-bundle.js';
import type { OrgRuntime } from '../../runtime/organisations.js';
import type { JobPayload } from '../job-catalogue.js';
import { followUpOf, planResend, splitRefusals, type Refusal, type Resend } from '../outbox-resend.js';

type SendDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret' | 'transportFor' | 'limiter' | 'metrics' | 'deliveryEvidence'>;

/** Waits between attempts after a temporary failure: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

/** After this many temporary failures the mail is given up on and the RM told. */
export const MAX_ATTEMPTS = 12;

/**
 * When a mail not sent now may be tried again, at the earliest `at`. Mail that waits for the send
 * window (chasers, notices to people outside the organisation: the row's `waitsForWindow`, from
 * the intent's timing) never goes outside it: a retry or deferral that would fall in the evening,
 * at night, at a weekend or on a bank holiday of the organisation's nation waits for the next
 * opening. Waiting is never an attempt: only sends count towards MAX_ATTEMPTS.
 */
export function mayGoAt(row: { waitsForWindow: boolean }, calendar: WorkCalendar, at: Date): Date {
  return row.waitsForWindow ? calendar.nextOpening(at) : at;
}

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
    const db = Repositories.open(deps.orm);
    const now = deps.clock.now();
    const bundling = await bundlingOrg(db, deps, outboxId);
    let others: OutboxRow[] = [];
    let claimed: boolean;
    if (bundling) {
      const taken = await db.outbox.claimGroup(bundling.id, outboxId, now, MAX_BUNDLE);
      claimed = taken.claimed;
      others = taken.others;
    } else {
      claimed = await db.outbox.claim(outboxId, now);
    }
    if (!claimed) {
      const row = await db.outbox.find(outboxId);
      // Woken early (a promoted job, or a clock change): go back to sleep until it may go.
      if (row?.status === 'pending' && row.notBefore > now) await sleepUntil(deps, job, row.id, row.attempts, row.notBefore);
      return;
    }
    const row = (await db.outbox.find(outboxId))!;
    if (!row.raw) {
      // Only mail long sent or given up on is ever purged; a claimable row without its bytes is a bug, not a retry.
      await db.outbox.markFailed(row.id, 'raw message missing (purged?)', row.smtpResponse ?? null, now);
      deps.logger.error({ outbox: row.id, kind: row.kind }, 'outbox row has no raw message; not sent');
      return;
    }
    const raw = Buffer.from(row.raw);
    const org = deps.orgs.get(row.organisationId);
    if (row.abandonedAt) {
      const verdict = await acceptedBefore(db, deps, row, now);
      if (verdict === 'recorded') {
        await db.outbox.release(
          others.map((o) => o.id),
          now,
        );
        return;
      }
      if (verdict !== 'send') {
        await putBack(
          db,
          deps,
          job,
          row,
          others,
          verdict.askAgainAt,
          now,
          'cannot tell yet whether a mail abandoned mid-send went; asking the Sent folder again later',
        );
        return;
      }
    }
    // Outside the send window (a retry or a job that ran late, a clock moved): wait for the opening.
    const opening = mayGoAt(row, org.calendar, now);
    if (opening > now) {
      await putBack(db, deps, job, row, others, opening, now, 'outside the send window; mail waits for the next opening');
      return;
    }
    const slotAt = await reserveSendSlot(deps.limiter, org.config, `${row.id}:${row.attempts}`).catch((error: unknown) => {
      // Redis trouble: sending is worth more than the count (the server's own limit still holds).
      deps.logger.warn({ outbox: row.id, err: { message: (error as Error).message } }, 'mailbox rate limiter unavailable; sending anyway');
      return null;
    });
    if (slotAt) {
      // The mailbox is at its per-minute limit: back to pending until the window has room (and,
      // for mail that waits for it, the send window is open), the claim's attempt given back.
      await putBack(db, deps, job, row, others, mayGoAt(row, org.calendar, slotAt), now, 'mailbox at its send rate limit; mail deferred');
      return;
    }
    const transport = deps.transportFor(row.organisationId);
    if (bundling && others.length > 0) {
      await sendBundle(db, deps, bundling, [row, ...others], now);
      return;
    }
    let result: SendResult;
    try {
      result = await transport.send({ from: row.envelopeFrom, to: row.envelopeTo }, raw);
    } catch (error) {
      const failure = error instanceof SendError ? error : new SendError(String(error), true);
      await onFailure(db, deps, row, failure);
      return;
    }
    // Recipients refused with a 4xx get the same message again, alone, on the retry schedule; on
    // the last attempt they are given up on with the 5xx ones.
    const { bounced, deferred } = splitRefusals(result.rejected);
    const resend =
      deferred.length > 0 && row.attempts < MAX_ATTEMPTS
        ? planResend(row, deferred, mayGoAt(row, org.calendar, new Date(now.getTime() + retryDelayMs(row.attempts))))
        : undefined;
    await markSent(db, deps, row, result, resend ? { resend, cases: row.case ? [{ caseId: row.case, kind: row.kind }] : [] } : undefined);
    deps.logger.info(
      { outbox: row.id, kind: row.kind, transport: transport.name, rejected: result.rejected.length, ...(resend ? { resend: resend.id } : {}) },
      'mail sent',
    );
    // A follow-up is another submission of the same mail, not another chaser.
    if (deps.metrics) deps.metrics.mailSent(row.kind, row.kind === 'chaser' && !row.resendOf ? await rungOf(db, row) : undefined);
    if (resend) await scheduleResend(deps, row, resend);
    const givenUp = resend ? [] : deferred;
    if (bounced.length + givenUp.length > 0) {
      await recordRejections(
        db,
        deps,
        row,
        [...bounced, ...givenUp],
        givenUp.length > 0 ? `recipients refused (temporary refusals given up on after ${row.attempts} attempts)` : undefined,
      );
    }
  };
}

/**
 * Back to pending until `at`, the claim's attempt given back (waiting is not a failure), chasers
 * claimed with it for a combined mail released to their own jobs.
 */
async function putBack(
  db: Repositories,
  deps: SendDeps,
  job: Job | undefined,
  row: OutboxRow,
  others: OutboxRow[],
  at: Date,
  now: Date,
  why: string,
): Promise<void> {
  await db.outbox.release(
    others.map((o) => o.id),
    now,
  );
  await db.outbox.putBack(row.id, at, now);
  deps.logger.info({ outbox: row.id, kind: row.kind, retryAt: at.toISOString() }, why);
  await sleepUntil(deps, job, row.id, row.attempts - 1, at);
}

/** The follow-up's job (after the commit that wrote it; the reconciler re-creates it if this is lost). */
async function scheduleResend(deps: SendDeps, row: OutboxRow, resend: Resend): Promise<void> {
  deps.logger.info(
    { outbox: row.id, resend: resend.id, recipients: resend.envelopeTo.length, retryAt: resend.notBefore.toISOString() },
    'recipients refused for now; the mail goes to them again later',
  );
  await deps.scheduler.send(resend.id, resend.attempts, resend.notBefore).catch((error: unknown) => {
    deps.logger.warn({ outbox: resend.id, err: { message: (error as Error).message } }, 'could not queue the follow-up send; the reconciler will');
  });
}

/** The organisation, when this row is a chaser of an organisation that bundles chasers. */
async function bundlingOrg(db: Repositories, deps: SendDeps, outboxId: string): Promise<OrgRuntime | undefined> {
  // No organisation bundles (the default): no need to read the row to know (a query per mail sent).
  if (!deps.orgs.all().some((o) => o.config.bundleChasers)) return undefined;
  // A follow-up to recipients refused for a while goes alone, as it is.
  const row = await db.outbox.kindOf(outboxId);
  const org = row && row.kind === 'chaser' && !row.resendOf ? deps.orgs.find(row.organisationId) : undefined;
  return org?.config.bundleChasers ? org : undefined;
}

/** Several chasers to the same people go as one combined mail (organisations with `bundleChasers`). */
async function sendBundle(db: Repositories, deps: SendDeps, org: OrgRuntime, rows: OutboxRow[], now: Date): Promise<void> {
  const [row, ...others] = rows as [OutboxRow, ...OutboxRow[]];
  let bundle: Bundle;
  try {
    bundle = await composeBundle(db.cases, org, deps.secret, rows, now);
  } catch (error) {
    await db.outbox.release(
      others.map((o) => o.id),
      now,
    );
    throw error;
  }
  let result: SendResult;
  try {
    result = await deps.transportFor(org.id).send(bundle.composed.envelope, bundle.composed.raw);
  } catch (error) {
    // Each case's chaser goes back to its own sending (and its own retries).
    await db.outbox.release(
      others.map((o) => o.id),
      now,
    );
    await onFailure(db, deps, row, error instanceof SendError ? error : new SendError(String(error), true));
    return;
  }
  // Accepted: recording it comes first and is retried through a database blip, as for one mail.
  // Recipients refused with a 4xx get the combined mail again, alone (a follow-up of its row).
  const { bounced, deferred } = splitRefusals(result.rejected);
  const at = new Date(now.getTime() + retryDelayMs(row.attempts));
  const resend =
    deferred.length > 0 && row.attempts < MAX_ATTEMPTS
      ? planResend(
          { id: bundle.rowId, envelopeTo: bundle.composed.envelope.to, to: row.to, cc: row.cc, attempts: row.attempts },
          deferred,
          mayGoAt({ waitsForWindow: true }, org.calendar, at),
        )
      : undefined;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const at = deps.clock.now();
      const cases = rows.map((r) => ({ caseId: r.case!, kind: r.kind }));
      await db.outbox.markBundleSent(
        bundleRow(org, bundle, at),
        rows.map((r) => r.id),
        result.response,
        at,
        resend ? followUpOf(bundle.rowId, resend, at, cases) : undefined,
      );
      break;
    } catch (error) {
      if (Date.now() - started > MARK_SENT_RETRY_MS) throw error;
      deps.logger.warn({ outbox: row.id, attempt, err: { message: (error as Error).message } }, 'combined mail sent but not yet recorded; retrying');
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
    }
  }
  deps.logger.info({ outbox: rows.map((r) => r.id), kind: 'chaser-bundle', cases: rows.length }, 'chasers sent as one mail');
  if (deps.metrics) for (const r of rows) deps.metrics.mailSent(r.kind, await rungOf(db, r));
  if (resend) await scheduleResend(deps, row, resend);
  const givenUp = resend ? [] : deferred;
  if (bounced.length + givenUp.length > 0) {
    const reason = givenUp.length > 0 ? `recipients refused (temporary refusals given up on after ${row.attempts} attempts)` : undefined;
    for (const r of rows) await recordRejections(db, deps, r, [...bounced, ...givenUp], reason);
  }
}

/** How long recording a send may keep retrying through a database outage (a restart, a dropped connection). */
export const MARK_SENT_RETRY_MS = 60_000;

/**
 * The server has accepted the mail: recording that is the first thing done, before logging or
 * counting, because a row left in `sending` is sent again by the reconciler (the one window in
 * which a crash sends a mail twice). A database blip at this moment must not widen that window,
 * so the update is retried, on a fresh connection each time, for up to a minute.
 */
async function markSent(
  db: Repositories,
  deps: SendDeps,
  row: OutboxRow,
  result: SendResult,
  follow?: { resend: Resend; cases: Array<{ caseId: string; kind: OutboxKind }> },
): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const now = deps.clock.now();
      // The refused recipients' follow-up is written with the acceptance, never after it (one transaction).
      await db.outbox.markSent(row.id, result.response, now, follow ? followUpOf(row.id, follow.resend, now, follow.cases) : undefined);
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
 * it. Where the server keeps a Sent folder we ask it first: `recorded` (it was there, now recorded
 * as sent), ask again at `askAgainAt` (the folder could not be read), or `send`.
 *
 * A follow-up carries the Message-ID of submissions the server accepted before (the row it
 * follows, and any earlier follow-up), each filed in the Sent folder: it counts as found only when
 * the folder holds one copy more than those.
 */
async function acceptedBefore(db: Repositories, deps: SendDeps, row: OutboxRow, now: Date): Promise<'recorded' | 'send' | { askAgainAt: Date }> {
  if (!deps.deliveryEvidence) return 'send';
  let copies = 1;
  if (row.resendOf) {
    copies += await db.outbox.acceptedCopies(row.messageId, row.id);
  }
  const evidence = await deps.deliveryEvidence(row.organisationId, row.messageId, copies);
  if (evidence === 'found') {
    await markSent(db, deps, row, {
      accepted: row.envelopeTo,
      rejected: [],
      response: 'not sent again: found in the server’s Sent folder after the sending worker died',
    });
    deps.metrics?.recovered('found-in-sent-folder');
    deps.logger.warn({ outbox: row.id, kind: row.kind }, 'mail abandoned mid-send had been accepted by the server; not sent again');
    return 'recorded';
  }
  if (evidence === 'unknown' && now.getTime() - row.abandonedAt!.getTime() < EVIDENCE_PATIENCE_MS) return { askAgainAt: new Date(now.getTime() + 2 * 60_000) };
  return 'send';
}

/** The ladder and rung a chaser was for, for the metric (read from the case's steps). */
async function rungOf(db: Repositories, row: OutboxRow): Promise<{ ladder: string; rung: string } | undefined> {
  if (!row.case || row.step === null || row.step === undefined) return undefined;
  const found = await db.cases.rungOfStep(row.case, row.step).catch(() => null);
  return found ? { ladder: found.ladder, rung: found.rung ?? `step-${row.step}` } : undefined;
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

async function onFailure(db: Repositories, deps: SendDeps, row: OutboxRow, failure: SendError): Promise<void> {
  const now = deps.clock.now();
  const attempts = row.attempts;
  deps.metrics?.sendFailed(row.kind, failure.temporary && attempts < MAX_ATTEMPTS);
  if (failure.temporary && attempts < MAX_ATTEMPTS) {
    const at = mayGoAt(row, deps.orgs.get(row.organisationId).calendar, new Date(now.getTime() + retryDelayMs(attempts)));
    await db.outbox.retryLater(row.id, at, failure.message, now);
    deps.logger.warn({ outbox: row.id, code: failure.code, attempts, retryAt: at.toISOString() }, 'mail deferred after a temporary failure');
    await deps.scheduler.send(row.id, attempts, at);
    return;
  }
  await db.outbox.markFailed(row.id, failure.message, failure.response ?? null, now);
  deps.logger.error({ outbox: row.id, kind: row.kind, code: failure.code, attempts }, 'mail failed permanently');
  // Refused addresses are undeliverable; a refused message (or one we gave up on) is not the addresses' fault.
  if (failure.rejected.length > 0) await recordRejections(db, deps, row, failure.rejected, failure.message);
  else await recordFailure(db, deps, row, failure.temporary ? `gave up after ${attempts} attempts: ${failure.message}` : failure.message);
}

/**
 * The cases a failed row is about, with the kind and step to record: its own case, or for a
 * follow-up of a combined mail (which belongs to no case) every case whose chaser it carried.
 */
async function casesAbout(db: Repositories, row: OutboxRow): Promise<Array<{ caseId: string; kind: OutboxKind; step: number | null }>> {
  if (row.case) return [{ caseId: row.case, kind: row.kind, step: row.step ?? null }];
  if (row.kind === 'chaser-bundle' && row.resendOf) return db.outbox.bundleMembers(row.messageId);
  return [];
}

/** Mail to people outside the organisation that could not be sent: the RM is told, with the server's reason. */
async function recordFailure(db: Repositories, deps: SendDeps, row: OutboxRow, reason: string): Promise<void> {
  const org = deps.orgs.get(row.organisationId);
  const external = row.envelopeTo.some((a) => !org.isStaff(a));
  for (const about of await casesAbout(db, row)) {
    const after = await db.transaction(async (tx): Promise<AfterCommit | null> => {
      const caseRow = await tx.cases.lock(about.caseId);
      if (!caseRow) return null;
      const ctx = org.caseContext(caseRow.ladderId, deps.clock.now());
      const decision = recordDeliveryFailure(
        caseRow.state,
        {
          kind: about.kind,
          ...(about.step !== null ? { step: about.step } : {}),
          to: row.to,
          reason: reason.slice(0, 300),
          messageKey: `o${row.id.replace(/-/g, '').slice(0, 16)}`,
          notify: external,
        },
        ctx,
      );
      return persistDecision(tx, org, caseRow, decision, ctx, deps, `outbox:${row.id}`);
    });
    await dispatch(deps.scheduler, after);
  }
}

/**
 * Refused recipients are handled like a bounce: the address is marked undeliverable on the case
 * and the RM is told. Only a 5xx refusal gets here at once; a 4xx one only when its retries are
 * used up (see outbox-resend.ts). Failures of mail to the organisation itself only go on the case
 * record (telling the RM that mail to the RM failed would loop).
 */
async function recordRejections(db: Repositories, deps: SendDeps, row: OutboxRow, rejected: Refusal[], reason?: string): Promise<void> {
  const org = deps.orgs.get(row.organisationId);
  const external = rejected.filter((r) => !org.isStaff(r.address));
  for (const about of await casesAbout(db, row)) {
    const after = await db.transaction(async (tx): Promise<AfterCommit | null> => {
      const caseRow = await tx.cases.lock(about.caseId);
      if (!caseRow) return null;
      const ctx = org.caseContext(caseRow.ladderId, deps.clock.now());
      const decision = applyBounce(
        caseRow.state,
        {
          recipients: rejected.map((r) => ({ address: r.address, status: r.code ? String(r.code) : 'rejected', action: 'failed' })),
          messageKey: `o${row.id.replace(/-/g, '').slice(0, 16)}`,
        },
        ctx,
      );
      decision.events.unshift({
        type: 'mail-failed',
        actor: 'system',
        at: ctx.now.toISOString(),
        detail: { outbox: row.id, kind: about.kind, reason: reason ?? 'recipients refused', recipients: rejected },
      });
      if (external.length === 0) decision.mails = [];
      return persistDecision(tx, org, caseRow, decision, ctx, deps, `outbox:${row.id}`);
    });
    await dispatch(deps.scheduler, after);
  }
}
