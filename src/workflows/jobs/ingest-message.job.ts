import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import type { Deps } from '../../runtime/deps.js';
import type { OrgRuntime } from '../../runtime/organisations.js';
import { Message } from '../../db/entities/index.js';
import type { CaseRow, MessageRow } from '../../db/entities/types.js';
import { allocateRef, lockCase } from '../../db/repositories/case-repository.js';
import { applyCommands } from '../../domain/case/apply-commands.js';
import { applyBounce, applyRecipientReply, recordAutomatic, recordFlagged, recordReplyNotice } from '../../domain/case/apply-reply.js';
import { confirmationDeadline, confirmOpening, requestSenderConfirmation } from '../../domain/case/sender-confirmation.js';
import { sameAddress } from '../../domain/address.js';
import type { BounceRecipient } from '../../domain/inbound/automatic.js';
import { findConfirmation, insertConfirmation, markConfirmationUsed } from '../../db/repositories/sender-confirmation-repository.js';
import type { Decision } from '../../domain/case/decision.js';
import { openCase } from '../../domain/case/open-case.js';
import { analyseMessage, type MessageAnalysis } from '../../domain/inbound/analyse-message.js';
import type { InboundMail } from '../../domain/inbound/inbound-mail.js';
import { decideRoute, type Route } from '../../domain/inbound/route.js';
import { routeName, type MessageStatus, type RouteName } from '../../domain/inbound/route-name.js';
import { rolesOf } from '../../domain/ladder/effective-ladder.js';
import { DecisionBuilder } from '../../domain/case/decision.js';
import { cloneState } from '../../domain/case/advance.js';
import { newId, newToken } from '../../lib/ids.js';
import { parseMessage } from '../../inbound/parse-message.js';
import { scrubErrorMessage } from '../../lib/logger.js';
import { dispatch, persistDecision, type AfterCommit } from '../persist-decision.js';
import { checkBounce, matchCase, routeFacts, type BounceCheck, type MatchedCase } from '../ingest/message-facts.js';
import { openingInput } from '../ingest/opening-request.js';
import type { JobPayload } from '../job-catalogue.js';

type IngestDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret' | 'limits' | 'trust' | 'metrics'>;

/**
 * One stored message: parse it, find its case, decide what it is and apply that — the case's
 * new state, its events, its outbox rows and the message's verdict in one transaction. Safe to
 * run twice: the message row is claimed, and a processed message is left alone.
 */
