/**
 * A reply that reads as done puts the case into awaiting confirmation (issue 14 point 6). Reg 5,
 * opened Monday 23 November 2026 at 10:00 (GMT, so local time is UTC); the first reminder to the
 * professional is due two calendar weeks later, Monday 7 December at 10:00. The hold is two
 * working days, twice.
 */
import { describe, expect, it } from 'vitest';
import { applyRecipientReply } from '../../../src/domain/case/apply-reply.js';
import { parseCommands } from '../../../src/domain/inbound/commands.js';
import { resolutionOf } from '../../../src/domain/ladder/ladder-schema.js';
import { CaseDriver, RM, addr, ladder, mailsOf, people } from './case-driver.js';

const PDF = [{ filename: 'LAC review minutes.pdf', contentType: 'application/pdf', size: 150_000 }];

function reg5(): CaseDriver {
  const d = new CaseDriver(ladder('childrens-home-reg5'));
  d.at('2026-11-23T10:00:00Z').open({ participants: people('professional', 'team-manager') });
  return d;
}

/** Replied "done" on Thursday 3 December at 11:00: reminded Monday 7 December 11:00, decided Wednesday 9 December 11:00. */
function doneOnThursday(attachments = PDF): CaseDriver {
  const d = reg5();
  d.at('2026-12-03T11:00:00Z').replyWithFiles('professional', 'resolved', attachments, 'Please find the minutes attached.');
  return d;
}

