import type { OutboxRow } from '../../db/entities/types.js';
import { Repositories, type FollowUp } from '../../db/repositories/index.js';
import { applyBounce, recordDeliveryFailure } from '../../domain/case/apply-reply.js';
import type { OutboxKind } from '../../domain/case/mail-intents.js';
import { reserveSendSlot } from '../../outbound/rate-limit/mailbox-limit.js';
import type { Deps } from '../../runtime/deps.js';
import { SendError } from '../../runtime/mail-transport.js';
import type { OrgRuntime } from '../../runtime/organisations.js';
import { bundleRow, composeBundle, MAX_BUNDLE } from '../chaser-bundle.js';
import { composeNoticeSummary } from '../hourly-notices.js';
import { followUpOf, planResend, type Refusal, type Resend } from '../outbox-resend.js';
import { dispatch, persistDecision, type AfterCommit } from '../persist-decision.js';
import { afterSend, candidateFor, decideSend, type TransportAnswer, type WaitReason } from './decide-send.js';

export type SendDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret' | 'transportFor' | 'limiter' | 'metrics' | 'deliveryEvidence'>;

/** Puts the running send job back to sleep until `at` (the job runner's business: see send-mail.job.ts). */
export type SleepUntil = (outboxId: string, attempts: number, at: Date) => Promise<void>;

/** How long recording a send may keep retrying through a database outage (a restart, a dropped connection). */
export const MARK_SENT_RETRY_MS = 60_000;

const WAIT_LOG: Record<WaitReason, string> = {
  'evidence-unknown': 'cannot tell yet whether a mail abandoned mid-send went; asking the Sent folder again later',
  'send-window': 'outside the send window; mail waits for the next opening',
  'rate-limit': 'mailbox at its send rate limit; mail deferred',
  'server-asked': 'the mail server asked us to wait; mail deferred without using an attempt',
};

/**
 * What goes out in one submission: one outbox row's stored bytes, or (organisations with
 * `bundleChasers`) a combined mail for several chasers to the same people. Either way the rules
 * and the recording are the same: a single mail is a bundle of one.
 */
interface Outgoing {
  /** The claimed rows it carries; the first is the one whose job runs. */
  rows: [OutboxRow, ...OutboxRow[]];
  envelope: { from: string; to: string[] };
  raw: Buffer;
  /** The follow-up for recipients refused for now copies this row: the row itself, or the combined mail's own. */
  resendBase: { id: string; envelopeTo: string[]; to: string[]; cc: string[]; attempts: number };
  /** Writes the acceptance (with the follow-up, if any) in one transaction. */
  record(db: Repositories, response: string, now: Date, followUp?: FollowUp): Promise<void>;
}

/**
 * Sends one outbox row: claim, decide, send through the organisation's transport, record what the
 * server said. The row is claimed (pending → sending) before the transport is touched, so a second
 * run of the same job finds nothing to do. A crash between the server's acceptance and our record
 * leaves the row in `sending`; the reconciler takes it back after a grace period, marked abandoned,
 * and the next attempt first asks the server's Sent folder where there is one
 * (src/runtime/delivery-evidence.ts); elsewhere it is sent again, with the same Message-ID.
 */
