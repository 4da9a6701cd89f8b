import type { EntityManager } from '@mikro-orm/postgresql';
import { simpleParser } from 'mailparser';
import type { OrgRuntime, Organisations } from '../runtime/organisations.js';
import { Case, Message, OutboxMail } from '../db/entities/index.js';
import { loadCaseEvents, type EventReadWarnings } from '../db/repositories/case-event-reader.js';
import type { CaseRow } from '../db/entities/types.js';
import { CaseRepository, type CaseFilter } from '../db/repositories/index.js';
import { ladderFor } from '../domain/case/advance.js';
import type { OutboxKind } from '../domain/case/mail-intents.js';
import type { EffectiveLadder } from '../domain/ladder/effective-ladder.js';
import { caseFacts, type CaseFacts } from '../reports/case-facts.js';
import type { AttachmentFact, EvidenceInput, EvidenceMessageInput, MessageReading } from '../reports/evidence-pack.js';
import type { RecordedEvent } from '../domain/case/case-events.js';
import { must } from '../lib/must.js';

/** Which cases a report covers. */
export type FactsFilter = CaseFilter;

/** A case the reports could not derive facts for (its ladder gone from the config, a damaged state …). */
export interface UnreadableCase {
  id: string;
  ref: string;
  orgId: string;
}

export interface LoadedFacts {
  facts: CaseFacts[];
  /** Left out of `facts`, each logged with why: a report says they are missing rather than fail for all. */
  unreadable: UnreadableCase[];
}

/**
 * The report facts of every case that matches, oldest first. Cases are few (tens per home, a
 * few hundred a year per service), so they are read whole and derived in memory by the same
 * pure functions the tests check. One case that cannot be read does not stop the others: it is
 * listed in `unreadable`, and a warning names it (its id and reference, never its content).
 */
export async function loadCaseFacts(em: EntityManager, orgs: Organisations, filter: FactsFilter, now: Date, logger: EventReadWarnings): Promise<LoadedFacts> {
  const rows = await new CaseRepository(em).states(filter);
  const facts: CaseFacts[] = [];
  const unreadable: UnreadableCase[] = [];
  // Thousands of cases run on a handful of ladders: each effective ladder is worked out once.
  const ladders = new Map<string, EffectiveLadder>();
  for (const row of rows) {
    const org = orgs.find(row.organisation_id);
    // An organisation taken out of the config keeps its rows, but there is nobody to report to.
    if (!org) continue;
    try {
      const ctx = org.caseContext(row.ladder_id, now);
      const key = `${org.id}\u0000${row.ladder_id}\u0000${row.state.variant}`;
      let ladder = ladders.get(key);
      if (!ladder) ladders.set(key, (ladder = ladderFor(row.state, ctx)));
      facts.push(caseFacts(row.state, ctx, ladder));
    } catch (error) {
      logger.warn({ case: row.id, ref: row.ref, err: error }, 'case left out of a report: it could not be read');
      unreadable.push({ id: row.id, ref: row.ref, orgId: row.organisation_id });
    }
  }
  return { facts, unreadable };
}

/** Outbound mails written at the same instant, in the order a reader expects them. */
const KIND_ORDER: readonly OutboxKind[] = [
  'confirmation',
  'chaser',
  'out-of-hours',
  'approval-request',
  'approval-reminder',
  'step-notice',
  'kept-informed',
  'kept-informed-case',
  'contact-request',
  'confirm-request',
  'confirmation-ended',
  'reply-notice',
  'resolved-notice',
  'bounce-notice',
  'command-ack',
  'command-error',
];

function kindRank(kind: OutboxKind): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

function attachmentFacts(list: { filename?: string | null; contentType?: string; size?: number }[] | undefined): AttachmentFact[] {
  const names = attachmentNames(list);
  return (list ?? []).map((a, i) => ({ name: must(names[i], 'an attachment name'), bytes: typeof a.size === 'number' ? a.size : null }));
}

interface StoredAnalysis {
  attachments?: { filename?: string; contentType: string; size?: number }[];
  classification?: { class?: string; evidence?: string; promiseDate?: string };
  commands?: string[];
  automatic?: { kind?: string; reason?: string };
}

/**
 * How an inbound message was read. The case's own reading (the reply event naming the message)
 * comes first: it is the one that acted, after the case's category was taken into account; the
 * message's stored analysis stands for the rest.
 */
