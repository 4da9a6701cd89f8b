import type { Command, CommandLine } from '../commands/command.js';
import type { LadderDefinition } from '../ladder/ladder-schema.js';
import type { MessageAnalysis } from './analyse-message.js';

export type MatchedBy = 'thread' | 'tag' | 'token' | 'outbox';

/** What the look-ups found about a message, given to the pure router. */
export interface RouteFacts {
  analysis: MessageAnalysis;
  parseProblems: string[];
  sender?: string;
  senderIsStaff: boolean;
  /** The case the message belongs to, if any, and how we know. */
  match?: {
    by: MatchedBy;
    /** The sender's role on the case: originator, rm, professional, team-manager… (none: a stranger). */
    senderRole?: string;
    /** The sender is one of the ladder's confirmers (e.g. the panel chair). */
    senderIsConfirmer: boolean;
    /**
     * The sender's role is one the ladder chases (see `chasedRoles`): their reply is a reply to
     * be classified even when they are staff, and never a command.
     */
    senderIsChased: boolean;
    /**
     * The sender may answer for the chased party: a rung that went addressed them (To), or they are
     * a named participant (the request's addressee, the directory's holder of the role, a colleague
     * named by directive). Someone merely copied, or an outside address a directive added, is not.
     */
    senderAnswers: boolean;
    /** The case is resolved or closed. */
    caseClosed?: boolean;
    /** The case was opened by a sender not yet verified and waits for their CONFIRM: no reply may change it yet. */
    caseUnconfirmed?: boolean;
  };
  /** No case matched, and the message answers one of our mails about no one case (the weekly digest, a summary). */
  repliesToOrgMail?: boolean;
  /** No case matched, and command lines in the message name cases by reference ("ESC-2026-0012 PAUSE until …"). */
  namesCases?: boolean;
  /** The subject names a case reference we do not have. */
  unknownCaseTag?: string;
  /** The message is larger than the configured limit and was not parsed. */
  oversized?: boolean;
  /**
   * A delivery report: did it name a mail from our outbox (returned headers, Original-Envelope-Id,
   * In-Reply-To) sent to the address that failed? Only then may it change a case.
   */
  bounce?: { genuine: true } | { genuine: false; reason: string };
}

export type Route =
  | { kind: 'reject'; reason: string }
  | { kind: 'bounce' }
  | { kind: 'automatic'; automatic: 'auto-reply' | 'bulk'; reason: string }
  | { kind: 'open-case'; confirmSender: boolean }
  | { kind: 'quarantine'; reason: string }
  | { kind: 'ignore'; reason: string }
  | { kind: 'command'; allowed?: Command['kind'][] }
  /** Unverified sender: the commands wait for a one-time confirmation from the claimed address. */
  | { kind: 'confirm-commands'; reason: string; allowed?: Command['kind'][] }
  /** `CONFIRM <token>`: the answer to a confirmation round trip. */
  | { kind: 'confirm-token' }
  | { kind: 'staff-message' }
  /** Staff writing about several cases (a reply to the digest): each case named gets its lines, as if sent in its thread; the rest is answered. */
  | { kind: 'case-commands' }
  | { kind: 'recipient-reply'; role: string }
  /** Read and shown to the RM, but it changes nothing on the case. */
  | { kind: 'reply-notice'; role: string; reason: string }
  /**
   * Changes nothing; the RM is told when `notify`. `participant`: the From names someone on the case
   * or on the staff, so the RM's notice quotes what was not acted on; a stranger's words are never
   * quoted (they would travel into the RM's mail and the evidence pack, which keeps strangers to one
   * header line).
   */
  | { kind: 'flag'; reason: string; notify: boolean; participant?: boolean };

/** What a non-staff confirmer (the fostering panel's ADM and chair) may say. */
export const CONFIRMER_COMMANDS: Command['kind'][] = ['resolved', 'not-done', 'escalate'];

/**
 * Commands that only make the ladder go faster (switch to the urgent timescales): an unverified
 * sender's are applied at once, since waiting for a round trip could only delay help for a child.
 */
function onlySpeedsUp(line: CommandLine): boolean {
  const c = line.command;
  if (c.kind === 'safeguarding' || c.kind === 'imminent') return true;
  if (c.kind !== 'directive') return false;
  const d = c.directive;
  return d.kind === 'imminent' || (d.kind === 'flag' && d.flag === 'safeguarding' && d.value);
}

/**
 * Decides what a message is, from facts alone. The order matters: a message we could not
 * parse changes nothing; automatic mail is never acted on; only then do sender and case count.
 */
