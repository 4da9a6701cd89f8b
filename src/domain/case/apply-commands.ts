import { addressKey } from '../address.js';
import { describeDuration } from '../calendar/duration.js';
import type { CommandLine, Command, Directive } from '../commands/command.js';
import { effectiveLadder, variantChosenBy, type EffectiveLadder } from '../ladder/effective-ladder.js';
import { roleLabel } from '../roles.js';
import { cloneState, ladderFor, runDue } from './advance.js';
import { insideOrganisation, isStaffRole, type CaseContext } from './case-context.js';
import type { CaseState, Contact, Step } from './case-state.js';
import { skipRungsAlreadyAnswered } from './confirmation.js';
import { clearConfirmation, releaseHold } from './awaiting-confirmation.js';
import { DecisionBuilder, type Decision } from './decision.js';
import { fireStep, recipientsFor, waitsForPanelForm, writeOutOfHoursAhead } from './fire-step.js';
import { outOfHoursAt } from './out-of-hours.js';
import { resolveRoles } from './role-resolution.js';
import { applyPanelDirective } from './panel-form.js';
import { withNextAction } from './next-action.js';
import {
  appendRepeat,
  currentStep,
  extendPlanned,
  fitBeforeDue,
  goLate,
  planSteps,
  replanAfter,
  replanFromNow,
  rungOf,
  shiftBack,
  shiftPlanned,
} from './timetable.js';

export interface CommandsInput {
  from: Contact;
  lines: CommandLine[];
  /** Lines that looked like commands but were not understood. */
  errors: string[];
  /** Key of the message that carried them: makes the acknowledgement's Message-ID unique. */
  messageKey: string;
  /** Answer by email (the default); the CLI prints its answer instead. */
  acknowledge?: boolean;
  /** Only these commands may be given (a non-staff confirmer: RESOLVED or ESCALATE). */
  allowed?: Command['kind'][];
  /** The sender proved the commands theirs by the one-time round trip (recorded on the case). */
  confirmedBy?: 'round-trip';
  /**
   * An operator acted from the CLI: who (`by`) and why (`reason`) go on the record, and the RM is
   * told by mail what was done to their case (the operator gets the answer on the terminal).
   */
  operator?: { by: string; reason: string };
}

/** A problem as recorded in the immutable events: without the sender's own line, which only the raw message keeps. */
function withoutQuotedLine(problem: string): string {
  return problem.replace(/^"[^"\n]*":\s*/, '');
}

class CommandRejected extends Error {}

/**
 * Applies the commands of one message, all or nothing. Every message gets an answer: the new
 * timetable, or what was not understood (and then nothing changed).
 */
