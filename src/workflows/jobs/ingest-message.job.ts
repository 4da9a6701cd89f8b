import type { Deps } from '../../runtime/deps.js';
import type { OrgRuntime } from '../../runtime/organisations.js';
import type { CaseRow, MessageRow } from '../../db/entities/types.js';
import { Repositories } from '../../db/repositories/index.js';
import { applyCommands } from '../../domain/case/apply-commands.js';
import { applyBounce, applyRecipientReply, recordAutomatic, recordFlagged, recordReplyNotice } from '../../domain/case/apply-reply.js';
import { confirmationDeadline, confirmOpening, requestSenderConfirmation } from '../../domain/case/sender-confirmation.js';
import { addressKey, sameAddress } from '../../domain/address.js';
import type { BounceRecipient } from '../../domain/inbound/automatic.js';
import type { Decision, MailCause, MailIntent } from '../../domain/case/decision.js';
import { openCase } from '../../domain/case/open-case.js';
import { classificationForCase, type MessageAnalysis } from '../../domain/inbound/analyse-message.js';
import { aboutSafeguarding } from '../../domain/inbound/safeguarding.js';
import type { InboundMail } from '../../domain/inbound/inbound-mail.js';
import { decideRoute, type Route } from '../../domain/inbound/route.js';
import { routeName, type MessageStatus, type RouteName } from '../../domain/inbound/route-name.js';
import { DecisionBuilder } from '../../domain/case/decision.js';
import { cloneState } from '../../domain/case/advance.js';
import { newId, newToken } from '../../lib/ids.js';
import { readMessage } from '../../inbound/read-message.js';
import type { MessageReader } from '../../runtime/message-reader.js';
import { scrubErrorMessage } from '../../lib/logger.js';
import { dispatch, persistDecision, type AfterCommit } from '../persist-decision.js';
import { checkBounce, matchCase, routeFacts, type BounceCheck, type MatchedCase } from '../ingest/message-facts.js';
import { openingInput } from '../ingest/opening-request.js';
import { refuseOpening, tellNotRead } from '../ingest/limits.js';
import { readStored, type ReadOutcome, type StoredMessage } from '../ingest/read-stored.js';
import type { JobPayload } from '../job-catalogue.js';
import { readCaseCommands, type CaseCommands } from '../../domain/inbound/case-commands.js';
import type { DirectiveOptions } from '../../domain/inbound/directives.js';
import { rolesOf } from '../../domain/ladder/effective-ladder.js';
import { applyCaseCommands } from '../ingest/case-commands.js';

type IngestDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret' | 'limits' | 'trust' | 'metrics' | 'reader'>;

/** Where the service has no parse pool (the CLI, unit tests): the same work, in-process. */
const inProcess: MessageReader = { read: readMessage, close: () => Promise.resolve() };

/**
 * One stored message: read it (off the event loop, within limits), find its case, decide what it
 * is and apply that — the case's new state, its events, its outbox rows and the message's verdict
 * in one transaction. Safe to run twice: the message row is claimed, and a processed message is
 * left alone.
 */
