import type { CaseFacts } from '../reports/case-facts.js';

/** What a case needs from the people looking at the board, in the order the board shows them. */
export const BOARD_GROUPS = [
  { id: 'approval', title: 'Approvals waiting', hint: 'A drafted step waits for your approval or skip.' },
  { id: 'confirmation', title: 'Replies awaiting confirmation', hint: 'Someone said it is done: confirm it is resolved, or say it is not.' },
  { id: 'address', title: 'Addresses needed', hint: 'A step is held until somebody gives an address.' },
  { id: 'bounce', title: 'Bounced addresses', hint: 'Mail to an address came back.' },
  { id: 'other', title: 'Everything else open', hint: 'The ladder is running on its timetable.' },
  { id: 'done', title: 'Resolved and closed', hint: '' },
] as const;
export type BoardGroupId = (typeof BOARD_GROUPS)[number]['id'];

export const STATUS_FILTERS = ['open', 'paused', 'awaiting-confirmation', 'resolved', 'closed', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface BoardFilter {
  ladder?: string;
  authority?: string;
  status?: StatusFilter;
}

/** The first thing a case needs (a case shows in one group only). */
export function groupOf(f: CaseFacts): BoardGroupId {
  if (f.status === 'resolved' || f.status === 'closed') return 'done';
  if (f.awaitingApproval) return 'approval';
  if (f.awaitingConfirmationSince) return 'confirmation';
  if (f.missingContacts.length > 0) return 'address';
  if (f.bounced.length > 0) return 'bounce';
  return 'other';
}

function matches(f: CaseFacts, filter: BoardFilter): boolean {
  if (filter.ladder && f.ladderId !== filter.ladder) return false;
  if (filter.authority && f.localAuthority !== filter.authority) return false;
  const status = filter.status ?? 'open';
  if (status === 'open') return f.status !== 'resolved' && f.status !== 'closed';
  if (status === 'all') return true;
  return f.status === status;
}

export interface BoardGroup {
  id: BoardGroupId;
  title: string;
  hint: string;
  cases: CaseFacts[];
}

/**
 * The board: the cases that pass the filter, grouped by what needs them, each group by next
 * action (the soonest first; none last), then by reference, so the order never depends on the
 * database's. Pure: the facts come from the reports' loader (workflows/report-queries.ts).
 */
export function buildBoard(facts: CaseFacts[], filter: BoardFilter): BoardGroup[] {
  const chosen = facts.filter((f) => matches(f, filter));
  return BOARD_GROUPS.map((g) => ({
    ...g,
    cases: chosen
      .filter((f) => groupOf(f) === g.id)
      .sort((a, b) => (a.nextActionAt ?? '\uffff').localeCompare(b.nextActionAt ?? '\uffff') || a.ref.localeCompare(b.ref)),
  })).filter((g) => g.cases.length > 0);
}

/** The values the filters offer: only those present among the cases the user may see. */
export function filterChoices(facts: CaseFacts[]): { ladders: { id: string; title: string }[]; authorities: string[] } {
  const ladders = new Map<string, string>();
  for (const f of facts) ladders.set(f.ladderId, f.ladderTitle);
  return {
    ladders: [...ladders].map(([id, title]) => ({ id, title })).sort((a, b) => a.title.localeCompare(b.title)),
    authorities: [...new Set(facts.map((f) => f.localAuthority))].sort(),
  };
}

/** What happens next on a case, in words, with its date where it has one. */
export function nextActionText(f: CaseFacts, format: (iso: string) => string): { what: string; when?: string } {
  if (f.status === 'resolved' || f.status === 'closed') return { what: f.status === 'resolved' ? 'Resolved' : 'Closed' };
  if (f.awaitingApproval) return { what: `Your approval of “${f.awaitingApproval.title}”` };
  if (f.awaitingConfirmationSince) return { what: 'Your confirmation that it is done' };
  if (f.pausedUntil) return { what: 'Paused', when: `until ${format(f.pausedUntil)}` };
  if (!f.current) return { what: 'Nothing planned' };
  if (f.current.status === 'held') return { what: `“${f.current.title}” is held: it needs an address for ${f.missingContacts.join(', ')}` };
  const when = f.current.dueAt ?? f.nextActionAt;
  return { what: f.current.title, when: when ? format(when) : 'only on ESCALATE' };
}
