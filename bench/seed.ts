import type { OrgRuntime } from '../src/runtime/organisations.js';
import type { Orm } from '../src/db/orm.js';
import { Repositories } from '../src/db/repositories/index.js';
import { advanceCase } from '../src/domain/case/advance.js';
import type { CaseState, Contact, Participant } from '../src/domain/case/case-state.js';
import type { EventDraft } from '../src/domain/case/decision.js';
import { openCase, type OpenCaseInput } from '../src/domain/case/open-case.js';
import { newId, newToken } from '../src/lib/ids.js';
import { persistDecision } from '../src/workflows/persist-decision.js';
import { RM } from './corpus.js';
import { Prng } from './prng.js';
import { SECRET } from './rig.js';

const LADDER = 'childrens-home-reg5';
const TOPICS = ['LAC review minutes', 'Care plan', 'Pathway plan', 'Health assessment', 'PEP notes', 'Placement plan'];
const AUTHORITIES = ['northshire.gov.uk', 'southmoor.gov.uk', 'westvale.gov.uk', 'eastbridge.gov.uk'];
const NAMES = ['Sam Patel', 'Jo Bennett', 'Chris Osei', 'Kim Walsh', 'Lee Reid', 'Pat Khan', 'Robin Evans', 'Jamie Murphy'];

function person(rng: Prng, domain: string): Contact {
  const name = rng.pick(NAMES);
  return { name, email: `${name.replace(' ', '.').toLowerCase()}.${rng.int(1, 999)}@${domain}` };
}

/** What the ingest job would read from a tagged request, built directly (no MIME). */
export function openingFor(rng: Prng, org: OrgRuntime, n: number, openedAt: Date, ids: { id: string; ref: string; token: string }): OpenCaseInput {
  const domain = rng.pick(AUTHORITIES);
  const professional = person(rng, domain);
  const manager = person(rng, domain);
  const child = `${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}-${rng.int(1000, 9999)}`;
  const topic = rng.pick(TOPICS);
  const requestMessageId = `<bench-${n}-${rng.hex(12)}@sunrise-homes.org.uk>`;
  const participants: Participant[] = [
    { role: 'professional', ...professional, source: 'request' },
    { role: 'team-manager', ...manager, source: 'directive' },
  ];
  return {
    ...ids,
    orgId: org.id,
    ladderId: LADDER,
    variant: 'standard',
    openedAt,
    subject: `${topic} for ${child} [escalate]`,
    requestMessageId,
    threadIds: [requestMessageId],
    originator: org.manager.email === RM.email ? { email: RM.email, name: RM.name } : org.manager,
    participants,
    childRef: child,
    category: topic,
    flags: {},
    warnings: [],
    messageRef: newId(),
  };
}

export interface SeedResult {
  cases: number;
  ms: number;
  perSecond: number;
}

/**
 * Opens cases by the persistence path the ingest job uses: domain `openCase`, then
 * `persistDecision` (case row, events, the rendered and composed confirmation in the outbox),
 * `batch` cases per transaction. The confirmations are then marked sent (they went when the
 * cases opened, weeks before the burst); nothing is queued here — the caller reconciles.
 */
export async function seedOpenedCases(
  orm: Orm,
  org: OrgRuntime,
  o: { count: number; from: Date; to: Date; seed: number; batch?: number },
): Promise<SeedResult> {
  const rng = new Prng(o.seed);
  const batch = o.batch ?? 250;
  const span = o.to.getTime() - o.from.getTime();
  const t0 = performance.now();
  for (let done = 0; done < o.count; done += batch) {
    await Repositories.open(orm).transaction(async (tx) => {
      for (let i = done; i < Math.min(o.count, done + batch); i++) {
        const openedAt = new Date(o.from.getTime() + Math.floor(rng.next() * span));
        const year = Number(org.calendar.local(openedAt).toFormat('yyyy'));
        const ids = { id: newId(), ref: await tx.cases.allocateRef(year), token: newToken() };
        const input = openingFor(rng, org, i, openedAt, ids);
        const ctx = org.caseContext(LADDER, openedAt);
        await persistDecision(tx, org, null, openCase(input, ctx), ctx, { secret: SECRET }, `bench:seed:${i}`);
        // Everything is flushed: forget it, as a job's own EntityManager would (a flush looks at
        // every entity the EntityManager holds, so a growing batch would cost more per case).
        tx.em.clear();
      }
    });
  }
  const ms = performance.now() - t0;
  await orm.em.fork().getConnection().execute(`update outbox_mail set status = 'sent', sent_at = created_at, attempts = 1 where status = 'pending'`);
  return { cases: o.count, ms: Math.round(ms), perSecond: Math.round((o.count / ms) * 1000) };
}