export function ingestMessageJob(deps: IngestDeps) {
  const reader = deps.reader ?? inProcess;
  return async ({ messageId }: JobPayload<'ingest-message'>): Promise<void> => {
    const db = Repositories.open(deps.orm);
    const stored = await db.messages.findPending(messageId);
    if (!stored) return;
    const org = deps.orgs.forMailbox(stored.mailbox);
    if (!org) {
      await finish(db, stored.id, { status: 'rejected', route: 'quarantined', reason: `no organisation owns mailbox ${stored.mailbox}` }, deps);
      return;
    }
    const read = await readStored(db, { ...deps, reader }, org, stored);
    if (read.notRead) return ingestNotRead(deps, org, stored, read, read.notRead);
    const { mail, analysis } = read;
    if (mail.parseWarnings?.some((w) => w.startsWith('Date header is'))) deps.metrics?.limitReached('date-header-replaced');
    let matched: MatchedCase | undefined;
    let bounce: BounceCheck | undefined;
    let route: Route;
    let caseCommands: (CaseCommands & { home?: string }) | undefined;
    if (read.judgedOnHeaders) {
      // The same verdict the full reading would give; the row's analysis says it came from the headers alone.
      route = { kind: 'ignore', reason: 'not tagged [escalate] and not part of a case' };
    } else {
      if (analysis.bounce) {
        bounce = await checkBounce(db, org, mail, analysis);
        matched = bounce.matched;
      } else matched = read.matched ?? (await matchCase(db.cases, org, analysis));
      const facts = routeFacts(org, mail, analysis, matched, false, bounce);
      if (!matched && facts.senderIsStaff && analysis.automatic.kind === 'none') {
        // Staff writing outside any case's thread: a reply to the digest, or lines naming cases.
        facts.repliesToOrgMail = (await db.outbox.orgMailKinds(org.id, analysis.threadIds)).length > 0;
        caseCommands = readCaseCommands(analysis.newText, directiveOptions(org, mail.date));
        facts.namesCases = caseCommands.groups.length > 0;
      }
      route = decideRoute(facts);
      if (matched && !analysis.confirmToken && facts.senderIsStaff && analysis.automatic.kind === 'none' && STAFF_ROUTES.has(route.kind)) {
        // Staff in one case's thread writing lines that name another case ("ESC-2026-0012 CLOSE"):
        // each goes to the case it names, the rest to this one, instead of being read as this
        // case's (or dropped as no command at all). Issue 20.6.
        const home = matched.row.ref;
        const read = readCaseCommands(analysis.newText, directiveOptions(org, mail.date), home);
        if (read.groups.some((g) => g.ref !== home)) {
          caseCommands = { ...read, home: matched.row.id };
          route = { kind: 'case-commands' };
        }
      }
    }

    const after = await db
      .transaction(async (tx) => {
        const msg = await tx.messages.claimPending(messageId);
        if (!msg) return null;
        // Stored before the decision's mails are composed: a chaser to someone new, or the
        // out-of-hours mail, sent by the opening decision itself quotes the request's own words.
        await tx.messages.recordNewText(msg, analysis.newText || null);
        const result =
          route.kind === 'case-commands' && caseCommands
            ? await applyToCases(tx, deps, org, msg, mail, analysis, caseCommands)
            : await applyRoute(tx, deps, org, msg, mail, analysis, route, matched?.row.id, bounce?.recipients ?? []);
        const name: RouteName = result.refused ? 'quarantined' : routeName(route);
        await tx.messages.markProcessed(msg, {
          status: route.kind === 'reject' ? 'rejected' : 'processed',
          route: name,
          reason: result.refused ?? ('reason' in route ? route.reason : null),
          case: result.caseId ?? null,
          fromAddress: mail.from?.address ?? null,
          subject: mail.subject || null,
          sentAt: mail.date,
          to: mail.to.map((a) => a.address),
          cc: mail.cc.map((a) => a.address),
          inReplyTo: mail.inReplyTo ?? null,
          references: mail.references,
          newText: analysis.newText || null,
          analysis: { ...summarise(analysis, mail, route), ...(read.judgedOnHeaders ? { judgedOnHeaders: true } : {}) },
          processedAt: deps.clock.now(),
        });
        return { ...result, route: name };
      })
      .catch(async (error: unknown) => {
        // A message whose content the database refuses will be refused the same way every time:
        // record why instead of retrying it for ever. Anything else (a dropped connection) is retried.
        if (!isDataError(error)) throw error;
        await finish(
          Repositories.open(deps.orm),
          messageId,
          { status: 'rejected', route: 'rejected', reason: `could not be stored: ${scrubErrorMessage((error as Error).message).slice(0, 200)}` },
          deps,
        );
        return null;
      });
    if (!after) return;
    deps.metrics?.messageIngested(after.route, classOf(route, analysis));
    const level = after.refused || route.kind === 'quarantine' || route.kind === 'reject' || route.kind === 'flag' ? 'warn' : 'info';
    deps.logger[level](
      { message: messageId, route: after.route, reason: after.refused ?? ('reason' in route ? route.reason : undefined), case: after.caseRef },
      'message ingested',
    );
    await dispatch(deps.scheduler, after.work);
    for (const more of after.moreWork ?? []) await dispatch(deps.scheduler, more);
  };
}

/** The options the message's commands were read with (read-stored.ts gives the parse worker the same). */
function directiveOptions(org: OrgRuntime, reference: Date): DirectiveOptions {
  return {
    roles: [...new Set(org.ladders.all(org.id).flatMap((l) => [...rolesOf(l)]))],
    ladderIds: org.ladders.ids(org.id),
    reference,
    timezone: org.calendar.timezone,
    childReference: org.childReference,
  };
}

/** What staff writing in a case's thread can be routed to: lines naming other cases are split off these. */
const STAFF_ROUTES: ReadonlySet<Route['kind']> = new Set(['command', 'confirm-commands', 'staff-message']);

