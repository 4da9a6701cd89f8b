/**
 * Issue 20.2, as a property: the dates a chaser says never contradict each other or what happens,
 * whatever the RM and the people chased do in between. Random openings (every shipped ladder and
 * variant, all three nations, any moment in 2026–2028) are walked through the live engine with
 * random interventions at random moments: ESCALATE, SAFEGUARDING, PAUSE and RESUME, EXTEND, a dated
 * promise, and APPROVE whenever a draft waits. Every chaser is rendered as its reader gets it, and:
 * - every "by the end of <date>" it says is either its own deadline (not before the day it goes)
 *   or a deadline it restates that has already run out (never "we asked … by 21 December" on 8 Dec);
 * - its own deadline ends on a working day before the day it says the next step goes;
 * - a chaser that went by the clock does not go on the day of the deadline the case last gave
 *   (the request's, or the previous chaser's), unless an ESCALATE or a change of variant has
 *   overtaken that deadline since it was given: nobody is chased at 09:00 on their own deadline day.
 * The seed is random and printed on failure: `PROPERTY_SEED=<seed> npx vitest run
 * test/unit/case/dates-property.test.ts` replays it.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NATIONS, type Nation } from '../../../src/domain/calendar/nation.js';
import { ladderFor } from '../../../src/domain/case/advance.js';
import type { Decision, MailIntent } from '../../../src/domain/case/decision.js';
import { rungOf } from '../../../src/domain/case/timetable.js';
import type { Command } from '../../../src/domain/commands/command.js';
import { rolesOf } from '../../../src/domain/ladder/effective-ladder.js';
import type { LadderDefinition, VariantName } from '../../../src/domain/ladder/ladder-schema.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { CaseDriver, calendar, ladder } from './case-driver.js';
import { prng } from '../../support/prng.js';

const SEED = Number(process.env.PROPERTY_SEED ?? randomInt(2 ** 31));
const CASES = Number(process.env.PROPERTY_CASES ?? 200);
const LADDERS = ['childrens-home-reg5', 'foster-carer-concern', 'fostering-panel', 'practice-disagreement', 'firo-dispute-resolution'];
const store = new TemplateStore();
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DATE =
  /(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) (\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})/;

/** "Monday 7 December 2026" as 2026-12-07. */
function isoOf(m: RegExpExecArray | RegExpMatchArray): string {
  return `${m[3]}-${String(MONTHS.indexOf(m[2]!) + 1).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

function render(d: CaseDriver, intent: MailIntent): string {
  const step = intent.step !== undefined ? d.state.steps.find((s) => s.n === intent.step) : undefined;
  const rungTemplate = intent.kind === 'chaser' && step ? rungOf(ladderFor(d.state, d.ctx()), step).template : undefined;
  return renderMail(store, templateNameFor(intent, rungTemplate), buildMailContext(d.state, intent, d.ctx(), 'inbox@home.example.org')).text.replace(
    /\s+/g,
    ' ',
  );
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

function randomOpening(rand: () => number): { def: LadderDefinition; variant: VariantName; nation: Nation; at: Date } {
  const def = ladder(pick(rand, LADDERS));
  const variants: VariantName[] = ['standard', ...(['urgent', 'imminent'] as const).filter((v) => def.variants[v])];
  const from = Date.UTC(2026, 0, 1);
  const to = Date.UTC(2029, 0, 1);
  return { def, variant: pick(rand, variants), nation: pick(rand, NATIONS), at: new Date(from + Math.floor((rand() * (to - from)) / 60_000) * 60_000) };
}

describe(`dates never contradict, whatever happens in between (PROPERTY_SEED=${SEED}, ${CASES} openings)`, () => {
  it('no overtaken deadline restated; a deadline before the next step’s day; nobody chased on their own deadline day', () => {
    const rand = prng(SEED);
    let checked = 0;
    for (let i = 0; i < CASES; i++) {
      const o = randomOpening(rand);
      const cal = calendar(o.nation);
      const d = new CaseDriver(o.def, cal, undefined, ['home.example.org', 'la.example.gov.uk']);
      const roles = [...rolesOf(o.def)].filter((r) => r !== 'originator' && r !== 'rm');
      d.at(o.at.toISOString()).open({
        participants: roles.map((role) => ({ role, email: `${role}@la.example.gov.uk`, source: 'directive' as const })),
        variant: o.variant,
      });
      const log: string[] = [`seed ${SEED}, case ${i}: ${o.def.id} (${o.variant}) in ${o.nation} opened ${cal.iso(o.at)}`];
      // The deadline the case last gave (the request's, then each chaser's), and whether something has overtaken it since.
      let standing: { day: string; overtaken: boolean } | undefined = d.state.requestDeadlineAt
        ? { day: cal.localDate(new Date(d.state.requestDeadlineAt)), overtaken: false }
        : undefined;

      const take = (decision: Decision, how: 'clock' | 'command' | 'reply', what: string): void => {
        log.push(`${cal.iso(d.now)} ${what}`);
        for (const mail of decision.mails) {
          if (mail.kind !== 'chaser') continue;
          const step = d.state.steps.find((s) => s.n === mail.step)!;
          const day = cal.localDate(d.now);
          const byClock = how === 'clock';
          const where = `${log.join('\n  ')}\n  step ${step.n} (${step.rungId}) sent ${cal.iso(d.now)}`;
          if (byClock && standing && !standing.overtaken) {
            expect(day > standing.day, `${where}: chased on ${day}, the day of the deadline it was given (${standing.day})`).toBe(true);
          }
          const text = render(d, mail);
          const deadline = step.deadlineAt ? cal.localDate(new Date(step.deadlineAt)) : undefined;
          for (const m of text.matchAll(new RegExp(`by the end of ${DATE.source}`, 'g'))) {
            const said = isoOf(m);
            if (said === deadline) expect(said >= day, `${where}: its own deadline ${said} before the day it went`).toBe(true);
            else expect(cal.closeOf(said) <= d.now, `${where}: restates "${m[0]}", which has not run out\n  ${text}`).toBe(true);
          }
          const next =
            /the next step under the policy is to write to .+? on ((?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} \w+ \d{4})/.exec(text);
          if (deadline && next) {
            const nextDay = isoOf(DATE.exec(next[1]!)!);
            expect(deadline < nextDay, `${where}: deadline ${deadline} is not before the next step on ${nextDay}\n  ${text}`).toBe(true);
            expect(cal.isWorkingDay(deadline), `${where}: deadline ${deadline} on a working day`).toBe(true);
          }
          checked++;
          if (deadline) standing = { day: deadline, overtaken: false };
          else if (standing) standing.overtaken = true;
        }
      };

      for (let guard = 0; guard < 40 && d.state.status !== 'closed'; guard++) {
        while (d.state.steps.some((s) => s.status === 'awaiting-approval')) take(d.command({ kind: 'approve' }), 'command', 'APPROVE');
        const due = d.state.nextActionAt ? new Date(d.state.nextActionAt) : undefined;
        if (!due) break;
        if (d.state.steps.filter((s) => s.rungId === 'repeat' && s.status === 'sent').length >= 2) break;
        if (rand() < 0.35 && d.state.status === 'open') {
          // Something happens before the next step: at a random minute between now and then.
          const at = new Date(d.now.getTime() + Math.floor((rand() * Math.max(0, due.getTime() - d.now.getTime())) / 60_000) * 60_000);
          d.at(at.toISOString());
          const choice = rand();
          const later = (days: number): string => cal.localDate(cal.addWorkingDays(at, days));
          let command: Command | undefined;
          if (choice < 0.25) command = { kind: 'escalate' };
          else if (choice < 0.4 && d.state.variant === 'standard' && o.def.variants.urgent) command = { kind: 'safeguarding' };
          else if (choice < 0.55) command = { kind: 'pause', until: later(1 + Math.floor(rand() * 10)) };
          else if (choice < 0.7) command = { kind: 'extend', by: { unit: 'wd', n: 1 + Math.floor(rand() * 5) } };
          if (command) {
            take(d.command(command), 'command', command.kind.toUpperCase());
            if (command.kind === 'escalate' || command.kind === 'safeguarding') {
              if (standing) standing.overtaken = true;
            }
            if (command.kind === 'pause' && rand() < 0.5 && d.state.pause) {
              const back = new Date(Math.min(new Date(d.state.pause.until).getTime() - 60_000, d.now.getTime() + 86_400_000));
              if (back > d.now) take(d.at(back.toISOString()).command({ kind: 'resume' }), 'command', 'RESUME');
            }
          } else {
            const step = d.state.steps.find((s) => s.status === 'sent' && s.rungId !== 'repeat');
            const role = step ? rungOf(ladderFor(d.state, d.ctx()), step).to[0] : o.def.professionalRole;
            if (role) take(d.reply(role, 'promise', later(1 + Math.floor(rand() * 15))), 'reply', `promise from ${role}`);
          }
          continue;
        }
        take(d.at(due.toISOString()).advance(), 'clock', 'advance');
      }
    }
    expect(checked).toBeGreaterThan(CASES);
  });
});