export function ingestMessageJob(deps: IngestDeps) {
  return async ({ messageId }: JobPayload<'ingest-message'>): Promise<void> => {
    const em = deps.orm.em.fork() as EntityManager;
    const stored = await loadPending(em, messageId);
    if (!stored) return;
    const org = deps.orgs.forMailbox(stored.mailbox);
    if (!org) {
      await finish(em, stored.id, { status: 'rejected', route: 'quarantined', reason: `no organisation owns mailbox ${stored.mailbox}` }, deps);
      return;
    }
    const oversized = !stored.raw;
    const mail = withoutNul(
      await parseMessage(stored.raw ?? Buffer.alloc(0), {
        receivedAt: stored.receivedAt,
        ...(stored.internalDate ? { internalDate: stored.internalDate } : {}),
        ...(stored.envelopeTo ? { envelopeTo: stored.envelopeTo } : {}),
        maxHtmlLength: deps.limits.maxHtmlLength,
      }),
    );
    const roles = new Set(org.ladders.all(org.id).flatMap((l) => [...rolesOf(l)]));
    const analysis = analyseMessage(mail, {
      inboxAddress: org.mailbox,
      timezone: org.calendar.timezone,
      workingDays: org.calendar,
      roles,
      ladderIds: org.ladders.ids(org.id),
      trustedAuthservIds: deps.trust.authservIds,
      trust: org.trust,
      childReference: org.childReference,
    });
    let matched: MatchedCase | undefined;
    let bounce: BounceCheck | undefined;
    if (!oversized && analysis.bounce) {
      bounce = await checkBounce(em, org, mail, analysis);
      matched = bounce.matched;
    } else if (!oversized) matched = await matchCase(em, org, analysis);
    const route = decideRoute(routeFacts(org, mail, analysis, matched, oversized, bounce));

    const after = await em
      .transactional(async (tx) => {
        // Without `raw`: the source was read above, and the ORM would otherwise copy and compare it on flush.
        const msg = await tx.findOne(Message, { id: messageId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, exclude: ['raw'] });
        if (!msg || msg.status !== 'pending') return null;
        const result = await applyRoute(tx, deps, org, msg, mail, analysis, route, matched?.row.id, bounce?.recipients ?? []);
        Object.assign(msg, {
          status: route.kind === 'reject' ? 'rejected' : 'processed',
          route: routeName(route),
          reason: 'reason' in route ? route.reason : null,
          case: result.caseId ?? null,
          fromAddress: mail.from?.address ?? null,
          subject: mail.subject || null,
          sentAt: mail.date,
          to: mail.to.map((a) => a.address),
          cc: mail.cc.map((a) => a.address),
          inReplyTo: mail.inReplyTo ?? null,
          references: mail.references,
          newText: analysis.newText || null,
          analysis: summarise(analysis, mail, route),
          processedAt: deps.clock.now(),
        });
        await tx.flush();
        return result;
      })
      .catch(async (error: unknown) => {
        // A message whose content the database refuses will be refused the same way every time:
        // record why instead of retrying it for ever. Anything else (a dropped connection) is retried.
        if (!isDataError(error)) throw error;
        await finish(
          deps.orm.em.fork() as EntityManager,
          messageId,
          { status: 'rejected', route: 'rejected', reason: `could not be stored: ${scrubErrorMessage((error as Error).message).slice(0, 200)}` },
          deps,
        );
        return null;
      });
    if (!after) return;
    deps.metrics?.messageIngested(routeName(route), classOf(route, analysis));
    const level = route.kind === 'quarantine' || route.kind === 'reject' || route.kind === 'flag' ? 'warn' : 'info';
    deps.logger[level](
      { message: messageId, route: routeName(route), reason: 'reason' in route ? route.reason : undefined, case: after.caseRef },
      'message ingested',
    );
    await dispatch(deps.scheduler, after.work);
  };
}

interface PendingMessage {
  id: string;
  mailbox: string;
  raw: Buffer | null;
  receivedAt: Date;
  internalDate: Date | null;
  envelopeTo: string[] | null;
}

