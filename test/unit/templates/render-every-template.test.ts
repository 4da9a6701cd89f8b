/**
 * Every rung of every ladder (in every variant) and every kind of mail renders, text and HTML,
 * from a full sample context in strict mode, and says what it must: the greeting, the deadline as
 * a date, the policy reference, the regulation (Regulation 5 ladder only), who is copied and why,
 * and what happens next if nothing does.
 */
import { describe, expect, it } from 'vitest';
import { checkTemplates } from '../../../src/cli/actions/ladders.js';
import type { MailKind } from '../../../src/domain/case/decision.js';
import { renderMail } from '../../../src/outbound/render/render-mail.js';
import { MAIL_KINDS, renderSample, sampleMail } from '../../../src/outbound/render/sample-case.js';
import { LADDERS, deepStrict, escapeHtml, everyRung, ladder, store } from './template-helpers.js';

const REG5_CITATION = 'Regulation 5(c) of the Children’s Homes (England) Regulations 2015';

/** What a rung at the top of its ladder says about what happens if nothing does. */
const LAST_STEP_WORDING: Record<string, string> = {
  'foster-carer-concern/strategic-lead': 'This is the last stage the policy sets out',
  'foster-carer-concern/not-resolved': 'Under stage 4 this is your decision',
  'fostering-panel/senior-manager': 'the Agency Decision Maker and the panel chair will say so',
  'practice-disagreement/deputy-director': 'up to the level of Director if necessary (5.2 and 5.5)',
  'practice-disagreement/director': 'This is the highest level of the procedure',
  'firo-dispute-resolution/legal-advice-or-ofsted': 'I will take these steps',
};

/** What the brief asks each ladder's chasers to carry beyond the shared shape. */
const LADDER_WORDING: Record<string, string[]> = {
  'childrens-home-reg5': [REG5_CITATION, 'Yours sincerely'],
  'foster-carer-concern': ['foster carer', 'Kind regards'],
  'fostering-panel': ['escalation form', 'the guidance allows', 'Please send your response'],
  'practice-disagreement': ['meeting', 'respectful professional challenge'],
  'firo-dispute-resolution': ['FIRO Dispute Resolution Stage', 'LCS'],
};

/** Kinds with templates: the case machine's own, plus any `mails/<kind>` folder added since. */
const KINDS: string[] = [
  ...new Set([
    ...MAIL_KINDS,
    ...store
      .names()
      .filter((n) => n.startsWith('mails/') && store.has(n, 'subject') && store.has(n, 'html') && n !== 'mails/chaser')
      .map((n) => n.slice('mails/'.length))
      // The digest and the combined chaser are rendered from their own models, not from one case.
      // The organisation-level notices (no case) too: see test/security/04 and 05.
      .filter((k) => !['weekly-digest', 'chaser-bundle', 'stranger-summary', 'request-refused', 'not-read', 'notice-summary', 'commands-answer'].includes(k)),
  ]),
];