/**
 * A case opened at a random moment in the last `weeks`, then advanced by the pure domain to
 * `now` as the advance-case job would have: its rungs sent, approvals asked for, contacts
 * missing where the directory has none. Returns the state and every event along the way.
 */
function agedCase(rng: Prng, org: OrgRuntime, n: number, ref: string, now: Date, weeks: number): { state: CaseState; events: EventDraft[] } {
  const openedAt = new Date(now.getTime() - Math.floor(rng.next() * weeks * 7 * 86_400_000));
  const input = openingFor(rng, org, n, openedAt, { id: newId(), ref, token: newToken() });
  const opened = openCase(input, org.caseContext(LADDER, openedAt));
  let state = opened.state;
  const events = [...opened.events];
  for (let guard = 0; guard < 40 && state.nextActionAt && new Date(state.nextActionAt) <= now; guard++) {
    const d = advanceCase(state, org.caseContext(LADDER, new Date(state.nextActionAt)));
    state = d.state;
    events.push(...d.events);
  }
  return { state, events };
}

export interface ScaleSeedResult extends SeedResult {
  events: number;
  /** Time spent in the pure domain (open + advance), the rest is MikroORM and Postgres. */
  domainMs: number;
}

/**
 * Open cases for the scale scenario: built by the domain and written with the same repository
 * code the jobs use to turn a decision into rows (`createCaseRow`, `addEvents`), flushed by
 * MikroORM `batch` cases per transaction. References are numbered here (ESC-YYYY-NNNNNN) and the
 * counter set after, instead of one round trip per case to `allocateRef`. No outbox rows: the
 * measured operations (reconcile, list, digest) never read sent mail.
 */
export async function seedAgedCases(
  orm: Orm,
  plan: { org: OrgRuntime; count: number }[],
  o: { now: Date; weeks: number; seed: number; batch?: number; onProgress?: (done: number) => void },
): Promise<ScaleSeedResult> {
  const rng = new Prng(o.seed);
  const batch = o.batch ?? 1000;
  const year = o.now.getUTCFullYear();
  let n = 0;
  let events = 0;
  let domainMs = 0;
  const t0 = performance.now();
  for (const { org, count } of plan) {
    for (let done = 0; done < count; done += batch) {
      await Repositories.open(orm).transaction(async (tx) => {
        for (let i = done; i < Math.min(count, done + batch); i++) {
          n++;
          const d0 = performance.now();
          const { state, events: evs } = agedCase(rng, org, n, `ESC-${year}-${String(n).padStart(6, '0')}`, o.now, o.weeks);
          domainMs += performance.now() - d0;
          tx.cases.create(state, o.now);
          tx.cases.addEvents(state.id, evs, 'bench:seed');
          events += evs.length;
        }
        await tx.flush();
      });
      o.onProgress?.(n);
    }
  }
  await orm.em
    .fork()
    .getConnection()
    .execute(`insert into case_ref_counter (year, last) values (?, ?) on conflict (year) do update set last = excluded.last`, [year, n]);
  const ms = performance.now() - t0;
  return { cases: n, events, ms: Math.round(ms), domainMs: Math.round(domainMs), perSecond: Math.round((n / ms) * 1000) };
}
