import type { LadderDefinition } from '../ladder/ladder-schema.js';
import { failsAuthentication } from './authentication.js';
import type { MessageAnalysis } from './analyse-message.js';

export type MatchedBy = 'thread' | 'tag' | 'token';

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
  };
  /** The subject names a case reference we do not have. */
  unknownCaseTag?: string;
  /** The message is larger than the configured limit and was not parsed. */
  oversized?: boolean;
}

export type Route =
  | { kind: 'reject'; reason: string }
  | { kind: 'bounce' }
  | { kind: 'automatic'; automatic: 'auto-reply' | 'bulk'; reason: string }
  | { kind: 'open-case' }
  | { kind: 'quarantine'; reason: string }
  | { kind: 'ignore'; reason: string }
  | { kind: 'command' }
  | { kind: 'staff-message' }
  | { kind: 'recipient-reply'; role: string }
  | { kind: 'flag'; reason: string; notify: boolean };

/**
 * Decides what a message is, from facts alone. The order matters: a message we could not
 * parse changes nothing; automatic mail is never acted on; only then do sender and case count.
 */
export function decideRoute(f: RouteFacts): Route {
  if (f.oversized) return { kind: 'reject', reason: 'message is larger than the configured limit; stored as a reference only' };
  if (f.parseProblems.length > 0) return { kind: 'reject', reason: f.parseProblems.join('; ') };
  const a = f.analysis;
  if (a.automatic.kind === 'bounce') return { kind: 'bounce' };
  if (a.automatic.kind !== 'none') {
    return { kind: 'automatic', automatic: a.automatic.kind, reason: a.automatic.reason ?? a.automatic.kind };
  }
  const spoofed = failsAuthentication(a.authentication);

  if (f.match) {
    const { by, senderRole, senderIsConfirmer } = f.match;
    if (spoofed) return { kind: 'flag', reason: 'sender failed DMARC at our mail server; nothing was changed', notify: true };
    // A tag in the subject proves nothing about who wrote: only people on the case may act through it.
    if (by === 'tag' && !senderRole && !f.senderIsStaff) {
      return { kind: 'flag', reason: 'case reference quoted by someone who is not on the case', notify: true };
    }
    const hasCommands = a.commands.lines.length > 0 || a.commands.errors.length > 0;
    if (senderRole === 'originator' || senderRole === 'rm') return hasCommands ? { kind: 'command' } : { kind: 'staff-message' };
    // Internal ladders chase colleagues on purpose: a chased manager's reply is read like any
    // recipient's (their "done" resolves, their promise holds), and a command-looking line from
    // them is reply text: nobody closes or skips the escalation about themselves.
    if (senderRole && f.match.senderIsChased) return { kind: 'recipient-reply', role: senderRole };
    if (f.senderIsStaff) return hasCommands ? { kind: 'command' } : { kind: 'staff-message' };
    if (senderIsConfirmer && a.commands.lines.length > 0) return { kind: 'command' };
    if (senderRole) return { kind: 'recipient-reply', role: senderRole };
    return { kind: 'flag', reason: 'reply from an address that is not on the case', notify: true };
  }

  if (f.unknownCaseTag && !(a.escalateTag || a.plusLadder)) {
    return { kind: 'quarantine', reason: `no case ${f.unknownCaseTag} here` };
  }
  if (a.escalateTag || a.plusLadder) {
    if (!f.sender) return { kind: 'quarantine', reason: 'no sender address' };
    if (spoofed) return { kind: 'quarantine', reason: 'sender failed DMARC at our mail server' };
    if (!f.senderIsStaff) return { kind: 'quarantine', reason: 'sender is not on the organisation’s staff list' };
    return { kind: 'open-case' };
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
    v?.rungs?.forEach(add);
    for (const o of Object.values(v?.overrides ?? {})) add(o);
  }
  roles.delete('originator');
  roles.delete('rm');
  return roles;
}
