import type { EntityManager } from '@mikro-orm/postgresql';
import { simpleParser } from 'mailparser';
import type { Organisations } from '../runtime/organisations.js';
import { Case, Message, OutboxMail } from '../db/entities/index.js';
import { OutboxRepository } from '../db/repositories/index.js';
import { loadCaseEvents, type EventReadWarnings } from '../db/repositories/case-event-reader.js';
import { ladderFor } from '../domain/case/advance.js';
import { currentStep, rungOf } from '../domain/case/timetable.js';
import { timetableRows, type TimetableRow } from '../domain/case/timetable-view.js';
import { CLOSED_STATUSES, type CaseState } from '../domain/case/case-state.js';
import { localLadder, localPolicy, localRoleLabel, policyLine } from '../domain/ladder/local-ladder.js';
import { partnerLadder, partnerLine } from '../domain/ladder/partner-ladder.js';
import { casePartner } from '../domain/case/role-resolution.js';

export interface CaseSummary {
  ref: string;
  organisation: string;
  status: string;
  ladder: string;
  variant: string;
  subject: string;
  rung: string | null;
  nextActionAt: string | null;
  openedAt: string;
}

export interface CaseView extends CaseSummary {
  childRef: string | null;
  /** The policy followed and what it cites where the organisation is ("…, in keeping with … (regulator: Care Inspectorate Wales)"). */
  policy: string;
  /** The regulator named in the organisation's country ("Ofsted", "Care Inspectorate Wales"), or null. */
  regulator: string | null;
  /** The partner agency the case is with and its own roles ("… NHS Foundation Trust (health service): named nurse → …"), or null. */
  partner: string | null;
  /** `label`: the role as the organisation's country names it ("Care Inspectorate Wales inspector"). */
  participants: { role: string; label: string; email: string; name?: string; source: string; undeliverable: boolean }[];
  timetable: TimetableRow[];
  /** The trail as stored; an event this version cannot read keeps its stored type and detail, and says why (`unreadable`). */
  events: { at: string; type: string; actor: string; detail: unknown; unreadable?: string }[];
  messages: {
    direction: 'in' | 'out';
    messageId: string;
    at: string;
    from: string | null;
    to: string[];
    cc: string[];
    subject: string | null;
    kind: string | null;
    status: string;
    route: string | null;
  }[];
}

/** The rung the case stands on: the next one to go, or the last sent when it is at the top. */
function rungName(state: CaseState, orgs: Organisations): string | null {
  const org = orgs.find(state.orgId);
  if (!org) return null;
  const ctx = org.caseContext(state.ladderId, new Date());
  const ladder = ladderFor(state, ctx);
  const step = currentStep(state) ?? [...state.steps].reverse().find((s) => s.status === 'sent');
  return step ? rungOf(ladder, step).id : null;
}

function summary(
  row: {
    ref: string;
    organisation: string;
    status: string;
    ladderId: string;
    variant: string;
    subject: string;
    nextActionAt?: Date | null;
    openedAt: Date;
    state: CaseState;
  },
  orgs: Organisations,
): CaseSummary {
  return {
    ref: row.ref,
    organisation: row.organisation,
    status: row.status,
    ladder: row.ladderId,
    variant: row.variant,
    subject: row.subject,
    // A closed case has no next step, whatever the timetable it stopped at says.
    rung: CLOSED_STATUSES.includes(row.state.status) ? null : rungName(row.state, orgs),
    nextActionAt: CLOSED_STATUSES.includes(row.state.status) ? null : (row.nextActionAt?.toISOString() ?? null),
    openedAt: row.openedAt.toISOString(),
  };
}

export async function listCases(em: EntityManager, orgs: Organisations, filter: { org?: string; status?: string } = {}): Promise<CaseSummary[]> {
  const where: Record<string, unknown> = {};
  if (filter.org) where.organisation = filter.org;
  if (filter.status) where.status = filter.status;
  const rows = await em.find(Case, where, { orderBy: { openedAt: 'asc', ref: 'asc' } });
  return rows.map((r) => summary(r, orgs));
}