function readingOf(analysis: StoredAnalysis | null, rowId: string, route: string | null, events: RecordedEvent[]): MessageReading | undefined {
  const key = rowId.replace(/-/g, '').slice(0, 16);
  const event = events.find((e) => (e.type === 'reply-received' || e.type === 'reply-noted') && e.detail.message === key);
  const reading: MessageReading = {};
  const cls = analysis?.classification;
  if (event && (event.type === 'reply-received' || event.type === 'reply-noted')) {
    reading.class = event.detail.class;
    const evidence = event.type === 'reply-received' ? event.detail.evidence : cls?.class === event.detail.class ? cls.evidence : undefined;
    if (evidence) reading.evidence = evidence;
    if (cls?.class === event.detail.class && cls.promiseDate) reading.promiseDate = cls.promiseDate;
  } else if (cls?.class && analysis?.automatic?.kind === 'none' && (route === 'reply' || route === 'reply-notice')) {
    // A reply stored before its event named the message: the analysis's reading. Other routes (the
    // opening request, commands) are not replies, and a class on them would only mislead.
    reading.class = cls.class;
    if (cls.evidence) reading.evidence = cls.evidence;
    if (cls.promiseDate) reading.promiseDate = cls.promiseDate;
  }
  if (analysis?.commands?.length) reading.commands = analysis.commands;
  if (analysis?.automatic?.kind && analysis.automatic.kind !== 'none')
    reading.automatic = `${analysis.automatic.kind}${analysis.automatic.reason ? ` (${analysis.automatic.reason})` : ''}`;
  return Object.keys(reading).length ? reading : undefined;
}

function attachmentNames(list: { filename?: string | null; contentType?: string }[] | undefined): string[] {
  return (list ?? []).map((a) => (a.filename?.length ? a.filename : `(unnamed ${a.contentType ?? 'attachment'})`));
}

/** A column that not every schema version has (retention added `sha256` / `raw_purged_at`): null when absent. */
function column(row: object, key: string): unknown {
  return (row as Record<string, unknown>)[key] ?? null;
}

export interface EvidenceData {
  row: CaseRow;
  org: OrgRuntime;
  input: EvidenceInput;
}

/** Everything stored about one case, for its evidence pack: state, events, and every raw message in and out. */
export async function loadEvidence(
  em: EntityManager,
  orgs: Organisations,
  ref: string,
  now: Date,
  generatedBy: string,
  logger: EventReadWarnings,
): Promise<EvidenceData | undefined> {
  const row = await em.findOne(Case, { ref: ref.toUpperCase() });
  if (!row) return undefined;
  const org = orgs.get(row.organisation);
  const ctx = org.caseContext(row.ladderId, now);
  const events = await loadCaseEvents(em, row.id, logger);
  const inbound = await em.find(Message, { case: row.id }, { orderBy: { receivedAt: 'asc', createdAt: 'asc' } });
  const outbound = await em.find(OutboxMail, { case: row.id }, { orderBy: { createdAt: 'asc' } });
  outbound.sort(
    (a, b) =>
      a.createdAt.getTime() - b.createdAt.getTime() ||
      kindRank(a.kind) - kindRank(b.kind) ||
      (a.step ?? 0) - (b.step ?? 0) ||
      a.messageId.localeCompare(b.messageId),
  );

  const messages: EvidenceMessageInput[] = [];
  for (const m of inbound) {
    const raw = m.raw ? Buffer.from(m.raw) : null;
    const analysis = m.analysis as StoredAnalysis | null;
    let files = analysis?.attachments ? attachmentFacts(analysis.attachments) : undefined;
    if (!files && raw) files = attachmentFacts((await simpleParser(raw)).attachments);
    const attachments = files?.map((f) => f.name);
    const reading = readingOf(analysis, m.id, m.route ?? null, events);
    messages.push({
      direction: 'in',
      messageId: m.messageId,
      at: m.receivedAt,
      sentAt: m.sentAt ?? null,
      from: m.fromAddress ?? null,
      to: m.to,
      cc: m.cc,
      subject: m.subject ?? null,
      text: m.newText ?? null,
      attachments: attachments ?? [],
      raw,
      storedSha256: m.sha256 || null,
      purgedAt: column(m, 'rawPurgedAt') as Date | null,
      size: m.size,
      label: m.route ?? m.status,
      status: m.status,
      files: files ?? [],
      ...(reading ? { reading } : {}),
    });
  }
  for (const o of outbound) {
    // The raw copy may have been purged under the retention policy; its SHA-256 is kept.
    const raw = o.raw ? Buffer.from(o.raw) : null;
    const parsed = raw ? await simpleParser(raw) : undefined;
    messages.push({
      direction: 'out',
      messageId: o.messageId,
      at: o.createdAt,
      sentAt: o.sentAt ?? null,
      from: parsed?.from?.text ?? o.envelopeFrom,
      to: o.to,
      cc: o.cc,
      subject: o.subject,
      text: parsed?.text ?? null,
      attachments: attachmentNames(parsed?.attachments),
      files: attachmentFacts(parsed?.attachments),
      raw,
      storedSha256: column(o, 'sha256') as string | null,
      purgedAt: column(o, 'rawPurgedAt') as Date | null,
      size: raw ? raw.length : null,
      label: o.kind,
      status: o.status,
    });
  }
  return {
    row,
    org,
    input: { state: row.state, ctx, org: { name: org.name, mailbox: org.mailbox }, events, messages, generatedBy },
  };
}