export function decideRoute(f: RouteFacts): Route {
  if (f.oversized) return { kind: 'reject', reason: 'message is larger than the configured limit; stored as a reference only' };
  if (f.parseProblems.length > 0) return { kind: 'reject', reason: f.parseProblems.join('; ') };
  const a = f.analysis;
  if (a.automatic.kind === 'bounce') {
    // The case tag in a bounce's subject proves nothing: only a report about a mail we sent counts.
    if (f.bounce?.genuine && f.match) return { kind: 'bounce' };
    return { kind: 'flag', reason: f.bounce && !f.bounce.genuine ? f.bounce.reason : 'a delivery report that names no mail we sent', notify: false };
  }
  if (a.automatic.kind !== 'none') {
    return { kind: 'automatic', automatic: a.automatic.kind, reason: a.automatic.reason ?? a.automatic.kind };
  }
  const v = a.verification;
  const verified = v.status === 'verified';
  const commands = (allowed?: Command['kind'][]): Route => {
    const c = a.commands;
    // Nothing to execute (only lines not understood): the answer goes to the address anyway.
    if (verified || c.errors.length > 0 || c.lines.length === 0 || c.lines.every(onlySpeedsUp)) return { kind: 'command', ...(allowed ? { allowed } : {}) };
    return { kind: 'confirm-commands', reason: v.reason, ...(allowed ? { allowed } : {}) };
  };

  if (f.match) {
    const { by, senderRole, senderIsConfirmer } = f.match;
    if (v.status === 'failed') {
      const participant = !!senderRole || f.senderIsStaff;
      return { kind: 'flag', reason: `sender failed verification (${v.reason}); nothing was changed`, notify: true, ...(participant ? { participant } : {}) };
    }
    // A tag in the subject proves nothing about who wrote: only people on the case may act through it.
    if (by === 'tag' && !senderRole && !f.senderIsStaff) {
      return { kind: 'flag', reason: 'case reference quoted by someone who is not on the case', notify: true };
    }
    if (a.confirmToken && (senderRole || f.senderIsStaff)) return { kind: 'confirm-token' };
    const hasCommands = a.commands.lines.length > 0 || a.commands.errors.length > 0;
    // A new tagged request written in the thread of a case that is over is a new escalation (the
    // old case stays as it was); with commands (REOPEN …) it is about the old case.
    const tagged = a.escalateTag || !!a.plusLadder;
    if (f.match.caseClosed && tagged && !hasCommands && f.sender && f.senderIsStaff) return { kind: 'open-case', confirmSender: !verified };
    if (senderRole === 'originator' || senderRole === 'rm') return hasCommands ? commands() : { kind: 'staff-message' };
    // Internal ladders chase colleagues on purpose: a chased manager's reply is read like any
    // recipient's (their "done" resolves, their promise holds), and a command-looking line from
    // them is reply text: nobody closes or skips the escalation about themselves.
    if (senderRole && f.match.senderIsChased) {
      if (f.match.caseUnconfirmed)
        return { kind: 'reply-notice', role: senderRole, reason: 'the request has not yet been confirmed by the person who sent it' };
      if (!f.match.senderAnswers)
        return { kind: 'reply-notice', role: senderRole, reason: 'no step of the ladder has written to them yet, so they cannot answer it' };
      if (!verified) return { kind: 'reply-notice', role: senderRole, reason: `their address could not be verified (${v.reason})` };
      return { kind: 'recipient-reply', role: senderRole };
    }
    if (f.senderIsStaff) return hasCommands ? commands() : { kind: 'staff-message' };
    if (senderIsConfirmer && hasCommands) return commands(CONFIRMER_COMMANDS);
    if (senderRole) return { kind: 'reply-notice', role: senderRole, reason: 'they are copied on the case, not asked to act' };
    return { kind: 'flag', reason: 'reply from an address that is not on the case', notify: true };
  }

  // A reply to the digest (or another mail of ours about no one case), or command lines naming
  // cases: each case's lines are routed by these same rules with that case matched, and whatever
  // names no case, or no case of ours, is answered: never dropped.
  if ((f.repliesToOrgMail || f.namesCases) && f.senderIsStaff && f.sender && !(a.escalateTag || a.plusLadder)) {
    if (v.status === 'failed') return { kind: 'quarantine', reason: `sender failed verification (${v.reason})` };
    return { kind: 'case-commands' };
  }
  if (f.unknownCaseTag && !(a.escalateTag || a.plusLadder)) {
    return { kind: 'quarantine', reason: `no case ${f.unknownCaseTag} here` };
  }
  if (a.escalateTag || a.plusLadder) {
    if (!f.sender) return { kind: 'quarantine', reason: 'no sender address' };
    if (v.status === 'failed') return { kind: 'quarantine', reason: `sender failed verification (${v.reason})` };
    if (!f.senderIsStaff) return { kind: 'quarantine', reason: 'sender is not on the organisation’s staff list' };
    return { kind: 'open-case', confirmSender: !verified };
  }
  return { kind: 'ignore', reason: 'not tagged [escalate] and not part of a case' };
}

/**
 * The roles a ladder asks to act: whoever the request is addressed to (`professionalRole`) and
 * every rung's To, in every variant and the repeat. Never the originator or the RM (they run the
 * case), and not roles that are only ever copied (a PSW, an IRO, the panel chair).
 */
export function chasedRoles(ladder: LadderDefinition): Set<string> {
  const roles = new Set<string>([ladder.professionalRole]);
  const add = (r: { to?: string[] } | undefined) => {
    for (const x of r?.to ?? []) roles.add(x);
  };
  ladder.rungs.forEach(add);
  add(ladder.repeat);
  for (const v of Object.values(ladder.variants)) {
    v.rungs?.forEach(add);
    for (const o of Object.values(v.overrides ?? {})) add(o);
  }
  roles.delete('originator');
  roles.delete('rm');
  return roles;
}