export async function executeSend(deps: SendDeps, outboxId: string, sleepUntil: SleepUntil): Promise<void> {
  const db = Repositories.open(deps.orm);
  const now = deps.clock.now();
  const bundling = await bundlingOrg(db, deps, outboxId);
  const taken = bundling ? await db.outbox.claimGroup(bundling.id, outboxId, now, MAX_BUNDLE) : { claimed: await db.outbox.claim(outboxId, now), others: [] };
  const row = await db.outbox.find(outboxId);
  if (!taken.claimed || !row) {
    // Woken early (a promoted job, or a clock change): go back to sleep until it may go.
    if (row?.status === 'pending' && row.notBefore > now) await sleepUntil(row.id, row.attempts, row.notBefore);
    return;
  }
  const others = taken.others;
  const release = () =>
    db.outbox.release(
      others.map((o) => o.id),
      deps.clock.now(),
    );
  if (!row.raw) {
    // Only mail long sent or given up on is ever purged; a claimable row without its bytes is a bug, not a retry.
    await release();
    await db.outbox.markFailed(row.id, 'raw message missing (purged?)', row.smtpResponse ?? null, now);
    deps.logger.error({ outbox: row.id, kind: row.kind }, 'outbox row has no raw message; not sent');
    return;
  }
  const org = deps.orgs.get(row.organisationId);
  const candidate = candidateFor([row, ...others]);
  const facts = { now, calendar: org.calendar, mail: candidate, ...(row.abandonedAt ? await sentFolderSays(db, deps, row) : {}) };
  let decision = decideSend(facts);
  if (decision.kind === 'reserve-slot') decision = decideSend({ ...facts, slotAt: await reserveSlot(deps, org, row) });
  if (decision.kind === 'already-sent') {
    await release();
    await recordWithRetries(deps, row.id, () =>
      db.outbox.markSent(row.id, 'not sent again: found in the server’s Sent folder after the sending worker died', deps.clock.now()),
    );
    deps.metrics?.recovered('found-in-sent-folder');
    deps.logger.warn({ outbox: row.id, kind: row.kind }, 'mail abandoned mid-send had been accepted by the server; not sent again');
    return;
  }
  if (decision.kind === 'wait') {
    await putBack(db, deps, sleepUntil, row, others, decision.until, WAIT_LOG[decision.reason]);
    return;
  }

  let outgoing: Outgoing;
  try {
    if (others.length > 0) outgoing = await combined(db, deps, org, [row, ...others], now);
    // An hourly summary of step notices is composed as it goes, with every step folded into it by now.
    else outgoing = single(row, row.kind === 'notice-summary' ? await composeNoticeSummary(db, org, deps, row, now) : row.raw);
  } catch (error) {
    await release();
    throw error;
  }
  const transport = deps.transportFor(org.id);
  let answer: TransportAnswer;
  try {
    answer = { result: await transport.send(outgoing.envelope, outgoing.raw) };
  } catch (error) {
    answer = { error: error instanceof SendError ? error : new SendError(String(error), true) };
  }
  const sent = { ...candidate, envelopeTo: outgoing.envelope.to, rows: outgoing.rows.map((r) => r.id) };
  const outcome = afterSend({ now: deps.clock.now(), calendar: org.calendar, mail: sent, answer });

  if (outcome.kind !== 'sent') {
    // Each case's chaser goes back to its own sending (and its own retries).
    await release();
    if (outcome.kind === 'wait') {
      deps.metrics?.sendFailed(row.kind, true);
      await putBack(db, deps, sleepUntil, row, [], outcome.until, WAIT_LOG[outcome.reason]);
    } else if (outcome.kind === 'retry') {
      deps.metrics?.sendFailed(row.kind, true);
      await db.outbox.retryLater(row.id, outcome.at, outcome.error, deps.clock.now());
      const code = 'error' in answer ? answer.error.code : undefined;
      deps.logger.warn({ outbox: row.id, code, attempts: row.attempts, retryAt: outcome.at.toISOString() }, 'mail deferred after a temporary failure');
      await deps.scheduler.send(row.id, row.attempts, outcome.at);
    } else {
      deps.metrics?.sendFailed(row.kind, false);
      await db.outbox.markFailed(row.id, outcome.error, outcome.response, deps.clock.now());
      const code = 'error' in answer ? answer.error.code : undefined;
      deps.logger.error({ outbox: row.id, kind: row.kind, code, attempts: row.attempts }, 'mail failed permanently');
      // Refused addresses are undeliverable; a refused message (or one we gave up on) is not the addresses' fault.
      if (outcome.rejected.length > 0) await recordRejections(db, deps, row, outcome.rejected, outcome.error);
      else await recordFailure(db, deps, row, outcome.reason);
    }
    return;
  }

  // Accepted: recording it comes first (see recordWithRetries), then the log, the counts, the follow-up's job.
  const resend = outcome.resendAt ? planResend(outgoing.resendBase, outcome.resendTo, outcome.resendAt) : undefined;
  const cases = outgoing.rows.flatMap((r) => (r.case ? [{ caseId: r.case, kind: r.kind }] : []));
  await recordWithRetries(deps, row.id, () => {
    const at = deps.clock.now();
    return outgoing.record(db, outcome.response, at, resend ? followUpOf(outgoing.resendBase.id, resend, at, cases) : undefined);
  });
  if (others.length > 0)
    deps.logger.info({ outbox: outgoing.rows.map((r) => r.id), kind: 'chaser-bundle', cases: outgoing.rows.length }, 'chasers sent as one mail');
  else {
    const rejected = 'result' in answer ? answer.result.rejected.length : 0;
    deps.logger.info({ outbox: row.id, kind: row.kind, transport: transport.name, rejected, ...(resend ? { resend: resend.id } : {}) }, 'mail sent');
  }
  // A follow-up is another submission of the same mail, not another chaser.
  if (deps.metrics) for (const r of outgoing.rows) deps.metrics.mailSent(r.kind, r.kind === 'chaser' && !r.resendOf ? await rungOf(db, r) : undefined);
  if (resend) await scheduleResend(deps, row, resend);
  const refused = [...outcome.bounced, ...outcome.givenUp];
  for (const r of outgoing.rows.filter((o) => outcome.refusalsOn.includes(o.id))) await recordRejections(db, deps, r, refused, outcome.rejectionReason);
}