export function applyCommands(state: CaseState, input: CommandsInput, ctx: CaseContext): Decision {
  const acknowledge = input.acknowledge ?? true;
  const reject = (problems: string[]): Decision => {
    const b = new DecisionBuilder(cloneState(state), ctx.now);
    b.event('command-rejected', input.from.email, { problems: problems.map(withoutQuotedLine), commands: input.lines.map((l) => l.command.kind) });
    if (acknowledge)
      b.mail({
        kind: 'command-error',
        key: `m${input.messageKey}-error`,
        to: [input.from],
        cc: [],
        timing: 'now',
        data: { problems },
      });
    return b.build();
  };
  if (input.errors.length > 0) return reject(input.errors);
  if (input.lines.length === 0) return reject(['No command was found on the first lines of your reply.']);
  const allowed = input.allowed;
  if (allowed) {
    // The further form of the fostering panel's step 6 is the confirmers' own to give ("the ADM or
    // Panel Chair should complete a further form"), so its line is theirs too.
    const theirs = (c: Command) => allowed.includes(c.kind) || (c.kind === 'directive' && c.directive.kind === 'remaining-concerns' && !!ctx.ladder.panelForm);
    const refused = input.lines.filter((l) => !theirs(l.command));
    if (refused.length > 0) {
      return reject([
        `As one of those asked to confirm responses on this ${ctx.ladder.title} case you may reply ${orList(allowed.map(commandWord))}; ${refused
          .map((l) => (l.command.kind === 'directive' ? 'a directive' : l.command.kind.toUpperCase()))
          .join(', ')} can only come from the RM or staff, so nothing was changed.`,
      ]);
    }
  }

  const b = new DecisionBuilder(cloneState(state), ctx.now);
  if (input.confirmedBy) b.event('sender-confirmed', input.from.email, { what: 'commands', commands: input.lines.map((l) => l.command.kind) });
  const done: string[] = [];
  try {
    for (const line of input.lines) done.push(apply(b, line.command, input.from, ctx));
  } catch (error) {
    if (error instanceof CommandRejected) return reject([error.message]);
    throw error;
  }
  runDue(b, ctx);
  withNextAction(b.state, ctx.calendar);
  const operator = input.operator;
  // HELP and TIMETABLE change nothing: the answer carries what was asked for (issue 20.4).
  const asked = (kind: Command['kind']) => input.lines.some((l) => l.command.kind === kind);
  const full = { fullTimetable: asked('timetable'), allCommands: asked('help') };
  b.event('commands-applied', input.from.email, operator ? { done, by: operator.by, reason: operator.reason } : { done });
  if (operator)
    b.mail({
      kind: 'command-ack',
      key: `m${input.messageKey}-operator`,
      to: [ctx.org.manager],
      cc: [],
      timing: 'now',
      data: { done, by: operator.by, reason: operator.reason, ...full },
    });
  else if (acknowledge)
    b.mail({
      kind: 'command-ack',
      key: `m${input.messageKey}-ack`,
      to: [input.from],
      cc: [],
      timing: 'now',
      data: { done, ...full },
    });
  return b.build();
}

function requireOpen(state: CaseState, what: string): void {
  if (state.status === 'resolved' || state.status === 'closed') {
    throw new CommandRejected(`${what}: the case is ${state.status}. Reply REOPEN first if it needs to go on.`);
  }
}