export async function showCase(em: EntityManager, orgs: Organisations, ref: string, now: Date, logger: EventReadWarnings): Promise<CaseView | undefined> {
  const row = await em.findOne(Case, { ref: ref.toUpperCase() });
  if (!row) return undefined;
  const state = row.state;
  const org = orgs.get(row.organisation);
  const orgCtx = org.caseContext(row.ladderId, now);
  // Rung titles and role labels with the regulator of the organisation's country, as its mails say them.
  const where = { nation: orgCtx.calendar.nation, country: orgCtx.org.country };
  const agency = casePartner(state, orgCtx);
  const ctx = { ...orgCtx, ladder: partnerLadder(localLadder(orgCtx.ladder, where), agency) };
  const label = (role: string) => localRoleLabel(ctx.ladder, where, role);
  const events = await loadCaseEvents(em, row.id, logger);
  const inbound = await em.find(
    Message,
    { case: row.id },
    { orderBy: { receivedAt: 'asc' }, fields: ['messageId', 'receivedAt', 'fromAddress', 'to', 'cc', 'subject', 'status', 'route'] as never },
  );
  const outbound = await em.find(
    OutboxMail,
    { case: row.id },
    { orderBy: { createdAt: 'asc' }, fields: ['messageId', 'createdAt', 'sentAt', 'envelopeFrom', 'to', 'cc', 'subject', 'status', 'kind'] as never },
  );
  const messages: CaseView['messages'] = [
    ...inbound.map((m) => ({
      direction: 'in' as const,
      messageId: m.messageId,
      at: m.receivedAt.toISOString(),
      from: m.fromAddress ?? null,
      to: m.to,
      cc: m.cc,
      subject: m.subject ?? null,
      kind: null,
      status: m.status,
      route: m.route ?? null,
    })),
    ...outbound.map((o) => ({
      direction: 'out' as const,
      messageId: o.messageId,
      at: (o.sentAt ?? o.createdAt).toISOString(),
      from: o.envelopeFrom,
      to: o.to,
      cc: o.cc,
      subject: o.subject,
      kind: o.kind,
      status: o.status,
      route: null,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...summary(row, orgs),
    childRef: row.childRef ?? null,
    policy: policyLine(ctx.ladder, where),
    regulator: localPolicy(ctx.ladder, where).regulator,
    partner: agency ? partnerLine(agency) : null,
    participants: [
      {
        role: 'originator',
        label: label('originator'),
        email: state.originator.email,
        ...(state.originator.name ? { name: state.originator.name } : {}),
        source: 'request',
        undeliverable: false,
      },
      ...state.participants.map((p) => ({
        role: p.role,
        label: label(p.role),
        email: p.email,
        ...(p.name ? { name: p.name } : {}),
        source: p.source,
        undeliverable: !!p.undeliverable,
      })),
    ],
    timetable: timetableRows(state, ctx),
    events: events.map((e) =>
      e.type === 'unreadable'
        ? { at: e.at.toISOString(), type: e.storedType, actor: e.actor, detail: e.stored, unreadable: e.problem }
        : { at: e.at.toISOString(), type: e.type, actor: e.actor, detail: e.detail },
    ),
    messages,
  };
}

export interface DraftView {
  step: number;
  status: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
}

/** The drafted chaser of a step as it is stored, byte for byte what APPROVE would send (its text part, parsed). */
export async function loadDraftChaser(em: EntityManager, caseId: string, step: number): Promise<DraftView | undefined> {
  const row = await new OutboxRepository(em).findByDedupeKey(`${caseId}:s${step}-chaser`);
  if (!row?.raw) return undefined;
  const parsed = await simpleParser(Buffer.from(row.raw));
  return { step, status: row.status, from: parsed.from?.text ?? row.envelopeFrom, to: row.to, cc: row.cc, subject: row.subject, text: parsed.text ?? '' };
}
