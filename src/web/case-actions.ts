import type { Command } from '../domain/commands/command.js';

/** The actions the case page offers: each the command an RM would mail, behind a confirmation step. */
export const WEB_ACTIONS = ['approve', 'skip', 'resolve', 'not-done', 'pause', 'resume', 'extend', 'escalate', 'reopen'] as const;
export type WebAction = (typeof WEB_ACTIONS)[number];

export const ACTION_TEXT: Record<WebAction, { button: string; confirm: string; mail: string }> = {
  approve: { button: 'Approve the draft', confirm: 'Approve and send this draft', mail: 'APPROVE' },
  skip: { button: 'Skip the draft', confirm: 'Skip this step (nothing is sent to its recipients)', mail: 'SKIP' },
  resolve: { button: 'Resolve', confirm: 'Mark the case resolved (no more chasers)', mail: 'RESOLVED' },
  'not-done': { button: 'Not done', confirm: 'Say it is not done (the next steps go ahead)', mail: 'NOT DONE' },
  pause: { button: 'Pause until…', confirm: 'Pause the case', mail: 'PAUSE until' },
  resume: { button: 'Resume', confirm: 'End the pause now', mail: 'RESUME' },
  extend: { button: 'Extend…', confirm: 'Give more time before the next step', mail: 'EXTEND' },
  escalate: { button: 'Escalate now', confirm: 'Send the next step now', mail: 'ESCALATE' },
  reopen: { button: 'Reopen', confirm: 'Reopen the case', mail: 'REOPEN' },
};

export function isWebAction(v: unknown): v is WebAction {
  return typeof v === 'string' && (WEB_ACTIONS as readonly string[]).includes(v);
}

/** The command an action stands for, from the form's fields; a string is what is wrong with them. */
export function commandFor(action: WebAction, fields: { until?: string; days?: string }): Command | string {
  switch (action) {
    case 'approve':
      return { kind: 'approve' };
    case 'skip':
      return { kind: 'skip' };
    case 'resolve':
      return { kind: 'resolved' };
    case 'not-done':
      return { kind: 'not-done' };
    case 'resume':
      return { kind: 'resume' };
    case 'escalate':
      return { kind: 'escalate' };
    case 'reopen':
      return { kind: 'reopen' };
    case 'pause':
      return fields.until !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(fields.until)
        ? { kind: 'pause', until: fields.until }
        : 'Give the date the pause ends (YYYY-MM-DD).';
    case 'extend': {
      const days = Number(fields.days);
      // The ladder's own clock, as "EXTEND 3 days" by mail: working days on a working-day ladder.
      return Number.isInteger(days) && days >= 1 && days <= 90
        ? { kind: 'extend', by: { unit: 'd', n: days }, ladderClock: true }
        : 'Give a whole number of days, 1 to 90.';
    }
  }
}

/** Which actions make sense for a case in this state (the domain still decides; this only chooses the buttons). */
export function actionsFor(status: string, awaitingApproval: boolean): WebAction[] {
  if (status === 'resolved' || status === 'closed') return ['reopen'];
  const list: WebAction[] = [];
  if (awaitingApproval) list.push('approve', 'skip');
  list.push('resolve');
  // A reply that read as done waits for the RM: RESOLVED or NOT DONE, as the notice by mail asks.
  if (status === 'awaiting-confirmation') list.push('not-done');
  if (status === 'paused') list.push('resume');
  else list.push('pause');
  list.push('extend', 'escalate');
  return list;
}