function apply(b: DecisionBuilder, command: Command, from: Contact, ctx: CaseContext): string {
  const state = b.state;
  const cal = ctx.calendar;
  const now = ctx.now;
  const actor = from.email;
  const ladder = ladderFor(state, ctx);
  switch (command.kind) {
    case 'resolved':
    case 'close': {
      if (state.status === 'resolved' || state.status === 'closed') {
        throw new CommandRejected(`${command.kind.toUpperCase()}: the case is already ${state.status}.`);
      }
      state.status = command.kind === 'resolved' ? 'resolved' : 'closed';
      if (command.kind === 'resolved') state.resolvedAt = now.toISOString();
      else state.closedAt = now.toISOString();
      state.pause = undefined;
      state.hold = undefined;
      clearConfirmation(state);
      b.draft({ kind: 'cancel-all' });
      b.event(state.status, actor, { by: 'command' });
      return command.kind === 'resolved' ? 'Marked resolved; no more chasers will be sent.' : 'Closed; no more chasers will be sent.';
    }
    case 'not-done': {
      if (state.status !== 'awaiting-confirmation') {
        throw new CommandRejected(`NOT DONE: nothing is waiting for confirmation (the case is ${state.status}).`);
      }
      const since = state.awaitingConfirmationSince ?? null;
      // The steps the hold moved come back to where they stood (never before now); the reply stays on the record.
      releaseHold(state, ctx);
      clearConfirmation(state);
      state.status = 'open';
      b.because(`you replied NOT DONE on ${cal.formatDate(now)}`);
      b.event('not-done', actor, { since });
      const next = currentStep(state);
      return `Not done: the reminders go on${next?.dueAt ? `; the next step, “${rungOf(ladder, next).title}”, is due ${cal.format(new Date(next.dueAt))}` : ''}.`;
    }
    case 'reopen': {
      if (state.status !== 'resolved' && state.status !== 'closed') {
        throw new CommandRejected('REOPEN: the case is not resolved or closed.');
      }
      const since = new Date(state.resolvedAt ?? state.closedAt ?? now.toISOString());
      state.status = 'open';
      state.resolvedAt = undefined;
      state.closedAt = undefined;
      shiftPlanned(state, ladder.clock, cal, since, now);
      b.because(`the case was reopened on ${cal.formatDate(now)}`);
      b.event('reopened', actor, {});
      return 'Reopened; the next steps go ahead from here.';
    }
    case 'pause': {
      requireOpen(state, 'PAUSE');
      const until = cal.openingOf(command.until);
      if (until <= now) throw new CommandRejected(`PAUSE until ${command.until}: that date has passed.`);
      if (state.status === 'paused' && state.pause) {
        // A new date replaces the old pause: undo its shift, then apply the new one.
        shiftBack(state, ladder.clock, cal, new Date(state.pause.until), now);
      }
      state.status = 'paused';
      state.pause = { from: now.toISOString(), until: until.toISOString() };
      shiftPlanned(state, ladder.clock, cal, now, until);
      b.because(`the case is paused until ${cal.format(until)}`);
      b.event('paused', actor, { until: until.toISOString() });
      return `Paused until ${cal.format(until)}; later steps move back by the same time.`;
    }
    case 'resume': {
      if (state.status !== 'paused' || !state.pause) throw new CommandRejected('RESUME: the case is not paused.');
      shiftBack(state, ladder.clock, cal, new Date(state.pause.until), now);
      b.because(`the case was resumed on ${cal.formatDate(now)}, before its pause ran out`);
      state.status = 'open';
      state.pause = undefined;
      b.event('resumed', actor, { reason: 'command' });
      return 'Resumed; the timetable is brought forward by the unused part of the pause.';
    }
    case 'escalate': {
      requireOpen(state, 'ESCALATE');
      // Out of awaiting-confirmation, the response was given but found wanting: the rungs that
      // would chase whoever gave it for that response are skipped (see skipRungsAlreadyAnswered).
      let alreadyAnswered: string[] = [];
      if (state.status === 'awaiting-confirmation') {
        state.status = 'open';
        releaseHold(state, ctx);
        alreadyAnswered = skipRungsAlreadyAnswered(b, ladder, actor, ctx);
        clearConfirmation(state);
      }
      if (state.status === 'paused') {
        throw new CommandRejected('ESCALATE: the case is paused. Reply RESUME first, or RESUME and ESCALATE together.');
      }
      if (state.senderConfirmation) {
        throw new CommandRejected('ESCALATE: nothing goes to anyone until the person who sent the request confirms it (the CONFIRM code in the confirmation).');
      }
      state.hold = undefined;
      let step = currentStep(state);
      if (step?.status === 'awaiting-approval') {
        throw new CommandRejected('ESCALATE: the next step is waiting for your APPROVE or SKIP.');
      }
      if (step?.status === 'held' && step.awaitingForm) {
        throw new CommandRejected(
          `ESCALATE: “${rungOf(ladder, step).title}” waits for the further form: reply with a line “Remaining concerns: …” saying which aspects still concern you, and it goes.`,
        );
      }
      if (step?.status === 'held') {
        throw new CommandRejected(`ESCALATE: the next step needs an address for ${(step.missingRoles ?? []).map(roleLabel).join(', ')}.`);
      }
      step ??= appendRepeat(state, ladder, cal);
      // Said in the RM's words: no "ladder" (issue 20.4).
      if (!step) throw new CommandRejected('ESCALATE: every step the policy sets has been taken; there is no further step to go to.');
      // The step goes now: it stands here on the timetable from now on, and the rungs counted from
      // it come with it (replanAfter when it fires).
      // An any-hour step is due now even at night (it waits for the window only if it has outside recipients: fireStep).
      step.dueAt = (step.anyHour ? now : cal.nextOpening(now)).toISOString();
      delete step.timingAt;
      b.because(`ESCALATE sent “${rungOf(ladder, step).title}” early, and the steps counted from it come with it`);
      b.event('escalated', actor, { step: step.n, rung: step.rungId });
      const rung = rungOf(ladder, step);
      // Out of hours on timescales with an out-of-hours address (reg 5 safeguarding), a step whose
      // own mail waits for the window still reaches the duty team now; the step itself goes at the
      // opening, composed then (writeOutOfHoursAhead).
      let aheadTo: string[] | undefined;
      if (step.dueAt <= now.toISOString()) fireStep(b, ladder, step, ctx, actor, 'escalated');
      else if (outOfHoursAt(ladder, cal, now)) aheadTo = writeOutOfHoursAhead(b, ladder, step, ctx);
      const skippedText = alreadyAnswered.length ? `Skipped ${alreadyAnswered.map((t) => `“${t}”`).join(', ')}: they have already responded. ` : '';
      if (step.status === 'held' && step.awaitingForm) {
        return `${skippedText}Escalated: “${rung.title}” waits for the further form first (${ladder.def.panelForm?.policyRef ?? 'step 6'}): reply with a line “Remaining concerns: …” saying which aspects still concern you, and it goes.`;
      }
      return `${skippedText}Escalated: “${rung.title}” ${escalatedText(step, cal, now, aheadTo, ladder)}.`;
    }
    case 'extend': {
      requireOpen(state, 'EXTEND');
      // "EXTEND 3 days" counts in the ladder's own clock: working days on a working-day ladder.
      const by = command.ladderClock && command.by.unit === 'd' && ladder.clock === 'working-days' ? { unit: 'wd' as const, n: command.by.n } : command.by;
      const first = extendPlanned(state, cal, by);
      if (!first) throw new CommandRejected('EXTEND: there is no planned step to extend.');
      b.because(`the case was extended by ${describeDuration(by)}`);
      b.event('extended', actor, { by: describeDuration(by) });
      return `Extended by ${describeDuration(by)}; the next step is now due ${cal.format(new Date(first))}.`;
    }
    case 'approve':
    case 'skip': {
      const step = currentStep(state);
      const name = command.kind.toUpperCase();
      const waiting = step && (step.status === 'awaiting-approval' || (command.kind === 'skip' && step.status === 'held'));
      if (!step || !waiting) {
        throw new CommandRejected(`${name}: nothing is waiting for ${command.kind === 'approve' ? 'approval' : 'a decision'}.`);
      }
      if (command.kind === 'approve' && state.senderConfirmation) {
        throw new CommandRejected('APPROVE: nothing goes to anyone until the person who sent the request confirms it (the CONFIRM code in the confirmation).');
      }
      requireOpen(state, name);
      step.decidedBy = actor;
      step.decidedAt = now.toISOString();
      const rung = rungOf(ladder, step);
      if (command.kind === 'approve') {
        b.event('approved', actor, { step: step.n, rung: rung.id });
        const draftedFor = step.dueAt ? new Date(step.dueAt) : now;
        const outcome = fireStep(b, ladder, step, ctx, actor);
        const goesAt = step.sentAt ? new Date(step.sentAt) : cal.nextOpening(now);
        const goes = goesAt <= now ? 'now' : `at ${cal.format(goesAt)}`;
        if (outcome === 'redrafted') {
          return `Approved: “${rung.title}” goes ${goes}, sent with its dates counted from ${goesAt <= now ? 'today' : 'then'} (it was drafted to go on ${cal.formatDate(draftedFor)}); the steps after it move back by the same time.`;
        }
        return `Approved: “${rung.title}” goes ${goes}, exactly as drafted.`;
      }
      const wasDraft = step.status === 'awaiting-approval';
      step.status = 'skipped';
      if (wasDraft) b.draft({ kind: 'cancel', step: step.n });
      b.event('skipped', actor, { step: step.n, rung: rung.id });
      const index = state.steps.indexOf(step);
      // Decided on a later day than the step was due: the later steps move back by the held span.
      if (goLate(state, ladder, cal, index, cal.nextOpening(now))) b.because(`“${rung.title}” waited for your decision until ${cal.formatDate(now)}`);
      replanAfter(state, ladder, cal, index);
      if (index === state.steps.length - 1) appendRepeat(state, ladder, cal);
      return `Skipped “${rung.title}”; nothing was sent.`;
    }
    case 'safeguarding':
    case 'imminent':
      return switchVariant(b, command.kind === 'safeguarding' ? 'urgent' : 'imminent', actor, ctx);
    case 'views': {
      const step = [...state.steps].reverse().find((s) => s.status === 'sent');
      // The text stays on the case (which purge reaches), not in the immutable event.
      state.views.push({ at: now.toISOString(), step: step?.n ?? 0, text: command.text, by: actor });
      b.event('views-recorded', actor, { step: step?.n ?? 0, index: state.views.length - 1 });
      return 'Recorded the young person’s views.';
    }
    case 'help':
      return 'Every command you can reply with is listed below.';
    case 'timetable':
      return 'The full timetable of the case is below.';
    case 'note':
      (state.notes ??= []).push({ at: now.toISOString(), text: command.text, by: actor });
      b.event('note-added', actor, { index: state.notes.length - 1 });
      return 'Noted on the case.';
    case 'directive':
      return applyDirective(b, command.directive, actor, ctx);
  }
}

