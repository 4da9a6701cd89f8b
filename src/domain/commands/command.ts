import type { Duration } from '../calendar/duration.js';
import type { Contact } from '../case/case-state.js';
import type { CaseFlag } from '../ladder/ladder-schema.js';
import type { PanelAction, PanelDateField } from '../case/panel-form.js';

/** A `Key: value` line of an opening request (or a correction later). */
export type Directive =
  | { kind: 'ladder'; ladderId: string }
  | { kind: 'child'; ref: string }
  | { kind: 'contact'; role: string; contact: Contact }
  | { kind: 'flag'; flag: CaseFlag; value: boolean }
  | { kind: 'imminent' }
  | { kind: 'category'; value: string }
  | { kind: 'due'; date: string }
  /** The fostering panel escalation form's dates (sections A and D), YYYY-MM-DD. */
  | { kind: 'panel-date'; field: PanelDateField; date: string }
  /** A section C action: what, by whom, by when. */
  | { kind: 'panel-action'; action: PanelAction }
  /** Step 6's further form: which aspects still concern the ADM or panel chair. */
  | { kind: 'remaining-concerns'; text: string };

/** What the RM or staff can tell a case by replying. */
export type Command =
  | { kind: 'resolved' }
  /** The response the confirmers were asked about is not enough: the ladder goes on. */
  | { kind: 'not-done' }
  | { kind: 'close' }
  | { kind: 'reopen' }
  | { kind: 'pause'; until: string }
  | { kind: 'resume' }
  | { kind: 'escalate' }
  /**
   * `ladderClock`: the RM wrote plain days ("EXTEND 3 days"), which count in the ladder's own
   * clock: `by` is then in days, read as working days on a working-day ladder.
   */
  | { kind: 'extend'; by: Duration; ladderClock?: boolean }
  | { kind: 'approve' }
  | { kind: 'skip' }
  | { kind: 'safeguarding' }
  | { kind: 'imminent' }
  | { kind: 'views'; text: string }
  | { kind: 'note'; text: string }
  /** Asks for every command by mail; changes nothing (issue 20.4: notices carry only the commands that fit them). */
  | { kind: 'help' }
  /** Asks for the case's full timetable by mail; changes nothing (notices carry only the next step). */
  | { kind: 'timetable' }
  | { kind: 'directive'; directive: Directive };

/** A command line as written, kept for acknowledgements and the audit trail. */
export interface CommandLine {
  line: string;
  command: Command;
}