/** The stored message still waiting for its verdict, with its source (read once, by plain SQL). */
async function loadPending(em: EntityManager, id: string): Promise<PendingMessage | undefined> {
  const rows = await em.execute<
    Array<{ id: string; mailbox: string; raw: Buffer | null; received_at: Date; internal_date: Date | null; envelope_to: string[] | string | null }>
  >(`select id, mailbox, raw, received_at, internal_date, envelope_to from message where id = ? and status = 'pending'`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  const envelopeTo = typeof r.envelope_to === 'string' ? (JSON.parse(r.envelope_to) as string[]) : r.envelope_to;
  return {
    id: r.id,
    mailbox: r.mailbox,
    raw: r.raw,
    receivedAt: new Date(r.received_at),
    internalDate: r.internal_date ? new Date(r.internal_date) : null,
    envelopeTo,
  };
}

interface RouteResult {
  caseId?: string;
  caseRef?: string;
  work?: AfterCommit;
}

async function applyRoute(
  tx: EntityManager,
  deps: IngestDeps,
  org: OrgRuntime,
  msg: Pick<MessageRow, 'id' | 'receivedAt'>,
  mail: InboundMail,
  analysis: MessageAnalysis,
  route: Route,
  matchedId: string | undefined,
  bounced: BounceRecipient[],
): Promise<RouteResult> {
  const now = deps.clock.now();
  if (route.kind === 'open-case') {
    const ids = {
      id: newId(),
      ref: await allocateRef(tx, Number(org.calendar.local(now).toFormat('yyyy'))),
      token: newToken(),
      messageRowId: msg.id,
      receivedAt: msg.receivedAt,
    };
    const input = openingInput(org, mail, analysis, ids);
    const ctx = org.caseContext(input.ladderId, now);
    const confirm = route.confirmSender ? { token: newToken(), until: confirmationDeadline(ctx), reason: analysis.verification.reason } : undefined;
    const decision = openCase({ ...input, ...(confirm ? { senderConfirmation: confirm } : {}) }, ctx);
    const work = await persistDecision(tx, org, null, decision, ctx, deps, `message:${msg.id}`);
    if (confirm) {
      await insertConfirmation(tx, {
        caseId: ids.id,
        token: confirm.token,
        address: input.originator.email,
        kind: 'opening',
        messageRowId: msg.id,
        now,
        expiresAt: confirm.until,
      });
    }
    return { caseId: ids.id, caseRef: ids.ref, work };
  }
  if (!matchedId) return {};
  const row = await lockCase(tx, matchedId);
  if (!row) return {};
  const ctx = org.caseContext(row.ladderId, now);
  const state = row.state;
  const sender = mail.from ?? { address: 'unknown' };
  const from = { email: sender.address, ...(sender.name ? { name: sender.name } : {}) };
  const key = msg.id.replace(/-/g, '').slice(0, 16);
  let decision: Decision;
  switch (route.kind) {
    case 'command':
      decision = applyCommands(
        state,
        { from, lines: analysis.commands.lines, errors: analysis.commands.errors, messageKey: key, ...(route.allowed ? { allowed: route.allowed } : {}) },
        ctx,
      );
      break;
    case 'confirm-commands': {
      const token = newToken();
      const until = confirmationDeadline(ctx);
      await insertConfirmation(tx, {
        caseId: row.id,
        token,
        address: sender.address,
        kind: 'commands',
        commands: analysis.commands.lines,
        ...(route.allowed ? { allowed: route.allowed } : {}),
        messageRowId: msg.id,
        now,
        expiresAt: until,
      });
      decision = requestSenderConfirmation(state, { from, lines: analysis.commands.lines, token, until, reason: route.reason, messageKey: key }, ctx);
      break;
    }
    case 'confirm-token':
      decision = await applyConfirmation(tx, row.id, analysis.confirmToken ?? '', from, key, ctx, state);
      break;
    case 'reply-notice':
      decision = recordReplyNotice(
        state,
        { from, role: route.role, classification: analysis.classification, messageKey: key, newText: analysis.newText, reason: route.reason },
        ctx,
      );
      break;
    case 'recipient-reply':
      decision = applyRecipientReply(
        state,
        { from, role: route.role, classification: analysis.classification, messageKey: key, newText: analysis.newText },
        ctx,
      );
      break;
    case 'bounce':
      // Only the recipients our mail was really sent to (checkBounce).
      decision = applyBounce(state, { recipients: bounced, messageKey: key }, ctx);
      break;
    case 'automatic':
      decision = recordAutomatic(
        state,
        {
          from: sender.address,
          kind: route.automatic,
          ...(analysis.automatic.returnDate ? { returnDate: analysis.automatic.returnDate } : {}),
          messageKey: key,
        },
        ctx,
      );
      break;
    case 'flag':
      decision = recordFlagged(state, { from: sender.address, reason: route.reason, messageKey: key, notify: route.notify }, ctx);
      break;
    case 'staff-message': {
      const b = new DecisionBuilder(cloneState(state), now);
      b.event('staff-message', sender.address, { message: key });
      decision = b.build();
      break;
    }
    default:
      return { caseId: row.id, caseRef: row.ref };
  }
  const work = await persistDecision(tx, org, row as CaseRow, decision, ctx, deps, `message:${msg.id}`);
  return { caseId: row.id, caseRef: row.ref, work };
}

/**
 * `CONFIRM <token>` from the claimed sender's mailbox: the token must be one we issued for this
 * case and this address, unused and unexpired; then what it stood for happens, exactly as it was
 * written when the code was sent. Anything else changes nothing and says why.
 */
async function applyConfirmation(
  tx: EntityManager,
  caseId: string,
  token: string,
  from: { email: string; name?: string },
  key: string,
  ctx: ReturnType<OrgRuntime['caseContext']>,
  state: CaseRow['state'],
): Promise<Decision> {
  const pending = await findConfirmation(tx, token);
  const refuse = (problem: string) => applyCommands(state, { from, lines: [], errors: [problem], messageKey: key }, ctx);
  if (!pending || pending.caseId !== caseId || !sameAddress(pending.address, from.email)) {
    return refuse('That confirmation code is not one we sent you for this case, so nothing was changed.');
  }
  if (pending.usedAt) return refuse('That confirmation code has already been used, so nothing more was changed.');
  if (pending.expiresAt <= ctx.now) {
    return refuse('That confirmation code has expired, so nothing was changed. If you still want it, send the command again.');
  }
  await markConfirmationUsed(tx, pending.id, ctx.now);
  if (pending.kind === 'opening') {
    if (!state.senderConfirmation) return refuse('This case no longer waits for a confirmation, so nothing was changed.');
    return confirmOpening(state, { from, messageKey: key }, ctx);
  }
  return applyCommands(
    state,
    { from, lines: pending.commands, errors: [], messageKey: key, confirmedBy: 'round-trip', ...(pending.allowed ? { allowed: pending.allowed } : {}) },
    ctx,
  );
}

/**
 * PostgreSQL text and JSON cannot hold U+0000, and a NUL in a header or body is never meaningful:
 * it is dropped from every string the parser produced, before anything is analysed or stored.
 */
function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return value.map((v) => withoutNul(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}

/** SQLSTATE class 22 (data exception) and protocol violations: the content, not the connection. */
function isDataError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    (typeof e.code === 'string' && (e.code.startsWith('22') || e.code === '08P01')) ||
    /invalid message format|cannot be converted to text|invalid byte sequence/i.test(e.message ?? '')
  );
}