/** What ESCALATE did with the step: sent it, drafted it, or when it goes (with who was written to out of hours). */
function escalatedText(step: Step, cal: CaseContext['calendar'], now: Date, aheadTo: string[] | undefined, ladder: EffectiveLadder): string {
  if (step.status === 'awaiting-approval') return 'is drafted for your approval';
  const goesAt = step.status === 'sent' ? step.sentAt : step.dueAt;
  const when = !goesAt || new Date(goesAt) <= now ? 'is sent now' : `goes at ${cal.format(new Date(goesAt))}`;
  if (aheadTo?.length === 0 && ladder.outOfHours) {
    return `${when}; out of hours, no address is known for the ${roleLabel(ladder.outOfHours.to)}, so nobody else could be written to now (give one with a line “EDT: Name <address>”)`;
  }
  if ((step.status !== 'sent' && !aheadTo) || !step.outOfHoursTo) return when;
  return `${when}; out of hours, ${step.outOfHoursTo.join(', ')} ${step.outOfHoursTo.length > 1 ? 'are' : 'is'} written to at once`;
}

function switchVariant(b: DecisionBuilder, variant: 'urgent' | 'imminent', actor: string, ctx: CaseContext): string {
  const state = b.state;
  const def = ctx.ladder.variants[variant];
  if (variant === 'urgent') state.flags.safeguarding = true;
  if (!def) {
    b.event('flag-set', actor, { flag: variant === 'urgent' ? 'safeguarding' : 'imminent' });
    return `Flagged ${variant === 'urgent' ? 'as a safeguarding concern' : 'as imminent risk'}; this ladder has no shorter timescales, so the timetable is unchanged.`;
  }
  if (state.variant === variant) return `Already on the ${def.label.toLowerCase()} timescales.`;
  for (const flag of def.setsFlags) state.flags[flag] = true;
  const from = state.variant;
  state.variant = variant;
  const ladder = effectiveLadder(ctx.ladder, variant);
  const fromOpening = planSteps(ladder, new Date(state.clockStartAt), ctx.calendar);
  // Switched long after the opening (before anything was sent), the variant's timetable counted from
  // the opening is already past: every rung fell due at once and went in one burst. Count from the
  // switch instead, at the variant's spacing, as a switch mid-ladder does.
  const overdue = fromOpening.some((s) => s.dueAt !== null && s.dueAt <= ctx.now.toISOString());
  if (overdue || state.steps.some((s) => s.status !== 'planned')) replanFromNow(state, ladder, ctx.calendar, ctx.now);
  else state.steps = fromOpening;
  // A date it is needed by still holds on the new timescales.
  if (state.requestedBy) {
    const clockStart = new Date(state.clockStartAt);
    fitBeforeDue(state, ladder, ctx.calendar, state.requestedBy, ctx.now > clockStart ? ctx.now : clockStart);
  }
  b.because(`the case now follows the ${def.label.toLowerCase()} timescales`);
  b.event('variant-switched', actor, { from, to: variant });
  return `Switched to the ${def.label.toLowerCase()} timescales (${def.policyRef}).`;
}