/** A message about several cases: each case's lines through `applyRoute`, as if written in its thread (case-commands.ts). */
async function applyToCases(
  tx: Repositories,
  deps: IngestDeps,
  org: OrgRuntime,
  msg: Pick<MessageRow, 'id' | 'receivedAt'>,
  mail: InboundMail,
  analysis: MessageAnalysis,
  read: CaseCommands & { home?: string },
): Promise<RouteResult> {
  const result = await applyCaseCommands(tx, deps, org, msg, mail, analysis, read, deps.clock.now(), (route, forCase, caseId) =>
    applyRoute(tx, deps, org, msg, mail, forCase, route, caseId, []),
  );
  // The message row names a case when it was written in one's thread, or was about exactly one.
  const caseId = read.home ?? (result.caseIds.length === 1 ? result.caseIds[0] : undefined);
  return { ...(caseId ? { caseId } : {}), moreWork: result.work };
}

/**
 * A message that was not read (over a limit): recorded with its headers, size and SHA-256, filed
 * with its case when its headers find one, and the sender (staff) or the RM (a participant) told.
 */
async function ingestNotRead(
  deps: IngestDeps,
  org: OrgRuntime,
  stored: StoredMessage,
  read: ReadOutcome,
  notRead: NonNullable<ReadOutcome['notRead']>,
): Promise<void> {
  const { mail, analysis } = read;
  deps.metrics?.limitReached(notRead.limit);
  const db = Repositories.open(deps.orm);
  const matched = read.matched ?? (await matchCase(db.cases, org, analysis));
  const facts = routeFacts(org, mail, analysis, matched, false);
  const key = stored.id.replace(/-/g, '').slice(0, 16);
  const now = deps.clock.now();
  const after = await db.transaction(async (tx) => {
    const msg = await tx.messages.claimPending(stored.id);
    if (!msg) return null;
    // An automatic message (an out-of-office, a bounce) is recorded, never answered.
    const tell = analysis.automatic.kind === 'none' && analysis.verification.status !== 'failed';
    const work = await tellNotRead(tx, deps, org, {
      mail,
      messageRowId: stored.id,
      messageKey: key,
      size: stored.size,
      reason: notRead.reason,
      now,
      senderIsStaff: tell && facts.senderIsStaff,
      ...(matched
        ? { caseInfo: { id: matched.row.id, ref: matched.row.ref, ...(tell && facts.match?.senderRole ? { senderRole: facts.match.senderRole } : {}) } }
        : {}),
    });
    await tx.messages.markProcessed(msg, {
      status: 'processed',
      route: 'not-read',
      reason: notRead.reason,
      case: matched?.row.id ?? null,
      fromAddress: mail.from?.address ?? null,
      subject: mail.subject || null,
      sentAt: mail.date,
      to: mail.to.map((a) => a.address),
      cc: mail.cc.map((a) => a.address),
      inReplyTo: mail.inReplyTo ?? null,
      references: mail.references,
      headers: msg.headers ?? notRead.headers.slice(0, 256 * 1024),
      analysis: { notRead: notRead.limit, automatic: analysis.automatic, caseTag: analysis.caseTag ?? null, dateFromHeader: mail.dateFromHeader },
      processedAt: now,
    });
    return { work, caseRef: matched?.row.ref };
  });
  if (!after) return;
  deps.metrics?.messageIngested('not-read', 'none');
  deps.logger.warn({ message: stored.id, route: 'not-read', limit: notRead.limit, case: after.caseRef }, 'message ingested');
  await dispatch(deps.scheduler, after.work);
}

interface RouteResult {
  caseId?: string;
  caseRef?: string;
  work?: AfterCommit;
  /** A request a limit refused (README, Limits): the reason, and nothing opened. */
  refused?: string;
  /** A message about several cases: each case's work, and the answer's. */
  moreWork?: AfterCommit[];
}