describe('the shipped templates', () => {
  it('cover every rung of every ladder (what `escalator ladders check` asks)', () => {
    expect(LADDERS.map((l) => l.id).sort()).toEqual([
      'childrens-home-reg5',
      'firo-dispute-resolution',
      'foster-carer-concern',
      'fostering-panel',
      'practice-disagreement',
    ]);
    for (const def of LADDERS) expect(checkTemplates(def, def.id, store)).toEqual([]);
  });

  describe.each(everyRung().map((r) => [`${r.def.id} / ${r.rung}${r.variant === 'standard' ? '' : ` (${r.variant})`}`, r] as const))(
    'chaser %s',
    (_name, { def, variant, rung }) => {
      const mail = renderSample(store, 'chaser', { ladder: def, rung, variant });
      const c = mail.sample.context;
      const step = c.step!;

      it('renders text and HTML in strict mode, reading no key the context lacks', () => {
        expect(step).not.toBeNull();
        expect(() => renderMail(store, mail.sample.names, deepStrict(c))).not.toThrow();
        expect(mail.html.startsWith('<!DOCTYPE html>')).toBe(true);
        expect(mail.text).not.toMatch(/\n{3,}/);
      });

      it('says what it is, then the request’s subject with the case reference', () => {
        expect(mail.subject).toBe(`${step.subjectLead}: ${c.case.subject} [${c.case.ref}]`);
        expect(step.subjectLead).toMatch(/^(URGENT — safeguarding — )?(Reminder \d+|Escalation to .+)$/);
        expect(step.subjectLead.startsWith('URGENT — safeguarding')).toBe(variant !== 'standard');
      });

      it('greets the recipient by name', () => {
        const to = mail.sample.intent.to;
        expect(to.length).toBeGreaterThan(0);
        expect(c.greeting).toBe(`Dear ${to.map((p) => p.name).join(' and ')}`);
        expect(mail.text.startsWith(`${c.greeting},\n`)).toBe(true);
        expect(mail.html).toContain(`<p>${escapeHtml(c.greeting)},</p>`);
      });

      it('states the facts: reference, child, what is owed, when first asked, days outstanding', () => {
        for (const part of [mail.text, mail.html]) {
          expect(part).toContain(c.case.ref);
          expect(part).toContain(c.case.childRef!);
          expect(part).toContain(c.case.subject);
          expect(part).toContain(c.request.date);
          expect(part).toContain(c.case.outstanding);
        }
        expect(c.case.outstanding).toMatch(/^(\d+ (working )?days?|less than a (working )?day)$/);
      });

      it('gives the deadline as a date, when the rung gives one', () => {
        if (step.deadline) {
          expect(step.deadlineDate).toMatch(/^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ 20\d\d$/);
          expect(mail.text).toContain(`by the end of ${step.deadlineDate!}`);
          expect(mail.html).toContain(`by the end of ${step.deadlineDate!}`);
          // Never the day the next step is taken: nobody is chased on their own deadline day.
          if (step.next) expect(step.next.date).not.toBe(step.deadlineDate);
        } else {
          expect(step.deadlineDate).toBeNull();
        }
      });

      it('cites the policy reference, and Regulation 5 only on the children’s home ladder', () => {
        expect(mail.text).toContain(step.policyRef);
        expect(mail.html).toContain(escapeHtml(step.policyRef));
        expect(mail.text).toContain(c.case.policyTitle);
        if (def.id === 'childrens-home-reg5') {
          expect(mail.text).toContain(REG5_CITATION);
          expect(mail.html).toContain(REG5_CITATION);
        } else {
          expect(mail.text).not.toMatch(/Regulation 5|Children’s Homes \(England\)/);
          expect(mail.html).not.toMatch(/Regulation 5|Children’s Homes \(England\)/);
        }
        for (const words of LADDER_WORDING[def.id] ?? []) expect(mail.text).toContain(words);
      });

      it('says who is copied, and why', () => {
        const cc = mail.sample.intent.cc;
        // A rung that copies only the staff the step notice tells copies nobody (issue 20.4, one mail per step).
        if (cc.length === 0) {
          expect(step.copied).toEqual([]);
          expect(mail.text).not.toContain('Who is copied');
          return;
        }
        expect(step.copied.map((p) => p.email).sort()).toEqual(cc.map((p) => p.email).sort());
        expect(mail.text).toContain('Who is copied, and why:');
        expect(mail.html).toContain('Who is copied, and why');
        for (const p of step.copied) {
          expect(p.why).toMatch(/^copied as /);
          expect(mail.text).toContain(`${p.name} — ${p.why}`);
          expect(mail.html).toContain(`${escapeHtml(p.name)} — ${escapeHtml(p.why)}`);
        }
      });

      it('says what happens next if nothing does', () => {
        if (step.next) {
          expect(mail.text).toContain(step.next.date);
          expect(mail.html).toContain(step.next.date);
        } else {
          const wording = LAST_STEP_WORDING[`${def.id}/${rung}`];
          expect(wording, `${def.id}/${rung} has no next step: say what happens instead`).toBeDefined();
          expect(mail.text).toContain(wording!);
        }
      });

      it('is signed, and the HTML is simple: no scripts, no external resources', () => {
        expect(mail.text).toMatch(/(Yours sincerely|Kind regards),\n/);
        expect(mail.text).toContain(c.org.name);
        expect(mail.html).not.toMatch(/<script|<link|<img|<iframe|<form|\son[a-z]+=|(src|href)="?https?:/i);
      });
    },
  );

  it('the Regulation 5 ladder: the regulator warning goes to the Director, the IRO is copied from the Assistant Director on', () => {
    const def = ladder('childrens-home-reg5');
    const dcs = renderSample(store, 'chaser', { ladder: def, rung: 'dcs' });
    expect(dcs.text).toContain('we will need to notify the regulator (Ofsted)');
    const ad = renderSample(store, 'chaser', { ladder: def, rung: 'assistant-director' });
    expect(ad.text).toContain('Chris Lowe — copied as the child’s Independent Reviewing Officer');
    expect(ad.text).toContain('Jo Bennett — copied as team manager; written to on Monday 23 November 2026');
    const first = renderSample(store, 'chaser', { ladder: def, rung: 'professional-reminder' });
    expect(first.text).toContain('Please have this completed by the end of Friday 20 November 2026.');
    expect(first.text).toContain('We have copied in your team manager');
    expect(first.text).toContain('the next step under our policy is to write to the team manager on Monday 23 November 2026');
    const repeat = renderSample(store, 'chaser', { ladder: def, rung: 'repeat' });
    expect(repeat.text).toContain('we will continue to write every 2 weeks');
    const urgent = renderSample(store, 'chaser', { ladder: def, rung: 'repeat', variant: 'urgent' });
    expect(urgent.text).toContain('we will continue to write every 2 working days');
    expect(urgent.text).toContain('shorter timescales (Safeguarding)');
  });

  it('FIRO stages name the LCS record without claiming one the service has not seen; the panel chaser refers to the form and its 5 working days', () => {
    const firo = ladder('firo-dispute-resolution');
    for (const [rung, stage] of [
      ['stage-2-meeting', '2'],
      ['stage-3-head-of-service', '3'],
      ['legal-advice-or-ofsted', ''],
    ] as const) {
      const mail = renderSample(store, 'chaser', { ladder: firo, rung });
      if (stage) expect(mail.text).toContain(`This is “FIRO Dispute Resolution Stage ${stage}”: please record it on LCS under that name.`);
      expect(mail.text).not.toMatch(/(?:have|has been|is) recorded (?:this )?on LCS|recorded on LCS/i);
      expect(mail.html).not.toMatch(/(?:have|has been|is) recorded (?:this )?on LCS|recorded on LCS/i);
    }
    const panel = renderSample(store, 'chaser', { ladder: ladder('fostering-panel'), rung: 'responsible-manager-reminder' });
    expect(panel.text).toContain('the fostering panel’s escalation form was sent to you, asking for a response within 5 working days');
    const practice = renderSample(store, 'chaser', { ladder: ladder('practice-disagreement'), rung: 'service-manager' });
    expect(practice.text).toContain('I would like to request a meeting with you');
    expect(practice.text).toContain('Ruth Okafor — copied as Principal Social Worker');
  });
});

describe.each(LADDERS.map((def) => [def.id, def] as const))('every kind of mail, on the %s ladder', (_id, def) => {
  const rungs = everyRung().filter((r) => r.def === def && r.variant === 'standard');
  describe.each(KINDS)('%s', (kind) => {
    it('renders text and HTML for every rung, reading no key the context lacks', () => {
      for (const { rung } of rungs) {
        const sample = sampleMail(kind as MailKind, { ladder: def, rung }, store);
        const mail = renderMail(store, sample.names, deepStrict(sample.context));
        expect(mail.subject, rung).toContain(`[${sample.context.case.ref}]`);
        expect(mail.text.length).toBeGreaterThan(100);
        expect(mail.html.startsWith('<!DOCTYPE html>')).toBe(true);
        expect(mail.html).not.toMatch(/<script|<link|<img|<iframe|<form|\son[a-z]+=|(src|href)="?https?:/i);
        expect(mail.text).toContain(sample.context.greeting);
      }
    });
  });
});

describe('what each kind of mail says', () => {
  const def = ladder('childrens-home-reg5');
  const render = (kind: MailKind, rung = 'dcs') => renderSample(store, kind, { ladder: def, rung });

  it('confirmation of a request sent after hours: the timetable counts from the next opening, and says so', () => {
    // Friday 4 December 2026 19:03: the clock starts on Monday 7 December at 09:00.
    const m = renderSample(store, 'confirmation', { ladder: def, rung: 'dcs', start: new Date('2026-12-04T19:03:00Z') });
    expect(m.text).toContain('these steps follow, counted from Monday 7 December 2026 at 09:00 on England and Wales');
    expect(m.text).toContain('1. Reminder to the professional — Monday 21 December 2026 at 09:00');
    expect(render('confirmation').text).toContain('counted from Monday 2 November 2026 on England and Wales');
  });

  it('confirmation: the reference, what was understood, the dated timetable and the duties', () => {
    const m = render('confirmation');
    const c = m.sample.context;
    expect(m.subject).toBe('Case opened: LAC review minutes for AB-1234 [ESC-2026-0042]');
    expect(m.text).toContain('Your request is now case ESC-2026-0042');
    expect(m.text).toContain('Child reference: AB-1234');
    expect(m.text).toContain('The professional: Sam Patel <sam.patel@northshire.example>');
    expect(m.text).toContain('Team manager: Jo Bennett <jo.bennett@northshire.example>');
    expect(m.text).toContain(
      'Your request asked for this within 2 weeks: by the end of Friday 13 November 2026, the last working day before the first reminder.',
    );
    for (const row of c.timetable) expect(m.text).toContain(`${row.n}. ${row.title} — ${row.when}`);
    expect(m.text).toContain('1. Reminder to the professional — Monday 16 November 2026 at 10:00');
    expect(m.text).toContain('…then every 2 weeks to the Director of Children’s Services until it is done.');
    expect(m.text).toContain('record them (reply VIEWS: …)');
    expect(m.html).toContain('Monday 16 November 2026 at 10:00');
  });

  it('step notice (the originator is told what was sent, to whom and why, and the duties)', () => {
    const m = render('step-notice', 'assistant-director');
    expect(m.subject).toBe('Sent: Email to the Assistant Director — LAC review minutes for AB-1234 [ESC-2026-0042]');
    expect(m.text).toContain('To: Pat Reid <pat.reid@northshire.example>');
    expect(m.text).toContain('Chris Lowe <chris.lowe@northshire.example> — copied as the child’s Independent Reviewing Officer');
    expect(m.text).toContain('Deadline given: the end of Friday 11 December 2026');
    expect(m.text).toContain('If nothing changes: Email to the Director of Children’s Services, on Monday 14 December 2026 (your approval first)');
    expect(m.text).toContain('At this step the policy asks you to:');
    expect(m.text).toContain('record them (reply VIEWS: …)');
  });

  it('approval request and reminder: APPROVE or SKIP, with the exact draft', () => {
    for (const kind of ['approval-request', 'approval-reminder'] as const) {
      const m = render(kind);
      expect(m.text).toContain('Reply APPROVE to send it exactly as it is');
      expect(m.text).toContain('If it goes on a later day, the steps after it move back by the days it waited');
      expect(m.text).toContain('reply SKIP to move on without sending it');
      expect(m.text).toContain('Subject: Escalation to the Director of Children’s Services: LAC review minutes for AB-1234 [ESC-2026-0042]');
      expect(m.text).toContain('Dear Morgan Hale,');
      expect(m.text).toContain('we will need to notify the regulator (Ofsted)');
      expect(m.html).toContain('Dear Morgan Hale,');
    }
    expect(render('approval-reminder').subject).toMatch(/^Reminder 1 — approval needed: /);
  });

  it('contact request names the missing role and how to supply it', () => {
    const m = render('contact-request');
    expect(m.subject).toBe('Address needed: Director of Children’s Services — LAC review minutes for AB-1234 [ESC-2026-0042]');
    expect(m.text).toContain('Director of Children’s Services: Name <name@example.gov.uk>');
    expect(m.text).toContain('reply SKIP');
  });

  it('command acknowledgement lists what was done and the next step (the full timetable on TIMETABLE); an error says nothing changed', () => {
    const ack = render('command-ack');
    expect(ack.text).toContain('Recorded the young person’s views.');
    expect(ack.text).toContain('Noted on the case.');
    expect(ack.text).toContain('The case is now open.');
    expect(ack.text).toContain('Next, if nothing changes:');
    expect(ack.text).toContain('Reply TIMETABLE for the full timetable, HELP for every command.');
    const err = render('command-error');
    expect(err.text).toContain('so nothing has changed');
    expect(err.text).toContain('"Fryday" is not a date I can read');
  });

  it('recipient reply notice, resolved notice and confirm request quote the reply', () => {
    // The Assistant Director promises it for a date after the DCS letter: that letter waits for it.
    const reply = render('reply-notice', 'assistant-director');
    expect(reply.text).toContain('Pat Reid <pat.reid@northshire.example> (Assistant Director) replied');
    expect(reply.text).toContain('I am chasing this today and will send it to you by Friday.');
    expect(reply.text).toMatch(/so the next step is held until [A-Z][a-z]+day \d+ [A-Z][a-z]+ 20\d\d at 09:00/);
    expect(reply.text).toContain('Dates that have moved:');
    expect(reply.text).toContain('Why: Pat Reid promised it by');
    const resolved = render('resolved-notice');
    expect(resolved.subject).toMatch(/^Resolved: /);
    expect(resolved.text).toContain('reply REOPEN');
    expect(resolved.text).toContain('Please find it attached. Apologies for the delay.');
    const confirm = renderSample(store, 'confirm-request', { ladder: ladder('fostering-panel'), rung: 'senior-manager' });
    expect(confirm.sample.intent.to.map((p) => p.name)).toEqual(['Dr Alan Frost', 'Liz Carter']);
    // Said up front: what silence does, and when (the reply came with a PDF: the case closes).
    expect(confirm.text).toMatch(/^This closes on [A-Z][a-z]+day \d+ [A-Z][a-z]+ 20\d\d unless you reply NOT DONE\.$/m);
    expect(confirm.text).toContain('RESOLVED   it is done: the case closes');
    expect(confirm.text).toContain('NOT DONE   it is not: the next steps go ahead (their reply stays on the record)');
    expect(confirm.text).toContain('ESCALATE   it is not: go to the next step now');
    expect(confirm.text).toContain('Please find it attached. Apologies for the delay.');
    expect(confirm.text).not.toContain('nothing was attached');
  });

  it('bounce notice names the address that failed and its role', () => {
    const m = render('bounce-notice');
    expect(m.text).toContain('pat.reid@northshire.example (Assistant Director): the address does not exist');
    expect(m.text).toContain('I will not write to that address again.');
  });

  it('the foster carer is kept informed of each stage and who it went to', () => {
    const m = renderSample(store, 'kept-informed', { ladder: ladder('foster-carer-concern'), rung: 'operational-lead' });
    expect(m.sample.intent.to.map((p) => p.name)).toEqual(['Jamie Collins']);
    expect(m.text).toContain('Dear Jamie Collins,');
    expect(m.text).toContain('it went to the next stage: Stage 3 — escalation to the Operational Lead, to Nadia Brook (Operational Lead)');
    expect(m.text).toContain('They have been asked to respond by the end of Wednesday 11 November 2026.');
  });
});
