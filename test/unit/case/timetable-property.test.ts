/**
 * Issue 15.1, as a property: what the RM is told is what happens. Random openings (every shipped
 * ladder and variant, all three nations, any moment in 2026–2028) are walked through the live engine
 * with no replies: every rung falls due, the RM approves each draft the moment it is put to them,
 * and nothing else happens. Every rung must go at the moment the confirmation printed, state the
 * deadline the confirmation printed for it, and that deadline must end on a working day before the
 * next step's day. `simulate` must print the same timetable. The seed is random and printed on
 * failure: `PROPERTY_SEED=<seed> npx vitest run test/unit/case/timetable-property.test.ts` replays it.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NATIONS, type Nation } from '../../../src/domain/calendar/nation.js';
import type { Step } from '../../../src/domain/case/case-state.js';
import { rolesOf } from '../../../src/domain/ladder/effective-ladder.js';
import type { LadderDefinition, VariantName } from '../../../src/domain/ladder/ladder-schema.js';
import { simulateLadder } from '../../../src/domain/ladder/simulate.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { CaseDriver, calendar, ladder, mailsOf, people } from './case-driver.js';
import { prng } from '../../support/prng.js';

const SEED = Number(process.env.PROPERTY_SEED ?? randomInt(2 ** 31));
const CASES = Number(process.env.PROPERTY_CASES ?? 300);
const LADDERS = ['childrens-home-reg5', 'foster-carer-concern', 'fostering-panel', 'practice-disagreement', 'firo-dispute-resolution'];
const store = new TemplateStore();

interface Opening {
  def: LadderDefinition;
  variant: VariantName;
  nation: Nation;
  at: Date;
  childProtection: boolean;
}

function randomOpening(rand: () => number): Opening {
  const def = ladder(LADDERS[Math.floor(rand() * LADDERS.length)]!);
  const variants: VariantName[] = ['standard', ...(['urgent', 'imminent'] as const).filter((v) => def.variants[v])];
  const from = Date.UTC(2026, 0, 1);
  const to = Date.UTC(2029, 0, 1);
  // Any minute of 2026–2028, weekends, nights and bank holidays included.
  const at = new Date(from + Math.floor((rand() * (to - from)) / 60_000) * 60_000);
  return {
    def,
    variant: variants[Math.floor(rand() * variants.length)]!,
    nation: NATIONS[Math.floor(rand() * NATIONS.length)]!,
    at,
    childProtection: rand() < 0.5,
  };
}

/** The confirmation as the RM reads it: each timetable line's "when", and the deadline it says the step gives. */
function printedTimetable(d: CaseDriver): Map<number, { when: string; deadline?: string }> {
  const intent = mailsOf(d.decisions[0]!, 'confirmation')[0]!;
  const text = renderMail(store, templateNameFor(intent), buildMailContext(d.state, intent, d.ctx(), 'inbox@home.example.org')).text;
  const rows = new Map<number, { when: string; deadline?: string }>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const row = /^(\d+)\. .+ — (.+)$/.exec(line);
    if (!row) return;
    const deadline = /reply asked for by the end of ([^;(]+?)(?: \(|;|$)/.exec(lines[i + 1] ?? '');
    rows.set(Number(row[1]), { when: row[2]!, ...(deadline ? { deadline: deadline[1] } : {}) });
  });
  return rows;
}

/** Walks the case with no replies, approving every draft as soon as it is put to the RM. */
function walk(d: CaseDriver, repeats: number): void {
  for (let guard = 0; guard < 60; guard++) {
    if (d.state.steps.filter((s) => s.rungId === 'repeat' && s.status === 'sent').length >= repeats) return;
    const at = d.state.nextActionAt;
    if (!at) return;
    d.at(at).advance();
    while (d.state.steps.some((s) => s.status === 'awaiting-approval')) d.command({ kind: 'approve' });
  }
  throw new Error('the walk did not end');
}

