import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { Directory } from '../directory.js';
import type { LadderDefinition } from '../ladder/ladder-schema.js';
import type { Contact } from './case-state.js';

/** Everything a pure case decision may consult. `now` is always given, never read. */
export interface CaseContext {
  now: Date;
  ladder: LadderDefinition;
  calendar: WorkCalendar;
  org: { id: string; name: string; manager: Contact };
  directory: Directory;
}