/** The metric's second label: what kind of reply or automatic mail it was (never its content). */
function classOf(route: Route, analysis: MessageAnalysis): string {
  if (route.kind === 'recipient-reply' || route.kind === 'reply-notice') return analysis.classification.class;
  if (route.kind === 'automatic') return route.automatic;
  if (route.kind === 'bounce') return 'bounce';
  return 'none';
}

/** What is kept on the message row: verdicts and evidence, not the body (that is in `raw` and `newText`). */
function summarise(analysis: MessageAnalysis, mail: InboundMail, route: Route): Record<string, unknown> {
  return {
    route,
    automatic: analysis.automatic,
    classification: analysis.classification,
    commands: analysis.commands.lines.map((l) => l.command.kind),
    commandErrors: analysis.commands.errors,
    directives: analysis.directives.items.map((d) => d.directive.kind),
    unknownDirectives: analysis.directives.unknown.length,
    caseTag: analysis.caseTag ?? null,
    authentication: analysis.authentication,
    verification: analysis.verification,
    bounce: analysis.bounce ?? null,
    attachments: mail.attachments,
    dateFromHeader: mail.dateFromHeader,
    parseProblems: mail.parseProblems,
  };
}

async function finish(em: EntityManager, id: string, fields: { status: MessageStatus; route: RouteName; reason: string }, deps: IngestDeps): Promise<void> {
  await em.nativeUpdate(Message, { id, status: 'pending' }, { ...fields, processedAt: deps.clock.now() });
  deps.metrics?.messageIngested(fields.route, 'none');
  deps.logger.warn({ message: id, route: fields.route, reason: fields.reason }, 'message not ingested');
}