function single(row: OutboxRow, raw: Uint8Array): Outgoing {
  return {
    rows: [row],
    envelope: { from: row.envelopeFrom, to: row.envelopeTo },
    raw: Buffer.from(raw),
    resendBase: row,
    record: (db, response, now, followUp) => db.outbox.markSent(row.id, response, now, followUp),
  };
}

/** Several chasers to the same people as one mail (organisations with `bundleChasers`). */
async function combined(db: Repositories, deps: SendDeps, org: OrgRuntime, rows: [OutboxRow, ...OutboxRow[]], now: Date): Promise<Outgoing> {
  const bundle = await composeBundle(db.cases, org, deps.secret, rows, now);
  const first = rows[0];
  return {
    rows,
    envelope: bundle.composed.envelope,
    raw: bundle.composed.raw,
    resendBase: { id: bundle.rowId, envelopeTo: bundle.composed.envelope.to, to: first.to, cc: first.cc, attempts: first.attempts },
    record: (tx, response, at, followUp) =>
      tx.outbox.markBundleSent(
        bundleRow(org, bundle, at),
        rows.map((r) => r.id),
        response,
        at,
        followUp,
      ),
  };
}

/**
 * The server has accepted the mail: recording that is the first thing done, before logging or
 * counting, because a row left in `sending` is sent again by the reconciler (the one window in
 * which a crash sends a mail twice). A database blip at this moment must not widen that window,
 * so the record is retried for up to a minute.
 */
async function recordWithRetries(deps: SendDeps, outboxId: string, record: () => Promise<void>): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await record();
      return;
    } catch (error) {
      if (Date.now() - started > MARK_SENT_RETRY_MS) throw error;
      deps.logger.warn({ outbox: outboxId, attempt, err: error }, 'mail sent but not yet recorded; retrying');
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
    }
  }
}

/**
 * Back to pending until `at`, the claim's attempt given back (waiting is not a failure), chasers
 * claimed with it for a combined mail released to their own jobs.
 */
async function putBack(db: Repositories, deps: SendDeps, sleepUntil: SleepUntil, row: OutboxRow, others: OutboxRow[], at: Date, why: string): Promise<void> {
  const now = deps.clock.now();
  await db.outbox.release(
    others.map((o) => o.id),
    now,
  );
  await db.outbox.putBack(row.id, at, now);
  deps.logger.info({ outbox: row.id, kind: row.kind, retryAt: at.toISOString() }, why);
  await sleepUntil(row.id, row.attempts - 1, at);
}