function applyDirective(b: DecisionBuilder, d: Directive, actor: string, ctx: CaseContext): string {
  const state = b.state;
  switch (d.kind) {
    case 'child':
      state.childRef = d.ref;
      b.event('child-ref-set', actor, {});
      return 'Child reference updated.';
    case 'category':
      state.category = d.value;
      b.event('category-set', actor, { category: d.value });
      return `Category set to “${d.value}”.`;
    case 'due': {
      state.requestedBy = d.date;
      b.event('due-set', actor, { due: d.date });
      if (ctx.ladder.neededBy && fitBeforeDue(state, ladderFor(state, ctx), ctx.calendar, d.date, ctx.now)) {
        const day = ctx.calendar.formatDate(ctx.calendar.closeOf(d.date));
        b.because(`every step is now taken before ${day}, the date it is needed by`);
        return `Due date recorded as ${day}: the next steps are brought forward so that each is taken before then (${ctx.ladder.neededBy.policyRef}).`;
      }
      return `Due date recorded as ${d.date}.`;
    }
    case 'flag': {
      if (d.flag === 'carer-informed') return setCarerInformed(b, d.value, actor, ctx);
      if (d.flag === 'safeguarding' && d.value) return switchVariant(b, 'urgent', actor, ctx);
      const chosen = d.value && state.variant === 'standard' ? variantChosenBy(ctx.ladder, { [d.flag]: true }) : undefined;
      if (chosen) {
        // Child protection on reg 5: the flag is kept and the case moves to the shorter timescales.
        state.flags[d.flag] = true;
        b.event('flag-set', actor, { flag: d.flag, value: true });
        return switchVariant(b, chosen, actor, ctx);
      }
      state.flags[d.flag] = d.value;
      b.event('flag-set', actor, { flag: d.flag, value: d.value });
      return `${d.flag.replace(/-/g, ' ')}: ${d.value ? 'yes' : 'no'}.`;
    }
    case 'imminent':
      return switchVariant(b, 'imminent', actor, ctx);
    case 'ladder': {
      if (d.ladderId === state.ladderId) return `Already on the ${ctx.ladder.title} ladder.`;
      throw new CommandRejected(`Ladder: ${d.ladderId}: a case cannot change ladder once opened. CLOSE it and send a new request with the right ladder.`);
    }
    case 'panel-date':
    case 'panel-action':
    case 'remaining-concerns': {
      if (!ctx.ladder.panelForm) {
        throw new CommandRejected(
          `That line is part of the fostering panel escalation form; the ${ctx.ladder.title} ladder keeps no such form, so it was not recorded.`,
        );
      }
      const { form, said } = applyPanelDirective(state.panelForm, d, ctx.calendar, ctx.now, actor);
      state.panelForm = form;
      b.event('panel-form-set', actor, { field: d.kind === 'panel-date' ? d.field : d.kind });
      if (d.kind === 'remaining-concerns') {
        const released = releaseHeld(b, actor, ctx);
        if (released) return `${said} “${released}” now goes to the more senior manager with it.`;
      }
      return said;
    }
    case 'contact': {
      if (isStaffRole(d.role, ctx.ladder) && !insideOrganisation(d.contact.email, ctx)) {
        throw new CommandRejected(
          `${capitalise(roleLabel(d.role))}: ${addressKey(d.contact.email)} is outside the organisation, and only the organisation's own addresses may hold that role, so it was not set.`,
        );
      }
      const email = addressKey(d.contact.email);
      state.participants = state.participants.filter((p) => !(p.role === d.role && (d.role !== 'professional' || addressKey(p.email) === email)));
      state.participants.push({ role: d.role, ...d.contact, email, source: 'directive' });
      b.event('participant-set', actor, { role: d.role, email });
      releaseHeld(b, actor, ctx);
      return `${capitalise(roleLabel(d.role))}: ${d.contact.name ? `${d.contact.name} <${email}>` : email}.`;
    }
  }
}