async function applyRoute(
  tx: Repositories,
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
  const sender = mail.from ?? { address: 'unknown' };
  const key = msg.id.replace(/-/g, '').slice(0, 16);
  const cause: MailCause = {
    sender: addressKey(sender.address),
    messageKey: key,
    // Notices about someone not on the case quoting it count per organisation, not per case. So
    // does a flagged message whose From names a participant: that From is not proven, and counting
    // it against the participant's own budget would let a forger spend it.
    ...(route.kind === 'flag' ? { stranger: true } : {}),
    // A participant's reply and a bounce are what the RM must see.
    ...(route.kind === 'recipient-reply' || route.kind === 'reply-notice' || route.kind === 'bounce' ? { mustSee: true } : {}),
    ...(aboutSafeguarding(analysis, mail.subject) ? { safeguarding: true } : {}),
  };
  if (route.kind === 'open-case') {
    const refusal = await refuseOpening(tx, deps, org, mail, msg.id, now);
    if (refusal) return { refused: refusal.reason, work: refusal.work };
    const ids = {
      id: newId(),
      ref: await tx.cases.allocateRef(Number(org.calendar.local(now).toFormat('yyyy'))),
      token: newToken(),
      messageRowId: msg.id,
      receivedAt: msg.receivedAt,
    };
    const input = openingInput(org, mail, analysis, ids);
    const ctx = org.caseContext(input.ladderId, now);
    const confirm = route.confirmSender ? { token: newToken(), until: confirmationDeadline(ctx), reason: analysis.verification.reason } : undefined;
    const decision = withCause(openCase({ ...input, ...(confirm ? { senderConfirmation: confirm } : {}) }, ctx), cause);
    const work = await persistDecision(tx, org, null, decision, ctx, deps, `message:${msg.id}`);
    if (confirm) {
      await tx.confirmations.insert({
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
  const row = await tx.cases.lock(matchedId);
  if (!row) return {};
  const ctx = org.caseContext(row.ladderId, now);
  const state = row.state;
  const from = { email: sender.address, ...(sender.name ? { name: sender.name } : {}) };
  // A done statement about another item than the case's category is other (issue 14, point 2).
  const forCase = () =>
    classificationForCase(mail, analysis, state.category, { timezone: ctx.calendar.timezone, workingDays: ctx.calendar, inboxAddress: org.mailbox });
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
      await tx.confirmations.insert({
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
        {
          from,
          role: route.role,
          classification: forCase(),
          messageKey: key,
          newText: analysis.newText,
          attachments: mail.attachments,
          reason: route.reason,
        },
        ctx,
      );
      break;
    case 'recipient-reply':
      decision = applyRecipientReply(
        state,
        { from, role: route.role, classification: forCase(), messageKey: key, newText: analysis.newText, attachments: mail.attachments },
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
      // A participant's words are quoted so the RM can judge them (issue 14); a stranger's are not:
      // they would travel into the RM's mail and the evidence pack (issue 13 point 8 keeps
      // strangers' messages to one header line there).
      decision = recordFlagged(
        state,
        { from: sender.address, reason: route.reason, messageKey: key, notify: route.notify, ...(route.participant ? { newText: analysis.newText } : {}) },
        ctx,
      );
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
  let caused = withCause(decision, cause);
  if ((route.kind === 'recipient-reply' || route.kind === 'reply-notice') && mail.attachments.length > 0) caused = withForward(caused, msg.id);
  const work = await persistDecision(tx, org, row, caused, ctx, deps, `message:${msg.id}`);
  return { caseId: row.id, caseRef: row.ref, work };
}

/** Mails that show the RM (or the confirmers) a reply: what it came with is forwarded with them (README, Attachments). */
const SHOWS_THE_REPLY: ReadonlySet<MailIntent['kind']> = new Set<MailIntent['kind']>(['reply-notice', 'resolved-notice', 'confirm-request']);

function withForward(decision: Decision, messageRowId: string): Decision {
  return { ...decision, mails: decision.mails.map((m) => (SHOWS_THE_REPLY.has(m.kind) ? { ...m, forward: { message: messageRowId } } : m)) };
}

/** Every mail of a decision an inbound message caused carries that message's sender (loop protection counts per sender). */
function withCause(decision: Decision, cause: MailCause): Decision {
  return { ...decision, mails: decision.mails.map((m) => ({ ...m, cause })) };
}

/**
 * `CONFIRM <token>` from the claimed sender's mailbox: the token must be one we issued for this
 * case and this address, unused and unexpired; then what it stood for happens, exactly as it was
 * written when the code was sent. Anything else changes nothing and says why.
 */
async function applyConfirmation(
  tx: Repositories,
  caseId: string,
  token: string,
  from: { email: string; name?: string },
  key: string,
  ctx: ReturnType<OrgRuntime['caseContext']>,
  state: CaseRow['state'],
): Promise<Decision> {
  const pending = await tx.confirmations.find(token);
  const refuse = (problem: string) => applyCommands(state, { from, lines: [], errors: [problem], messageKey: key }, ctx);
  if (pending?.caseId !== caseId || !sameAddress(pending.address, from.email)) {
    return refuse('That confirmation code is not one we sent you for this case, so nothing was changed.');
  }
  if (pending.usedAt) return refuse('That confirmation code has already been used, so nothing more was changed.');
  if (pending.expiresAt <= ctx.now) {
    return refuse('That confirmation code has expired, so nothing was changed. If you still want it, send the command again.');
  }
  await tx.confirmations.markUsed(pending.id, ctx.now);
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
    parseWarnings: mail.parseWarnings ?? [],
  };
}

async function finish(db: Repositories, id: string, fields: { status: MessageStatus; route: RouteName; reason: string }, deps: IngestDeps): Promise<void> {
  await db.messages.reject(id, fields, deps.clock.now());
  deps.metrics?.messageIngested(fields.route, 'none');
  deps.logger.warn({ message: id, route: fields.route, reason: fields.reason }, 'message not ingested');
}