describe('awaiting confirmation', () => {
  it('none of the five ladders resolves on a reply alone', () => {
    for (const id of ['childrens-home-reg5', 'firo-dispute-resolution', 'foster-carer-concern', 'fostering-panel', 'practice-disagreement']) {
      expect(resolutionOf(ladder(id)), id).toBe('confirm');
      expect(ladder(id).confirmationHold, id).toBe('2wd');
    }
  });

  it('a done reply with a PDF: one notice to the RM saying it closes unless NOT DONE, and the ladder holds', () => {
    const d = reg5();
    const r = d.at('2026-12-03T11:00:00Z').replyWithFiles('professional', 'resolved', PDF, 'Please find the minutes attached.');
    expect(d.state.status).toBe('awaiting-confirmation');
    expect(d.state.confirmation).toMatchObject({
      reason: 'done',
      remindAt: '2026-12-07T11:00:00.000Z',
      until: '2026-12-09T11:00:00.000Z',
      onSilence: 'resolve',
      documents: ['LAC review minutes.pdf'],
    });
    const asks = mailsOf(r, 'confirm-request');
    expect(asks).toHaveLength(1);
    expect(asks[0]!.data).toMatchObject({
      onSilence: 'resolve',
      until: '2026-12-09T11:00:00.000Z',
      attachments: PDF,
      newText: 'Please find the minutes attached.',
    });
    expect(r.mails.map((m) => m.kind)).toEqual(['confirm-request']);
    // The reminder to the professional (Mon 7 Dec 10:00) waits for the end of the hold.
    expect(d.due('professional-reminder')).toBe('2026-12-09T11:00:00+00:00');
    expect(d.state.nextActionAt).toBe('2026-12-07T11:00:00.000Z');
    expect(d.state.nextAction).toBe('confirmation-hold');
    expect(r.events.find((e) => e.type === 'awaiting-confirmation')).toMatchObject({ detail: { onSilence: 'resolve', until: '2026-12-09T11:00:00.000Z' } });
  });

  it('silence: reminded once at the end of the first hold, resolved on the document at the end of the second', () => {
    const d = doneOnThursday();
    expect(d.at('2026-12-07T10:59:00Z').advance().mails).toEqual([]);
    const reminded = d.at('2026-12-07T11:00:00Z').advance();
    expect(mailsOf(reminded, 'confirm-request').map((m) => m.data.reminder)).toEqual([true]);
    expect(reminded.mails).toHaveLength(1);
    expect(reminded.events.map((e) => e.type)).toEqual(['confirmation-reminded']);
    expect(d.state.nextActionAt).toBe('2026-12-09T11:00:00.000Z');
    expect(d.at('2026-12-08T11:00:00Z').advance().mails).toEqual([]);
    const decided = d.at('2026-12-09T11:00:00Z').advance();
    expect(d.state.status).toBe('resolved');
    expect(decided.events.find((e) => e.type === 'resolved')).toMatchObject({
      actor: 'system',
      detail: { by: 'silence', documents: ['LAC review minutes.pdf'], since: '2026-12-03T11:00:00.000Z' },
    });
    expect(decided.mails.filter((m) => m.kind === 'chaser')).toEqual([]);
    expect(d.state.nextActionAt).toBeNull();
    // The RM is told what silence did and why: the document came with the reply.
    expect(decided.mails.map((m) => m.kind)).toEqual(['confirmation-ended']);
    const [ended] = mailsOf(decided, 'confirmation-ended');
    expect([...ended!.to, ...ended!.cc].map((c) => c.email)).toContain(RM.email);
    expect(ended!.data).toEqual({
      from: { email: addr('professional') },
      role: 'professional',
      reason: 'done',
      outcome: 'resolved',
      askedAt: '2026-12-03T11:00:00.000Z',
      until: '2026-12-09T11:00:00.000Z',
      documents: ['LAC review minutes.pdf'],
    });
  });

  it('silence on words alone: the ladder resumes at the end of the second hold with the step it held', () => {
    const d = doneOnThursday([]);
    expect(d.state.confirmation?.onSilence).toBe('resume');
    d.at('2026-12-07T11:00:00Z').advance();
    const resumed = d.at('2026-12-09T11:00:00Z').advance();
    expect(d.state.status).toBe('open');
    expect(resumed.events.map((e) => e.type)).toContain('confirmation-lapsed');
    expect(mailsOf(resumed, 'chaser').map((m) => m.data.rungId)).toEqual(['professional-reminder']);
    // Told before the step goes, naming it and when (now: the hold had moved it to this moment).
    expect(resumed.mails[0]!.kind).toBe('confirmation-ended');
    const [ended] = mailsOf(resumed, 'confirmation-ended');
    expect(ended!.step).toBe(mailsOf(resumed, 'chaser')[0]!.step);
    expect(ended!.data).toMatchObject({ outcome: 'resumed', reason: 'done', documents: [], nextAt: '2026-12-09T11:00:00.000Z' });
  });

  it('an RM who answered in time is not told the hold ended: RESOLVED and NOT DONE end it themselves', () => {
    for (const kind of ['resolved', 'not-done'] as const) {
      const d = doneOnThursday();
      d.at('2026-12-04T09:30:00Z').command({ kind });
      expect(
        d
          .at('2026-12-09T11:00:00Z')
          .advance()
          .mails.filter((m) => m.kind === 'confirmation-ended'),
        kind,
      ).toEqual([]);
    }
  });

  it('a document too large to have been sent to the RM is no evidence', () => {
    const d = reg5();
    const ctx = { ...d.ctx(), forwardMaxBytes: 100_000 };
    d.at('2026-12-03T11:00:00Z');
    d.take(
      applyRecipientReply(
        d.state,
        {
          from: { email: addr('professional') },
          role: 'professional',
          classification: { class: 'resolved' },
          messageKey: 'big',
          newText: 'attached',
          attachments: PDF,
        },
        { ...ctx, now: d.now },
      ),
    );
    expect(d.state.confirmation).toMatchObject({ onSilence: 'resume', documents: [] });
  });

  it('RESOLVED from the RM closes it; NOT DONE lets the ladder go on from where it stood', () => {
    const resolved = doneOnThursday();
    resolved.at('2026-12-04T09:30:00Z').command({ kind: 'resolved' });
    expect(resolved.state.status).toBe('resolved');
    expect(resolved.state.confirmation).toBeUndefined();

    const notDone = doneOnThursday();
    const r = notDone.at('2026-12-04T09:30:00Z').command({ kind: 'not-done' });
    expect(notDone.state.status).toBe('open');
    expect(notDone.state.confirmation).toBeUndefined();
    expect(r.events.find((e) => e.type === 'not-done')).toMatchObject({ detail: { since: '2026-12-03T11:00:00.000Z' } });
    // The reminder goes when it was due before the hold: Monday 7 December 10:00.
    expect(notDone.due('professional-reminder')).toBe('2026-12-07T10:00:00+00:00');
    expect(
      notDone
        .at('2026-12-07T10:00:00Z')
        .advance()
        .mails.some((m) => m.kind === 'chaser'),
    ).toBe(true);
  });

  it('NOT DONE when nothing waits for confirmation changes nothing and says why', () => {
    const d = reg5();
    const r = d.at('2026-12-01T10:00:00Z').command({ kind: 'not-done' });
    expect(d.state.status).toBe('open');
    expect(mailsOf(r, 'command-error')[0]!.data.problems[0]).toMatch(/NOT DONE: nothing is waiting for confirmation/);
  });

  it('a secure-mail notice: the RM is asked to open it, the ladder holds, and silence lets it resume', () => {
    const d = reg5();
    const r = d.at('2026-12-03T11:00:00Z').replyAs('professional', { class: 'secure-message', secureService: 'Egress' });
    expect(d.state.status).toBe('awaiting-confirmation');
    expect(mailsOf(r, 'confirm-request')[0]!.data).toMatchObject({ reason: 'secure-message', secureService: 'Egress', onSilence: 'resume' });
    expect(d.at('2026-12-07T10:00:00Z').advance().mails).toEqual([]);
    d.at('2026-12-07T11:00:00Z').advance();
    const resumed = d.at('2026-12-09T11:00:00Z').advance();
    expect(mailsOf(resumed, 'chaser')).toHaveLength(1);
    expect(mailsOf(resumed, 'confirmation-ended').map((m) => m.data)).toEqual([
      expect.objectContaining({ reason: 'secure-message', outcome: 'resumed', documents: [] }),
    ]);
  });

  it('a redirected reply offers the RM the new contact as a line to send back; the ladder goes on', () => {
    const d = reg5();
    const r = d.at('2026-12-03T11:00:00Z').replyAs('professional', { class: 'redirected', redirectTo: 'jo.new@northshire.gov.uk' });
    expect(d.state.status).toBe('open');
    expect(mailsOf(r, 'reply-notice')[0]!.data).toMatchObject({ redirectDirective: 'Professional: jo.new@northshire.gov.uk' });
    expect(d.due('professional-reminder')).toBe('2026-12-07T10:00:00+00:00');
  });

  it('resolution: auto keeps the old behaviour: the reply resolves the case', () => {
    const d = new CaseDriver({ ...ladder('childrens-home-reg5'), resolution: 'auto' });
    d.at('2026-11-23T10:00:00Z').open({ participants: people('professional') });
    const r = d.at('2026-12-03T11:00:00Z').reply('professional', 'resolved');
    expect(d.state.status).toBe('resolved');
    expect(r.mails.map((m) => m.kind)).toEqual(['resolved-notice']);
  });

  it('NOT DONE is read as a command, in capitals or alone on its line, but "not done yet" is prose', () => {
    const opts = { roles: ['professional'], ladderIds: [], reference: new Date('2026-12-03T11:00:00Z'), timezone: 'Europe/London' };
    expect(parseCommands('NOT DONE\n\nAlex', opts).lines.map((l) => l.command.kind)).toEqual(['not-done']);
    expect(parseCommands('Not done - those are last year’s minutes', opts).lines.map((l) => l.command.kind)).toEqual(['not-done']);
    expect(parseCommands('not-done', opts).lines.map((l) => l.command.kind)).toEqual(['not-done']);
    expect(parseCommands('Not done yet, sorry, I will chase.', opts)).toEqual({ lines: [], errors: [] });
  });
});