/**
 * `Foster carer informed: yes / no` on a ladder that tells the carer only where the case says so
 * (FIRO). The notes themselves go from runDue (tellKeptInformed), after the commands: the opening
 * note now if it has not gone, then each stage and the end.
 */
function setCarerInformed(b: DecisionBuilder, value: boolean, actor: string, ctx: CaseContext): string {
  const flag = ctx.ladder.keepInformedWhen;
  if (flag !== 'carer-informed') {
    throw new CommandRejected(
      ctx.ladder.keepInformed.length > 0
        ? `Foster carer informed: on the ${ctx.ladder.title} ladder the ${joinRoles(ctx.ladder.keepInformed)} is always kept informed, so nothing was changed.`
        : `Foster carer informed: the ${ctx.ladder.title} ladder keeps nobody informed, so nothing was changed.`,
    );
  }
  const state = b.state;
  state.flags[flag] = value;
  b.event('flag-set', actor, { flag, value });
  const who = joinRoles(ctx.ladder.keepInformed);
  if (!value) return `Foster carer informed: no. The ${who} is not written to about this case.`;
  const roles = ctx.ladder.keepInformed.filter((r) => r !== 'originator' && r !== 'rm');
  const missing = resolveRoles(state, roles, ctx).missing;
  if (missing.length > 0) {
    return `Foster carer informed: yes. There is no address for the ${joinRoles(missing)} yet: reply with a line such as "${capitalise(roleLabel(missing[0] ?? 'foster-carer'))}: Name <address>" and they are told then.`;
  }
  return `Foster carer informed: yes. The ${who} is told in plain words that you are seeking resolution on their behalf and for the child in their care (once), at each stage, and when it ends. The notes carry the subject line of your request.`;
}