/** Takes a send slot; Redis trouble lets the mail go (the server's own limit still holds). */
async function reserveSlot(deps: SendDeps, org: OrgRuntime, row: OutboxRow): Promise<Date | null> {
  return reserveSendSlot(deps.limiter, org.config, `${row.id}:${row.attempts}`).catch((error: unknown) => {
    deps.logger.warn({ outbox: row.id, err: error }, 'mailbox rate limiter unavailable; sending anyway');
    return null;
  });
}

/**
 * A row the reconciler took back from a worker that died mid-send: the server may already have
 * it. Where the server keeps a Sent folder it is asked. A follow-up carries the Message-ID of
 * submissions the server accepted before (the row it follows, and any earlier follow-up), each
 * filed in the Sent folder: it counts as found only when the folder holds one copy more than those.
 */
async function sentFolderSays(db: Repositories, deps: SendDeps, row: OutboxRow): Promise<{ evidence?: 'found' | 'not-found' | 'unknown' }> {
  if (!deps.deliveryEvidence) return {};
  const copies = 1 + (row.resendOf ? await db.outbox.acceptedCopies(row.messageId, row.id) : 0);
  const evidence = await deps.deliveryEvidence(row.organisationId, row.messageId, copies);
  return evidence ? { evidence } : {};
}

/** The follow-up's job (after the commit that wrote it; the reconciler re-creates it if this is lost). */
async function scheduleResend(deps: SendDeps, row: OutboxRow, resend: Resend): Promise<void> {
  deps.logger.info(
    { outbox: row.id, resend: resend.id, recipients: resend.envelopeTo.length, retryAt: resend.notBefore.toISOString() },
    'recipients refused for now; the mail goes to them again later',
  );
  await deps.scheduler.send(resend.id, resend.attempts, resend.notBefore).catch((error: unknown) => {
    deps.logger.warn({ outbox: resend.id, err: error }, 'could not queue the follow-up send; the reconciler will');
  });
}

/** The organisation, when this row is a chaser of an organisation that bundles chasers. */
async function bundlingOrg(db: Repositories, deps: SendDeps, outboxId: string): Promise<OrgRuntime | undefined> {
  // No organisation bundles (the default): no need to read the row to know (a query per mail sent).
  if (!deps.orgs.all().some((o) => o.config.bundleChasers)) return undefined;
  // A follow-up to recipients refused for a while goes alone, as it is.
  const row = await db.outbox.kindOf(outboxId);
  const org = row?.kind === 'chaser' && !row.resendOf ? deps.orgs.find(row.organisationId) : undefined;
  return org?.config.bundleChasers ? org : undefined;
}

/** The ladder and rung a chaser was for, for the metric (read from the case's steps). */
async function rungOf(db: Repositories, row: OutboxRow): Promise<{ ladder: string; rung: string } | undefined> {
  if (!row.case || row.step === null || row.step === undefined) return undefined;
  const found = await db.cases.rungOfStep(row.case, row.step).catch(() => null);
  return found ? { ladder: found.ladder, rung: found.rung ?? `step-${row.step}` } : undefined;
}

/**
 * The cases a failed row is about, with the kind and step to record: its own case, or for a
 * follow-up of a combined mail (which belongs to no case) every case whose chaser it carried.
 */
async function casesAbout(db: Repositories, row: OutboxRow): Promise<{ caseId: string; kind: OutboxKind; step: number | null }[]> {
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
          refusedSend: { outbox: row.id, kind: about.kind, reason: reason ?? 'recipients refused', recipients: rejected },
          notify: external.length > 0,
        },
        ctx,
      );
      return persistDecision(tx, org, caseRow, decision, ctx, deps, `outbox:${row.id}`);
    });
    await dispatch(deps.scheduler, after);
  }
}