describe(`the timetable the RM is told is the timetable kept (PROPERTY_SEED=${SEED}, ${CASES} openings)`, () => {
  it('every rung goes at the printed moment, with the printed deadline, before the next step’s day', () => {
    const rand = prng(SEED);
    for (let i = 0; i < CASES; i++) {
      const o = randomOpening(rand);
      const what = `seed ${SEED}, case ${i}: ${o.def.id} (${o.variant}) in ${o.nation} opened ${o.at.toISOString()}${o.childProtection ? ', child protection' : ''}`;
      const cal = calendar(o.nation);
      // Everyone chased is the organisation's own staff here, so a rung that may go at any hour does.
      const d = new CaseDriver(o.def, cal, undefined, ['home.example.org', 'la.example.gov.uk']);
      d.at(o.at.toISOString()).open({
        participants: people(...[...rolesOf(o.def)].filter((r) => r !== 'originator' && r !== 'rm')),
        variant: o.variant,
        flags: { 'child-protection': o.childProtection },
        // The fostering panel's senior manager waits for step 6's further form (with no replies
        // and no form it is held: fostering-panel-form.test.ts); here the form came with the request.
        ...(o.def.panelForm ? { panelLines: [{ kind: 'remaining-concerns' as const, text: 'the checks are not complete' }] } : {}),
      });
      const printed = printedTimetable(d);
      const planned = d.state.steps.map((s) => ({ ...s }));

      // simulate prints the same moments as the case's own timetable.
      const sim = simulateLadder(o.def, d.state.variant, o.at, cal);
      const simDue = sim.steps.filter((s) => !s.repeat).map((s) => s.dueAt);
      expect(simDue, what).toEqual(planned.map((s) => (s.dueAt ? cal.iso(new Date(s.dueAt)) : null)));

      walk(d, 2);

      const done = (s: Step) => s.status === 'sent' || s.status === 'not-applicable';
      const went = d.state.steps.filter(done);
      for (const step of planned) {
        const now = d.state.steps.find((s) => s.n === step.n)!;
        const line = printed.get(step.n);
        expect(line, `${what}: step ${step.n} is in the confirmation`).toBeDefined();
        if (!step.dueAt) {
          // Only ESCALATE sends it: the walk never does, and it never goes by itself.
          expect(now.status, `${what}: step ${step.n}`).toBe('planned');
          continue;
        }
        expect(done(now), `${what}: step ${step.n} (${now.rungId}) went`).toBe(true);
        const at = new Date(now.sentAt ?? now.decidedAt!);
        if (!now.anyHour) expect(cal.isOpen(at), `${what}: step ${step.n} inside the send window`).toBe(true);
        expect(line!.when.startsWith(cal.format(at)), `${what}: step ${step.n} printed "${line!.when}", went ${cal.format(at)}`).toBe(true);
        if (now.status !== 'sent') continue;
        // The deadline the chaser stated is the one the confirmation printed for it.
        const stated = now.deadlineAt ? cal.formatDate(new Date(now.deadlineAt)) : undefined;
        expect(stated, `${what}: step ${step.n} deadline`).toBe(line!.deadline);
      }
      // The first repeat goes when simulate said.
      const simRepeat = sim.steps.find((s) => s.repeat);
      const firstRepeat = d.state.steps.find((s) => s.rungId === 'repeat');
      if (simRepeat && firstRepeat) expect(cal.iso(new Date(firstRepeat.sentAt!)), `${what}: the first repeat`).toBe(simRepeat.dueAt);

      // Every deadline ends on a working day before the day the next step goes, after the step itself went.
      const sent = went.filter((s) => s.status === 'sent');
      for (const step of sent) {
        if (!step.deadlineAt) continue;
        const deadline = new Date(step.deadlineAt);
        expect(cal.isWorkingDay(cal.localDate(deadline)), `${what}: step ${step.n} deadline on a working day`).toBe(true);
        expect(deadline > new Date(step.sentAt!), `${what}: step ${step.n} deadline after it went`).toBe(true);
        const next = went.find((s) => s.n > step.n && (s.sentAt ?? s.decidedAt)! > step.sentAt!);
        if (next) {
          const nextDay = cal.localDate(new Date(next.sentAt ?? next.decidedAt!));
          expect(cal.localDate(deadline) < nextDay, `${what}: step ${step.n} deadline ${step.deadlineAt} before the next step on ${nextDay}`).toBe(true);
        }
      }
    }
  });
});