function joinRoles(roles: string[]): string {
  return roles.map(roleLabel).join(' and ');
}

/**
 * A held step goes as soon as every To role has an address (and, held for the fostering panel's
 * further form, once it is recorded). Returns the title of the step it released.
 */
function releaseHeld(b: DecisionBuilder, actor: string, ctx: CaseContext): string | undefined {
  const step = currentStep(b.state);
  if (step?.status !== 'held') return undefined;
  const ladder = ladderFor(b.state, ctx);
  let formHeld = false;
  if (step.awaitingForm) {
    if (waitsForPanelForm(b.state, ladder, step)) return undefined;
    // Recorded: the step is planned again, and fireStep holds it for an address if one is missing.
    step.awaitingForm = undefined;
    formHeld = true;
  } else {
    const { missingTo } = recipientsFor(b, ladder, step, ctx);
    if (missingTo.length > 0) {
      step.missingRoles = missingTo;
      return undefined;
    }
  }
  // Held since it fell due: it goes now (or at the next opening), and when that is a later day the
  // rungs after it move back by the time it was held, rather than all falling due together.
  const goesAt = step.anyHour ? ctx.now : ctx.calendar.nextOpening(ctx.now);
  if (goLate(b.state, ladder, ctx.calendar, b.state.steps.indexOf(step), goesAt)) {
    b.because(`“${rungOf(ladder, step).title}” waited for ${formHeld ? 'the further form' : 'an address'} until ${ctx.calendar.formatDate(ctx.now)}`);
  }
  step.status = 'planned';
  if (!step.dueAt || new Date(step.dueAt) > goesAt) step.dueAt = goesAt.toISOString();
  b.event('step-released', actor, { step: step.n });
  return rungOf(ladder, step).title;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A command as the RM writes it: NOT DONE, RESOLVED. */
function commandWord(kind: Command['kind']): string {
  return kind.replace(/-/g, ' ').toUpperCase();
}

/** "RESOLVED, NOT DONE or ESCALATE". */
function orList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
